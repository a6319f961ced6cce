// Lexical score: BM25 with the goal text as the query and the item as the document. Normalised by the
// query's own weight it reads as "the share of what the goal talks about that this item also talks about",
// a number in [0, 1] that means the same for a 5-word goal and a 50-word one.
import { float64Array } from './slab.ts';
import { relatedStems } from './thesaurus.ts';
import type { Interned } from './tokens.ts';

/** BM25 term-frequency saturation: 1.2 is the standard BM25 default. */
export const BM25_K1 = 1.2;
/**
 * BM25 length normalisation, softer than the usual 0.75: a long, well-written ticket is not less about its
 * topic than a terse one; 0.4 only discounts the chance matches that very long pastes collect.
 */
export const BM25_B = 0.4;
/** Typical weighted length of a ticket (title ×3 + a short paragraph). */
export const REFERENCE_LENGTH = 40;
/** A thesaurus near-synonym counts half of the exact word. */
export const RELATED_FACTOR = 0.5;

export interface QueryTerm {
  stem: string;
  /** Field weight × discrimination × informativeness. */
  weight: number;
}

export interface LexicalDoc {
  terms: ReadonlyMap<string, number>;
  /** Sum of term weights (document length in weighted tokens). */
  length: number;
}

export function docLength(terms: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of terms.values()) n += v;
  return n;
}

export interface LexicalMatch {
  score: number;
  /** Query stems the item matched (exactly or through the thesaurus), strongest first. */
  matched: string[];
}

/** Fast path of lexicalMatch: the score only. */
export function lexicalScore(query: readonly QueryTerm[], totalWeight: number, doc: LexicalDoc): number {
  if (totalWeight <= 0) return 0;
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * doc.length) / REFERENCE_LENGTH);
  let s = 0;
  for (const t of query) {
    let q = doc.terms.get(t.stem) ?? 0;
    if (q === 0) for (const r of relatedStems(t.stem)) q = Math.max(q, RELATED_FACTOR * (doc.terms.get(r) ?? 0));
    if (q > 0) s += (t.weight * q) / (q + norm);
  }
  return Math.min(1, s / totalWeight);
}

export function lexicalMatch(query: readonly QueryTerm[], totalWeight: number, doc: LexicalDoc): LexicalMatch {
  if (totalWeight <= 0) return { score: 0, matched: [] };
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * doc.length) / REFERENCE_LENGTH);
  let s = 0;
  const hits: [string, number][] = [];
  for (const t of query) {
    let q = doc.terms.get(t.stem) ?? 0;
    if (q === 0) {
      for (const r of relatedStems(t.stem)) q = Math.max(q, RELATED_FACTOR * (doc.terms.get(r) ?? 0));
    }
    if (q === 0) continue;
    const c = (t.weight * q) / (q + norm);
    s += c;
    hits.push([t.stem, c]);
  }
  hits.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { score: Math.min(1, s / totalWeight), matched: hits.map((h) => h[0]) };
}

/** What the index knows about one stem: its goal-stem id (or -1) and the goal stems it stands for through the thesaurus. */
interface StemInfo {
  id: number;
  related: Int32Array | null;
}

/** Extra (soft) occurrences of goal stems an item does not contain exactly, in first-seen order. */
export interface SoftTerms {
  stems: readonly string[];
  weights: readonly number[];
}

const NO_INFO: StemInfo = { id: -1, related: null };

/** An item's weighted terms as parallel lists (see AnalyzedItem): stems in first-seen order and their weights. */
export interface TermList {
  termRefs: readonly Interned[];
  termWeights: Float64Array;
  /** Sum of termWeights: the document length. */
  termsLength: number;
}

/**
 * All goal units scored at once through an inverted index (goal stem → units that use it): the cost per item
 * is its own vocabulary plus the postings it hits, not units × query terms. Same formula as lexicalScore.
 *
 * Goal stems are numbered densely so the per-item work runs on reused typed arrays instead of fresh Maps
 * (this is the engine's hottest loop). The effective weights are still summed in exactly the order the
 * Map-based version used — item terms in insertion order, then thesaurus stand-ins in first-seen order —
 * so every score is bit-for-bit the same.
 */
