// Incremental runs give the results of a full run. A nightly run re-uses unchanged scores (copied in SQL by its
// settling score jobs) and carries the previous run's neighbourhoods for duplicate detection; its scores, duplicates, stop
// suggestions and portfolio must equal those of a run that computed everything, on the same items. The "full run" is
// made on a clone of the workspace's items (same content, uids in the same order, so ties break alike), where no
// earlier run exists; both runs share one "today".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyReusableScores, getRun, insertRun } from '../../src/adapters/db/runs.ts';
import { createLogger, type Logger } from '../../src/deps.ts';
import { DEFAULT_STALE_DAYS } from '../../src/domain/engine/index.ts';
import { NEIGHBOUR_DEPTH, NEIGHBOURS } from '../../src/pipeline/finalize.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import { scoreRunBatch } from '../../src/pipeline/score.ts';
import { batchOf, benchItem, STRATEGY } from '../bench/pipeline.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const N = 150;
const sourceOf = (i: number) => (i % 7 === 0 ? 'linear' : 'jira');
const finalized: Record<string, unknown>[] = [];
const logger: Logger = {
  ...createLogger('silent'),
  debug: (msg, fields) => {
    if (msg === 'run finalized' && fields) finalized.push(fields);
  },
};

let env: Awaited<ReturnType<typeof setupApp>>;
let a: TestClient;
beforeAll(async () => {
  env = await setupApp({ logger }, { jobs: true });
  a = await env.clientFor(uniqueName('incremental'));
  expect((await a.request('PUT', '/v1/strategy', { body: STRATEGY })).status).toBe(201);
  const items = [
    ...batchOf('T', 0, N).map((it, i) => ({ ...it, source: sourceOf(i) })),
    // Parents the input hash must resolve like the score job: none, and an id two sources use.
    { ...benchItem('T', 151), id: 'T-orphan', source: 'jira', parent_id: 'T-no-such-epic' },
    { ...benchItem('T', 0), id: 'T-0', source: 'asana', title: 'The same epic id in another tracker' },
  ];
  expect((await a.request('POST', '/v1/items:batch', { body: { items } })).status).toBe(200);
  await env.settle();
});
afterAll(() => env.close());

async function run(workspaceId: string, kind: 'manual' | 'nightly', now?: Date): Promise<string> {
  const { run } = await createRun(env.deps, { workspaceId, kind, actor: 'test', ...(kind === 'nightly' ? { dedupeKey: `nightly-${Date.now()}` } : {}) });
  if (now) await env.db.query('UPDATE scoring_runs SET now = $2 WHERE id = $1', [run.id, now]);
  await env.settle();
  const stored = await env.db.query<{ status: string; failures: unknown[] }>('SELECT status, failures FROM scoring_runs WHERE id = $1', [run.id]);
  expect(stored.rows[0]).toEqual({ status: 'finished', failures: [] });
  return run.id;
}

/** Everything a run shows, by the caller's ids (uids differ between the workspace and its clone). */
async function results(runId: string) {
  const scores = await env.db.query(
    `SELECT i.source, i.external_id, s.alignment, s.objective_id, s.kr_id, s.execution_health, s.flags, s.duplicate_of, s.non_goal_id,
            s.rationale, s.evidence, s.stop_candidate
       FROM item_scores s JOIN items i ON i.uid = s.item_uid WHERE s.run_id = $1 ORDER BY i.source, i.external_id`,
    [runId],
  );
  const stops = await env.db.query(
    `SELECT i.source, i.external_id, g.rank, g.action, g.reasons, g.capacity_points, g.confidence, g.team
       FROM stop_suggestions g JOIN items i ON i.uid = g.item_uid WHERE g.run_id = $1 ORDER BY g.rank`,
    [runId],
  );
  const portfolio = await env.db.query<{ portfolio: unknown }>('SELECT portfolio FROM portfolio_snapshots WHERE run_id = $1', [runId]);
  return { scores: scores.rows, stops: stops.rows, portfolio: portfolio.rows[0]?.portfolio };
}

