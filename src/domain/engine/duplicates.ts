// Duplicate detection without comparing all pairs: each item gets a short signature (its title stems and
// most informative description stems); an inverted index over signatures proposes candidates that share a
// rare-enough stem; only those pairs are scored. Cost grows ~linearly with the backlog (postings are capped).
//
// What it cannot see: a copy written in other words (a rough idea list, another team's vocabulary) whose
// sentence vector is no closer to the original than the backlog's related-but-different tickets are. In a
// backlog about one product, tickets on one topic sit as close to each other as such copies do, and a
// lower bar then merges related work: a false "merge" costs more than a missed one, so the bars stay high.
import type { AnalyzedItem, StatusClass } from './analyze.ts';
import type { Interned } from './tokens.ts';
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
 * before filing), while items in one tracker that share words are more often related parts of a plan;
 * stories of the same epic are parts of one plan and are never called copies.
 *
 * The similarity (see `similarity`) is half shared weighted wording, half sentence-vector closeness above
 * SEMANTIC_FLOOR. Across sources/teams 0.4 asks for both kinds of evidence at once: e.g. vectors at cosine
 * 0.8 (0.3 of the 0.4: closer than two tickets that merely share a topic) and a fifth of each item's
 * backlog-rare wording in common (0.1); without vectors, 40% shared weighted wording. Inside one source
 * 0.6 asks half again as much, e.g. cosine 0.9 and 40% of the wording, because there shared words more
 * often mean parts of one plan.
 */
export const DUPLICATE_MIN_CROSS_SOURCE = 0.4;
export const DUPLICATE_MIN_SAME_SOURCE = 0.6;
/**
 * Sentence vectors: below cosine 0.5 two tickets are not about the same thing (unrelated tickets of one
 * product sit around 0.3–0.5 once the common direction is removed), so only the excess counts.
 */
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
export function keepFirst(a: Pick<AnalyzedItem, 'status' | 'createdMs' | 'id'>, b: Pick<AnalyzedItem, 'status' | 'createdMs' | 'id'>): number {
  return (
    STATUS_PROGRESS[b.status] - STATUS_PROGRESS[a.status] ||
    (a.createdMs ?? Infinity) - (b.createdMs ?? Infinity) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** An item's weighted terms for overlap, by stem id (see StemIds). */
interface Weighted { vec: Map<number, number>; total: number }

/** Term weights for overlap: in-item weight (capped at a title occurrence) × backlog rarity. */
function weigh(a: AnalyzedItem, ids: Int32Array, idf: (id: number) => number): Weighted {
  const vec = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const w = Math.min(a.termWeights[i]!, 3) * idf(ids[i]!);
    vec.set(ids[i]!, w);
    total += w;
  }
  return { vec, total: total || 1 };
}

/**
 * Dense ids for the stems of one group of items. Items analysed with the same interning tables have one
 * record per stem, so the id is kept on the record (no lookup by string); items from different table
 * generations (a long-running process cleared them in between) are numbered through a Map instead.
 */
function stemIds(items: readonly AnalyzedItem[]): { ids: Int32Array[]; stems: string[] } {
  const sameTables = items.every((a) => a.generation === items[0]!.generation);
  const byText = sameTables ? null : new Map<string, number>();
  const search = {};
  const stems: string[] = [];
  const idOf = (ref: Interned): number => {
    if (byText) {
      let id = byText.get(ref.text);
      if (id === undefined) { byText.set(ref.text, (id = stems.length)); stems.push(ref.text); }
      return id;
    }
    if (ref.duplicatesOf !== search) { ref.duplicatesOf = search; ref.duplicatesId = stems.length; stems.push(ref.text); }
    return ref.duplicatesId;
  };
  const ids = items.map((a) => {
    const list = new Int32Array(a.termRefs.length);
    for (let k = 0; k < list.length; k++) list[k] = idOf(a.termRefs[k]!);
    return list;
  });
  return { ids, stems };
}

/**
 * Pair similarity in [0, 1]: half lexical (geometric mean of how much of each item the shared weighted
 * words cover — two short copies and a copy with a longer description both score high), half semantic
 * (sentence-vector cosine above the floor), or all lexical without vectors.
 */
export function similarity<K>(x: { vec: Map<K, number>; total: number }, y: { vec: Map<K, number>; total: number }, semantic: number | null): number {
  let inter = 0;
  const [small, big] = x.vec.size <= y.vec.size ? [x, y] : [y, x];
  for (const [id, w] of small.vec) { const v = big.vec.get(id); if (v) inter += Math.min(w, v); }
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
  const { ids, stems } = stemIds(sorted);
  const df = new Int32Array(stems.length);
  for (const list of ids) for (let k = 0; k < list.length; k++) df[list[k]!]!++;
  const idf = (id: number): number => Math.log(1 + n / df[id]!);
  const cap = postingCap(n);
  const postings: number[][] = new Array(stems.length);
  const sigs: number[][] = new Array(n);
  // Reused buffer for the rarest description stems of one item (kept sorted: rarest first, then by stem).
  const rare = new Int32Array(SIGNATURE_DESC_TERMS);
  for (let i = 0; i < n; i++) {
    const a = sorted[i]!;
    const list = ids[i]!;
    // The SIGNATURE_DESC_TERMS rarest description stems, as sorting all of them and taking the first would.
    let rareN = 0;
    for (let k = a.titleStemCount; k < list.length; k++) {
      const id = list[k]!;
      const d = df[id]!;
      let at = rareN;
      while (at > 0 && (df[rare[at - 1]!]! > d || (df[rare[at - 1]!] === d && stems[rare[at - 1]!]! > stems[id]!))) at--;
      if (at >= SIGNATURE_DESC_TERMS) continue;
      if (rareN < SIGNATURE_DESC_TERMS) rareN++;
      for (let j = rareN - 1; j > at; j--) rare[j] = rare[j - 1]!;
      rare[at] = id;
    }
    const sig: number[] = [];
    for (let k = 0; k < a.titleStemCount; k++) if (df[list[k]!]! <= cap) sig.push(list[k]!);
    for (let k = 0; k < rareN; k++) if (df[rare[k]!]! <= cap) sig.push(rare[k]!);
    for (const id of sig) (postings[id] ??= []).push(i);
    sigs[i] = sig;
  }
  // Term weights and lifecycle stages are only needed for items in a candidate pair: computed on first use.
  const weighted: (Weighted | undefined)[] = new Array(n);
  const weightedOf = (i: number): Weighted => (weighted[i] ??= weigh(sorted[i]!, ids[i]!, idf));
  const stages: (Set<string> | undefined)[] = new Array(n);
  const stagesAt = (i: number): Set<string> => (stages[i] ??= stagesOf(sorted[i]!.title));
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; } return i; };
  // Shared-signature counts of the current item's candidates, in first-seen order (a stamp marks "seen for i").
  const sharedCount = new Int32Array(n);
  const seenBy = new Int32Array(n).fill(-1);
  const candidates = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let candidateN = 0;
    for (const id of sigs[i]!) {
      for (const j of postings[id]!) {
        if (j <= i) continue;
        if (seenBy[j] !== i) { seenBy[j] = i; sharedCount[j] = 0; candidates[candidateN++] = j; }
        sharedCount[j]!++;
      }
    }
    const a = sorted[i]!;
    for (let c = 0; c < candidateN; c++) {
      const j = candidates[c]!;
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
  const { duplicateOf, clusters } = resolveGroups(groups.values());
  return { duplicateOf, clusters };
}

