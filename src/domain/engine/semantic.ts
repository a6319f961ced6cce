// Sentence vectors from word vectors with SIF weighting (Arora et al. 2017): each word counts a/(a + p(w)),
// so frequent words fade and rare, topical words dominate; then the table's common direction is removed.
// Pure math over the WordVectors port: no I/O, deterministic.
import { float32Array } from './slab.ts';
import type { Interned } from './tokens.ts';
import type { WordVectors } from './vectors.ts';

/** SIF's smoothing constant; 1e-3 is the value the SIF paper found robust across tasks. */
export const SIF_A = 1e-3;
/** Vocabulary size assumed by the Zipf estimate p(rank) = 1 / ((rank + 1) · H); H ≈ ln(V) + γ for V ≈ 400k words. */
const ZIPF_H = Math.log(400_000) + 0.5772;
/** Unknown rank (word missing from the table): treat as rare, like a word ranked ~100k. */
const UNKNOWN_RANK = 100_000;

export function sifWeight(vectors: WordVectors, word: string): number {
  const rank = vectors.rank(word) ?? UNKNOWN_RANK;
  const p = 1 / ((rank + 1) * ZIPF_H);
  return SIF_A / (SIF_A + p);
}

/** Looks a word up, falling back to simple English inflections (plural "s"/"es", "ing", "ed"). */
function lookup(vectors: WordVectors, word: string): string | undefined {
  if (vectors.get(word)) return word;
  for (const [suf, rep] of [['ies', 'y'], ['es', ''], ['s', ''], ['ing', ''], ['ed', ''], ['ing', 'e'], ['ed', 'e']] as const) {
    if (word.length > suf.length + 2 && word.endsWith(suf)) {
      const w = word.slice(0, -suf.length) + rep;
      if (vectors.get(w)) return w;
    }
  }
  return undefined;
}

/**
 * Weighted SIF sentence vector of `words` (each with its own field weight, e.g. title words count more),
 * common direction removed, L2-normalised. Returns null when no word is in the table.
 */
/** Per table: word → its SIF-weighted real-valued vector (null when unknown). Bounded; cleared when full. */
const weightedCache = new WeakMap<WordVectors, Map<string, Float32Array | null>>();
const WEIGHTED_CACHE_MAX = 200_000;

function weighted(vectors: WordVectors, word: string): Float32Array | null {
  let cache = weightedCache.get(vectors);
  if (!cache) weightedCache.set(vectors, (cache = new Map()));
  let v = cache.get(word);
  if (v !== undefined) return v;
  const w = lookup(vectors, word);
  if (w) {
    const raw = vectors.get(w)!;
    const f = sifWeight(vectors, w) * vectors.scale(w);
    v = new Float32Array(raw.length);
    for (let d = 0; d < raw.length; d++) v[d] = f * raw[d]!;
  } else v = null;
  if (cache.size >= WEIGHTED_CACHE_MAX) cache.clear();
  cache.set(word, v);
  return v;
}

export function sentenceVector(vectors: WordVectors, words: readonly { word: string; weight: number }[]): Float32Array | null {
  const byWord = new Map<string, number>();
  for (const { word, weight } of words) byWord.set(word, (byWord.get(word) ?? 0) + weight);
  return sentenceVectorOf(vectors, byWord);
}

/** Same as sentenceVector, from words already summed by weight (each distinct word is added once). */
export function sentenceVectorOf(vectors: WordVectors, byWord: ReadonlyMap<string, number>): Float32Array | null {
  const dims = vectors.dims;
  const acc = new Float32Array(dims);
  let hits = 0;
  for (const [word, weight] of byWord) {
    const v = weighted(vectors, word);
    if (!v) continue;
    for (let d = 0; d < dims; d++) acc[d]! += weight * v[d]!;
    hits++;
  }
  if (!hits) return null;
  return finish(acc, vectors.common);
}

/**
 * Same as sentenceVectorOf, from interned words and their summed weights (parallel lists, in the order
 * the Map would iterate). The weighted vector is cached on the word's record: no Map lookups per word.
 */
export function sentenceVectorOfRefs(vectors: WordVectors, refs: readonly Interned[], weights: readonly number[], count: number): Float32Array | null {
  const dims = vectors.dims;
  const vs = scratchVectors;
  const ws = scratchWeights;
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const ref = refs[i]!;
    if (ref.vectorsOf !== vectors) { ref.vector = weighted(vectors, ref.text); ref.vectorsOf = vectors; }
    if (!ref.vector) continue;
    vs[hits] = ref.vector;
    ws[hits] = weights[i]!;
    hits++;
  }
  if (!hits) return null;
  const acc = float32Array(dims);
  const fr = Math.fround;
  // Four words per pass over the dimensions. Each addition is still rounded to float32 in word order, exactly
  // as `acc[d] += w * v[d]` on the Float32Array would (Math.fround is that store's rounding): same bits, but
  // a quarter of the loads and stores.
  let k = 0;
  for (; k + 3 < hits; k += 4) {
    const v0 = vs[k]!, v1 = vs[k + 1]!, v2 = vs[k + 2]!, v3 = vs[k + 3]!;
    const w0 = ws[k]!, w1 = ws[k + 1]!, w2 = ws[k + 2]!, w3 = ws[k + 3]!;
    for (let d = 0; d < dims; d++) acc[d] = fr(fr(fr(fr(acc[d]! + w0 * v0[d]!) + w1 * v1[d]!) + w2 * v2[d]!) + w3 * v3[d]!);
  }
  for (; k < hits; k++) {
    const v = vs[k]!, w = ws[k]!;
    for (let d = 0; d < dims; d++) acc[d]! += w * v[d]!;
  }
  vs.fill(null, 0, hits); // do not keep vectors alive through the scratch list
  return finish(acc, vectors.common);
}

/** Scratch lists of sentenceVectorOfRefs (the words of one item that have a vector). */
const scratchVectors: (Float32Array | null)[] = [];
const scratchWeights: number[] = [];

function finish(acc: Float32Array, common: Float32Array | undefined): Float32Array | null {
  const dims = acc.length;
  if (common) {
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += acc[d]! * common[d]!;
    for (let d = 0; d < dims; d++) acc[d]! -= dot * common[d]!;
  }
  let n = 0;
  for (let d = 0; d < dims; d++) n += acc[d]! * acc[d]!;
  if (n === 0) return null;
  n = Math.sqrt(n);
  for (let d = 0; d < dims; d++) acc[d]! /= n;
  return acc;
}

export function cosine(a: Float32Array | null, b: Float32Array | null): number {
  if (!a || !b) return 0;
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
  return s;
}
