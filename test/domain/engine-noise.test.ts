import { describe, expect, it } from 'vitest';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { assessHealth, HEALTH_MIN } from '../../src/domain/engine/health.ts';
import { isBusywork, isStale, isVague } from '../../src/domain/engine/flags.ts';
import { scoreBacklog } from '../../src/domain/engine/index.ts';
import { bakery, item, NOW } from './engine-helpers.ts';

const a = (title: string, extra = {}) => analyzeItem(item('X', title, extra), 0);

describe('execution health', () => {
  it.each([
    ['Payment page crashes on checkout', { type: 'bug' }],
    ['Postmortem follow-up: add retries to the order webhook', {}],
    ['p95 latency of the menu API above 2s', {}],
    ['Patch XSS vulnerability in the review form', {}],
    ['Flaky integration tests in the CI pipeline', { type: 'chore' }],
    ['Add alerting for failed oven sensor imports', { labels: ['monitoring'] }],
  ])('recognises "%s"', (title, extra) => expect(assessHealth(a(title, extra)).score).toBeGreaterThanOrEqual(HEALTH_MIN));

  it.each([['Seasonal pumpkin bread recipe page'], ['Loyalty points for birthday cakes']])('does not fire on feature work "%s"', (title) => {
    expect(assessHealth(a(title)).score).toBeLessThan(HEALTH_MIN);
  });

  it('is never unlinked nor suggested to stop', () => {
    const { strategy, items } = bakery();
    const r = scoreBacklog({ strategy, items, now: NOW });
    for (const id of ['BK-5', 'BK-15']) {
      const s = r.items.find((i) => i.id === id)!;
      expect(s.execution_health).toBe(true);
      expect(s.flags).not.toContain('unlinked');
      expect(r.stop.some((x) => x.id === id)).toBe(false);
    }
  });
});

describe('noise flags', () => {
  it('vague: short activity titles without outcome or criteria', () => {
    expect(isVague(a('Improve stuff'))).toBe(true);
    expect(isVague(a('Look into the website'))).toBe(true);
    expect(isVague(a('Capture store_id from the oven telemetry webhook'))).toBe(false);
    expect(isVague(a('Improve stuff', { description: 'Acceptance criteria:\n- [ ] a\n- [ ] b' }))).toBe(false);
  });

  it('busywork: recurring internal status artefacts, not periodic product features', () => {
    expect(isBusywork(a('Weekly status deck for the board'))).toBe(true);
    expect(isBusywork(a('Monthly KPI spreadsheet', { description: 'Copy numbers from the till export every month.' }))).toBe(true);
    expect(isBusywork(a('Weekly digest email for customers with their loyalty points'))).toBe(false);
  });

  it('stale: not started and untouched for the configured time, relative to now', () => {
    const old = a('Flyer archive', { updated_at: '2025-12-01T00:00:00Z' });
    const now = Date.parse(NOW);
    expect(isStale(old, now)).toBe(true);
    expect(isStale(old, now, 400)).toBe(false);
    expect(isStale(a('Flyer archive', { updated_at: '2025-12-01T00:00:00Z', status: 'in_progress' }), now)).toBe(false);
  });
});

describe('non-goals', () => {
  const { strategy, items } = bakery();
  const r = scoreBacklog({ strategy, items, now: NOW });
  const get = (id: string) => r.items.find((i) => i.id === id)!;

  it('flags work the strategy rules out, with the non-goal id and a quote', () => {
    expect(get('BK-6')).toMatchObject({ non_goal_id: 'NG1', objective_id: null });
    expect(get('BK-6').flags).toContain('contradicts_non_goal');
    expect(get('BK-10').non_goal_id).toBe('NG2');
    expect(get('BK-10').evidence.find((e) => e.kind === 'non_goal')!.quote).toContain('fax ordering line');
  });

  it('respects exceptions the non-goal states ("security fixes only")', () => {
    expect(get('BK-11').non_goal_id).toBeNull();
    expect(get('BK-11').execution_health).toBe(true);
  });

  it('respects named exceptions ("existing hotel partners are maintained")', () => {
    const r2 = scoreBacklog({ strategy, items: [item('H1', 'Grandview catering contract renewal for supermarkets delivery')], now: NOW });
    expect(r2.items[0]!.non_goal_id).toBeNull();
  });
});

describe('duplicates and stop suggestions', () => {
  const { strategy, items } = bakery();
  const r = scoreBacklog({ strategy, items, now: NOW });

  it('keeps the copy further along or older, and names it', () => {
    const dup = r.items.find((i) => i.id === 'BK-13')!;
    expect(dup.flags).toContain('duplicate');
    expect(dup.duplicate_of).toBe('BK-12');
    expect(r.portfolio.duplicate_clusters).toEqual([['BK-12', 'BK-13']]);
  });

  it('ranks non-goal contradictions and duplicates first, never aligned or health work', () => {
    expect(r.stop.slice(0, 2).map((s) => s.id).sort()).toEqual(['BK-10', 'BK-6']);
    expect(r.stop[2]).toMatchObject({ id: 'BK-13', action: 'merge' });
    const aligned = new Set(r.items.filter((i) => (i.objective_id && !i.flags.includes('duplicate')) || i.execution_health).map((i) => i.id));
    expect(r.stop.filter((s) => aligned.has(s.id))).toEqual([]);
    expect(r.stop.map((s) => s.rank)).toEqual(r.stop.map((_, i) => i + 1));
    expect(r.stop.find((s) => s.id === 'BK-8')?.action).toBe('reframe');
    expect(r.stop.find((s) => s.id === 'BK-6')?.capacity_points).toBe(13);
  });

  it('summarises the portfolio', () => {
    const p = r.portfolio;
    expect(p.by_objective.map((o) => o.objective_id)).toEqual(['B1', 'B2']);
    expect(p.execution_health.items).toBe(3);
    const total = items.reduce((s, i) => s + (i.estimate_points ?? 0), 0);
    expect(p.unaligned.share_of_points).toBeCloseTo(p.unaligned.points / total, 3);
  });

  it('reports key results with no work as coverage gaps', () => {
    const r2 = scoreBacklog({ strategy, items: [items[0]!], now: NOW });
    expect(r2.portfolio.coverage_gaps.map((g) => g.kr_id)).toEqual(['B1.KR2', 'B2.KR1', 'B2.KR2']);
  });
});
