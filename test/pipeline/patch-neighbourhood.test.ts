// A neighbourhood patched after changes lists what a search would list up to its horizon, or there is no patch.
import { describe, expect, it } from 'vitest';
import { patchNeighbourhood } from '../../src/pipeline/finalize.ts';

// Searched with depth 4: the 4 nearest, the 4th (d at 0.4) being the horizon; K = 2 are looked at for copies.
const before = { neighbours: ['a', 'b', 'c', 'd'], distances: [0.1, 0.2, 0.3, 0.4], horizon: { uid: 'd', distance: 0.4 } };
const K = 2;
const DEPTH = 4;
const uids = (p: ReturnType<typeof patchNeighbourhood>) => p?.list.map((n) => n.uid);

describe('patchNeighbourhood', () => {
  it('lets a changed item in at its new distance, keeping the list to its depth with the horizon moved in', () => {
    expect(patchNeighbourhood(before, new Set(['x']), [{ uid: 'x', distance: 0.15 }], K, DEPTH)).toEqual({
      list: [
        { uid: 'a', distance: 0.1 },
        { uid: 'x', distance: 0.15 },
        { uid: 'b', distance: 0.2 },
        { uid: 'c', distance: 0.3 },
      ],
      horizon: { uid: 'c', distance: 0.3 },
    });
  });

  it('moves a changed neighbour to its new place, and drops it when it moved beyond the horizon', () => {
    expect(uids(patchNeighbourhood(before, new Set(['a']), [{ uid: 'a', distance: 0.25 }], K, DEPTH))).toEqual(['b', 'a', 'c', 'd']);
    const moved = patchNeighbourhood(before, new Set(['a']), [{ uid: 'a', distance: 0.9 }], K, DEPTH);
    expect(moved).toEqual({ list: [{ uid: 'b', distance: 0.2 }, { uid: 'c', distance: 0.3 }, { uid: 'd', distance: 0.4 }], horizon: before.horizon });
  });

  it('keeps the K nearest without a search while the items left within the horizon number at least K', () => {
    // b and c changed and went far: a and d are still the 2 nearest, as nothing unlisted is closer than d.
    const p = patchNeighbourhood(before, new Set(['b', 'c']), [], K, DEPTH);
    expect(uids(p)).toEqual(['a', 'd']);
    expect(p?.horizon).toEqual(before.horizon);
  });

  it('has no patch when fewer than K items are left within the horizon', () => {
    // Only a is left: an item the previous run did not list (further than d) may now be the second nearest.
    expect(patchNeighbourhood(before, new Set(['b', 'c', 'd']), [], K, DEPTH)).toBeNull();
    // A changed item beyond the horizon does not count.
    expect(patchNeighbourhood(before, new Set(['b', 'c', 'd', 'x']), [{ uid: 'x', distance: 0.41 }], K, DEPTH)).toBeNull();
  });

  it('breaks distance ties with the horizon by uid, as a search does', () => {
    // x ties with the horizon (d) but sorts after it: it stays out; bb sorts before it and enters.
    expect(uids(patchNeighbourhood(before, new Set(['x']), [{ uid: 'x', distance: 0.4 }], K, DEPTH))).toEqual(['a', 'b', 'c', 'd']);
    expect(uids(patchNeighbourhood(before, new Set(['bb']), [{ uid: 'bb', distance: 0.4 }], K, DEPTH))).toEqual(['a', 'b', 'c', 'bb']);
  });

  it('keeps every remaining item when the previous run listed all of them (no horizon)', () => {
    const small = { neighbours: ['a', 'b'], distances: [0.1, 0.2], horizon: null };
    expect(patchNeighbourhood(small, new Set(['b']), [], K, DEPTH)).toEqual({ list: [{ uid: 'a', distance: 0.1 }], horizon: null });
    expect(uids(patchNeighbourhood(small, new Set(['y']), [{ uid: 'y', distance: 0.9 }], K, DEPTH))).toEqual(['a', 'b', 'y']);
    // Grown past the depth, the list gets a horizon: its last item kept.
    const grown = patchNeighbourhood(small, new Set(['x', 'y', 'z']), [0.3, 0.5, 0.7].map((distance, i) => ({ uid: 'xyz'[i]!, distance })), K, DEPTH);
    expect(grown).toEqual({ list: ['a', 'b', 'x', 'y'].map((uid, i) => ({ uid, distance: [0.1, 0.2, 0.3, 0.5][i]! })), horizon: { uid: 'y', distance: 0.5 } });
  });
});
