// Soft term matching through word vectors: an item word that is a close neighbour of a goal word
// ("cancellations" for "churn", "worker" for "employee") counts as a partial occurrence of that goal word.
// This is the semantic signal that lexical matching alone misses. Pure; results are cached per word.
import type { SoftTerms } from './lexical.ts';
import { cosine } from './semantic.ts';
import type { Interned } from './tokens.ts';
import type { WordVectors } from './vectors.ts';

/**
 * Word-vector cosine from which two words count as near-synonyms. In 100-d GloVe, inflections and true
 * synonyms score 0.65–0.8, topical associates 0.5–0.6 ("bug"/"virus" 0.57); 0.62 keeps mostly the former.
 */
export const SOFT_MIN_SIMILARITY = 0.7;
/** A soft match counts at most this share of an exact occurrence (scaled further by the similarity). */
export const SOFT_FACTOR = 0.6;
/** Words among the most frequent of English are too vague to stand in for a goal word. */
const MIN_RANK = 500;

function unit(vectors: WordVectors, word: string): Float32Array | null {
  const v = vectors.get(word);
  const r = vectors.rank(word);
  if (!v || r === undefined || r < MIN_RANK) return null;
  const out = new Float32Array(v.length);
  let n = 0;
  for (let d = 0; d < v.length; d++) { out[d] = v[d]!; n += v[d]! * v[d]!; }
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < v.length; d++) out[d]! /= n;
  return out;
}

const NO_SOFT_TERMS: SoftTerms = { stems: [], weights: [] };

/** True when `stem` is one of the item's stems (a scan: asked only for the few goal words near an item word). */
function hasStem(refs: readonly Interned[], stem: string): boolean {
  for (let i = 0; i < refs.length; i++) if (refs[i]!.text === stem) return true;
  return false;
}

export class SoftMatcher {
  private readonly goal: { stem: string; vec: Float32Array }[] = [];
  private readonly cache = new Map<string, readonly [string, number][]>();
  private static readonly CACHE_MAX = 100_000;

  constructor(private readonly vectors: WordVectors, goalWords: ReadonlyMap<string, string>) {
    for (const [stem, word] of [...goalWords].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const v = unit(vectors, word);
      if (v) this.goal.push({ stem, vec: v });
    }
  }

  /** Goal stems near `word` (excluding its own stem), with their similarity. */
  neighbours(stem: string, word: string): readonly [string, number][] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const v = unit(this.vectors, word);
    const out: [string, number][] = [];
    if (v) {
      for (const g of this.goal) {
        if (g.stem === stem) continue;
        const s = cosine(v, g.vec);
        if (s >= SOFT_MIN_SIMILARITY) out.push([g.stem, s]);
      }
    }
    if (this.cache.size >= SoftMatcher.CACHE_MAX) this.cache.clear();
    this.cache.set(word, out);
    return out;
  }

  /**
   * Only the soft occurrences `expand` would add, in the order it would add them (stems and weights as
   * parallel arrays): the lexical index reads them after the item's own terms without copying the Map.
   */
  softTerms(doc: { termRefs: readonly Interned[]; termWeights: Float64Array; termWords: readonly string[] }): SoftTerms {
    let stems: string[] | null = null;
    let weights: number[] | null = null;
    const refs = doc.termRefs;
    for (let i = 0; i < refs.length; i++) {
      const stem = refs[i]!.text;
      const near = this.neighbours(stem, doc.termWords[i]!);
      if (!near.length) continue;
      const q = doc.termWeights[i]!;
      for (const [g, sim] of near) {
        if (hasStem(refs, g)) continue;
        const soft = SOFT_FACTOR * sim * q;
        stems ??= [];
        weights ??= [];
        const at = stems.indexOf(g); // a handful of soft stems per item at most: a scan beats a Map
        if (at < 0) { if (soft > 0) { stems.push(g); weights.push(soft); } }
        else if (soft > weights[at]!) weights[at] = soft;
      }
    }
    return stems ? { stems, weights: weights! } : NO_SOFT_TERMS;
  }

  /** The item's terms plus soft occurrences of goal stems it does not contain exactly. */
  expand(terms: ReadonlyMap<string, number>, stemWords: ReadonlyMap<string, string>): Map<string, number> {
    const out = new Map(terms);
    for (const [stem, q] of terms) {
      const word = stemWords.get(stem);
      if (!word) continue;
      for (const [g, sim] of this.neighbours(stem, word)) {
        if (terms.has(g)) continue;
        const soft = SOFT_FACTOR * sim * q;
        if (soft > (out.get(g) ?? 0)) out.set(g, soft);
      }
    }
    return out;
  }
}
