// Lexical score: BM25 with the goal text as the query and the item as the document. Normalised by the
// query's own weight it reads as "the share of what the goal talks about that this item also talks about",
// a number in [0, 1] that means the same for a 5-word goal and a 50-word one.
import { relatedStems } from './thesaurus.ts';

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

/**
 * All goal units scored at once through an inverted index (goal stem → units that use it): the cost per item
 * is its own vocabulary plus the postings it hits, not units × query terms. Same formula as lexicalScore.
 */
export class LexicalIndex {
  private readonly postings = new Map<string, { unit: number; weight: number }[]>();
  /** Item stem → goal stems it stands for through the thesaurus. */
  private readonly relatedGoal = new Map<string, string[]>();
  private readonly totals: Float64Array;

  constructor(units: readonly { query: readonly QueryTerm[]; totalWeight: number }[]) {
    this.totals = Float64Array.from(units.map((u) => u.totalWeight));
    units.forEach((u, i) => {
      for (const t of u.query) (this.postings.get(t.stem) ?? this.postings.set(t.stem, []).get(t.stem)!).push({ unit: i, weight: t.weight });
    });
    for (const g of [...this.postings.keys()].sort()) {
      for (const r of relatedStems(g)) (this.relatedGoal.get(r) ?? this.relatedGoal.set(r, []).get(r)!).push(g);
    }
  }

  scoreAll(doc: LexicalDoc): Float64Array {
    const out = new Float64Array(this.totals.length);
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * doc.length) / REFERENCE_LENGTH);
    const eff = new Map<string, number>();
    for (const [s, q] of doc.terms) if (this.postings.has(s)) eff.set(s, q);
    for (const [s, q] of doc.terms) {
      const gs = this.relatedGoal.get(s);
      if (!gs) continue;
      for (const g of gs) {
        if (doc.terms.has(g)) continue;
        const v = RELATED_FACTOR * q;
        if (v > (eff.get(g) ?? 0)) eff.set(g, v);
      }
    }
    for (const [g, q] of eff) {
      const sat = q / (q + norm);
      for (const p of this.postings.get(g)!) out[p.unit]! += p.weight * sat;
    }
    for (let i = 0; i < out.length; i++) out[i] = this.totals[i]! > 0 ? Math.min(1, out[i]! / this.totals[i]!) : 0;
    return out;
  }
}