/** A workspace holding the same live items (same uid order) and strategy, with no run yet; `tag` tells clones apart. */
async function cloneItems(from: string, tag = ''): Promise<TestClient> {
  const b = await env.clientFor(uniqueName('incremental-clone'));
  expect((await b.request('PUT', '/v1/strategy', { body: STRATEGY })).status).toBe(201);
  await env.db.query(
    `INSERT INTO items (uid, workspace_id, source, external_id, title, description, type, status, team, assignee, estimate_points,
                        labels, parent_id, src_created_at, src_updated_at, content_hash)
     SELECT 'itm_c' || $3 || substr(uid, 5), $2, source, external_id, title, description, type, status, team, assignee, estimate_points,
            labels, parent_id, src_created_at, src_updated_at, content_hash
       FROM items WHERE workspace_id = $1 AND deleted_at IS NULL`,
    [from, b.workspace.id, tag],
  );
  return b;
}

/** Item i of the backlog under its source, with a new title. */
const edited = (i: number, title: string) => ({ ...benchItem('T', i), source: sourceOf(i), title });

describe('an incremental run', () => {
  let first: string;
  let nightly: string;

  /** A run of the nightly run's strategy and scorer, created without jobs (its "today" may be set), to apply the re-use
   * rule to by hand: in SQL (copyReusableScores) or by the score job (scoreRunBatch). */
  async function probeRun(name: string, now?: Date) {
    const like = (await getRun(env.db, a.workspace.id, nightly))!;
    const { run } = await insertRun(env.db, {
      id: `run_${name}_${Date.now()}`,
      workspace_id: a.workspace.id,
      kind: 'manual',
      strategy_version: like.strategy_version,
      scorer: like.scorer,
      dry_run: false,
      item_filter: null,
      dedupe_key: `${name}-${Date.now()}`,
    });
    if (now) await env.db.query('UPDATE scoring_runs SET now = $2 WHERE id = $1', [run.id, now]);
    return run;
  }

  it('re-uses unchanged work after a few edits, a deletion and new items', async () => {
    first = await run(a.workspace.id, 'manual');
    const full = finalized.at(-1)!;
    expect(full.neighbourhoods_carried).toBe(0);
    expect((await results(first)).scores.some((s) => s.duplicate_of !== null)).toBe(true);

    const twin = benchItem('T', 40);
    const changes = [
      edited(3, `${benchItem('T', 3).title} revised`),
      edited(61, twin.title), // now a copy of T-40
      { ...edited(50, benchItem('T', 50).title), description: 'The epic was rewritten: its stories are read anew.' }, // an epic
      { ...benchItem('T', 900), id: 'T-new-1', source: 'jira' },
      { ...twin, id: 'T-new-2', source: 'linear', team: 'yard' }, // a copy of T-40 in another tracker
    ];
    expect((await a.request('POST', '/v1/items:batch', { body: { items: changes } })).status).toBe(200);
    expect((await a.request('DELETE', '/v1/items/T-10?source=jira')).status).toBe(204);
    await env.settle();

    nightly = await run(a.workspace.id, 'nightly');
    const counts = await env.db.query<{ reused: string; scored: string }>(
      `SELECT count(*) FILTER (WHERE reused_from_run IS NOT NULL)::text AS reused, count(*) FILTER (WHERE reused_from_run IS NULL)::text AS scored
         FROM item_scores WHERE run_id = $1`,
      [nightly],
    );
    expect(Number(counts.rows[0]!.reused)).toBeGreaterThan(N * 0.8);
    expect(Number(counts.rows[0]!.scored)).toBeGreaterThanOrEqual(4);
    const incremental = finalized.at(-1)!;
    expect(incremental.neighbourhoods_carried as number).toBeGreaterThan(N * 0.5);
    // Only the changed items were searched: every unchanged item kept its K nearest within its horizon.
    expect(incremental.neighbourhoods_searched).toBe(5);
    // Neighbourhoods a changed item entered are patched, not searched (the next test checks they equal a search).
    expect(incremental.neighbourhoods_patched as number).toBeGreaterThan(0);
    // Carried, patched and searched covered every item with a vector, so no item was looked up as left without one
    // (the next test checks the neighbourhoods equal a full run's).
    expect(incremental.unsearched_looked_up).toBe(0);
    // The first run's neighbourhoods, carried over, are no longer kept: only the latest run's are read again.
    const kept = await env.db.query<{ run_id: string; n: string }>('SELECT run_id, count(*)::text AS n FROM run_neighbours WHERE run_id = ANY($1::text[]) GROUP BY run_id', [[first, nightly]]);
    expect(kept.rows).toEqual([{ run_id: nightly, n: String(N + 3) }]);
    expect(incremental.neighbourhoods_pruned).toBe(N + 2); // the first run's: N + 2 items before the edits
    // Only the changed items were analysed again, and their pairs decided under the first run's term statistics.
    expect(incremental.profiles_analysed).toBe(5); // T-3, T-61, the epic T-50, T-new-1, T-new-2
    const stats = await env.db.query<{ id: string; term_stats_id: string; changed_since_stats: number }>(
      'SELECT id, term_stats_id, changed_since_stats FROM scoring_runs WHERE id = ANY($1::text[])',
      [[first, nightly]],
    );
    const byRun = new Map(stats.rows.map((r) => [r.id, r]));
    expect(byRun.get(nightly)!.term_stats_id).toBe(byRun.get(first)!.term_stats_id);
    expect(byRun.get(nightly)!.changed_since_stats).toBeGreaterThanOrEqual(5);
    // Copies whose verdict cannot have changed keep the first run's; the new copies (of T-40) are decided.
    expect(incremental.verdicts_reused as number).toBeGreaterThan(0);
    expect(incremental.verdicts_decided as number).toBeGreaterThanOrEqual(2);
  });

  it('equals a full run over the same items', async () => {
    const b = await cloneItems(a.workspace.id);
    await env.settle(); // strategy passages
    const { rows } = await env.db.query<{ now: Date }>('SELECT now FROM scoring_runs WHERE id = $1', [nightly]);
    const full = await run(b.workspace.id, 'manual', rows[0]!.now);
    expect(finalized.at(-1)!.neighbourhoods_carried).toBe(0);
    const [got, want] = [await results(nightly), await results(full)];
    expect(got.scores.length).toBe(N + 3); // two extra, one deleted, two added
    expect(got.scores).toEqual(want.scores);
    expect(got.stops.length).toBeGreaterThan(0);
    expect(got.stops).toEqual(want.stops);
    expect(got.portfolio).toEqual(want.portfolio);
    // The stored neighbourhoods too (carried, patched or searched): the next run builds on them. A search lists an
    // item's NEIGHBOUR_DEPTH nearest; a carried or patched list may have lost some since, down to its horizon: it must
    // list exactly what the full run's search lists up to that horizon, and still hold the K nearest.
    const hoods = async (runId: string, clone: boolean) =>
      (
        await env.db.query<{ item_uid: string; neighbours: string[]; distances: number[]; pairs: string[]; horizon: number | null; horizon_uid: string | null }>(
          'SELECT item_uid, neighbours, distances, pairs, horizon, horizon_uid FROM run_neighbours WHERE run_id = $1 ORDER BY item_uid',
          [runId],
        )
      ).rows.map((h) => {
        const uid = (u: string) => (clone ? u : `itm_c${u.slice(4)}`);
        const horizon = h.horizon_uid === null ? null : { uid: uid(h.horizon_uid), distance: h.horizon! };
        return { item: uid(h.item_uid), neighbours: h.neighbours.map(uid), distances: h.distances, pairs: h.pairs.map(uid), horizon };
      });
    const [gotHoods, wantHoods] = [await hoods(nightly, false), await hoods(full, true)];
    expect(gotHoods.length).toBe(N + 3);
    expect(wantHoods.every((w) => w.neighbours.length === NEIGHBOUR_DEPTH && w.horizon?.uid === w.neighbours.at(-1))).toBe(true);
    const upTo = (w: (typeof wantHoods)[number], h: { uid: string; distance: number }) => {
      const keep = w.neighbours.flatMap((u, i) => (w.distances[i]! < h.distance || (w.distances[i] === h.distance && u <= h.uid) ? [i] : []));
      return { item: w.item, neighbours: keep.map((i) => w.neighbours[i]!), distances: keep.map((i) => w.distances[i]!), pairs: w.pairs, horizon: h };
    };
    expect(gotHoods).toEqual(wantHoods.map((w, i) => upTo(w, gotHoods[i]!.horizon!)));
    expect(gotHoods.every((g) => g.neighbours.length >= NEIGHBOURS)).toBe(true);
    expect(gotHoods.some((g) => g.neighbours.length < NEIGHBOUR_DEPTH)).toBe(true); // some lost a neighbour: patched
  });

  it('decides the verdicts of copies again when the item they copy changed, and still equals a full run', async () => {
    // A kept item with copies in the nightly run, whose copies are not themselves changed since.
    const kept = await env.db.query<{ duplicate_of: string; copies: string }>(
      `SELECT s.duplicate_of, count(*)::text AS copies FROM item_scores s
        WHERE s.run_id = $1 AND s.duplicate_of IS NOT NULL AND s.reused_from_run IS NOT NULL
        GROUP BY s.duplicate_of ORDER BY count(*) DESC, s.duplicate_of LIMIT 1`,
      [nightly],
    );
    expect(kept.rows.length).toBe(1);
    const keepId = kept.rows[0]!.duplicate_of;
    const keep = await env.db.query<{ source: string; title: string }>('SELECT source, title FROM items WHERE workspace_id = $1 AND external_id = $2 AND deleted_at IS NULL', [a.workspace.id, keepId]);
    const i = Number(keepId.slice(2));
    const body = { items: [{ ...benchItem('T', i), source: keep.rows[0]!.source, title: keep.rows[0]!.title, description: 'Reworded: the same work, described again.' }] };
    expect((await a.request('POST', '/v1/items:batch', { body })).status).toBe(200);
    await env.settle();
    const again = await run(a.workspace.id, 'nightly');
    const fields = finalized.at(-1)!;
    const copiesNow = await env.db.query<{ n: string }>('SELECT count(*)::text AS n FROM item_scores WHERE run_id = $1 AND duplicate_of = $2', [again, keepId]);
    expect((fields.verdicts_reused as number) + (fields.verdicts_decided as number)).toBe(fields.duplicates);
    expect(fields.verdicts_decided as number).toBeGreaterThanOrEqual(Number(copiesNow.rows[0]!.n)); // none of them kept
    expect(fields.verdicts_reused as number).toBeGreaterThan(0); // the other copies were
    const b = await cloneItems(a.workspace.id, '2');
    await env.settle();
    const { rows } = await env.db.query<{ now: Date }>('SELECT now FROM scoring_runs WHERE id = $1', [again]);
    const full = await run(b.workspace.id, 'manual', rows[0]!.now);
    const [got, want] = [await results(again), await results(full)];
    expect(got.scores).toEqual(want.scores);
    expect(got.stops).toEqual(want.stops);
    expect(got.portfolio).toEqual(want.portfolio);
    nightly = again; // the runs below build on this one
  });

  it('copies in SQL exactly the scores the score job would re-use', async () => {
    await a.request('POST', '/v1/items:batch', { body: { items: [edited(100, 'A different epic title'), edited(7, 'Seven, edited')] } });
    await env.settle();
    const [planned, byJob] = [await probeRun('planned'), await probeRun('by_job')];
    const uids = (await env.db.query<{ uid: string }>('SELECT uid FROM items WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY uid', [a.workspace.id])).rows.map((r) => r.uid);
    const copied = await copyReusableScores(env.db, planned, uids, { staleDays: DEFAULT_STALE_DAYS, model: env.deps.embedder!.model });
    await scoreRunBatch(env.deps, { workspace_id: a.workspace.id, run_id: byJob.id, uids });
    const reused = async (runId: string) =>
      (await env.db.query<{ item_uid: string; reused_from_run: string }>('SELECT item_uid, reused_from_run FROM item_scores WHERE run_id = $1 AND reused_from_run IS NOT NULL ORDER BY item_uid', [runId])).rows;
    // The epic's stories and T-7 changed input: neither side re-uses them.
    const want = await reused(byJob.id);
    expect(want.length).toBeLessThan(uids.length - 2);
    expect(await reused(planned.id)).toEqual(want);
    expect(copied.sort()).toEqual(want.map((r) => r.item_uid));
    // A dry run's preview counts by the same rule (the epic's stories and T-7 would be scored).
    const { run: dry } = await createRun(env.deps, { workspaceId: a.workspace.id, kind: 'manual', actor: 'test', dryRun: true });
    await env.settle();
    const counts = (await getRun(env.db, a.workspace.id, dry.id))!.counts;
    expect(counts).toMatchObject({ total: uids.length, would_reuse: want.length, would_score: uids.length - want.length });
  });

  it('copies a page once when its job runs twice at once or is retried, and completes a page left half done', async () => {
    const page = await probeRun('page');
    const uids = (await env.db.query<{ uid: string }>('SELECT uid FROM items WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY uid', [a.workspace.id])).rows.map((r) => r.uid);
    const copy = () => copyReusableScores(env.db, page, uids, { staleDays: DEFAULT_STALE_DAYS, model: env.deps.embedder!.model });
    const rows = async () => (await env.db.query<{ item_uid: string }>('SELECT item_uid FROM item_scores WHERE run_id = $1 ORDER BY item_uid', [page.id])).rows.map((r) => r.item_uid);
    // Two attempts at once (a stalled job picked up while it still runs): one copies, the other finds the rows.
    const [one, two] = await Promise.all([copy(), copy()]);
    expect(one.length + two.length).toBeGreaterThan(uids.length / 2);
    expect(Math.min(one.length, two.length)).toBe(0);
    const all = [...one, ...two].sort();
    expect(await rows()).toEqual(all);
    // A retry copies nothing again; after losing some rows (an attempt cut short), it copies just those.
    expect(await copy()).toEqual([]);
    const lost = all.filter((_, i) => i % 3 === 0);
    await env.db.query('DELETE FROM item_scores WHERE run_id = $1 AND item_uid = ANY($2::text[])', [page.id, lost]);
    expect((await copy()).sort()).toEqual(lost);
    expect(await rows()).toEqual(all);
  });

  it('copies in SQL no score whose item crossed the staleness line since it was scored, as the score job decides', async () => {
    const uids = (await env.db.query<{ uid: string }>('SELECT uid FROM items WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY uid', [a.workspace.id])).rows.map((r) => r.uid);
    // The earlier rows were scored minutes ago; these runs' "today" is 10 days later. Three items that are re-usable
    // today get dates: one that was fresh then and is stale now (crossed), one stale then and now, one fresh both times.
    const reusableToday = (await copyReusableScores(env.db, await probeRun('stale_control'), uids, { staleDays: DEFAULT_STALE_DAYS, model: env.deps.embedder!.model })).sort();
    const today = new Date(Date.now() + 10 * 86_400_000);
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    const [crossed, staleBoth, freshBoth] = reusableToday.slice(-3);
    const dates: [string, Date][] = [[crossed!, daysAgo(DEFAULT_STALE_DAYS - 5)], [staleBoth!, daysAgo(DEFAULT_STALE_DAYS + 5)], [freshBoth!, daysAgo(1)]];
    for (const [uid, at] of dates) await env.db.query('UPDATE items SET src_updated_at = $2, src_created_at = $2 WHERE uid = $1', [uid, at]);
    const [planned, byJob] = [await probeRun('stale_planned', today), await probeRun('stale_by_job', today)];
    const copied = (await copyReusableScores(env.db, planned, uids, { staleDays: DEFAULT_STALE_DAYS, model: env.deps.embedder!.model })).sort();
    await scoreRunBatch(env.deps, { workspace_id: a.workspace.id, run_id: byJob.id, uids });
    const reused = (await env.db.query<{ item_uid: string }>('SELECT item_uid FROM item_scores WHERE run_id = $1 AND reused_from_run IS NOT NULL ORDER BY item_uid', [byJob.id])).rows.map((r) => r.item_uid);
    expect(copied).toEqual(reused);
    expect(copied).not.toContain(crossed);
    expect(copied).toEqual(expect.arrayContaining([staleBoth, freshBoth]));
  });

  it('takes new term statistics and searches every item once a quarter of the items changed', async () => {
    const before = await env.db.query<{ term_stats_id: string }>('SELECT term_stats_id FROM scoring_runs WHERE id = $1', [nightly]);
    const edits = Array.from({ length: 45 }, (_, k) => edited(k * 3 + 2, `${benchItem('T', k * 3 + 2).title} reworded for the quarter`));
    expect((await a.request('POST', '/v1/items:batch', { body: { items: edits } })).status).toBe(200);
    await env.settle();
    const later = await run(a.workspace.id, 'nightly');
    const fields = finalized.at(-1)!;
    expect(fields.neighbourhoods_carried).toBe(0);
    expect(fields.neighbourhoods_searched).toBe(N + 3);
    const after = await env.db.query<{ term_stats_id: string; changed_since_stats: number }>('SELECT term_stats_id, changed_since_stats FROM scoring_runs WHERE id = $1', [later]);
    expect(after.rows[0]!.term_stats_id).not.toBe(before.rows[0]!.term_stats_id);
    expect(after.rows[0]!.changed_since_stats).toBe(0);
  });
});
