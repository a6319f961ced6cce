import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordEntriesOf, words } from '../../src/domain/engine/tokens.ts';

// Characters that exercise identifier splitting (case changes, capital runs), digits inside and before words,
// apostrophes, separators, and a few non-ASCII characters (which take the general path).
const ALPHABET = ['a', 'b', 'k', 'z', 'A', 'B', 'K', 'Z', '0', '7', "'", ' ', '-', '_', '.', '/', '\n', 'é', '’', 'Ö'];
const asciiText = fc.array(fc.constantFrom(...ALPHABET.filter((c) => c.charCodeAt(0) < 128)), { maxLength: 40 }).map((cs) => cs.join(''));
const anyText = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((cs) => cs.join(''));

describe('wordEntriesOf', () => {
  it('reads ASCII text into exactly the words of words()', () => {
    fc.assert(fc.property(asciiText, (t) => { expect(wordEntriesOf(t).map((e) => e.word)).toEqual(words(t)); }), { numRuns: 5000 });
  });

  it('gives the same words for any text, and the same entry for the same word', () => {
    fc.assert(fc.property(anyText, (t) => {
      const es = wordEntriesOf(t);
      expect(es.map((e) => e.word)).toEqual(words(t));
      for (const e of es) expect(wordEntriesOf(e.word)[0]).toBe(e);
    }), { numRuns: 3000 });
  });

  it('splits identifiers and keeps capitalised compounds whole', () => {
    expect(wordEntriesOf("parseHTMLReport in VeloCity isn't 3dPrinter").map((e) => e.word))
      .toEqual(['parse', 'html', 'report', 'in', 'velo', 'city', "isn't", 'd', 'printer', 'velocity']);
  });
});
