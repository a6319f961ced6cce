import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { itemEvidence, shorten, verbatim } from '../../src/domain/engine/explain.ts';
import { item } from './engine-helpers.ts';

// itemEvidence searches the title, then the description, instead of the joined text: the quote must be
// the one verbatim() finds in `${title}\n${description}` (case folding that changes lengths included).
const PIECES = ['Kiln', 'kiln', 'KILN', 'glaze', 'Glaze', 'ΟΔΟΣ', 'οδος', 'İzmir', 'izmir', 'straße', 'STRASSE', ' ', '\n', '-', 'kil', 'n'];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((xs) => xs.join(''));

describe('item evidence quotes', () => {
  it('quote the first occurrence in the title and description joined, as verbatim does', () => {
    fc.assert(fc.property(text, text, fc.constantFrom(...PIECES.filter((p) => p.trim()), 'kiln\nglaze', 'n glaze'), (title, description, needle) => {
      const a = analyzeItem(item('K-1', title, { description }), 0);
      const expected = verbatim(`${title}\n${description}`, needle) ?? shorten(title || 'K-1');
      expect(itemEvidence(a, needle).quote).toBe(expected);
    }), { numRuns: 4000 });
  });
});
