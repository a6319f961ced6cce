import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScoreReport } from '../../src/domain/contracts.ts';
import { scoreCommand } from '../../src/entry/score-command.ts';

const fx = (f: string) => new URL(`../fixtures/engine/${f}`, import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'bearing-score-'));
const write = (name: string, text: string) => { const p = join(tmp, name); writeFileSync(p, text); return p; };

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await scoreCommand([...argv, '--no-vectors'], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err };
}
const base = ['--strategy', fx('bakery-strategy.json'), '--backlog', fx('bakery-backlog.json'), '--now', '2026-11-01T00:00:00Z'];

describe('bearing score', () => {
  it('writes a contract-valid JSON report, identical across runs apart from generated_at', async () => {
    const a = await run(...base);
    const b = await run(...base);
    expect(a.code).toBe(0);
    const ra = ScoreReport.parse(JSON.parse(a.out));
    expect(ra.items).toHaveLength(15);
    const strip = (s: string) => s.replace(/"generated_at": "[^"]+"/, '');
    expect(strip(a.out)).toBe(strip(b.out));
  });

  it('renders a table and Markdown', async () => {
    const t = await run(...base, '--format', 'table');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/Stop suggestions/);
    expect(t.out).toMatch(/BK-6 .*13/);
    const m = await run(...base, '--format', 'markdown');
    expect(m.out).toMatch(/^# Bearing score report/);
    expect(m.out).toMatch(/\| 1 \| stop \|/);
  });

  it('writes to --out and reads CSV backlogs', async () => {
    const csv = write('b.csv', 'id,title,estimate_points\nC-1,"Discount unsold loaves at closing to cut waste",3\n');
    const out = join(tmp, 'r.json');
    const r = await run('--strategy', fx('bakery-strategy.json'), '--backlog', csv, '--now', '2026-11-01T00:00:00Z', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).items[0].objective_id).toBe('B1');
  });

  it.each([
    [['--strategy', '/nope/s.json', '--backlog', fx('bakery-backlog.json')], /\/nope\/s\.json: cannot read file \(no such file\)/],
    [['--strategy', fx('bakery-strategy.json'), '--backlog', 'BAD_JSON'], /invalid JSON/],
    [['--strategy', fx('bakery-strategy.json'), '--backlog', 'NO_ID'], /items\[1\]: id: /],
    [['--strategy', fx('bakery-strategy.json'), '--backlog', fx('bakery-backlog.json'), '--format', 'xml'], /--format: unknown format "xml"/],
    [['--strategy', fx('bakery-strategy.json'), '--backlog', 'b.yaml'], /unknown backlog format "\.yaml"/],
    [['--strategy', fx('bakery-strategy.json'), '--backlog', fx('bakery-backlog.json'), '--now', 'yesterday'], /--now: not an ISO-8601 date/],
  ])('fails with one clear line per problem (%#)', async (argv, re) => {
    const files: Record<string, string> = {
      BAD_JSON: write('bad.json', '{"items": [ {"id": "1", '),
      NO_ID: write('noid.json', JSON.stringify([{ id: 'A', title: 'ok' }, { title: 'missing id' }])),
      'b.yaml': write('b.yaml', 'x: 1'),
    };
    const r = await run(...argv.map((a) => files[a] ?? a));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(re);
    expect(r.err.trim().split('\n').every((l) => l.startsWith('error: '))).toBe(true);
  });

  it('names the item and field of an invalid item, and ignores unknown fields', async () => {
    const p = write('bad-item.json', JSON.stringify({ items: [{ id: 'Z-1', title: 'fine', extra: 1 }, { id: 'Z-2', title: 'bad', estimate_points: 'many' }] }));
    const r = await run('--strategy', fx('bakery-strategy.json'), '--backlog', p);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-item\.json: item Z-2 \(items\[1\]\): estimate_points: /);
    expect(r.err).not.toMatch(/Z-1/);
  });
});
