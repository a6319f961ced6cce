// Linking: every item gets a score per goal unit (objective or KR) from its own text — lexical BM25
// coverage plus, when word vectors are loaded, soft word matches and a sentence-vector similarity — and
// then borrows from its backlog neighbours: a story from its epic, an epic from its stories.
import type { AnalyzedItem } from './analyze.ts';
import { assessHealth, HEALTH_MIN, type HealthResult } from './health.ts';
import { matchNonGoals, type NonGoalHit } from './non-goals.ts';
import type { StrategyIndex } from './strategy-index.ts';

/**
 * Sentence-vector similarity adds SEMANTIC_WEIGHT × (cosine − SEMANTIC_FLOOR). After removing the common
 * direction, a ticket and an unrelated goal sit around cosine 0.3–0.5; only the excess says "same topic".
 * The weight keeps it a tie-breaker and recall aid next to the lexical score (measured with/without: README).
 */
export const SEMANTIC_WEIGHT = 0.3;
export const SEMANTIC_FLOOR = 0.3;

export interface ItemSignals {
  a: AnalyzedItem;
  /** Own score per unit of `index.units` (same order). */
  own: Float64Array;
  health: HealthResult;
  nonGoal: NonGoalHit | null;
}

export interface LinkOptions {
  /** Use the word-vector signals (soft matches + sentence vectors). Default true when vectors are present. */
  semantic?: boolean;
}

export function scoreItemSignals(index: StrategyIndex, a: AnalyzedItem, opts: LinkOptions = {}): ItemSignals {
  const semantic = opts.semantic !== false && !!index.vectors;
  const soft = semantic && index.soft ? index.soft.softTerms(a) : undefined;
  const own = index.lexical.scoreAll(a, soft);
  const m = index.unitMatrix;
  if (semantic && a.vector && m) addSemantic(own, m, a.vector);
  const health = assessHealth(a);
  return { a, own, health, nonGoal: matchNonGoals(index.nonGoals, a, health.score >= HEALTH_MIN, semantic ? index.nonGoalSoft : undefined) };
}

/** Units whose sentence-vector dot products are computed side by side (see addSemantic). */
const DOT_BLOCK = 4;

/**
 * own[i] += SEMANTIC_WEIGHT × (cos(unit i, item) − SEMANTIC_FLOOR) where the cosine clears the floor.
 * Four units are summed at once: each dot product still adds its terms in dimension order (so the sums
 * are bit-identical to one unit at a time), but four independent sums keep the CPU busy instead of
 * waiting on each addition's latency.
 */
function addSemantic(own: Float64Array, m: Float32Array, v: Float32Array): void {
  const dims = v.length;
  const units = own.length;
  let i = 0;
  for (; i + DOT_BLOCK <= units; i += DOT_BLOCK) {
    const o0 = i * dims, o1 = o0 + dims, o2 = o1 + dims, o3 = o2 + dims;
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (let d = 0; d < dims; d++) {
      const x = v[d]!;
      d0 += m[o0 + d]! * x;
      d1 += m[o1 + d]! * x;
      d2 += m[o2 + d]! * x;
      d3 += m[o3 + d]! * x;
    }
    if (d0 > SEMANTIC_FLOOR) own[i]! += SEMANTIC_WEIGHT * (d0 - SEMANTIC_FLOOR);
    if (d1 > SEMANTIC_FLOOR) own[i + 1]! += SEMANTIC_WEIGHT * (d1 - SEMANTIC_FLOOR);
    if (d2 > SEMANTIC_FLOOR) own[i + 2]! += SEMANTIC_WEIGHT * (d2 - SEMANTIC_FLOOR);
    if (d3 > SEMANTIC_FLOOR) own[i + 3]! += SEMANTIC_WEIGHT * (d3 - SEMANTIC_FLOOR);
  }
  for (; i < units; i++) {
    let dot = 0;
    const off = i * dims;
    for (let d = 0; d < dims; d++) dot += m[off + d]! * v[d]!;
    if (dot > SEMANTIC_FLOOR) own[i]! += SEMANTIC_WEIGHT * (dot - SEMANTIC_FLOOR);
  }
}

/**
 * A story's epic counts as much as the story's own words (PARENT_WEIGHT = 1): the epic is the context its
 * team wrote it in, and stories are often terse ("Backend: add endpoint"). An epic borrows half the mean
 * of its children (CHILD_WEIGHT = 0.5): what it is broken into says what it is for, but less than its own text.
 */
export const PARENT_WEIGHT = 1.0;
export const CHILD_WEIGHT = 0.5;

/**
 * Key results measured as a duration ("median days to …", "time to first …") are served by work that makes
 * something faster: speed language in the item (or the epic it belongs to) says which sibling KR it moves,
 * where the shared goal vocabulary cannot. It decides only between KRs of the chosen objective: the match
 * of a duration KR counts half again (SPEED_KR_FACTOR), about what one distinctive KR word adds.
 */
export const SPEED_KR_FACTOR = 1.5;
const DURATION_METRIC_RE =
  /\b(?:time (?:to|from|for|until|between)|(?:days?|hours?|minutes?|weeks?|seconds?) (?:to|from|until|between)|(?:median|average|mean|p\d\d) (?:\w+ )?(?:time|days?|hours?|minutes?|seconds?|weeks?|duration)|lead time|cycle time|turn-?around|duration|latency|how (?:long|fast|quickly))\b/;
