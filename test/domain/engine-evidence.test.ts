// Evidence and rationale text: a key result is quoted by its own words (not its objective's), the rationale
// names the key result and its objective, and quotes in prose are cut at a word boundary with an ellipsis
// while evidence quotes stay verbatim.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BacklogInput, StrategyInput, type BacklogItem, type Strategy } from '../../src/domain/contracts.ts';
import { scoreBacklog } from '../../src/domain/engine/index.ts';
import { clip, shorten } from '../../src/domain/engine/explain.ts';
import { bakery, item, NOW } from './engine-helpers.ts';

const dir = new URL('../fixtures/engine/', import.meta.url);
const fintech = {
  strategy: StrategyInput.parse(JSON.parse(readFileSync(new URL('fintech-strategy.json', dir), 'utf8'))),
  items: BacklogInput.parse(JSON.parse(readFileSync(new URL('fintech-backlog.json', dir), 'utf8'))),
};

/** Every evidence quote is a verbatim substring of the field of the kind and id it claims. */
function checkEvidence(strategy: Strategy, items: readonly BacklogItem[]) {
  const r = scoreBacklog({ strategy, items, now: NOW });
  const krs = new Map(strategy.objectives.flatMap((o) => o.key_results.map((k) => [k.id, k] as const)));
  const objs = new Map(strategy.objectives.map((o) => [o.id, o]));
  let kr = 0;
  for (const s of r.items) {
    for (const e of s.evidence) {
      if (e.kind === 'key_result') {
        kr++;
        const k = krs.get(e.id)!;
        expect([k.title, k.metric ?? ''].some((t) => t.includes(e.quote)), `${s.id}: ${e.quote}`).toBe(true);
      } else if (e.kind === 'objective') {
        const o = objs.get(e.id)!;
        expect([o.title, o.description ?? ''].some((t) => t.includes(e.quote)), `${s.id}: ${e.quote}`).toBe(true);
      } else if (e.kind === 'item') {
        const it = items.find((i) => i.id === e.id)!;
        expect(`${it.title}\n${it.description ?? ''}`).toContain(e.quote);
      } else {
        expect((strategy.non_goals ?? []).find((g) => g.id === e.id)!.text).toContain(e.quote);
      }
      expect(e.quote).not.toContain('\u2026');
    }
  }
  expect(kr).toBeGreaterThan(0);
  return r;
}

describe('evidence quotes', () => {
  it('quote a key result by its own title or metric, and the objective under its own id', () => {
    checkEvidence(bakery().strategy, bakery().items);
    checkEvidence(fintech.strategy, fintech.items);
  });

  it('names the key result and its objective in the rationale', () => {
    const r = checkEvidence(fintech.strategy, fintech.items);
    const s = r.items.find((i) => i.id === 'LG-5')!;
    expect(s.kr_id).toBe('F1.KR1');
    expect(s.rationale).toContain('Serves F1.KR1 "Median days from invoice sent to paid" (objective F1 "Small businesses get paid faster")');
    expect(s.evidence.find((e) => e.kind === 'key_result')!.quote).toBe('Median days from invoice sent to paid');
  });

  it('quotes the objective sentence a key-result link matched through', () => {
    const strategy = StrategyInput.parse({
      north_star: null,
      objectives: [{
        id: 'W1', title: 'Greenhouses run themselves',
        description: 'Growers lose whole trays when nobody opens the vents on a hot afternoon. Seed costs doubled last year.',
        key_results: [{ id: 'W1.KR1', title: 'Trays lost per season' }],
      }],
    });
    const s = scoreBacklog({ strategy, items: [item('G1', 'Open the vents automatically on hot afternoons')], now: NOW }).items[0]!;
    expect(s.kr_id).toBe('W1.KR1');
    expect(s.evidence).toContainEqual({ kind: 'key_result', id: 'W1.KR1', quote: 'Trays lost per season' });
    expect(s.evidence).toContainEqual({ kind: 'objective', id: 'W1', quote: 'Growers lose whole trays when nobody opens the vents on a hot afternoon.' });
    expect(s.rationale).toContain('Serves W1.KR1 "Trays lost per season" (objective W1 "Greenhouses run themselves")');
  });

  it('cuts long quotes in prose at a word boundary with an ellipsis', () => {
    const long = 'New growers wait on our agronomists to calibrate sensors and irrigation timers; every week of delay costs a harvest.';
    const strategy = StrategyInput.parse({
      north_star: null,
      objectives: [{ id: 'W1', title: long, key_results: [] }],
      non_goals: [{ id: 'NG1', text: `No hydroponic towers for balcony gardeners, rooftop gardeners, community allotments, school projects or restaurant kitchens, whatever the demand this year.` }],
    });
    const r = scoreBacklog({ strategy, items: [item('G1', 'Calibrate irrigation timers and sensors for new growers'), item('G2', 'Hydroponic towers for balcony gardeners')], now: NOW });
    const [a, b] = r.items;
    expect(a!.rationale).toContain('Serves objective W1 "New growers wait on our agronomists to calibrate sensors and irrigation timers…"');
    expect(b!.non_goal_id).toBe('NG1');
    expect(b!.rationale).toMatch(/Contradicts non-goal NG1 "No hydroponic towers for balcony gardeners[^"]*[a-z]…": it is about/);
    expect(r.stop[0]!.reasons[0]).toMatch(/…"$/);
  });

  it('clip: a verbatim prefix ending at a word, then an ellipsis; shorten: a verbatim prefix', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const text = fc.array(fc.tuple(word, fc.constantFrom(' ', ' ', ' ', ', ', '; ', '. ')), { minLength: 1, maxLength: 40 })
      .map((ws) => ws.map(([w, sep]) => w + sep).join('').trim());
    fc.assert(fc.property(text, fc.integer({ min: 20, max: 120 }), (t, max) => {
      const c = clip(t, max);
      if (t.length <= max) { expect(t.startsWith(c)).toBe(true); return; }
      expect(c.endsWith('\u2026')).toBe(true);
      const body = c.slice(0, -1);
      expect(body.length).toBeLessThanOrEqual(max);
      expect(t.startsWith(body)).toBe(true);
      // The cut falls between words: what follows in the text is not a letter.
      expect(/[a-z]/.test(t[body.length] ?? ' ')).toBe(false);
      expect(body).not.toMatch(/[\s,;:.]$/);
      const s = shorten(t, max);
      expect(t.startsWith(s)).toBe(true);
      expect(s.length).toBeLessThanOrEqual(max);
    }), { numRuns: 300 });
  });
});