/**
 * Groups of copies (items joined by confirmed pairs) → which copy each group keeps (keepFirst) and its clusters
 * (keeper first, then the rest by id; sorted by keeper id). Groups of one are skipped.
 */
export function resolveGroups<T extends Pick<AnalyzedItem, 'status' | 'createdMs' | 'id'>>(
  groups: Iterable<readonly T[]>,
): DuplicateResult & { kept: { keep: T; copies: T[] }[] } {
  const duplicateOf = new Map<string, string>();
  const clusters: string[][] = [];
  const kept: { keep: T; copies: T[] }[] = [];
  for (const g of groups) {
    if (g.length < 2) continue;
    const [keep, ...copies] = [...g].sort(keepFirst);
    for (const m of copies) duplicateOf.set(m.id, keep!.id);
    clusters.push([keep!.id, ...copies.map((m) => m.id).sort()]);
    kept.push({ keep: keep!, copies });
  }
  clusters.sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  return { duplicateOf, clusters, kept };
}

// ------------------------------------------------------------------ the same rule, one pair at a time
// The service finds candidate pairs among pgvector nearest neighbours instead of shared signatures, and keeps what
// the rule reads of each item (its profile) so a later run decides a changed item's pairs without re-reading the
// rest. The backlog-wide statistics (how many items, in how many each stem occurs) come from a stored snapshot.
// On the same items and statistics, a pair is confirmed here exactly when detectDuplicates would propose and
// confirm it (test/domain/engine-duplicate-pairs.test.ts holds the two to that).

