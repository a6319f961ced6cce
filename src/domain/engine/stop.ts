// Stop suggestions, ranked by value to a PM: explicit non-goal contradictions and redundant duplicates
// first (the strategy already decided), then busywork, then unaligned work that costs real effort, then
// stale and vague leftovers. Aligned and execution-health work is never suggested (unless it is a copy);
// finished work is excluded, nearly finished work ranks lower.
import type { StopSuggestion } from '../contracts.ts';
import type { StatusClass } from './analyze.ts';

export type StopReason = 'non_goal' | 'duplicate' | 'busywork' | 'unaligned_effort' | 'stale_unaligned' | 'vague';

/**
 * One item's stop suggestion before ranking. Plain JSON data (no Maps, no vectors), so queue workers can
 * store candidates per batch and rank them all at the end: JSON.parse(JSON.stringify(c)) ranks the same.
 */
export interface StopCandidate {
  id: string;
  /** The item's estimate (becomes the suggestion's capacity_points), null when unestimated. */
  capacity_points: number | null;
  /** Status class of the item: in-progress work ranks lower within its tier. */
  status: StatusClass;
  reason: StopReason;
  action: StopSuggestion['action'];
  reasons: string[];
  /** How sure the heuristic is that this item should stop (0..1). */
  confidence: number;
}

/** Tier order: lower tiers always rank first; inside a tier, higher value ranks first. */
const TIER: Record<StopReason, number> = { non_goal: 0, duplicate: 1, busywork: 2, unaligned_effort: 3, stale_unaligned: 4, vague: 5 };
/** Effort with no estimate counts like a mid-sized item (3 points): unknown is not free. */
const UNESTIMATED_POINTS = 3;
/** In-progress work is partly paid for: stopping it frees less and costs sunk work, so it ranks lower within its tier. */
const IN_PROGRESS_DISCOUNT = 0.7;

function value(c: StopCandidate): number {
  const pts = c.capacity_points ?? UNESTIMATED_POINTS;
  const effort = 0.5 + 0.5 * Math.min(1, pts / 8);
  return c.confidence * effort * (c.status === 'in_progress' ? IN_PROGRESS_DISCOUNT : 1);
}

/** Ranks candidates (from one backlog or gathered from many batches): the input order does not matter. */
export function rankStops(candidates: readonly StopCandidate[]): StopSuggestion[] {
  const scored = candidates.map((c) => ({ c, tier: TIER[c.reason], v: value(c) }));
  scored.sort((x, y) => x.tier - y.tier || y.v - x.v || (x.c.id < y.c.id ? -1 : x.c.id > y.c.id ? 1 : 0));
  return scored.map(({ c }, i) => ({
    id: c.id,
    rank: i + 1,
    action: c.action,
    reasons: [...c.reasons],
    capacity_points: c.capacity_points,
    confidence: round2(c.confidence),
  }));
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
