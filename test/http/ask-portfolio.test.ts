// Stop answers on a backlog with more than a thousand suggestions: the team filter is applied in the query and the
// totals (how many suggestions, how many points they free) count every suggestion of the run, not the first thousand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { runToEnd, seed, sendItems } from '../fixtures/api/logistics.ts';
import { expectValidCitations, type AnswerJson } from '../fixtures/ask/helpers.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
let runId: string;

/** Unaligned work in words no goal uses: each a distinct pair of crafts, so few are copies of each other. */
const CRAFTS = 'violin cello oboe harp lute sitar banjo zither ukulele tuba bassoon piccolo marimba organ accordion bagpipe'.split(' ');
const VERBS = 'rehearse tune restring varnish polish catalogue photograph insure'.split(' ');
const BULK = 1_100;
const bulkItem = (n: number) => ({
  id: `BULK-${n}`,
  title: `${VERBS[n % VERBS.length]} the ${CRAFTS[Math.floor(n / VERBS.length) % CRAFTS.length]} and ${CRAFTS[(n * 7 + 3) % CRAFTS.length]} collection ${n}`,
  team: 'Orchestra',
  estimate_points: 3 + (n % 3), // 3 points and up: real effort, so every one is a stop suggestion
});

async function ask(body: Record<string, unknown>): Promise<AnswerJson> {
  const r = await c.request('POST', '/v1/ask', { body });
  expect(r.status, await r.clone().text()).toBe(200);
  const a = (await r.json()) as AnswerJson;
  await expectValidCitations(env.db, c.workspace.id, a);
  return a;
}

async function totals(team: string | null): Promise<{ n: number; points: number }> {
  const r = await env.db.query<{ n: number; points: number }>(
    `SELECT count(*)::int AS n, COALESCE(sum(capacity_points), 0)::int AS points FROM stop_suggestions WHERE workspace_id = $1 AND run_id = $2 AND ($3::text IS NULL OR team = $3)`,
    [c.workspace.id, runId, team],
  );
  return r.rows[0]!;
}

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('ask-portfolio'));
  await seed(c);
  const items = Array.from({ length: BULK }, (_, n) => bulkItem(n));
  for (let at = 0; at < items.length; at += 1_000) await sendItems(c, items.slice(at, at + 1_000));
  runId = (await runToEnd(c, env.settle)).id;
}, 180_000);
afterAll(() => env.close());

describe('stop answers count every suggestion of the run', () => {
  it('without a team: the total and the points of all suggestions, the top five listed', async () => {
    const all = await totals(null);
    expect(all.n).toBeGreaterThan(1_000);
    const a = await ask({ question: 'What should we stop?' });
    expect(a.answer).toContain(`suggests ${all.n} changes, freeing ${all.points} points in all; the top 5:`);
    expect(a.answer).toContain(`${all.n - 5} more: GET /v1/suggestions/stop.`);
  });

  it('a team given or named: its suggestions only, found however far down the ranking they are', async () => {
    for (const [team, body] of [
      ['Orchestra', { question: 'What should we stop?', team: 'Orchestra' }],
      ['Marketing', { question: 'What should the Marketing team stop?' }],
    ] as const) {
      const mine = await totals(team);
      expect(mine.n, team).toBeGreaterThan(0);
      const a = await ask(body);
      const plural = mine.n === 1 ? 'change' : 'changes';
      expect(a.answer, team).toContain(`suggests ${mine.n} ${plural} for team ${team}, freeing ${mine.points} point`);
      const listed = [...a.answer.matchAll(/\[item:([^\]]+)\]/g)].map((m) => m[1]!);
      const teams = await env.db.query<{ team: string }>('SELECT DISTINCT team FROM items WHERE workspace_id = $1 AND external_id = ANY($2::text[])', [c.workspace.id, listed]);
      expect(teams.rows.map((r) => r.team), team).toEqual([team]);
    }
  });
});
