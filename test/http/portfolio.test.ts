// The portfolio of the latest finished run, and its drift against the finished run before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { ITEMS, runToEnd, seed, sendItems, withChange } from '../fixtures/api/logistics.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('portfolio'));
  await seed(c);
});
afterAll(() => env.close());

describe('GET /v1/portfolio', () => {
  let run1: any;
  let p1: any;

  it('404 until a run has finished', async () => {
    const r = await c.request('GET', '/v1/portfolio');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it("gives the first run's portfolio in the contract's shape, without drift", async () => {
    run1 = await runToEnd(c, env.settle);
    p1 = await json(await c.request('GET', '/v1/portfolio'));
    expect(p1.run_id).toBe(run1.id);
    expect(Date.parse(p1.generated_at)).not.toBeNaN();
    expect(p1.drift).toBeNull();
    expect(p1.by_objective.map((o: any) => o.objective_id).sort()).toEqual(['L1', 'L2']);
    expect(p1.execution_health.items).toBeGreaterThanOrEqual(2); // LF-9, LF-10
    expect(p1.unaligned.share_of_points).toBeGreaterThan(0);
    expect(p1.unaligned.share_of_points).toBeLessThan(1);
    expect(p1.duplicate_clusters).toEqual([['LF-11', 'CARE-12']]);
    expect(p1.unaligned.items).toBeGreaterThanOrEqual(5); // LF-6, LF-7, LF-8, LF-14, LF-15
    // The only item serving L2.KR3 is the customs story.
    expect(p1.coverage_gaps.map((g: any) => g.kr_id)).not.toContain('L2.KR3');
  });

  it('after an item lost its alignment, drift names it, the new coverage gap and the unaligned share', async () => {
    await sendItems(c, withChange(ITEMS, 'LF-13', { title: 'Repaint the canteen walls', description: 'Pick a new colour for the staff canteen.' }));
    const run2 = await runToEnd(c, env.settle);
    expect(run2.counts).toMatchObject({ scored: 1, reused: ITEMS.length - 1 });
    const p2 = await json(await c.request('GET', '/v1/portfolio'));
    expect(p2.run_id).toBe(run2.id);
    expect(p2.drift.previous_run_id).toBe(run1.id);
    const fell = p2.drift.alignment_fell;
    expect(fell.map((d: any) => d.id)).toEqual(['LF-13']);
    expect(fell[0].before - fell[0].after).toBeGreaterThanOrEqual(0.1);
    expect(p2.drift.new_coverage_gaps).toEqual(['L2.KR3']);
    expect(p2.drift.unaligned_share.before).toBe(p1.unaligned.share_of_points);
    expect(p2.drift.unaligned_share.now).toBe(p2.unaligned.share_of_points);
    expect(p2.drift.unaligned_share.now).toBeGreaterThan(p2.drift.unaligned_share.before);
  });

  it('a dry run changes nothing of it', async () => {
    const before = await json(await c.request('GET', '/v1/portfolio'));
    await runToEnd(c, env.settle, { dry_run: true });
    const after = await json(await c.request('GET', '/v1/portfolio'));
    expect(after).toEqual(before);
  });
});
