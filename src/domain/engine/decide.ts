// Turns one item's signals (goal link, health, non-goal, noise cues, duplicate status) into its ItemScore
// and, when warranted, a stop candidate. All calibration constants of the report live here.
import type { Evidence, Flag, ItemScore } from '../contracts.ts';
import { isBusywork, isStale, isVague, statesEffort } from './flags.ts';
import { HEALTH_MIN } from './health.ts';
import type { GoalLink, ItemSignals } from './link.ts';
import type { StopCandidate } from './stop.ts';
import type { StrategyIndex } from './strategy-index.ts';
import { clip, explainUnit, firstWords, isoDay, itemEvidence, matchedWords, quoteList, shorten } from './explain.ts';
import { round2 } from './stop.ts';

/**
 * Minimum effective goal score to link an item. A score of 0.08 means the item covers ~8% of a goal's
 * weighted vocabulary — about one distinctive goal word in its title, or its epic's link. Below that the
 * overlap is typically a single common word shared by chance.
 */
export const LINK_MIN = 0.12;
/** Goal alignment = 1 − exp(−score / GOAL_SCALE): a score of 0.3 (strong own match plus epic) gives ~0.78. */
export const GOAL_SCALE = 0.2;
/** Execution-health work is relevant by definition: it ranks with solidly aligned goal work (0.6–0.9). */
export const HEALTH_BASE = 0.6;
export const HEALTH_SPAN = 0.3;
/** Penalties: work the strategy rules out, busywork, and text that tries to instruct the scorer. */
export const NON_GOAL_FACTOR = 0.15;
export const BUSYWORK_FACTOR = 0.3;
export const INJECTION_FACTOR = 0.2;
/** "Real effort" for unaligned work: 3+ points (a few days), an epic, started work, or effort stated in text. */
export const REAL_EFFORT_POINTS = 3;
/** Vague work is worth reframing when it is started or sizeable (5+ points: about a week or more). */
export const VAGUE_REFRAME_POINTS = 5;

export interface DecideContext {
  index: StrategyIndex;
  nowMs: number;
  staleDays: number;
  duplicateOf: ReadonlyMap<string, string>;
  titles: ReadonlyMap<string, string>;
}

