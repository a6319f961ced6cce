// Batch / streaming API for queue workers. A run is split into batches; each batch is scored with the
// items it refers to (its parents and children), duplicates are decided over groups of items, copies are
// re-decided, stop candidates from all batches are ranked once, and the portfolio is folded item by item.
// finalizeReport (index.ts) is the same pieces applied to the whole backlog at once, so a worker pipeline
// and `bearing score` give the same report (test/domain/engine-batch.test.ts checks it on random batchings).
import type { BacklogItem, ItemScore } from '../contracts.ts';
import { analyzeItem } from './analyze.ts';
import { decideItem } from './decide.ts';
import { detectDuplicates } from './duplicates.ts';
import { DEFAULT_STALE_DAYS } from './flags.ts';
import { resolveLinks, scoreItemSignals, type ItemSignals, type LinkOptions } from './link.ts';
import type { StopCandidate } from './stop.ts';
import type { StrategyIndex } from './strategy-index.ts';
import type { WordVectors } from './vectors.ts';

/** JSON-serialisable stop candidate: store it per batch, rank all of them with rankStops at the end. */
export type { StopCandidate } from './stop.ts';
/** Ranks candidates gathered from all batches (best first); their order of arrival does not matter. */
export { rankStops } from './stop.ts';
/** Portfolio built incrementally, so a worker never holds all item scores. */
export { createPortfolioAccumulator, type PortfolioAccumulator } from './portfolio.ts';

export interface BatchItemResult {
  score: ItemScore;
  stop: StopCandidate | null;
}

export interface DecideOptions {
  /** "Today" for staleness. */
  now: Date | string;
  staleDays?: number;
}

const NO_DUPLICATES: ReadonlyMap<string, string> = new Map();
const NO_TITLES: ReadonlyMap<string, string> = new Map();

/** Per-item signals (pure per item): analysis, own goal scores, health, non-goal match. */
export function analyzeSignals(index: StrategyIndex, items: readonly BacklogItem[], opts: LinkOptions = {}, offset = 0): ItemSignals[] {
  return items.map((it, i) => scoreItemSignals(index, analyzeItem(it, offset + i, index.vectors), opts));
}

/**
 * Decides `targets` (the one place items are decided): links are resolved over `known` (the targets and
 * at least their parents and children), copies are those in `duplicateOf` (copy id → id to keep).
 * `titles` adds titles of items outside `known` that a rationale may name (the copy to keep).
 */
export function decideSignals(
  index: StrategyIndex,
  targets: readonly ItemSignals[],
  known: readonly ItemSignals[],
  duplicateOf: ReadonlyMap<string, string>,
  opts: DecideOptions,
  titles: ReadonlyMap<string, string> = NO_TITLES,
): BatchItemResult[] {
  const nowMs = typeof opts.now === 'string' ? Date.parse(opts.now) : opts.now.getTime();
  const links = resolveLinks(index, known, targets);
  const allTitles = new Map<string, string>();
  for (const s of known) allTitles.set(s.a.id, s.a.item.title);
  for (const [id, t] of titles) allTitles.set(id, t);
  const ctx = { index, nowMs, staleDays: opts.staleDays ?? DEFAULT_STALE_DAYS, duplicateOf, titles: allTitles };
  return targets.map((s) => decideItem(ctx, s, links.get(s.a.id)!));
}

/**
 * The items of `context` that an item of `batch` reads when it is linked: its parent (by parent_id) and
 * its children (items whose parent_id is a batch item). Items of the batch itself are skipped.
 */
export function relativesOf(batch: readonly BacklogItem[], context: readonly BacklogItem[]): BacklogItem[] {
  if (!context.length) return [];
  const ids = new Set(batch.map((it) => it.id));
  const parents = new Set<string>();
  for (const it of batch) if (it.parent_id != null && it.parent_id !== it.id) parents.add(it.parent_id);
  const seen = new Set<string>();
  const out: BacklogItem[] = [];
  for (const c of context) {
    if (ids.has(c.id) || seen.has(c.id)) continue;
    if (parents.has(c.id) || (c.parent_id != null && c.parent_id !== c.id && ids.has(c.parent_id))) {
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}

function decideWithContext(
  index: StrategyIndex,
  items: readonly BacklogItem[],
  context: readonly BacklogItem[],
  duplicateOf: ReadonlyMap<string, string>,
  opts: DecideOptions,
  titles?: ReadonlyMap<string, string>,
): BatchItemResult[] {
  const targets = analyzeSignals(index, items);
  const relatives = analyzeSignals(index, relativesOf(items, context), {}, items.length);
  return decideSignals(index, targets, relatives.length ? [...targets, ...relatives] : targets, duplicateOf, opts, titles);
}

/**
 * Scores `items` (one batch of a run). `context` holds other items of the backlog the batch refers to:
 * the parents (by parent_id) of the batch items AND their children (items whose parent_id is a batch item),
 * because an epic borrows from its stories as a story borrows from its epic. Passing more (even the whole
 * backlog) is fine: only those relatives are read. With them, every score equals scoreBacklog's, except
 * that duplicates are NOT decided here (score.duplicate_of = null, no 'duplicate' flag; see
 * findDuplicates / scoreAsDuplicate). Results are in `items` order. `index` must come from
 * prepareStrategy(strategy, vectors) with the vectors `bearing score` uses.
 */
export function scoreBatch(index: StrategyIndex, items: readonly BacklogItem[], context: readonly BacklogItem[], opts: { now: Date | string; staleDays?: number }): BatchItemResult[] {
  return decideWithContext(index, items, context, NO_DUPLICATES, opts);
}

/**
 * The engine's own duplicate decision over a group of items (the whole backlog, or e.g. a cluster of
 * pgvector nearest neighbours). Word rarity is measured inside the group, so the decision equals
 * scoreBacklog's when the group is the whole backlog; `vectors` must be the ones given to prepareStrategy.
 * duplicateOf maps each redundant copy to the copy to keep; clusters list keeper first, then the rest by id.
 */
export function findDuplicates(items: readonly BacklogItem[], vectors?: WordVectors): { duplicateOf: Map<string, string>; clusters: string[][] } {
  return detectDuplicates(items.map((it, i) => analyzeItem(it, i, vectors)));
}

/**
 * Re-decides one item knowing it duplicates `keep` (adds the 'duplicate' flag, duplicate_of, a 'merge' stop
 * candidate). `context` as for scoreBatch (the item's parent and children). Replaces the item's scoreBatch result.
 */
export function scoreAsDuplicate(
  index: StrategyIndex,
  item: BacklogItem,
  context: readonly BacklogItem[],
  keep: { id: string; title: string },
  opts: { now: Date | string; staleDays?: number },
): BatchItemResult {
  return decideWithContext(index, [item], context, new Map([[item.id, keep.id]]), opts, new Map([[keep.id, keep.title]]))[0]!;
}