export class LexicalIndex {
  /** Item stem → its goal-stem id and thesaurus goal ids (one lookup per item term). */
  private readonly info = new Map<string, StemInfo>();
  /** Postings of goal stem id g: units postUnit[postStart[g] .. postStart[g + 1]) with their query weights. */
  private readonly postStart: Int32Array;
  private readonly postUnit: Int32Array;
  private readonly postWeight: Float64Array;
  private readonly totals: Float64Array;
  // Per-call scratch, reused across items: stamps mark "set during the current call" without clearing.
  private readonly eff: Float64Array;
  private readonly inDoc: Uint32Array;
  private readonly inEff: Uint32Array;
  private readonly order: Int32Array;
  /** Position in the document's term list of each goal stem it contains (valid where inDoc is stamped). */
  private readonly pos: Int32Array;
  private stamp = 0;
  /** matchedTerms' scratch (storage kept between calls): query positions that matched and their contributions. */
  private readonly hitPositions: number[] = [];
  private readonly hitScores: number[] = [];
  /** Each unit's query: goal-stem ids, weights and stems, in query order (for matchedTerms). */
  private readonly queries: { ids: Int32Array; weights: Float64Array; stems: readonly string[] }[];

  constructor(units: readonly { query: readonly QueryTerm[]; totalWeight: number }[]) {
    this.totals = Float64Array.from(units.map((u) => u.totalWeight));
    const postings = new Map<string, { unit: number; weight: number }[]>();
    units.forEach((u, i) => {
      for (const t of u.query) (postings.get(t.stem) ?? postings.set(t.stem, []).get(t.stem)!).push({ unit: i, weight: t.weight });
    });
    const goalStems = [...postings.keys()];
    const n = goalStems.length;
    let total = 0;
    for (const p of postings.values()) total += p.length;
    this.postStart = new Int32Array(n + 1);
    this.postUnit = new Int32Array(total);
    this.postWeight = new Float64Array(total);
    let k = 0;
    goalStems.forEach((g, id) => {
      this.postStart[id] = k;
      for (const p of postings.get(g)!) { this.postUnit[k] = p.unit; this.postWeight[k] = p.weight; k++; }
      this.info.set(g, { id, related: null });
    });
    this.postStart[n] = k;
    const relatedGoal = new Map<string, number[]>();
    for (const g of [...goalStems].sort()) {
      for (const r of relatedStems(g)) (relatedGoal.get(r) ?? relatedGoal.set(r, []).get(r)!).push(this.info.get(g)!.id);
    }
    for (const [r, ids] of relatedGoal) {
      const known = this.info.get(r);
      if (known) known.related = Int32Array.from(ids);
      else this.info.set(r, { id: -1, related: Int32Array.from(ids) });
    }
    this.queries = units.map((u) => ({
      ids: Int32Array.from(u.query, (t) => this.info.get(t.stem)!.id),
      weights: Float64Array.from(u.query, (t) => t.weight),
      stems: u.query.map((t) => t.stem),
    }));
    this.pos = new Int32Array(n);
    this.eff = new Float64Array(n);
    this.inDoc = new Uint32Array(n);
    this.inEff = new Uint32Array(n);
    this.order = new Int32Array(n);
  }

  /** Step 2 of scoreAll for one document term of weight q; returns the new length of `order`. */
  private relate(related: Int32Array, q: number, count: number): number {
    const { eff, inDoc, inEff, order } = this;
    const stamp = this.stamp;
    for (let j = 0; j < related.length; j++) {
      const g = related[j]!;
      if (inDoc[g] === stamp) continue;
      const v = RELATED_FACTOR * q;
      if (inEff[g] !== stamp) {
        if (v > 0) { inEff[g] = stamp; eff[g] = v; order[count++] = g; }
      } else if (v > eff[g]!) eff[g] = v;
    }
    return count;
  }

  /** The entry of an item stem, cached on its interned record (one Map lookup per distinct stem and index). */
  private infoOf(ref: Interned): StemInfo {
    if (ref.lexicalOf !== this) { ref.lexicalOf = this; ref.lexical = this.info.get(ref.text) ?? NO_INFO; }
    return ref.lexical as StemInfo;
  }

