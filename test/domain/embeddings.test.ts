import { describe, expect, it } from 'vitest';
import { decodeVectorFile, encodeVectorFile, wordVectorsFromTable } from '../../src/adapters/embeddings/vector-file.ts';
import { createDeterministicEmbedder } from '../../src/adapters/embeddings/deterministic.ts';

describe('vector file', () => {
  it('round-trips words, ranks, scales and int8 data', () => {
    const t = { dims: 2, words: ['bread', 'oven'], ranks: Uint32Array.from([3, 9]), scales: Float32Array.from([0.5, 0.25]), data: Int8Array.from([127, -1, 0, 64]) };
    const back = decodeVectorFile(encodeVectorFile(t));
    expect(back.words).toEqual(['bread', 'oven']);
    expect(Array.from(back.ranks)).toEqual([3, 9]);
    expect(Array.from(back.data)).toEqual([127, -1, 0, 64]);
    const v = wordVectorsFromTable('t', back);
    expect(v.rank('oven')).toBe(9);
    expect(v.scale('bread')).toBeCloseTo(0.5);
    expect(v.get('missing')).toBeUndefined();
  });

  it('rejects files that are not vector files', () => {
    expect(() => decodeVectorFile(Buffer.from('hello world, not vectors'))).toThrow(/not a Bearing vector file/);
  });
});

describe('deterministic embedder', () => {
  it('returns L2-normalised, deterministic vectors where related texts are closer', async () => {
    const e = await createDeterministicEmbedder();
    expect(e.model).toBe('bearing-glove-sif-100@1');
    expect(e.dimensions).toBe(100);
    const [a, b, c, again] = await e.embed(['customers cancel their subscription', 'subscribers are cancelling plans', 'sourdough bread recipe', 'customers cancel their subscription']);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(Math.sqrt(dot(a!, a!))).toBeCloseTo(1, 4);
    expect(again).toEqual(a);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  }, 60_000);
});