export function decideItem(ctx: DecideContext, sig: ItemSignals, link: GoalLink): { score: ItemScore; stop: StopCandidate | null } {
  const { a } = sig;
  const { index } = ctx;
  const ng = sig.nonGoal;
  const busy = isBusywork(a) && sig.health.score < HEALTH_MIN;
  const vague = isVague(a);
  const stale = isStale(a, ctx.nowMs, ctx.staleDays);
  const health = !ng && !busy && sig.health.score >= HEALTH_MIN;
  const linked = !ng && !busy && link.unit >= 0 && link.score >= LINK_MIN;
  const dupOf = ctx.duplicateOf.get(a.id) ?? null;

  let alignment = 1 - Math.exp(-link.score / GOAL_SCALE);
  if (health) alignment = Math.max(alignment, HEALTH_BASE + HEALTH_SPAN * sig.health.score);
  if (ng) alignment *= NON_GOAL_FACTOR;
  if (busy) alignment *= BUSYWORK_FACTOR;
  if (a.injection) alignment *= INJECTION_FACTOR;
  alignment = round3(Math.min(1, Math.max(0, alignment)));

  const flags: Flag[] = [];
  if (!linked && !health) flags.push('unlinked');
  if (dupOf) flags.push('duplicate');
  if (vague) flags.push('vague');
  if (busy) flags.push('busywork');
  if (stale) flags.push('stale');
  if (ng) flags.push('contradicts_non_goal');

  const evidence: Evidence[] = [];
  const sentences: string[] = [];
  const unit = link.unit >= 0 ? index.units[link.unit]! : null;
  if (ng) {
    evidence.push({ kind: 'non_goal', id: ng.id, quote: shorten(ng.quote) });
    const w = matchedWords(a, ng.matched);
    evidence.push(itemEvidence(a, w[0]));
    sentences.push(`Contradicts non-goal ${ng.id} "${clip(ng.quote, 90)}": it is about ${quoteList(w)}.`);
  } else if (busy) {
    evidence.push(itemEvidence(a));
    sentences.push('Busywork: a recurring or internal status artefact that moves no goal.');
  }
  if (linked && unit) {
    const m = index.lexical.matchedTerms(a, link.unit);
    const ex = explainUnit(index, unit, m.stems);
    evidence.push(...ex.evidence);
    const words = firstWords(m.words);
    if (link.inheritedFrom) {
      evidence.push({ kind: 'item', id: link.inheritedFrom, quote: shorten(ctx.titles.get(link.inheritedFrom) ?? link.inheritedFrom) });
      sentences.push(`Serves ${ex.label} through its parent ${link.inheritedFrom}; its own text says little.`);
    } else {
      evidence.push(itemEvidence(a, words[0]));
      sentences.push(`Serves ${ex.label}${words.length ? `: it mentions ${quoteList(words)}` : ' (similar wording)'}.`);
    }
  }
  if (health) {
    const cue = sig.health.cue;
    evidence.push(itemEvidence(a, cue));
    sentences.push(`Execution health (${sig.health.category ?? 'reliability'}${cue ? `: "${cue}"` : ''}): reliability work counts as aligned.`);
  }
  if (!linked && !health && !ng && !busy) {
    evidence.push(itemEvidence(a));
    sentences.push('No objective or key result matches its text, and it is not reliability work.');
  }
  if (dupOf) {
    evidence.push({ kind: 'item', id: dupOf, quote: shorten(ctx.titles.get(dupOf) ?? dupOf) });
    sentences.push(`Duplicates ${dupOf}, which is further along or older: keep that one.`);
  }
  if (vague) sentences.push('Vague: no outcome or acceptance criteria, too short to act on.');
  if (stale) sentences.push(`Stale: not started and untouched since ${isoDay(a.updatedMs ?? a.createdMs)}.`);
  if (a.injection) sentences.push('Contains instructions aimed at the scorer; they were ignored and the item penalised.');

  const score: ItemScore = {
    id: a.id,
    alignment,
    objective_id: linked ? link.objectiveId : null,
    kr_id: linked ? link.krId : null,
    execution_health: health,
    flags,
    duplicate_of: dupOf,
    non_goal_id: ng ? ng.id : null,
    rationale: sentences.join(' '),
    evidence,
  };
  return { score, stop: stopCandidate(a, { ng: ng?.id ?? null, ngQuote: ng?.quote ?? null, dupOf, busy, vague, stale, linked, health, alignment }) };
}

interface StopInput {
  ng: string | null; ngQuote: string | null; dupOf: string | null;
  busy: boolean; vague: boolean; stale: boolean; linked: boolean; health: boolean; alignment: number;
}

function stopCandidate(a: ItemSignals['a'], s: StopInput): StopCandidate | null {
  if (a.status === 'done') return null;
  const pts = a.points;
  const base = { id: a.id, capacity_points: pts, status: a.status };
  if (s.ng) return { ...base, reason: 'non_goal', action: 'stop', confidence: 0.9, reasons: [`Contradicts non-goal ${s.ng}: "${clip(s.ngQuote ?? '', 120)}"`] };
  if (s.dupOf) return { ...base, reason: 'duplicate', action: 'merge', confidence: 0.85, reasons: [`Duplicate of ${s.dupOf}; merge into it`] };
  if (s.busy) return { ...base, reason: 'busywork', action: 'stop', confidence: 0.8, reasons: ['Recurring status work that moves no goal'] };
  if (s.linked || s.health) return null;
  const effort = (pts ?? 0) >= REAL_EFFORT_POINTS || a.type === 'epic' || a.status === 'in_progress' || statesEffort(a);
  const reasons = ['Serves no objective or key result and is not reliability work'];
  if (s.vague && (a.status === 'in_progress' || (pts ?? 0) >= VAGUE_REFRAME_POINTS)) {
    return { ...base, reason: 'vague', action: 'reframe', confidence: 0.6, reasons: [...reasons, 'Vague: no outcome or acceptance criteria'] };
  }
  if (effort) {
    const action = a.status === 'in_progress' || a.status === 'blocked' ? 'pause' : 'stop';
    return { ...base, reason: 'unaligned_effort', action, confidence: round2(0.75 - s.alignment * 0.5), reasons: [...reasons, pts !== null ? `${pts} points of effort` : 'effort without an estimate'] };
  }
  if (s.stale) return { ...base, reason: 'stale_unaligned', action: 'stop', confidence: 0.6, reasons: [...reasons, `Not touched since ${isoDay(a.updatedMs ?? a.createdMs)}`] };
  return null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
