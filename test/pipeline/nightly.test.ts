// The nightly job: the same tick delivered twice (a scheduler retry, two schedulers racing) starts one run; the next
// local day starts another, and that one re-uses every unchanged score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../workers/jobs.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
let now = new Date('2026-11-20T23:30:00Z');
beforeAll(async () => {
  env = await setupApp({ clock: { now: () => now } }, { jobs: true });
  c = await env.clientFor(uniqueName('nightly'));
  await c.request('PUT', '/v1/strategy', {
    body: { objectives: [{ id: 'G1', title: 'Make rebooking effortless', key_results: [{ id: 'G1.KR1', title: 'One-tap rebooking used by 30% of returning guests' }] }] },
  });
  await c.request('POST', '/v1/items:batch', { body: { items: [{ id: 'N-1', title: 'One-tap rebook button' }, { id: 'N-2', title: 'Quarterly status deck' }] } });
  await env.settle();
});
afterAll(() => env.close());

const tick = (processors: ReturnType<typeof createProcessors>, id: string) =>
  processors.nightly.nightly!({ id, name: 'nightly', data: { workspace_id: c.workspace.id }, attemptsMade: 0, childrenValues: async () => ({}) }) as Promise<{ run_id: string; created: boolean }>;

describe('nightly ticks', () => {
  it('the same tick delivered twice concurrently starts one run', async () => {
    const processors = createProcessors(env.deps, { timezoneOf: async () => 'Europe/Berlin' });
    const [a, b] = await Promise.all([tick(processors, 't1'), tick(processors, 't1-again')]);
    expect(a.run_id).toBe(b.run_id);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    await env.settle();
    const runs = await env.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM scoring_runs WHERE workspace_id = $1 AND kind = 'nightly'`, [c.workspace.id]);
    expect(runs.rows[0]!.n).toBe('1');
  });

  it('the next local day starts a new run that re-uses unchanged scores', async () => {
    now = new Date('2026-11-21T23:30:00Z'); // already 22 Nov in Berlin
    const processors = createProcessors(env.deps, { timezoneOf: async () => 'Europe/Berlin' });
    const r = await tick(processors, 't2');
    expect(r.created).toBe(true);
    await env.settle();
    const run = await env.db.query<{ status: string; dedupe_key: string }>('SELECT status, dedupe_key FROM scoring_runs WHERE id = $1', [r.run_id]);
    expect(run.rows[0]).toEqual({ status: 'finished', dedupe_key: 'nightly-2026-11-22' });
    const counts = await env.db.query<{ reused: string; scored: string }>(
      `SELECT count(*) FILTER (WHERE reused_from_run IS NOT NULL)::text AS reused, count(*) FILTER (WHERE reused_from_run IS NULL)::text AS scored FROM item_scores WHERE run_id = $1`,
      [r.run_id],
    );
    expect(counts.rows[0]).toEqual({ reused: '2', scored: '0' });
  });
});