  /**
   * Steps 1–2 of scoring a document: the effective weight of every goal stem it contains exactly, softly or
   * through the thesaurus (eff, stamped in inEff), in first-seen order (order[0 .. count)). Returns count.
   */
  private fill(doc: TermList, soft: SoftTerms | undefined): number {
    const { eff, inDoc, inEff, order, pos } = this;
    if (++this.stamp === 0xffffffff) { inDoc.fill(0); inEff.fill(0); this.stamp = 1; }
    const stamp = this.stamp;
    let count = 0;
    const refs = doc.termRefs;
    const weights = doc.termWeights;
    // The document's terms are its own terms followed by the soft ones (never the same stem twice).
    const softN = soft ? soft.stems.length : 0;
    // 1. Goal stems the document contains (exactly or softly) take their in-document weight.
    for (let i = 0; i < refs.length; i++) {
      const id = this.infoOf(refs[i]!).id;
      if (id >= 0) { eff[id] = weights[i]!; inDoc[id] = stamp; inEff[id] = stamp; order[count++] = id; pos[id] = i; }
    }
    for (let i = 0; i < softN; i++) {
      const id = (this.info.get(soft!.stems[i]!) ?? NO_INFO).id;
      if (id >= 0) { eff[id] = soft!.weights[i]!; inDoc[id] = stamp; inEff[id] = stamp; order[count++] = id; pos[id] = -1; }
    }
    // 2. Goal stems it lacks but has a thesaurus near-synonym of count RELATED_FACTOR of that synonym.
    for (let i = 0; i < refs.length; i++) {
      const related = this.infoOf(refs[i]!).related;
      if (related) count = this.relate(related, weights[i]!, count);
    }
    for (let i = 0; i < softN; i++) {
      const related = (this.info.get(soft!.stems[i]!) ?? NO_INFO).related;
      if (related) count = this.relate(related, soft!.weights[i]!, count);
    }
    return count;
  }

  /**
   * lexicalMatch of one unit's query against a document (without soft terms): the query stems it matched,
   * strongest first, and for each the document's own word for it (null when it matched through the thesaurus).
   */
  matchedTerms(doc: TermList & { termWords: readonly string[] }, unit: number): { stems: string[]; words: (string | null)[] } {
    this.fill(doc, undefined);
    const { eff, inDoc, inEff, pos } = this;
    const stamp = this.stamp;
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * doc.termsLength) / REFERENCE_LENGTH);
    const q = this.queries[unit]!;
    // Query positions that matched, strongest first, ties by stem (the query's stems are distinct, so this
    // order is total and an insertion sort gives what Array.prototype.sort would).
    const ks = this.hitPositions;
    const cs = this.hitScores;
    let hits = 0;
    for (let k = 0; k < q.ids.length; k++) {
      const id = q.ids[k]!;
      if (inEff[id] !== stamp) continue;
      const w = eff[id]!;
      const c = (q.weights[k]! * w) / (w + norm);
      let at = hits++;
      for (; at > 0 && (cs[at - 1]! < c || (cs[at - 1] === c && q.stems[ks[at - 1]!]! > q.stems[k]!)); at--) { ks[at] = ks[at - 1]!; cs[at] = cs[at - 1]!; }
      ks[at] = k;
      cs[at] = c;
    }
    const stems = new Array<string>(hits);
    const words = new Array<string | null>(hits);
    for (let h = 0; h < hits; h++) {
      const id = q.ids[ks[h]!]!;
      stems[h] = q.stems[ks[h]!]!;
      words[h] = inDoc[id] === stamp ? doc.termWords[pos[id]!]! : null;
    }
    return { stems, words };
  }

  scoreAll(doc: TermList, soft?: SoftTerms): Float64Array {
    const out = float64Array(this.totals.length);
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * doc.termsLength) / REFERENCE_LENGTH);
    const count = this.fill(doc, soft);
    const { eff, order } = this;
    // 3. BM25 saturation per goal stem, added to every unit that uses it (in first-seen order, as before).
    const { postStart, postUnit, postWeight } = this;
    for (let k = 0; k < count; k++) {
      const g = order[k]!;
      const q = eff[g]!;
      const sat = q / (q + norm);
      for (let p = postStart[g]!, end = postStart[g + 1]!; p < end; p++) out[postUnit[p]!]! += postWeight[p]! * sat;
    }
    for (let i = 0; i < out.length; i++) out[i] = this.totals[i]! > 0 ? Math.min(1, out[i]! / this.totals[i]!) : 0;
    return out;
  }
}
