// A nightly run's pages settle in the score jobs: one page job copies the unchanged items' scores in SQL and scores
// the changed ones in batches, each item exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, PLAN_PAGE, SCORE_BATCH } from '../../src/pipeline/runs.ts';
import { batchOf, benchItem, STRATEGY } from '../bench/pipeline.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const N = 1_000;
const CHANGED = 600; // more than one score batch
let env: Awaited<ReturnType<typeof setupApp>>;
let a: TestClient;
beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  a = await env.clientFor(uniqueName('settle'));
  expect((await a.request('PUT', '/v1/strategy', { body: STRATEGY })).status).toBe(201);
  for (let i = 0; i < N; i += 1_000) expect((await a.request('POST', '/v1/items:batch', { body: { items: batchOf('S', i, Math.min(1_000, N - i)) } })).status).toBe(200);
  await env.settle();
}, 120_000);
afterAll(() => env.close());

async function run(kind: 'manual' | 'nightly') {
  const { run } = await createRun(env.deps, { workspaceId: a.workspace.id, kind, actor: 'test', ...(kind === 'nightly' ? { dedupeKey: `settle-${Date.now()}` } : {}) });
  await env.settle();
  const r = await env.db.query<{ status: string; counts: { batches: number }; scored: string; reused: string; rows: string; items: string }>(
    `SELECT r.status, r.counts, count(s.*) FILTER (WHERE s.reused_from_run IS NULL)::text AS scored,
            count(s.*) FILTER (WHERE s.reused_from_run IS NOT NULL)::text AS reused, count(s.*)::text AS rows, count(DISTINCT s.item_uid)::text AS items
       FROM scoring_runs r LEFT JOIN item_scores s ON s.run_id = r.id WHERE r.id = $1 GROUP BY r.id`,
    [run.id],
  );
  return r.rows[0]!;
}

describe('a nightly run after many changes', () => {
  it('copies the unchanged scores and scores the changed items in batches, each item once', async () => {
    const first = await run('manual');
    expect(first).toMatchObject({ status: 'finished', scored: String(N), reused: '0' });
    expect(first.counts.batches).toBe(Math.ceil(N / SCORE_BATCH)); // no earlier run: batches of SCORE_BATCH

    // Items with no parent and no children change alone (an epic's edit would make its stories score again too).
    const lone = Array.from({ length: N }, (_, i) => benchItem('S', i)).filter((it) => it.type !== 'epic' && !it.parent_id);
    expect(lone.length).toBeGreaterThan(CHANGED);
    const edits = lone.slice(0, CHANGED).map((it) => ({ ...it, title: `${it.title} (reworded)` }));
    expect((await a.request('POST', '/v1/items:batch', { body: { items: edits } })).status).toBe(200);
    await env.settle();

    const nightly = await run('nightly');
    expect(nightly.status).toBe('finished');
    expect(nightly.counts.batches).toBe(Math.ceil(N / PLAN_PAGE)); // one settling page job
    expect(nightly).toMatchObject({ scored: String(CHANGED), reused: String(N - CHANGED), rows: String(N), items: String(N) });
  });
});
