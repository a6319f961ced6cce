// Duplicate detection without comparing all pairs: each item gets a short signature (its title stems and
// most informative description stems); an inverted index over signatures proposes candidates that share
// at least two rare-enough stems; only those pairs are scored. Cost grows ~linearly with the backlog.
import type { AnalyzedItem, StatusClass } from './analyze.ts';
import { cosine } from './semantic.ts';

/** Description stems added to the signature: enough to catch copies retitled across tools. */
const SIGNATURE_DESC_TERMS = 6;
/**
 * Stems in more than this many items are topic words of the whole backlog, not evidence of duplication;
 * they are skipped when proposing candidates. 10% of the backlog, kept between 20 and 64 so the cost per
 * item stays bounded (≤ signature × 64 postings) however large the backlog grows.
 */
function postingCap(n: number): number {
  return Math.max(20, Math.min(64, Math.round(n * 0.1)));
}
/** One shared rare stem proposes a pair; the similarity below decides. */
export const MIN_SHARED_SIGNATURE = 1;
/**
 * Same work filed twice usually lands in different trackers or teams (people search their own tracker
 * before filing), while items in one tracker that share words are more often related parts of a plan.
 * So a pair across sources/teams needs a similarity of 0.3, a pair inside one source 0.45; stories of
 * the same epic are parts of one plan and are never called copies.
 */
export const DUPLICATE_MIN_CROSS_SOURCE = 0.4;
export const DUPLICATE_MIN_SAME_SOURCE = 0.6;
/** Sentence vectors: cosine above 0.5 is where two tickets start to be about the same thing. */
const SEMANTIC_FLOOR = 0.5;

/**
 * Lifecycle stages of one piece of work. Two items about the same feature whose titles name different
 * stages ("RFC for X" / "Implement X", "Implement X" / "Stabilize X") are consecutive steps, not copies.
 * Only applied when both titles name a stage: an item without one may be the umbrella or a plain copy.
 */
const STAGES: readonly [string, RegExp][] = [
  ['design', /\b(?:rfc|design|propos\w*|spec(?:ify|ification)?|explor\w*|prototyp\w*|spike|research|investigat\w*)\b/],
  ['build', /\b(?:implement\w*|build|develop)\b/],
  ['release', /\b(?:stabili[sz]\w*|ship|release|launch|roll ?out|general availability|ga)\b/],
  ['document', /\b(?:document|docs?|documentation)\b/],
  ['retire', /\b(?:deprecat\w*|remov\w*|sunset\w*|delet\w*)\b/],
];
function stagesOf(title: string): Set<string> {
  const t = title.toLowerCase();
  return new Set(STAGES.filter(([, re]) => re.test(t)).map(([k]) => k));
}
/** True when both titles name lifecycle stages and share none. */
export function differentStages(a: string, b: string): boolean {
  return disjointStages(stagesOf(a), stagesOf(b));
}
function disjointStages(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  if (!x.size || !y.size) return false;
  for (const s of x) if (y.has(s)) return false;
  return true;
}

const STATUS_PROGRESS: Record<StatusClass, number> = { done: 3, in_progress: 2, blocked: 1, todo: 0 };

