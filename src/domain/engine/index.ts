// The alignment engine as one library of composable, pure parts:
//   prepareStrategy(strategy, vectors)      once per strategy
//   scoreItems(index, items)                per item (batchable: results are independent per item)
//   finalizeReport(index, signals, opts)    once per backlog: links through parents, duplicates, stops, portfolio
// scoreBacklog() runs all three. Deterministic: no clock, no randomness, stable id tie-breaks.
// Queue workers use the same pieces batch by batch (batch.ts): scoreBatch, findDuplicates, scoreAsDuplicate,
// rankStops, createPortfolioAccumulator; finalizeReport is built from them.
import type { BacklogItem, ItemScore, ScoreReport, Strategy } from '../contracts.ts';
import { analyzeSignals, createPortfolioAccumulator, decideSignals, rankStops, type DecideOptions } from './batch.ts';
export { analyzeItem } from './analyze.ts';
export { duplicateProfile, duplicatePairRule, resolveGroups, type DuplicateProfile, type TermStats } from './duplicates.ts';
import { detectDuplicates } from './duplicates.ts';
import type { ItemSignals, LinkOptions } from './link.ts';
import type { StopCandidate } from './stop.ts';
import { prepareStrategy, type StrategyIndex } from './strategy-index.ts';
import type { WordVectors } from './vectors.ts';

export { prepareStrategy, type StrategyIndex } from './strategy-index.ts';
export type { ItemSignals } from './link.ts';
export type { WordVectors } from './vectors.ts';
export { isInstructionLike } from './injection.ts';
export { DEFAULT_STALE_DAYS } from './flags.ts';
export {
  scoreBatch, findDuplicates, scoreAsDuplicate, rankStops, createPortfolioAccumulator,
  type BatchItemResult, type StopCandidate, type PortfolioAccumulator,
} from './batch.ts';

/**
 * Bumped whenever the same input can score differently (queue workers reuse earlier scores of the same
 * scorer version). 1.1.0: key results quoted by their own text, prose quotes with an ellipsis, non-goal
 * subjects and near-synonyms.
 */
export const SCORER = { name: 'heuristic', version: '1.1.0' } as const;

export interface EngineOptions extends LinkOptions {
  /** Days without update after which a not-started item is stale (default 274 ≈ 9 months). */
  staleDays?: number;
}

/** Per-item signals. Pure per item: a worker may call this on any batch and concatenate the results. */
export function scoreItems(index: StrategyIndex, items: readonly BacklogItem[], opts: EngineOptions = {}, offset = 0): ItemSignals[] {
  return analyzeSignals(index, items, opts, offset);
}

export type ReportBody = Omit<ScoreReport, 'generated_at'>;

/** Combines all items' signals into the report (input order kept via each item's index). */
export function finalizeReport(index: StrategyIndex, signals: readonly ItemSignals[], opts: DecideOptions): ReportBody {
  const ordered = [...signals].sort((x, y) => x.a.index - y.a.index);
  const dups = detectDuplicates(ordered.map((s) => s.a));
  const decided = decideSignals(index, ordered, ordered, dups.duplicateOf, opts);
  const items: ItemScore[] = [];
  const stops: StopCandidate[] = [];
  const portfolio = createPortfolioAccumulator(index.strategy);
  decided.forEach((d, i) => {
    items.push(d.score);
    if (d.stop) stops.push(d.stop);
    portfolio.add(d.score, ordered[i]!.a.points);
  });
  return {
    schema: 'bearing.score-report/v1',
    scorer: { ...SCORER },
    strategy: summarizeStrategy(index.strategy),
    items,
    stop: rankStops(stops),
    portfolio: portfolio.result(dups.clusters),
  };
}

export function summarizeStrategy(s: Strategy): ReportBody['strategy'] {
  return {
    north_star: s.north_star ? { name: s.north_star.name } : null,
    objectives: s.objectives.map((o) => ({ id: o.id, title: o.title, key_results: o.key_results.map((k) => ({ id: k.id, title: k.title })) })),
    non_goals: (s.non_goals ?? []).map((g) => ({ id: g.id, text: g.text })),
    warnings: s.warnings ?? [],
  };
}

export interface ScoreBacklogInput {
  strategy: Strategy;
  items: readonly BacklogItem[];
  /** "Today" for staleness. */
  now: Date | string;
  vectors?: WordVectors;
  options?: EngineOptions;
  /** Timestamp to stamp the report with (defaults to `now`). */
  generatedAt?: string;
}

export function scoreBacklog(input: ScoreBacklogInput): ScoreReport {
  const index = prepareStrategy(input.strategy, input.vectors);
  const signals = scoreItems(index, input.items, input.options);
  const body = finalizeReport(index, signals, { now: input.now, ...(input.options?.staleDays !== undefined ? { staleDays: input.options.staleDays } : {}) });
  const generated_at = input.generatedAt ?? (typeof input.now === 'string' ? input.now : input.now.toISOString());
  return { schema: body.schema, generated_at, scorer: body.scorer, strategy: body.strategy, items: body.items, stop: body.stop, portfolio: body.portfolio };
}
