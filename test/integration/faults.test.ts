// Faults the queue pipeline must survive, on real PostgreSQL + Redis with real worker processes:
// a worker SIGKILLed mid-run, Redis down during ingest, and a job with an invalid payload.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, type BullmqJobQueue } from '../../src/adapters/queue/bullmq.ts';
import { createApp } from '../../src/app.ts';
import type { Db, Deps } from '../../src/deps.ts';
import { relayOutbox } from '../../src/pipeline/outbox.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { openTestDb, serviceConfigured, testDeps, uniqueName } from '../helpers/harness.ts';

const enabled = serviceConfigured('DATABASE_URL') && serviceConfigured('REDIS_URL');
const ROOT = new URL('../..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/worker-proc.ts'], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  return new Promise((ok, fail) => {
    proc.stdout!.on('data', (d) => String(d).includes('ready') && ok(proc));
    proc.on('exit', (code) => fail(new Error(`worker exited ${code}`)));
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const items = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    source: i % 2 ? 'jira' : 'linear',
    title: `${['Speed up', 'Fix', 'Add', 'Remove'][i % 4]} ${['rebooking flow', 'table reminder', 'receipt email', 'venue dashboard', 'no-show report'][i % 5]} ${i}`,
    description: `Work item ${i} for the booking product.`,
    status: i % 3 ? 'todo' : 'in_progress',
    estimate_points: (i % 5) + 1,
  }));

const STRATEGY = {
  objectives: [
    { id: 'G1', title: 'Make rebooking effortless', key_results: [{ id: 'G1.KR1', title: 'One-tap rebooking used by 30% of returning guests' }] },
    { id: 'G2', title: 'Restaurants keep their tables full', key_results: [{ id: 'G2.KR1', title: 'No-show rate from 11% to 6%' }] },
  ],
  non_goals: [{ id: 'NG1', text: 'No loyalty points programme this year' }],
};

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

describe.runIf(enabled)('faults (PostgreSQL + Redis)', () => {
  let db: Db;
  let deps: Deps;
  let queue: BullmqJobQueue;
  const prefix = `bearing-faults-${process.pid}`;
  let workspaceId = '';
  let app: ReturnType<typeof createApp>;
  let key = '';
  let relaying = true;

  beforeAll(async () => {
    db = await openTestDb();
    deps = testDeps(db);
    queue = createBullmqQueue({ redisUrl: process.env.REDIS_URL!, prefix });
    deps.jobs = { queue, kick: () => undefined };
    app = createApp(deps);
    const created = await createKey({ db, input: { workspaceName: uniqueName('faults'), scopes: ['admin'] } });
    workspaceId = created.workspace.id;
    key = created.key;
    // This test's relay: only its workspace's outbox rows go to its private queue prefix.
    void (async () => {
      while (relaying) {
        await relayOutbox(db, queue, { workspaceIds: [workspaceId] }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const put = await app.request('/v1/strategy', { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(STRATEGY) });
    expect(put.status).toBe(201);
  });

  afterAll(async () => {
    relaying = false;
    await queue?.close();
    await db?.close();
  });

  const post = (body: unknown) =>
    app.request('/v1/items:batch', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a worker killed with SIGKILL mid-run: a new worker finishes the run, every item scored exactly once', async () => {
    const all = items(6000, 'K');
    for (let i = 0; i < all.length; i += 1000) expect((await post({ items: all.slice(i, i + 1000) })).status).toBe(200);
    const env = { DATABASE_URL: process.env.DATABASE_URL!, REDIS_URL: process.env.REDIS_URL!, TEST_QUEUE_PREFIX: prefix };
    const first = await startWorker(env);
    const { run } = await createRun(deps, { workspaceId, kind: 'manual', actor: 'test' });
    const count = async () => Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM item_scores WHERE run_id = $1', [run.id])).rows[0]!.n);
    await waitFor('the first scores', async () => (await count()) > 0, 120_000);
    first.kill('SIGKILL');
    const atKill = await count();
    expect(atKill).toBeLessThan(all.length); // killed mid-run
    await startWorker(env);
    const done = await waitFor(
      'the run to finish',
      async () => {
        const r = await db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id]);
        return ['finished', 'failed'].includes(r.rows[0]!.status) ? r.rows[0]!.status : null;
      },
      120_000,
    );
    expect(done).toBe('finished');
    const rows = await db.query<{ n: string; d: string }>('SELECT count(*)::text AS n, count(DISTINCT item_uid)::text AS d FROM item_scores WHERE run_id = $1', [run.id]);
    expect(Number(rows.rows[0]!.n)).toBe(all.length);
    expect(Number(rows.rows[0]!.d)).toBe(all.length);
    const live = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM items WHERE workspace_id = $1 AND deleted_at IS NULL', [workspaceId]);
    expect(Number(live.rows[0]!.n)).toBe(all.length);
  }, 240_000);

  it('a job with an invalid payload fails at once, is not retried, and shows in the run', async () => {
    const { run } = await createRun(deps, { workspaceId, kind: 'manual', actor: 'test', itemIds: ['K-1'], dryRun: false });
    // Let the real plan run first so the run exists in a running state, then inject a broken score job.
    await waitFor('the run to finish', async () => (await db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id])).rows[0]!.status === 'finished', 60_000);
    const { run: second } = await createRun(deps, { workspaceId, kind: 'manual', actor: 'test', itemIds: ['K-2'] });
    await queue.add({ queue: 'score', name: 'score', jobId: `bad-${second.id}`, data: { workspace_id: workspaceId, run_id: second.id, uids: 'not-a-list' } });
    const failed = await waitFor('the bad job to fail', async () => (await queue.queue('score').getFailed()).find((j) => j.id === `bad-${second.id}`), 30_000);
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toContain('invalid score payload');
    const r = await db.query<{ failures: { job: string; error: string }[] }>('SELECT failures FROM scoring_runs WHERE id = $1', [second.id]);
    expect(r.rows[0]!.failures.some((f) => f.error.includes('invalid score payload'))).toBe(true);
  }, 120_000);
});

