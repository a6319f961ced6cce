// The batch/streaming API (queue workers) must give exactly what `bearing score` (scoreBacklog) gives: for
// any split of the backlog into batches, processed in any order, with each batch's context being the whole
// backlog or only the batch's relatives, scoreBatch + findDuplicates + scoreAsDuplicate + rankStops + the
// portfolio accumulator reproduce scoreBacklog's items, stop list and portfolio.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BacklogInput, StrategyInput, type BacklogItem, type Strategy } from '../../src/domain/contracts.ts';
import {
  createPortfolioAccumulator, findDuplicates, prepareStrategy, rankStops, scoreAsDuplicate, scoreBacklog, scoreBatch,
  type BatchItemResult, type StopCandidate, type WordVectors,
} from '../../src/domain/engine/index.ts';
import { wordVectorsFromRecord } from '../../src/domain/engine/vectors.ts';
import { readFileSync } from 'node:fs';
import { bakery, NOW } from './engine-helpers.ts';

const dir = new URL('../fixtures/engine/', import.meta.url);
function fintechFixture(): { strategy: Strategy; items: BacklogItem[] } {
  return {
    strategy: StrategyInput.parse(JSON.parse(readFileSync(new URL('fintech-strategy.json', dir), 'utf8'))),
    items: BacklogInput.parse(JSON.parse(readFileSync(new URL('fintech-backlog.json', dir), 'utf8'))),
  };
}

/** A tiny hand-made vector table (4-d) so the semantic signals and vector-based duplicates run too. */
const vectors: WordVectors = wordVectorsFromRecord('batch-test', {
  invoice: [1, 0.1, 0, 0], invoices: [0.95, 0.1, 0.05, 0], payment: [0.8, 0.3, 0, 0], pay: [0.8, 0.35, 0, 0.05],
  card: [0.6, 0.5, 0, 0], transfer: [0.7, 0.2, 0.1, 0], reminders: [0.9, 0, 0.2, 0], reminder: [0.9, 0, 0.25, 0],
  bank: [0.1, 1, 0, 0], transactions: [0.15, 0.9, 0.1, 0], matching: [0.1, 0.8, 0.3, 0], receipts: [0.2, 0.7, 0.4, 0],
  receipt: [0.2, 0.7, 0.45, 0], camera: [0, 0.3, 0.9, 0], phone: [0, 0.2, 1, 0], ledger: [0.3, 0.8, 0, 0.2],
  accountant: [0.3, 0.7, 0, 0.3], export: [0.2, 0.5, 0, 0.6], churn: [0, 0, 0.1, 1], cancellation: [0, 0.05, 0.1, 0.95],
  accounts: [0.2, 0.3, 0, 0.8], survey: [0, 0, 0.5, 0.6], mascot: [0, 0, 1, 1], palette: [0.1, 0, 0.9, 0.9],
});

type Mode = 'whole' | 'relatives';

/** Parents of the batch's items and items whose parent is in the batch (written here independently of the engine). */
function relatives(batch: readonly BacklogItem[], all: readonly BacklogItem[]): BacklogItem[] {
  const ids = new Set(batch.map((i) => i.id));
  const parents = new Set(batch.map((i) => i.parent_id).filter((p): p is string => !!p));
  return all.filter((c) => !ids.has(c.id) && (parents.has(c.id) || (!!c.parent_id && ids.has(c.parent_id))));
}

/** Copies through JSON, as a queue or a database column would. */
const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

interface Split { cuts: number[]; order: number[] }

/** The worker pipeline: batches (in `order`), duplicates over all items, copies re-decided, stops ranked, portfolio folded. */
function pipeline(strategy: Strategy, items: readonly BacklogItem[], split: Split, mode: Mode, vec?: WordVectors) {
  const index = prepareStrategy(strategy, vec);
  const bounds = [...new Set([0, ...split.cuts.map((c) => c % (items.length + 1)), items.length])].sort((a, b) => a - b);
  const batches = bounds.slice(1).map((end, k) => ({ start: bounds[k]!, items: items.slice(bounds[k], end) }));
  const order = batches.map((b, k) => ({ b, key: split.order[k % split.order.length]! + k / 1000 })).sort((x, y) => x.key - y.key).map((x) => x.b);
  const contextOf = (batch: readonly BacklogItem[]) => (mode === 'whole' ? items : relatives(batch, items));
  const results: BatchItemResult[] = new Array(items.length);
  for (const b of order) {
    const r = scoreBatch(index, b.items, contextOf(b.items), { now: NOW });
    expect(r.map((x) => x.score.id)).toEqual(b.items.map((i) => i.id));
    for (const x of r) {
      expect(x.score.duplicate_of).toBeNull();
      expect(x.score.flags).not.toContain('duplicate');
    }
    r.forEach((x, k) => { results[b.start + k] = viaJson(x); });
  }
  const dups = findDuplicates(items, vec);
  const titles = new Map(items.map((i) => [i.id, i.title]));
  for (const [copy, keep] of dups.duplicateOf) {
    const at = items.findIndex((i) => i.id === copy);
    results[at] = viaJson(scoreAsDuplicate(index, items[at]!, contextOf([items[at]!]), { id: keep, title: titles.get(keep)! }, { now: NOW }));
  }
  // Candidates arrive batch by batch, in processing order.
  const candidates: StopCandidate[] = [];
  const portfolio = createPortfolioAccumulator(strategy);
  for (const b of order) {
    b.items.forEach((it, k) => {
      const r = results[b.start + k]!;
      if (r.stop) candidates.push(r.stop);
      portfolio.add(r.score, it.estimate_points ?? null);
    });
  }
  return { items: results.map((r) => r.score), stop: rankStops(candidates), portfolio: portfolio.result(dups.clusters) };
}

