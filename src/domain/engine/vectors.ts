// The word-vector port the domain computes with. Loading (file I/O) lives in src/adapters/embeddings/;
// the domain only ever receives an object of this shape, so tests can hand in tiny hand-made vectors.

export interface WordVectors {
  /** Identifies the vector table (goes into model names and caches). */
  readonly name: string;
  readonly dims: number;
  /** The vector of a lower-case word, or undefined when the word is not in the table. */
  get(word: string): Float32Array | Int8Array | undefined;
  /** Scale that turns an Int8Array from `get` back into real units (1 for float tables). */
  scale(word: string): number;
  /** 0-based frequency rank of the word in the training corpus (0 = most frequent); undefined if unknown. */
  rank(word: string): number | undefined;
  /**
   * The "common discourse" direction of the table (unit length), or undefined. SIF sentence vectors
   * subtract their projection on it, so that similarity is not dominated by what all English text shares.
   */
  readonly common?: Float32Array;
}

/** A WordVectors backed by plain arrays: used by tests and by small custom tables. */
export function wordVectorsFromRecord(name: string, table: Record<string, number[]>): WordVectors {
  const words = Object.keys(table).sort();
  const map = new Map<string, { v: Float32Array; rank: number }>();
  let dims = 0;
  words.forEach((w, i) => {
    const arr = table[w] ?? [];
    dims = Math.max(dims, arr.length);
    map.set(w, { v: Float32Array.from(arr), rank: i });
  });
  return {
    name,
    dims,
    get: (w) => map.get(w)?.v,
    scale: () => 1,
    rank: (w) => map.get(w)?.rank,
  };
}

/**
 * Informativeness of a word from its general frequency rank: the top ~1,000 English words say little about
 * a topic (0.25–0.7), words past rank ~30,000 are specific (1). Without vectors every word counts 0.8.
 */
export function informativeness(vectors: WordVectors | undefined, word: string): number {
  const rank = vectors?.rank(word);
  if (rank === undefined) return vectors ? 1 : 0.8;
  return Math.min(1, Math.max(0.25, Math.log(rank + 1) / Math.log(30_000)));
}
