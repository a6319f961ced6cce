import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/domain/engine/analyze.ts';

const viaDateParse = (s: string): number | null => { const t = Date.parse(s); return Number.isFinite(t) ? t : null; };
const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

describe('parseTime', () => {
  it('reads "YYYY-MM-DDTHH:MM:SSZ" exactly as Date.parse does, out-of-range fields included', () => {
    const stamp = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(14), two(34), two(26), two(62), two(62))
      .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    fc.assert(fc.property(stamp, (s) => parseTime(s) === viaDateParse(s)), { numRuns: 20000 });
  });

  it('leaves every other form to Date.parse', () => {
    for (const s of ['2026-03-04T05:06:07.890Z', '2026-03-04T05:06:07+02:00', '2026-03-04', 'March 4, 2026', '2026-03-04 05:06:07Z', 'soon'])
      expect(parseTime(s)).toBe(viaDateParse(s));
    expect(parseTime('')).toBeNull();
    expect(parseTime(null)).toBeNull();
  });
});