const SPEED_RE =
  /\b(?:faster|quicker|sooner|shorter|speed(?:s|ed|ing)? up|accelerat\w*|same day|in parallel|parallel(?:ise|ize)?|wait(?:s|ing)?(?: for)?|delays?|bottlenecks?|lead time|turn-?around|takes? (?:too long|forever|\d+)|in one (?:session|sitting|go|day)|(?:fewer|less) steps)\b/;

/** True when a key result's title or metric measures a duration. */
export function isDurationMetric(text: string): boolean {
  return DURATION_METRIC_RE.test(text.toLowerCase());
}

export interface GoalLink {
  objectiveId: string | null;
  krId: string | null;
  /** Index into index.units of the best unit, or -1. */
  unit: number;
  /** Effective score of the best unit (own + inherited). */
  score: number;
  /** Share of the score that came from the item's own text (0..1). */
  ownShare: number;
  /** The parent whose link was inherited, when it contributed most of the score. */
  inheritedFrom: string | null;
}

const NO_KIDS: readonly ItemSignals[] = [];

/**
 * Effective unit scores with parent/children contributions; order-independent (children sorted by id).
 * `signals` are all items known (the backlog, or a batch with its parents and children); links are
 * resolved for `targets` (default: all of them). An item's link reads only its own, its parent's and its
 * children's own scores, so a batch plus those relatives links exactly as the whole backlog does.
 */
export function resolveLinks(index: StrategyIndex, signals: readonly ItemSignals[], targets: readonly ItemSignals[] = signals): Map<string, GoalLink> {
  const byId = new Map<string, ItemSignals>();
  for (const s of signals) byId.set(s.a.id, s);
  const children = new Map<string, ItemSignals[]>();
  for (const s of signals) {
    const p = s.a.parentId;
    if (p && p !== s.a.id && byId.has(p)) (children.get(p) ?? children.set(p, []).get(p)!).push(s);
  }
  const out = new Map<string, GoalLink>();
  const units = index.units;
  const krs = new Map(index.strategy.objectives.flatMap((o) => o.key_results.map((k) => [k.id, k] as const)));
  const duration = units.map((u) => {
    const k = u.krId ? krs.get(u.krId) : undefined;
    return !!k && isDurationMetric(`${k.title}\n${k.metric ?? ''}`);
  });
  // Speed language matters only when the chosen objective has a duration KR: tested then, once per item.
  const hasDurationKr = new Set(units.filter((_, i) => duration[i]).map((u) => u.objectiveId));
  const speedCache = new Map<ItemSignals, boolean>();
  const speedy = (s: ItemSignals | undefined): boolean => {
    if (!s) return false;
    let v = speedCache.get(s);
    if (v === undefined) speedCache.set(s, (v = SPEED_RE.test(s.a.text)));
    return v;
  };
  for (const kids of children.values()) kids.sort((x, y) => (x.a.id < y.a.id ? -1 : 1));
  const eff = new Float64Array(units.length); // scratch: only read while handling one item
  const kidSum = new Float64Array(units.length); // scratch as well
  for (const s of targets) {
    const parent = s.a.parentId && s.a.parentId !== s.a.id ? byId.get(s.a.parentId) : undefined;
    const kids = children.get(s.a.id) ?? NO_KIDS;
    if (kids.length) {
      // Children's scores summed per unit, child by child (each unit's sum adds them in the same order).
      kidSum.fill(0);
      for (const k of kids) for (let i = 0; i < units.length; i++) kidSum[i]! += k.own[i]!;
    }
    for (let i = 0; i < units.length; i++) {
      let v = s.own[i]!;
      if (parent) v += PARENT_WEIGHT * parent.own[i]!;
      if (kids.length) v += (CHILD_WEIGHT * kidSum[i]!) / kids.length;
      eff[i] = v;
    }
    let best = -1;
    for (let i = 0; i < units.length; i++) if (best < 0 || eff[i]! > eff[best]!) best = i;
    if (best < 0 || eff[best]! <= 0) {
      out.set(s.a.id, { objectiveId: null, krId: null, unit: -1, score: 0, ownShare: 0, inheritedFrom: null });
      continue;
    }
    const objectiveId = units[best]!.objectiveId;
    const speed = hasDurationKr.has(objectiveId) && (speedy(s) || speedy(parent));
    let kr = -1;
    let krBest = 0;
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      if (!u.krId || u.objectiveId !== objectiveId) continue;
      const score = eff[i]! * (speed && duration[i] ? SPEED_KR_FACTOR : 1);
      if (kr < 0 || score > krBest) { kr = i; krBest = score; }
    }
    const ownShare = Math.min(1, s.own[best]! / eff[best]!);
    out.set(s.a.id, {
      objectiveId,
      krId: kr >= 0 && eff[kr]! > 0 ? units[kr]!.krId : null,
      unit: kr >= 0 && eff[kr]! > 0 ? kr : best,
      score: eff[best]!,
      ownShare,
      inheritedFrom: parent && ownShare < 0.5 ? parent.a.id : null,
    });
  }
  return out;
}
