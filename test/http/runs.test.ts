// Scoring runs through the API, with the embedded job runner: start, progress, incremental reuse, dry runs,
// deduplication of identical requests, and an item's score and history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { ITEMS, runToEnd, seed, sendItems, withChange } from '../fixtures/api/logistics.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
let first: any;
let second: any;

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;
const N = ITEMS.length;

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('runs'));
  await seed(c);
});
afterAll(() => env.close());

describe('POST /v1/runs', () => {
  it('needs a strategy first (409)', async () => {
    const empty = await env.clientFor(uniqueName('runs-empty'));
    const r = await empty.request('POST', '/v1/runs', { body: {} });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(r)).detail).toContain('/v1/strategy');
  });

  it('answers 202 with Location, then the run finishes with every item scored', async () => {
    const r = await c.request('POST', '/v1/runs', { body: {} });
    expect(r.status).toBe(202);
    const queued = await json(r);
    expect(r.headers.get('location')).toBe(`/v1/runs/${queued.id}`);
    expect(queued).toMatchObject({ kind: 'manual', status: 'queued', dry_run: false, strategy_version: 1 });
    expect(queued.scorer).toMatch(/^heuristic@/);
    expect(queued.timings.finished_at).toBeNull();

    await env.settle();
    first = await json(await c.request('GET', r.headers.get('location')!));
    expect(first.status).toBe('finished');
    expect(first.progress).toEqual({ total: N, scored: N, reused: 0, done: N, percent: 100 });
    expect(first.progress.scored + first.progress.reused).toBe(N);
    expect(first.counts).toMatchObject({ total: N, scored: N, reused: 0 });
    expect(first.counts.suggestions).toBeGreaterThan(0);
    expect(first.failures).toEqual([]);
    expect(Date.parse(first.timings.finished_at)).toBeGreaterThanOrEqual(Date.parse(first.timings.created_at));
    expect(first.timings.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('after ONE item changed, scores only that item and reuses every other score', async () => {
    await sendItems(c, withChange(ITEMS, 'LF-8', { title: 'Improve stuff and things' }));
    second = await runToEnd(c, env.settle);
    expect(second.id).not.toBe(first.id);
    expect(second.counts).toMatchObject({ total: N, scored: 1, reused: N - 1 });
    expect(second.progress).toMatchObject({ total: N, scored: 1, reused: N - 1, done: N, percent: 100 });
  });

  it('a dry run only counts what a run would do and writes no scores', async () => {
    await sendItems(c, withChange(withChange(ITEMS, 'LF-8', { title: 'Improve stuff and things' }), 'LF-15', { estimate_points: 8 }));
    const before = await json(await c.request('GET', '/v1/items/LF-15/scores'));
    const dry = await runToEnd(c, env.settle, { dry_run: true });
    expect(dry.dry_run).toBe(true);
    expect(dry.counts).toMatchObject({ total: N, would_score: 1, would_reuse: N - 1 });
    expect(dry.progress).toMatchObject({ total: N, scored: 0, reused: 0, percent: 100 });
    const after = await json(await c.request('GET', '/v1/items/LF-15/scores'));
    expect(after.scores).toEqual(before.scores);
    // The latest score is still the one of the last real run.
    expect((await json(await c.request('GET', '/v1/items/LF-15/score'))).run_id).toBe(second.id);
  });

  it('the same request while an identical run is queued returns the same run', async () => {
    const [a, b] = await Promise.all([c.request('POST', '/v1/runs', { body: {} }), c.request('POST', '/v1/runs', { body: {} })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [ra, rb] = [await json(a), await json(b)];
    expect(ra.id).toBe(rb.id);
    const again = await json(await c.request('POST', '/v1/runs', { body: {} }));
    expect(again.id).toBe(ra.id);
    // A different request (a subset) is a different run.
    const subset = await json(await c.request('POST', '/v1/runs', { body: { item_ids: ['LF-1', 'LF-2'] } }));
    expect(subset.id).not.toBe(ra.id);
    await env.settle();
    const done = await json(await c.request('GET', `/v1/runs/${ra.id}`));
    expect(done.status).toBe('finished');
    const sub = await json(await c.request('GET', `/v1/runs/${subset.id}`));
    expect(sub.progress).toMatchObject({ total: 2, done: 2 });
  });

  it('names unknown item ids (400)', async () => {
    const r = await c.request('POST', '/v1/runs', { body: { item_ids: ['LF-1', 'NOPE-404'] } });
    expect(r.status).toBe(400);
    const body = await json(r);
    expect(body.errors).toEqual([{ location: 'body.item_ids', message: expect.stringContaining('NOPE-404') }]);
  });

  it('refuses more than 10,000 item ids and a body of the wrong type', async () => {
    const many = await c.request('POST', '/v1/runs', { body: { item_ids: Array.from({ length: 10_001 }, (_, i) => `X-${i}`) } });
    expect(many.status).toBe(400);
    expect((await json(many)).errors[0].location).toBe('body.item_ids');
    const wrong = await c.request('POST', '/v1/runs', { body: { dry_run: 'yes' } });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).errors[0].location).toBe('body.dry_run');
  });
});

describe('GET /v1/runs', () => {
  it('lists runs newest first and pages through all of them once', async () => {
    const all = await json(await c.request('GET', '/v1/runs?limit=100'));
    expect(all.runs.length).toBeGreaterThanOrEqual(5);
    const created = all.runs.map((r: any) => Date.parse(r.timings.created_at));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    expect(all.runs.map((r: any) => r.id)).toContain(first.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await c.request('GET', `/v1/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((r: any) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.runs.map((r: any) => r.id));
  });

  it('refuses a cursor it did not issue', async () => {
    const r = await c.request('GET', '/v1/runs?cursor=not-a-cursor');
    expect(r.status).toBe(400);
    expect((await json(r)).errors[0].location).toBe('query.cursor');
  });

  it('404 for an unknown run', async () => {
    const r = await c.request('GET', '/v1/runs/run_nope');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('GET /v1/items/{id}/score and /scores', () => {
  it("gives the item's latest score with the contract's fields", async () => {
    const s = await json(await c.request('GET', '/v1/items/LF-6/score'));
    expect(s).toMatchObject({ id: 'LF-6', flags: expect.arrayContaining(['contradicts_non_goal']), non_goal_id: 'NG2', execution_health: false });
    expect(Object.keys(s).sort()).toEqual(
      ['alignment', 'duplicate_of', 'evidence', 'execution_health', 'flags', 'id', 'kr_id', 'non_goal_id', 'objective_id', 'rationale',
        'reused_from_run', 'run_id', 'scored_at', 'scorer', 'strategy_version'].sort(),
    );
    expect(s.rationale.length).toBeGreaterThan(0);
    const bug = await json(await c.request('GET', '/v1/items/LF-10/score'));
    expect(bug.execution_health).toBe(true);
    expect(bug.flags).not.toContain('unlinked');
  });

  it('names the kept copy of a duplicate by its own id', async () => {
    const dup = await json(await c.request('GET', '/v1/items/CARE-12/score'));
    expect(dup.flags).toContain('duplicate');
    expect(dup.duplicate_of).toBe('LF-11');
  });

  it('tells a freshly scored score from a reused one', async () => {
    const changed = await json(await c.request('GET', '/v1/items/LF-8/scores'));
    const unchanged = await json(await c.request('GET', '/v1/items/LF-1/scores'));
    const inSecond = (h: any) => h.scores.find((s: any) => s.run_id === second.id);
    expect(inSecond(changed).reused_from_run).toBeNull();
    expect(inSecond(unchanged).reused_from_run).toBe(first.id);
    const firstOf = (h: any) => h.scores.find((s: any) => s.run_id === first.id);
    expect(firstOf(unchanged).reused_from_run).toBeNull();
  });

  it('lists the history newest first, in pages, without dry runs', async () => {
    const all = await json(await c.request('GET', '/v1/items/LF-1/scores?limit=100'));
    expect(all.id).toBe('LF-1');
    expect(all.scores.length).toBeGreaterThanOrEqual(3); // first, second, and the deduplicated run
    const times = all.scores.map((s: any) => Date.parse(s.scored_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.scores.at(-1).run_id).toBe(first.id);
    const latest = await json(await c.request('GET', '/v1/items/LF-1/score'));
    expect(latest.run_id).toBe(all.scores[0].run_id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await c.request('GET', `/v1/items/LF-1/scores?limit=1${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.scores.map((s: any) => s.run_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.scores.map((s: any) => s.run_id));
  });

  it('404 for an item never scored, and for an unknown item', async () => {
    await sendItems(c, [{ id: 'LF-99', title: 'Brand new dock slot reminder' }]);
    const never = await c.request('GET', '/v1/items/LF-99/score');
    expect(never.status).toBe(404);
    expect((await json(never)).detail).toContain('no score');
    expect(await json(await c.request('GET', '/v1/items/LF-99/scores'))).toEqual({ id: 'LF-99', scores: [], next_cursor: null });
    expect((await c.request('GET', '/v1/items/NOPE/score')).status).toBe(404);
  });

  it('takes ?source= like GET /v1/items/{id}', async () => {
    await sendItems(c, [{ id: 'LF-1', source: 'asana', title: 'Same id in another tool' }]);
    const ambiguous = await c.request('GET', '/v1/items/LF-1/score');
    expect(ambiguous.status).toBe(409);
    expect((await json(ambiguous)).detail).toContain('?source=');
    const jira = await json(await c.request('GET', '/v1/items/LF-1/score?source=jira'));
    expect(jira.id).toBe('LF-1');
    expect((await c.request('GET', '/v1/items/LF-1/score?source=asana')).status).toBe(404);
  });
});
