// The queue pipeline (plan → score batches → finalize, through the database) and `bearing score` use one engine:
// on the same strategy, backlog and "today" they give the same scores, stop list and portfolio.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import { BacklogInput, type ItemScore } from '../../src/domain/contracts.ts';
import { scoreBacklog } from '../../src/domain/engine/index.ts';
import { readStrategy } from '../../src/domain/strategy.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const root = new URL('../../', import.meta.url);
const strategyMd = readFileSync(new URL('examples/strategy.md', root), 'utf8');
const backlog = BacklogInput.parse(JSON.parse(readFileSync(new URL('examples/backlog.json', root), 'utf8')));

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('pipeline'));
});
afterAll(() => env.close());

describe('a scoring run through the job pipeline', () => {
  it('equals the CLI report for the same inputs', async () => {
    expect((await c.request('PUT', '/v1/strategy', { raw: strategyMd, headers: { 'content-type': 'text/markdown' } })).status).toBe(201);
    expect((await c.request('POST', '/v1/items:batch', { body: { items: backlog } })).status).toBe(200);
    await env.settle();
    const { run } = await (await import('../../src/pipeline/runs.ts')).createRun(env.deps, { workspaceId: c.workspace.id, kind: 'manual', actor: 'test' });
    await env.settle();
    const stored = await env.db.query<{ status: string; now: Date; counts: any; failures: unknown[] }>('SELECT status, now, counts, failures FROM scoring_runs WHERE id = $1', [run.id]);
    expect(stored.rows[0]!.failures).toEqual([]);
    expect(stored.rows[0]!.status).toBe('finished');

    const read = readStrategy(strategyMd, 'markdown');
    if (!read.ok) throw new Error('fixture strategy does not parse');
    const cli = scoreBacklog({ strategy: read.strategy, items: backlog, now: stored.rows[0]!.now, vectors: loadWordVectors() });

    const rows = await env.db.query<{ external_id: string; alignment: number; objective_id: string | null; kr_id: string | null; execution_health: boolean; flags: string[]; duplicate_of: string | null; non_goal_id: string | null; rationale: string; evidence: ItemScore['evidence'] }>(
      `SELECT i.external_id, s.alignment, s.objective_id, s.kr_id, s.execution_health, s.flags, s.duplicate_of, s.non_goal_id, s.rationale, s.evidence
         FROM item_scores s JOIN items i ON i.uid = s.item_uid WHERE s.run_id = $1`,
      [run.id],
    );
    const byId = new Map(rows.rows.map((r) => [r.external_id, r]));
    expect(byId.size).toBe(backlog.length);
    for (const expected of cli.items) {
      const got = byId.get(expected.id)!;
      expect({ ...got, id: got.external_id, external_id: undefined }).toEqual({ ...expected, external_id: undefined });
    }
    const stops = await env.db.query<{ external_id: string; rank: number; action: string; reasons: string[]; capacity_points: number | null; confidence: number }>(
      `SELECT i.external_id, s.rank, s.action, s.reasons, s.capacity_points, s.confidence FROM stop_suggestions s JOIN items i ON i.uid = s.item_uid
        WHERE s.run_id = $1 ORDER BY s.rank`,
      [run.id],
    );
    expect(stops.rows.map((s) => ({ id: s.external_id, rank: s.rank, action: s.action, reasons: s.reasons, capacity_points: s.capacity_points, confidence: s.confidence }))).toEqual(cli.stop);
    const snap = await env.db.query<{ portfolio: unknown }>('SELECT portfolio FROM portfolio_snapshots WHERE run_id = $1', [run.id]);
    expect(snap.rows[0]!.portfolio).toEqual(cli.portfolio);
  });
});
