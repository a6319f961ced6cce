import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { assessHealth } from '../../src/domain/engine/health.ts';
import { item } from './engine-helpers.ts';

// assessHealth skips its cue search when no word of the item can start a cue (analyze.ts: mayHaveCue). The
// texts below mix health cue words (and near misses) with plain words of a bakery backlog.
const FRAGMENTS = [
  'security', 'securityfix', 'p0', 'p01', 'p1', 'n+1', 'n + 1', 'n', 'ci/cd', 'ci', 'cd pipeline', 'cd', '502 errors', '503s', '5xx',
  'slow', 'slowly', 'time-outs', 'timeouts', 'roll back', 'rollback', "don't crash", "isn'tls", 'sev 1', 'sev1', 'e2e tests',
  'load times', 'page load', 'error rate', 'errors', 'flaky', 'a11y', 'colour contrast', 'color contrast', 'upgrade oven before eol',
  'sourdough', 'croissant', 'oven', 'flour', 'delivery van', 'page', 'data', 'data loss', 'Ovens', 'crashed', 'ÖfenTimeout', '_tls', 'x7',
];
const text = fc.array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom(' ', '. ', '\n', '-', '')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([f, sep]) => f + sep).join(''));

describe('the health cue search is skipped only when no cue can match', () => {
  it('gives the same health result as searching every text', () => {
    fc.assert(fc.property(text, text, (title, description) => {
      const a = analyzeItem(item('B-1', title, { description }), 0);
      const searched = Object.assign(Object.create(Object.getPrototypeOf(a)), a, { mayHaveCue: true });
      expect(assessHealth(a)).toEqual(assessHealth(searched));
    }), { numRuns: 3000 });
  });

  it('skips plain text and searches text with a cue word', () => {
    expect(analyzeItem(item('B-2', 'Sourdough starter schedule', { description: 'Feed the starter twice a day.' }), 0).mayHaveCue).toBe(false);
    expect(analyzeItem(item('B-3', 'Oven timeouts at night'), 0).mayHaveCue).toBe(true);
    expect(analyzeItem(item('B-4', 'Ofen läuft heiß'), 0).mayHaveCue).toBe(true); // non-ASCII: always searched
  });
});