const splitArb = (n: number) => fc.record({
  cuts: fc.array(fc.integer({ min: 0, max: n }), { minLength: 0, maxLength: Math.min(n, 12) }),
  order: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 16 }),
});

const fixtures: [string, () => { strategy: Strategy; items: BacklogItem[] }, WordVectors | undefined][] = [
  ['bakery', bakery, undefined],
  ['fintech', fintechFixture, undefined],
  ['fintech with word vectors', fintechFixture, vectors],
];

describe('batch API gives exactly what scoreBacklog gives', () => {
  for (const [name, load, vec] of fixtures) {
    const { strategy, items } = load();
    const report = scoreBacklog({ strategy, items, now: NOW, ...(vec ? { vectors: vec } : {}) });

    for (const mode of ['whole', 'relatives'] as const) {
      it(`${name}: random batches, context = ${mode === 'whole' ? 'the whole backlog' : 'parents and children'}`, () => {
        fc.assert(fc.property(splitArb(items.length), (split) => {
          const p = pipeline(strategy, items, split, mode, vec);
          expect(p.items).toEqual(report.items);
          expect(p.stop).toEqual(report.stop);
          expect(p.portfolio).toEqual(report.portfolio);
        }), { numRuns: 40 });
      });
    }
  }

  it('fixtures exercise what the batch API must carry across batches', () => {
    const { strategy, items } = fintechFixture();
    const r = scoreBacklog({ strategy, items, now: NOW });
    expect(r.portfolio.duplicate_clusters.length).toBeGreaterThan(0);
    expect(r.items.some((i) => i.rationale.includes('through its parent'))).toBe(true);
    expect(r.items.some((i) => i.non_goal_id)).toBe(true);
    expect(r.stop.length).toBeGreaterThan(5);
  });

  it('one-item batches with only the relatives as context, on generated backlogs with random parents', () => {
    const { strategy } = bakery();
    const WORDS = ['bread', 'waste', 'closing', 'app', 'order', 'loyalty', 'card', 'crash', 'deck', 'weekly', 'fax', 'sourdough', 'queue', 'forecast'];
    const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }).map((w) => w.join(' '));
    const backlog = fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(
      fc.array(fc.record({ title: text, type: fc.constantFrom('story', 'epic', 'bug'), status: fc.constantFrom('todo', 'in_progress', 'done'),
        estimate_points: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }) }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: -1, max: n - 1 }), { minLength: n, maxLength: n }),
    )).map(([rows, parents]) => rows.map((r, i): BacklogItem => ({
      id: `G-${i}`, ...r, description: null, labels: [], parent_id: parents[i]! >= 0 ? `G-${parents[i]}` : null,
      created_at: '2026-01-01T00:00:00Z', updated_at: '2026-10-01T00:00:00Z',
    })));
    fc.assert(fc.property(backlog, splitArb(10), (items, split) => {
      const report = scoreBacklog({ strategy, items, now: NOW });
      const p = pipeline(strategy, items, { cuts: [...split.cuts, ...items.map((_, i) => i)], order: split.order }, 'relatives');
      expect(p.items).toEqual(report.items);
      expect(p.stop).toEqual(report.stop);
      expect(p.portfolio).toEqual(report.portfolio);
    }), { numRuns: 60 });
  });

  it('an epic needs its children in the context: they lend it their goal', () => {
    const { strategy, items } = fintechFixture();
    const index = prepareStrategy(strategy);
    const epic = items.find((i) => i.id === 'LG-7')!;
    const full = scoreBatch(index, [epic], items, { now: NOW })[0]!;
    const parentsOnly = scoreBatch(index, [epic], [], { now: NOW })[0]!;
    expect(full.score).toEqual(scoreBacklog({ strategy, items, now: NOW }).items.find((i) => i.id === 'LG-7'));
    expect(full.score.alignment).toBeGreaterThan(parentsOnly.score.alignment);
  });

  it('stop candidates are plain data and rank the same in any order', () => {
    const { strategy, items } = fintechFixture();
    const index = prepareStrategy(strategy);
    const cands = scoreBatch(index, items, [], { now: NOW }).flatMap((r) => (r.stop ? [r.stop] : []));
    expect(cands.length).toBeGreaterThan(3);
    expect(viaJson(cands)).toEqual(cands);
    expect(rankStops([...cands].reverse())).toEqual(rankStops(viaJson(cands)));
  });
});
