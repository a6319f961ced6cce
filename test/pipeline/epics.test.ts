// Epics and their stories through the job pipeline: the same verdicts as `bearing score`, and a changed story
// invalidates its epic's re-usable score (an epic borrows from its stories).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import { BacklogInput, StrategyInput } from '../../src/domain/contracts.ts';
import { scoreBacklog } from '../../src/domain/engine/index.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const fixture = (f: string) => JSON.parse(readFileSync(new URL(`../fixtures/engine/${f}`, import.meta.url), 'utf8'));
const strategy = StrategyInput.parse(fixture('fintech-strategy.json'));
const backlog = BacklogInput.parse(fixture('fintech-backlog.json'));

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('epics'));
  await c.request('PUT', '/v1/strategy', { body: fixture('fintech-strategy.json') });
  await c.request('POST', '/v1/items:batch', { body: { items: backlog } });
  await env.settle();
});
afterAll(() => env.close());

async function run() {
  const { run } = await createRun(env.deps, { workspaceId: c.workspace.id, kind: 'manual', actor: 'test' });
  await env.settle();
  const rows = await env.db.query<{ external_id: string; alignment: number; objective_id: string | null; kr_id: string | null; reused_from_run: string | null }>(
    `SELECT i.external_id, s.alignment, s.objective_id, s.kr_id, s.reused_from_run FROM item_scores s JOIN items i ON i.uid = s.item_uid WHERE s.run_id = $1`,
    [run.id],
  );
  const now = (await env.db.query<{ now: Date }>('SELECT now FROM scoring_runs WHERE id = $1', [run.id])).rows[0]!.now;
  return { rows: new Map(rows.rows.map((r) => [r.external_id, r])), now };
}

describe('epics and stories in runs', () => {
  const epics = backlog.filter((it) => backlog.some((o) => o.parent_id === it.id));

  it('the fixture has epics with stories', () => expect(epics.length).toBeGreaterThan(0));

  it('scores epics and stories as bearing score does', async () => {
    const { rows, now } = await run();
    const cli = scoreBacklog({ strategy, items: backlog, now, vectors: loadWordVectors() });
    for (const it of cli.items) {
      const got = rows.get(it.id)!;
      expect({ id: it.id, alignment: got.alignment, objective_id: got.objective_id, kr_id: got.kr_id }).toEqual({ id: it.id, alignment: it.alignment, objective_id: it.objective_id, kr_id: it.kr_id });
    }
  });

  it('a changed story makes its epic be scored again, not re-used', async () => {
    const epic = epics[0]!;
    const story = backlog.find((o) => o.parent_id === epic.id)!;
    await c.request('POST', '/v1/items:batch', { body: { items: [{ ...story, title: `${story.title} (rescoped)` }] } });
    await env.settle();
    const { rows } = await run();
    expect(rows.get(story.id)!.reused_from_run).toBeNull();
    expect(rows.get(epic.id)!.reused_from_run).toBeNull();
    const untouched = backlog.find((o) => o.id !== epic.id && o.id !== story.id && o.parent_id !== epic.id && o.parent_id !== story.id && !backlog.some((k) => k.parent_id === o.id))!;
    expect(rows.get(untouched.id)!.reused_from_run).not.toBeNull();
  });
});