/** What the duplicate rule reads of one item. */
export interface DuplicateProfile {
  id: string;
  parentId: string | null;
  status: StatusClass;
  createdMs: number | null;
  title: string;
  source: string;
  team: string;
  /** Distinct stems, the title's first (see AnalyzedItem.termRefs), with their in-item weights. */
  stems: readonly string[];
  weights: ArrayLike<number>;
  titleStemCount: number;
  vector: Float32Array | null;
}

/** Backlog-wide term statistics: `n` items, stem → number of items holding it. */
export interface TermStats {
  n: number;
  df: ReadonlyMap<string, number>;
}

export function duplicateProfile(a: AnalyzedItem): DuplicateProfile {
  return {
    id: a.id,
    parentId: a.parentId,
    status: a.status,
    createdMs: a.createdMs,
    title: a.title,
    source: a.item.source ?? '',
    team: a.item.team ?? '',
    stems: a.termRefs.map((r) => r.text),
    weights: a.termWeights,
    titleStemCount: a.titleStemCount,
    vector: a.vector,
  };
}

/** Term statistics of a set of profiles (what detectDuplicates computes over its input). */
export function termStats(profiles: Iterable<Pick<DuplicateProfile, 'stems'>>): TermStats {
  const df = new Map<string, number>();
  let n = 0;
  for (const p of profiles) {
    n++;
    for (const s of p.stems) df.set(s, (df.get(s) ?? 0) + 1);
  }
  return { n, df };
}

/** A stem the statistics have not seen (an item changed since they were taken) is as rare as can be. */
const dfOf = (stats: TermStats, stem: string) => Math.max(1, stats.df.get(stem) ?? 1);

/** The stems that propose candidates (as detectDuplicates' signature): title stems and the rarest description stems, if not too common. */
function signatureOf(p: DuplicateProfile, stats: TermStats): Set<string> {
  const cap = postingCap(stats.n);
  const sig = new Set<string>();
  for (let k = 0; k < p.titleStemCount; k++) if (dfOf(stats, p.stems[k]!) <= cap) sig.add(p.stems[k]!);
  const rest = p.stems.slice(p.titleStemCount).map((s) => [s, dfOf(stats, s)] as const);
  rest.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  for (const [s, d] of rest.slice(0, SIGNATURE_DESC_TERMS)) if (d <= cap) sig.add(s);
  return sig;
}

function weighProfile(p: DuplicateProfile, stats: TermStats): { vec: Map<string, number>; total: number } {
  const vec = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.stems.length; i++) {
    const w = Math.min(p.weights[i]!, 3) * Math.log(1 + stats.n / dfOf(stats, p.stems[i]!));
    vec.set(p.stems[i]!, w);
    total += w;
  }
  return { vec, total: total || 1 };
}

/** Whether `a` and `b` are copies of one piece of work, by detectDuplicates' rule under `stats`. */
export function isDuplicatePair(a: DuplicateProfile, b: DuplicateProfile, stats: TermStats): boolean {
  return duplicatePairRule(stats)(a, b);
}

/**
 * isDuplicatePair for many pairs under one snapshot: each profile's signature and weighted terms are computed once
 * (kept while the profile object lives).
 */
export function duplicatePairRule(stats: TermStats): (a: DuplicateProfile, b: DuplicateProfile) => boolean {
  const sigs = new WeakMap<DuplicateProfile, Set<string>>();
  const weights = new WeakMap<DuplicateProfile, { vec: Map<string, number>; total: number }>();
  const sigOf = (p: DuplicateProfile) => sigs.get(p) ?? sigs.set(p, signatureOf(p, stats)).get(p)!;
  const weighted = (p: DuplicateProfile) => weights.get(p) ?? weights.set(p, weighProfile(p, stats)).get(p)!;
  return (a, b) => {
    if (a.parentId === b.id || b.parentId === a.id) return false; // an epic and its own story are not copies
    if (a.parentId && a.parentId === b.parentId) return false; // siblings: parts of one plan
    if (a.status === 'done' && b.status === 'done') return false; // both finished: history, nothing to merge
    if (differentStages(a.title, b.title)) return false; // consecutive steps of one feature
    const sa = sigOf(a);
    let shared = 0;
    for (const s of sigOf(b)) if (sa.has(s)) shared++;
    if (shared < MIN_SHARED_SIGNATURE) return false;
    const sem = a.vector && b.vector ? cosine(a.vector, b.vector) : null;
    const cross = a.source !== b.source || a.team !== b.team;
    return similarity(weighted(a), weighted(b), sem) >= (cross ? DUPLICATE_MIN_CROSS_SOURCE : DUPLICATE_MIN_SAME_SOURCE);
  };
}
