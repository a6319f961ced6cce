// Two real worker processes (PostgreSQL + Redis) scoring one run against a failing provider: the run's breaker is
// shared through the database, so the provider sees about as many calls as one process alone would make before
// giving up — not one failure streak per process — and the run still finishes with one score per item.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, type BullmqJobQueue } from '../../src/adapters/queue/bullmq.ts';
import { createApp } from '../../src/app.ts';
import type { Db, Deps } from '../../src/deps.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { relayOutbox } from '../../src/pipeline/outbox.ts';
import { STRATEGY } from '../fixtures/api/logistics.ts';
import { createFakeJudge } from '../helpers/fake-judge.ts';
import { openTestDb, serviceConfigured, testDeps, uniqueName } from '../helpers/harness.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.ts';
import { syntheticItem } from './synthetic.ts';

const enabled = serviceConfigured('DATABASE_URL') && serviceConfigured('REDIS_URL');
const ROOT = new URL('../..', import.meta.url).pathname;
const BREAKER = 3;

describe.runIf(enabled)('breaker shared by worker processes (PostgreSQL + Redis)', () => {
  const children: ChildProcess[] = [];
  const prefix = `bearing-ai-${process.pid}`;
  let server: FakeOpenAI;
  let db: Db;
  let deps: Deps;
  let queue: BullmqJobQueue;

  const startWorker = (): Promise<void> => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/worker-proc.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEST_QUEUE_PREFIX: prefix,
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: server.url,
        OPENAI_EMBEDDING_MODEL: 'fake-embed-384',
        OPENAI_EMBEDDING_DIMENSIONS: '384',
        OPENAI_CHAT_MODEL: 'fake-judge-1',
        OPENAI_MAX_RETRIES: '0',
        BEARING_JUDGE_BATCH_SIZE: '4',
        BEARING_JUDGE_CONCURRENCY: '1',
        BEARING_JUDGE_BREAKER_FAILURES: String(BREAKER),
      },
      stdio: ['ignore', 'pipe', 'ignore'], // its warnings (one per failed call) are expected here
    });
    children.push(proc);
    return new Promise((ok, fail) => {
      proc.stdout!.on('data', (d) => String(d).includes('ready') && ok());
      proc.on('exit', (code) => fail(new Error(`worker exited ${code}`)));
    });
  };

  beforeAll(async () => {
    server = await startFakeOpenAI({ chat: createFakeJudge().handler });
    server.latencyMs = 150; // both workers are mid-call at once
    db = await openTestDb();
    deps = testDeps(db);
    queue = createBullmqQueue({ redisUrl: process.env.REDIS_URL!, prefix });
    deps.jobs = { queue, kick: () => undefined };
    await Promise.all([startWorker(), startWorker()]);
  }, 60_000);

  afterAll(async () => {
    children.forEach((c) => c.kill('SIGKILL'));
    await queue?.close();
    await db?.close();
    await server?.close();
  });

  it('opens once for the run: the provider gets at most the threshold plus the calls already in flight', async () => {
    const created = await createKey({ db, input: { workspaceName: uniqueName('ai-workers'), scopes: ['admin'] } });
    const ws = created.workspace.id;
    const app = createApp(deps);
    const call = (method: string, path: string, body: unknown) =>
      app.request(path, { method, headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await call('PUT', '/v1/strategy', STRATEGY)).status).toBe(201);
    expect((await call('POST', '/v1/items:batch', { items: Array.from({ length: 1_000 }, (_, i) => syntheticItem(i)) })).status).toBe(200);
    server.fail('chat', 'server_error'); // every chat call fails from now on; embeddings keep working
    const chat0 = server.calls.chat;
    const run = (await (await call('POST', '/v1/runs', {})).json()) as { id: string };

    let status = '';
    for (let i = 0; i < 1_200 && status !== 'finished' && status !== 'failed'; i++) {
      await relayOutbox(db, queue, { workspaceIds: [ws] });
      status = (await db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id])).rows[0]!.status;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(status).toBe('finished');

    const rows = await db.query<{ n: number; fallback: string }>(
      `SELECT count(*)::int AS n, provenance->>'fallback' AS fallback FROM item_scores WHERE run_id = $1 GROUP BY 2`,
      [run.id],
    );
    const by = Object.fromEntries(rows.rows.map((r) => [r.fallback, r.n]));
    expect(Object.values(by).reduce((a, b) => a + b, 0)).toBe(1_000);
    const calls = server.calls.chat - chat0;
    // Two score jobs ran side by side, one call in flight each: a breaker per process would need 2 × 3 failures.
    expect(calls).toBeGreaterThanOrEqual(BREAKER);
    expect(calls).toBeLessThanOrEqual(BREAKER + 1);
    expect(by.provider_error).toBe(calls * 4);
    expect(by.breaker_open).toBe(1_000 - calls * 4);
    const state = await db.query<{ failed_calls: number; open: boolean }>(
      'SELECT failed_calls, breaker_opened_at IS NOT NULL AS open FROM provider_run_state WHERE run_id = $1',
      [run.id],
    );
    expect(state.rows[0]).toEqual({ failed_calls: calls, open: true });
  }, 180_000);
});
