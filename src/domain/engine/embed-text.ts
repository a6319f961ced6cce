// Deterministic sentence embedding of arbitrary text with the engine's own cleaning and tokenising, so the
// vectors an Embedder stores mean the same as the ones the scorer compares.
import { cleanText } from './clean.ts';
import { stripInstructions } from './injection.ts';
import { sentenceVector } from './semantic.ts';
import { tokenize } from './tokens.ts';
import type { WordVectors } from './vectors.ts';

/** L2-normalised SIF vector of `text`; the zero vector when no word is known (empty or foreign text). */
export function embedText(vectors: WordVectors, text: string): number[] {
  const clean = cleanText(stripInstructions(text).text);
  const v = sentenceVector(vectors, tokenize(clean).map((t) => ({ word: t.word, weight: 1 })));
  return v ? Array.from(v, (x) => Math.round(x * 1e6) / 1e6) : new Array<number>(vectors.dims).fill(0);
}
