// The embedding port: turns texts into L2-normalised vectors. The deterministic adapter (word vectors +
// SIF, no network) is the product's fallback; provider-backed adapters implement the same interface.
export interface Embedder {
  /** Model identifier stored with every vector, e.g. "bearing-glove-sif-100@1". */
  model: string;
  dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}