/** The copy to keep: further along in status, then the older one, then the smaller id (stable). */
export function keepFirst(a: AnalyzedItem, b: AnalyzedItem): number {
  return (
    STATUS_PROGRESS[b.status] - STATUS_PROGRESS[a.status] ||
    (a.createdMs ?? Infinity) - (b.createdMs ?? Infinity) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

interface Weighted { vec: Map<string, number>; total: number }

/** Term weights for overlap: in-item weight (capped at a title occurrence) × backlog rarity. */
function weigh(a: AnalyzedItem, idf: (s: string) => number): Weighted {
  const vec = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < a.termRefs.length; i++) {
    const s = a.termRefs[i]!.text;
    const w = Math.min(a.termWeights[i]!, 3) * idf(s);
    vec.set(s, w);
    total += w;
  }
  return { vec, total: total || 1 };
}

/**
 * Pair similarity in [0, 1]: half lexical (geometric mean of how much of each item the shared weighted
 * words cover — two short copies and a copy with a longer description both score high), half semantic
 * (sentence-vector cosine above the floor), or all lexical without vectors.
 */
export function similarity(x: Weighted, y: Weighted, semantic: number | null): number {
  let inter = 0;
  const [small, big] = x.vec.size <= y.vec.size ? [x, y] : [y, x];
  for (const [s, w] of small.vec) { const v = big.vec.get(s); if (v) inter += Math.min(w, v); }
  const lexical = Math.sqrt((inter / x.total) * (inter / y.total));
  if (semantic === null) return lexical;
  return 0.5 * lexical + 0.5 * Math.max(0, (semantic - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR));
}

export interface DuplicateResult {
  /** Redundant copy id → id of the copy to keep. */
  duplicateOf: Map<string, string>;
  /** Clusters (keeper first, then the rest by id), sorted by keeper id. */
  clusters: string[][];
}

export function detectDuplicates(items: readonly AnalyzedItem[]): DuplicateResult {
  // Canonical order (by id) so the result does not depend on input order.
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index));
  const n = sorted.length;
  const df = new Map<string, number>();
  for (const a of sorted) for (const ref of a.termRefs) df.set(ref.text, (df.get(ref.text) ?? 0) + 1);
  const idf = (s: string): number => Math.log(1 + n / (df.get(s) ?? 1)) ;
  const cap = postingCap(n);
  const postings = new Map<string, number[]>();
  const sigs: string[][] = new Array(n);
  // Reused buffers for the rarest description stems of one item (kept sorted: rarest first, then by stem).
  const rareStems: string[] = [];
  const rareDf: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = sorted[i]!;
    // The SIGNATURE_DESC_TERMS rarest description stems, as sorting all of them and taking the first would.
    rareStems.length = 0;
    rareDf.length = 0;
    for (let k = a.titleStemCount; k < a.termRefs.length; k++) {
      const s = a.termRefs[k]!.text;
      const d = df.get(s) ?? 0;
      let at = rareStems.length;
      while (at > 0 && (rareDf[at - 1]! > d || (rareDf[at - 1] === d && rareStems[at - 1]! > s))) at--;
      if (at >= SIGNATURE_DESC_TERMS) continue;
      if (rareStems.length < SIGNATURE_DESC_TERMS) { rareStems.push(s); rareDf.push(d); }
      for (let j = rareStems.length - 1; j > at; j--) { rareStems[j] = rareStems[j - 1]!; rareDf[j] = rareDf[j - 1]!; }
      rareStems[at] = s;
      rareDf[at] = d;
    }
    const sig: string[] = [];
    for (let k = 0; k < a.titleStemCount; k++) { const s = a.termRefs[k]!.text; if ((df.get(s) ?? 0) <= cap) sig.push(s); }
    for (let k = 0; k < rareStems.length; k++) if (rareDf[k]! <= cap) sig.push(rareStems[k]!);
    for (const s of sig) (postings.get(s) ?? postings.set(s, []).get(s)!).push(i);
    sigs[i] = sig;
  }
  // Term weights and lifecycle stages are only needed for items in a candidate pair: computed on first use.
  const weighted: (Weighted | undefined)[] = new Array(n);
  const weightedOf = (i: number): Weighted => (weighted[i] ??= weigh(sorted[i]!, idf));
  const stages: (Set<string> | undefined)[] = new Array(n);
  const stagesAt = (i: number): Set<string> => (stages[i] ??= stagesOf(sorted[i]!.title));
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; } return i; };
  // Shared-signature counts of the current item's candidates, in first-seen order (a stamp marks "seen for i").
  const sharedCount = new Int32Array(n);
  const seenBy = new Int32Array(n).fill(-1);
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    candidates.length = 0;
    for (const s of sigs[i]!) {
      for (const j of postings.get(s)!) {
        if (j <= i) continue;
        if (seenBy[j] !== i) { seenBy[j] = i; sharedCount[j] = 0; candidates.push(j); }
        sharedCount[j]!++;
      }
    }
    const a = sorted[i]!;
    for (const j of candidates) {
      if (sharedCount[j]! < MIN_SHARED_SIGNATURE) continue;
      const b = sorted[j]!;
      if (a.parentId === b.id || b.parentId === a.id) continue; // an epic and its own story are not copies
      if (a.parentId && a.parentId === b.parentId) continue; // siblings: parts of one plan
      if (a.status === 'done' && b.status === 'done') continue; // both finished: history, nothing to merge
      if (disjointStages(stagesAt(i), stagesAt(j))) continue; // consecutive steps of one feature
      const sem = a.vector && b.vector ? cosine(a.vector, b.vector) : null;
      const cross = (a.item.source ?? '') !== (b.item.source ?? '') || (a.item.team ?? '') !== (b.item.team ?? '');
      const min = cross ? DUPLICATE_MIN_CROSS_SOURCE : DUPLICATE_MIN_SAME_SOURCE;
      if (similarity(weightedOf(i), weightedOf(j), sem) >= min) {
        const ri = find(i), rj = find(j);
        if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
      }
    }
  }
  const groups = new Map<number, AnalyzedItem[]>();
  for (let i = 0; i < n; i++) (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(sorted[i]!);
  const duplicateOf = new Map<string, string>();
  const clusters: string[][] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const ordered = [...g].sort(keepFirst);
    const keep = ordered[0]!;
    for (const m of ordered.slice(1)) duplicateOf.set(m.id, keep.id);
    clusters.push([keep.id, ...ordered.slice(1).map((m) => m.id).sort()]);
  }
  clusters.sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  return { duplicateOf, clusters };
}
