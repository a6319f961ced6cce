// AI path benchmark (prints figures; not a timed test). Run: npm run bench -- ai (once wired into run.ts).
// A 1,000-item backlog scored with the OpenAI-compatible test server as provider (real HTTP, the real `openai` SDK,
// the fake judge answering from the prompt), through the same wiring `bearing serve` uses (nodeDeps + attachJobs),
// on the embedded database (or PostgreSQL with DATABASE_URL; the jobs always run in this process):
//   1. ingest (embedding calls);
//   2. the first run: wall time, chat and embedding calls, tokens — beside the same run with the engine alone;
//   3. the nightly re-run after 1% of the items changed: calls as a share of the first run's;
//   4. the first run again with 250 ms per provider answer (a model's think time), to show what concurrency buys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger, type Db, type Deps } from '../../src/deps.ts';
import { attachJobs, type Jobs } from '../../src/entry/jobs.ts';
import { nodeDeps, openAndMigrate } from '../../src/entry/node.ts';
import { judgeSettings } from '../../src/pipeline/judge.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import { syntheticItem } from '../ai/synthetic.ts';
import { STRATEGY } from '../fixtures/api/logistics.ts';
import { createFakeJudge } from '../helpers/fake-judge.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.ts';

const N = 1_000;
const CHANGED = 10; // 1%
const LATENCY_MS = 250;

interface Service {
  db: Db;
  deps: Deps;
  jobs: Jobs;
  api(method: string, path: string, body?: unknown): Promise<any>;
  workspaceId: string;
  close(): Promise<void>;
}

