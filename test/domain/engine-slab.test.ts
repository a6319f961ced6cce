import { describe, expect, it } from 'vitest';
import { float32Array, float64Array } from '../../src/domain/engine/slab.ts';

describe('slab views', () => {
  it('hands out zero-filled, non-overlapping arrays of the asked length', () => {
    const a = float64Array(50);
    const b = float64Array(50);
    expect(a.length).toBe(50);
    expect([...a, ...b].every((x) => x === 0)).toBe(true);
    a.fill(1);
    expect(b.every((x) => x === 0)).toBe(true);
    const c = float32Array(100);
    c[99] = 2;
    expect(float32Array(100)[0]).toBe(0);
  });

  it('starts a new slab when one is full, and serves lengths larger than a slab', () => {
    const views = Array.from({ length: 2000 }, () => float64Array(100));
    views.forEach((v, i) => v.fill(i));
    expect(views.every((v, i) => v.every((x) => x === i))).toBe(true);
    const big = float32Array(100_000);
    expect(big.length).toBe(100_000);
    expect(big.every((x) => x === 0)).toBe(true);
  });
});
