// A neighbourhood patched after changes equals the one a search would find, or there is no patch.
import { describe, expect, it } from 'vitest';
import { patchNeighbourhood } from '../../src/pipeline/finalize.ts';

const before = { neighbours: ['a', 'b', 'c'], distances: [0.1, 0.2, 0.3] };
const K = 3;

describe('patchNeighbourhood', () => {
  it('lets a changed item in at its new distance and drops the old K-th', () => {
    expect(patchNeighbourhood(before, new Set(['x']), [{ uid: 'x', distance: 0.15 }], K)).toEqual([
      { uid: 'a', distance: 0.1 },
      { uid: 'x', distance: 0.15 },
      { uid: 'b', distance: 0.2 },
    ]);
  });

  it('moves a changed neighbour to its new place while it stays within the old K-th', () => {
    expect(patchNeighbourhood(before, new Set(['a']), [{ uid: 'a', distance: 0.25 }], K)?.map((n) => n.uid)).toEqual(['b', 'a', 'c']);
  });

  it('has no patch when a neighbour left and nothing as close took its place', () => {
    // An item the previous run did not list (further than c) may now be the third nearest: only a search knows.
    expect(patchNeighbourhood(before, new Set(['b']), [], K)).toBeNull();
    expect(patchNeighbourhood(before, new Set(['b', 'x']), [{ uid: 'x', distance: 0.31 }], K)).toBeNull();
  });

  it('breaks distance ties by uid, as a search does', () => {
    // x ties with the old K-th (c) but sorts after it: c stays; bb sorts before it and enters.
    expect(patchNeighbourhood(before, new Set(['x']), [{ uid: 'x', distance: 0.3 }], K)?.map((n) => n.uid)).toEqual(['a', 'b', 'c']);
    expect(patchNeighbourhood(before, new Set(['bb']), [{ uid: 'bb', distance: 0.3 }], K)?.map((n) => n.uid)).toEqual(['a', 'b', 'bb']);
  });

  it('keeps every remaining item when the previous run listed all of them (fewer than K)', () => {
    const small = { neighbours: ['a', 'b'], distances: [0.1, 0.2] };
    expect(patchNeighbourhood(small, new Set(['b']), [], K)).toEqual([{ uid: 'a', distance: 0.1 }]);
    expect(patchNeighbourhood(small, new Set(['y']), [{ uid: 'y', distance: 0.9 }], K)?.map((n) => n.uid)).toEqual(['a', 'b', 'y']);
  });
});