async function startService(config: Config, dataDir: string): Promise<Service> {
  const logger = createLogger('warn');
  const db = await openAndMigrate(config, logger);
  const deps = await nodeDeps(config, db, logger);
  const jobs = await attachJobs({ ...config, REDIS_URL: undefined }, deps, { withWorkers: false, relayIntervalMs: 20 });
  const app = createApp(deps);
  const created = await createKey({ db, input: { workspaceName: `bench-ai-${process.pid}-${Date.now()}`, scopes: ['admin'], actor: 'bench' } });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${created.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    db, deps, jobs, api, workspaceId: created.workspace.id,
    async close() {
      await jobs.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the workspace's outbox is drained and every item has a vector of its current content. */
async function settled(svc: Service): Promise<void> {
  for (let i = 0; i < 6_000; i++) {
    const r = await svc.db.query<{ pending: number; vectors: number }>(
      `SELECT (SELECT count(*)::int FROM job_outbox WHERE workspace_id = $1 AND dispatched_at IS NULL) AS pending,
              (SELECT count(*)::int FROM items i JOIN embeddings e ON e.workspace_id = i.workspace_id AND e.owner_kind = 'item'
                  AND e.owner_id = i.uid AND e.model = $2 AND e.content_hash = i.content_hash
                WHERE i.workspace_id = $1) AS vectors`,
      [svc.workspaceId, svc.deps.embedder!.model],
    );
    if (r.rows[0]!.pending === 0 && r.rows[0]!.vectors >= N) return;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  throw new Error('ingest did not settle');
}

async function timedRun(svc: Service): Promise<{ ms: number; view: any }> {
  const t0 = performance.now();
  const { run } = await createRun(svc.deps, { workspaceId: svc.workspaceId, kind: 'manual', actor: 'bench' });
  for (;;) {
    const r = await svc.db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id]);
    if (r.rows[0]!.status !== 'queued' && r.rows[0]!.status !== 'running') break;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  const ms = performance.now() - t0;
  const view = await svc.api('GET', `/v1/runs/${run.id}`);
  if (view.status !== 'finished') throw new Error(`run ${run.id} ${view.status}: ${JSON.stringify(view.failures)}`);
  return { ms, view };
}

async function calls<T>(server: FakeOpenAI | null, fn: () => Promise<T>): Promise<T & { chat: number; embeddings: number }> {
  const c0 = server?.calls.chat ?? 0;
  const e0 = server?.calls.embeddings ?? 0;
  const r = await fn();
  return { ...r, chat: (server?.calls.chat ?? 0) - c0, embeddings: (server?.calls.embeddings ?? 0) - e0 };
}

/** Strategy + N items, settled; then a full run. */
async function scenario(env: Record<string, string>, server: FakeOpenAI | null) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bearing-bench-ai-'));
  const config = parseConfig({ ...env, BEARING_DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: 'warn' });
  const svc = await startService(config, dataDir);
  try {
    await svc.api('PUT', '/v1/strategy', STRATEGY);
    const items = Array.from({ length: N }, (_, i) => syntheticItem(i));
    const ingest = await calls(server, async () => {
      const t0 = performance.now();
      await svc.api('POST', '/v1/items:batch', { items });
      await settled(svc);
      return { ms: performance.now() - t0 };
    });
    const first = await calls(server, () => timedRun(svc));
    return { svc, config, items, ingest, first };
  } catch (err) {
    await svc.close();
    throw err;
  }
}

const f0 = (x: number) => x.toFixed(0);

export async function benchAi(): Promise<void> {
  const judge = createFakeJudge();
  const server = await startFakeOpenAI({ chat: (b) => judge.handler(b) });
  const provider = {
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: server.url,
    OPENAI_EMBEDDING_MODEL: 'fake-embed-384',
    OPENAI_EMBEDDING_DIMENSIONS: '384',
    OPENAI_CHAT_MODEL: 'fake-judge-1',
  };
  try {
    // Baseline: the same run with the engine alone (deterministic embedder, no provider).
    const base = await scenario({}, null);
    await base.svc.close();

    const ai = await scenario(provider, server);
    try {
      const changed = ai.items.map((it, i) => (i % (N / CHANGED) === 5 ? syntheticItem(i, 1) : it));
      const reingest = await calls(server, async () => {
        await ai.svc.api('POST', '/v1/items:batch', { items: changed });
        await settled(ai.svc);
        return {};
      });
      const second = await calls(server, () => timedRun(ai.svc));
      const p = ai.first.view.scoring.provider;
      const firstCalls = ai.first.chat + ai.first.embeddings;
      const secondCalls = second.chat + second.embeddings;
      const j = judgeSettings(ai.config);
      console.log(`${N} items, logistics strategy, judge batches of ${j.batchSize} items, ${j.concurrency} calls in flight per score job, test server answering at once`);
      console.log(`ingest:              ${f0(ai.ingest.ms)} ms, ${ai.ingest.embeddings} embedding calls (engine alone: ${f0(base.ingest.ms)} ms)`);
      console.log(
        `first run:           ${f0(ai.first.ms)} ms wall (engine alone: ${f0(base.first.ms)} ms, ×${(ai.first.ms / base.first.ms).toFixed(1)}), ` +
          `${ai.first.chat} chat + ${ai.first.embeddings} embedding calls, ${p.prompt_tokens} prompt + ${p.completion_tokens} completion tokens (server's count), ` +
          `scorers ${JSON.stringify(ai.first.view.scoring.by_scorer)}`,
      );
      console.log(`re-ingest 1%:        ${reingest.embeddings} embedding calls`);
      console.log(
        `nightly re-run (1%): ${f0(second.ms)} ms wall, ${second.chat} chat + ${second.embeddings} embedding calls = ` +
          `${((100 * secondCalls) / firstCalls).toFixed(1)}% of the first run's calls (target ≤ 2%: ${secondCalls <= 0.02 * firstCalls ? 'PASS' : 'MISS'})`,
      );
    } finally {
      await ai.svc.close();
    }

    server.latencyMs = LATENCY_MS;
    const slow = await scenario(provider, server);
    await slow.svc.close();
    console.log(`first run, ${LATENCY_MS} ms per provider answer: ${f0(slow.first.ms)} ms wall (${slow.first.chat} chat calls)`);
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAi();
