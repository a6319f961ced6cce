import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectStrategyFormat, readStrategy } from '../../src/domain/strategy.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/strategies/${name}`, import.meta.url), 'utf8');

const json = (v: unknown) => JSON.stringify(v);
const valid = {
  north_star: { name: 'Weekly active shippers', definition: 'Shippers who booked at least one load this week.' },
  objectives: [
    { id: 'O1', title: 'Faster quotes', key_results: [{ id: 'O1.KR1', title: 'Quote time 2h -> 10min', baseline: '2h', target: 10 }] },
    { id: 2, title: 'Fewer claims' },
  ],
  non_goals: [{ id: 'NG1', text: 'No air freight' }],
  extra_field: 'ignored',
};

describe('readStrategy — JSON', () => {
  it('validates, normalises ids and values to strings, ignores unknown fields', () => {
    const r = readStrategy(json(valid), 'json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.strategy.objectives[1]).toEqual({ id: '2', title: 'Fewer claims', description: undefined, key_results: [] });
    expect(r.strategy.objectives[0]!.key_results[0]).toMatchObject({ id: 'O1.KR1', target: '10', baseline: '2h', current: null });
    expect(r.strategy.principles).toEqual([]);
    expect(r.strategy.warnings).toEqual([]);
    expect('extra_field' in r.strategy).toBe(false);
  });

  it('reports a syntax error with its line and column', () => {
    const r = readStrategy('{\n  "objectives": [\n    { "id": "O1", }\n  ]\n}', 'json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.location).toMatch(/^line 3, column \d+$/);
    expect(r.errors[0]!.message).toMatch(/^invalid JSON: /);
  });

  it('reports schema problems one line each', () => {
    const r = readStrategy(json({ objectives: [{ id: 'O1' }, { title: 'x' }] }), 'json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.location)).toEqual(['objectives[0].title', 'objectives[1].id']);
  });

  it('requires at least one objective', () => {
    const r = readStrategy(json({ objectives: [] }), 'json');
    expect(r.ok).toBe(false);
  });

  it('rejects duplicate objective, key result (across objectives) and non-goal ids with their locations', () => {
    const r = readStrategy(
      json({
        objectives: [
          { id: 'O1', title: 'A', key_results: [{ id: 'KR1', title: 'a' }] },
          { id: 'O1', title: 'B', key_results: [{ id: 'KR1', title: 'b' }] },
        ],
        non_goals: [{ id: 'NG1', text: 'x' }, { id: 'NG1', text: 'y' }],
      }),
      'json',
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        { location: 'objectives[1].id', message: 'duplicate objective id "O1" (first used at objectives[0].id)' },
        { location: 'objectives[1].key_results[0].id', message: 'duplicate key result id "KR1" (first used at objectives[0].key_results[0].id)' },
        { location: 'non_goals[1].id', message: 'duplicate non-goal id "NG1" (first used at non_goals[0].id)' },
      ],
    });
  });

  it('handles empty input and a BOM', () => {
    expect(readStrategy('', 'json').ok).toBe(false);
    expect(readStrategy('\uFEFF' + json(valid), 'json').ok).toBe(true);
  });
});

describe('readStrategy — Markdown', () => {
  it('parses and keeps the warnings', () => {
    const r = readStrategy(fixture('messy.md'), 'markdown');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.strategy.objectives.map((o) => o.id)).toEqual(['O2']);
    expect(r.strategy.warnings).toContain('line 18: table row without a key result title');
  });

  it('a document without objectives is an error that carries the warnings', () => {
    const r = readStrategy('- just a list\n- of things\n', 'markdown');
    expect(r).toEqual({
      ok: false,
      errors: [
        { location: '(document)', message: 'no objectives found' },
        { location: 'line 1', message: 'list item outside any section' },
        { location: 'line 2', message: 'list item outside any section' },
      ],
    });
  });

  it('garbage is an error, not an exception', () => {
    expect(readStrategy('\u0000\u0001\u0002\uFFFD', 'markdown').ok).toBe(false);
    expect(readStrategy('', 'markdown').ok).toBe(false);
  });

  it('duplicate ids written in the document are reported with their source line', () => {
    const r = readStrategy('## O1: Alpha\n- KR1.1 One 1 → 2\n\n## O2: Beta\n- KR1.1 Two 3 → 4\n', 'markdown');
    expect(r).toEqual({
      ok: false,
      errors: [{ location: 'line 5 (objectives[1].key_results[0].id)', message: 'duplicate key result id "KR1.1" (first used at objectives[0].key_results[0].id)' }],
    });
  });

  it('all fixtures read successfully', () => {
    for (const f of ['freight-logistics.md', 'clinic-software.md', 'game-studio.md', 'maschinenbau-de.md', 'retail-es.md', 'goals-list.md']) {
      const r = readStrategy(fixture(f), 'markdown');
      expect(r.ok, f).toBe(true);
    }
  });
});

describe('detectStrategyFormat', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/vnd.bearing+json', 'json'],
    ['text/markdown', 'markdown'],
    ['text/x-markdown; charset=UTF-8', 'markdown'],
    ['text/plain', 'markdown'],
    ['strategy.json', 'json'],
    ['Q3 Strategy.MD', 'markdown'],
    ['plan.markdown', 'markdown'],
    ['notes.txt', 'markdown'],
    ['image/png', null],
    ['strategy.pdf', null],
    ['', null],
  ] as const)('%s → %s', (input, expected) => {
    expect(detectStrategyFormat(input)).toBe(expected);
  });
});