describe.runIf(enabled)('Redis down during ingest (PostgreSQL + a private redis-server)', () => {
  it('ingest answers 2xx, nothing is lost, the jobs run once Redis is back', async () => {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    const startRedis = () => {
      const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      children.push(p);
      return p;
    };
    let redis = startRedis();
    const db = await openTestDb();
    const deps = testDeps(db);
    const queue = createBullmqQueue({ redisUrl, prefix: `bearing-down-${process.pid}` });
    deps.jobs = { queue, kick: () => undefined };
    const app = createApp(deps);
    const created = await createKey({ db, input: { workspaceName: uniqueName('redis-down'), scopes: ['admin'] } });
    const ws = created.workspace.id;
    try {
      await waitFor('redis', () => queue.ping(), 10_000);
      await startWorker({ DATABASE_URL: process.env.DATABASE_URL!, REDIS_URL: redisUrl, TEST_QUEUE_PREFIX: `bearing-down-${process.pid}` });
      redis.kill('SIGKILL');
      await waitFor('redis to be down', async () => !(await queue.ping()), 10_000);

      const batch = items(300, 'R');
      const res = await app.request('/v1/items:batch', { method: 'POST', headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ items: batch }) });
      expect(res.status).toBe(200);
      const relay = await relayOutbox(db, queue, { workspaceIds: [ws] });
      expect(relay.dispatched).toBe(0);
      const pending = await db.query<{ attempts: number; last_error: string | null }>('SELECT attempts, last_error FROM job_outbox WHERE workspace_id = $1 AND dispatched_at IS NULL', [ws]);
      expect(pending.rows.length).toBe(1);
      expect(pending.rows[0]!.attempts).toBeGreaterThan(0);

      redis = startRedis();
      await waitFor('redis to be back', () => queue.ping(), 10_000);
      await waitFor('the outbox to drain', async () => (await relayOutbox(db, queue, { workspaceIds: [ws] })).dispatched > 0, 20_000);
      const embedded = await waitFor(
        'embeddings of every item',
        async () => {
          const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM embeddings WHERE workspace_id = $1 AND owner_kind = 'item'`, [ws]);
          return Number(r.rows[0]!.n) === batch.length ? Number(r.rows[0]!.n) : null;
        },
        60_000,
      );
      expect(embedded).toBe(batch.length);
      const stored = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM items WHERE workspace_id = $1', [ws]);
      expect(Number(stored.rows[0]!.n)).toBe(batch.length);
    } finally {
      await queue.close();
      await db.close();
      redis.kill('SIGKILL');
    }
  }, 180_000);
});
