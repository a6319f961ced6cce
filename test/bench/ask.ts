// Benchmark of POST /v1/ask (prints figures; not a timed test). On PostgreSQL when DATABASE_URL is set, otherwise on
// the embedded default (PGlite in a temporary folder). A 10,000-item workspace is ingested and scored by a full run
// (jobs in this process), then over HTTP on 127.0.0.1:
//   1. the deterministic (fallback) answer, JSON: p50 / p95 over a mix of item, portfolio and strategy questions,
//      target p95 <= 100 ms;
//   2. with the OpenAI-compatible test server as the provider — its chat and its embeddings (the workspace's items and
//      passages are embedded with its model first, so every question is embedded over HTTP and ranked by pgvector as
//      in production) — SSE: time to the first event, target p95 <= 300 ms (and time to `done`).
// Run alone: `npx tsx test/bench/ask.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createClient, createOpenAIChat, createOpenAIEmbedder } from '../../src/adapters/ai/openai.ts';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/deps.ts';
import { attachJobs } from '../../src/entry/jobs.ts';
import { nodeDeps, openAndMigrate } from '../../src/entry/node.ts';
import { embedMissingItems, embedMissingPassages } from '../../src/pipeline/embed.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import { readTimedSse } from '../http/ask-sse-timing.ts';
import { startFakeOpenAI, type ChatBody } from '../helpers/openai-server.ts';
import { rng } from './engine.ts';

const N = 10_000;
const BATCH = 1_000;
/** Timed requests per part, after WARMUP untimed ones. */
const SAMPLES = 300;
const SSE_SAMPLES = 150;
const WARMUP = 20;
const TARGET_FALLBACK_P95_MS = 100;
const TARGET_FIRST_EVENT_P95_MS = 300;

// --- synthetic data: generic words of unrelated fields (no evaluation-set vocabulary); a third of the items use only
// "off" words, so runs make stop suggestions and some key results stay uncovered.
const ON = ('lantern meadow harbor pigment loom kiln quarry ferry orchard beacon ledger compass anvil canvas tide forge ' +
  'glacier prism lattice spindle barrel chisel saddle trellis').split(' ');
const OFF = ('violin tempo choir sonnet ballet puppet opera mural fresco quilt origami juggling').split(' ');
const VERBS = 'track measure reduce automate replace label sort plan'.split(' ');
const TEAMS = ['north', 'south', 'east', 'west'];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const phrase = (r: () => number, words: readonly string[], n: number) => Array.from({ length: n }, () => pick(r, words)).join(' ');

function strategy() {
  const r = rng(11);
  return {
    north_star: { name: 'Synthetic north star', definition: phrase(r, ON, 12) },
    objectives: Array.from({ length: 6 }, (_, o) => ({
      id: `G${o + 1}`,
      title: `${pick(r, VERBS)} ${phrase(r, ON, 4)}`,
      description: `${phrase(r, ON, 14)}. ${phrase(r, ON, 10)}.`,
      key_results: Array.from({ length: 3 }, (_, k) => ({ id: `G${o + 1}.K${k + 1}`, title: `${phrase(r, ON, 4)} share`, baseline: '10%', target: '40%' })),
    })),
    non_goals: [{ id: 'X1', text: 'No puppet theatre tours this year.' }],
    principles: ['Measure before building'],
  };
}

function item(i: number) {
  const r = rng(i * 2654435761);
  const epic = i % 50 === 0;
  const words = r() < 0.67 ? ON : OFF;
  return {
    id: `Q-${i}`,
    title: `${pick(r, VERBS)} ${phrase(r, words, 5)}`,
    description: `${phrase(r, words, 20)}. ${phrase(r, words, 8)}.`,
    type: epic ? 'epic' : pick(r, ['story', 'task', 'bug']),
    status: pick(r, ['todo', 'todo', 'in_progress', 'done']),
    team: pick(r, TEAMS),
    estimate_points: Math.floor(r() * 8),
    parent_id: !epic && r() < 0.3 ? `Q-${i - (i % 50)}` : null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-10-01T00:00:00Z',
  };
}

const QUESTIONS = [
  'What should my team stop this quarter?',
  'Which key results have no work?',
  'Where is our effort going?',
  'What does the strategy say about lantern ledgers?',
];

/** The request mix of part 1: mostly item questions (the common case), the portfolio and strategy ones in between. */
function askBody(k: number): Record<string, unknown> {
  const r = rng(k + 17);
  if (k % 4 === 3) return { question: QUESTIONS[Math.floor(k / 4) % QUESTIONS.length]! };
  return { question: 'Why does this matter?', item_id: `Q-${Math.floor(r() * N)}` };
}

// --- helpers
const now = () => performance.now();
const ms = (x: number) => `${x.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** A model that answers in a few sentences, citing the first sources of its prompt. */
function modelAnswer(b: ChatBody): string {
  const ids = [...b.messages[b.messages.length - 1]!.content.matchAll(/<source id="([^"]+)"/g)].map((m) => m[1]!);
  return `This item matters because of the goal it moves [${ids[0]}]. The strategy also says so here [${ids[1] ?? ids[0]}]. Keep it.`;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Reads a response body until the first SSE event line; returns its time, then drains the rest. */
async function firstEventMs(res: Response, t0: number): Promise<{ first: number; done: number; mode: string; retrieval: string }> {
  const { text: buf, first, end } = await readTimedSse(res, t0);
  const done = /event: done\ndata: (.*)\n/.exec(buf);
  if (!done) throw new Error(`stream ended without done: ${buf.slice(-300)}`);
  const answer = JSON.parse(done[1]!) as { mode: string; retrieval: string };
  return { first, done: end, mode: answer.mode, retrieval: answer.retrieval };
}

export async function benchAsk(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bearing-bench-ask-'));
  const config = parseConfig({ DATABASE_URL: process.env.DATABASE_URL, BEARING_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const logger = createLogger('warn');
  const db = await openAndMigrate(config, logger);
  const deps = await nodeDeps(config, db, logger);
  // Jobs in this process whatever REDIS_URL says: the bench measures answers, not the queue.
  const jobs = await attachJobs({ ...config, REDIS_URL: undefined }, deps, { withWorkers: false, relayIntervalMs: 50 });
  const app = createApp(deps);
  const server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const fake = await startFakeOpenAI({ chat: modelAnswer });
  try {
    console.log(`backend: ${db.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'}; the app served on 127.0.0.1, client in the same process`);
    const { key, workspace } = await createKey({ db, input: { workspaceName: `bench-ask-${process.pid}-${Date.now()}`, scopes: ['admin'], actor: 'bench' } });
    const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url + path, { method: path === '/v1/strategy' ? 'PUT' : 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    // Setup (untimed): strategy, 10,000 items, their vectors, a finished run.
    const t0 = now();
    if ((await call('/v1/strategy', strategy())).status !== 201) throw new Error('strategy upload failed');
    for (let at = 0; at < N; at += BATCH) {
      const r = await call('/v1/items:batch', { items: Array.from({ length: BATCH }, (_, k) => item(at + k)) });
      if (r.status !== 200) throw new Error(`batch at ${at}: ${r.status} ${await r.text()}`);
    }
    const vectors = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM embeddings WHERE workspace_id = $1 AND owner_kind = 'item'`, [workspace.id])).rows[0]!.n);
    await waitFor('item vectors', async () => (await vectors()) >= N, 600_000);
    const { run } = await createRun(deps, { workspaceId: workspace.id, kind: 'manual', actor: 'bench' });
    await waitFor(`run ${run.id}`, async () => (await db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id])).rows[0]!.status === 'finished', 600_000);
    await db.query('ANALYZE').catch(() => undefined);
    console.log(`setup: ${N.toLocaleString('en-US')} items ingested, embedded and scored in ${(Math.round(now() - t0) / 1000).toFixed(1)} s`);

    // 1. The deterministic answer (no provider), JSON.
    deps.chat = undefined;
    const times: Record<string, number[]> = { item: [], portfolio: [], strategy: [] };
    const all: number[] = [];
    for (let k = 0; k < WARMUP + SAMPLES; k++) {
      const body = askBody(k);
      const ts = now();
      const r = await call('/v1/ask', body);
      const a = (await r.json()) as { intent: string; mode: string };
      const took = now() - ts;
      if (r.status !== 200 || a.mode !== 'deterministic') throw new Error(`ask ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(a).slice(0, 300)}`);
      if (k < WARMUP) continue;
      all.push(took);
      times[a.intent === 'item' ? 'item' : a.intent === 'strategy' ? 'strategy' : 'portfolio']!.push(took);
    }
    const p95 = pct(all, 95);
    console.log(`1. fallback answer (deterministic, JSON), ${SAMPLES} requests: p50 ${ms(pct(all, 50))}, p95 ${ms(p95)}, max ${ms(Math.max(...all))} ` +
      `(target p95 <= ${TARGET_FALLBACK_P95_MS} ms): ${verdict(p95 <= TARGET_FALLBACK_P95_MS)}`);
    for (const [kind, xs] of Object.entries(times)) if (xs.length) console.log(`   ${kind} questions (${xs.length}): p50 ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))}`);

    // 2. With the test provider, SSE: time to the first event and to done. The provider embeds too: the items and
    // passages get vectors of its model (untimed), and each question is embedded by it while the answer is prepared.
    const provider = createClient({ apiKey: 'bench', baseURL: fake.url, timeoutMs: 10_000, maxRetries: 0 });
    const embedder = createOpenAIEmbedder(provider, 'fake-embed-64', 64);
    const te = now();
    const embedded = (await embedMissingItems(db, embedder, workspace.id)) + (await embedMissingPassages(db, embedder, workspace.id));
    console.log(`   provider vectors: ${embedded.toLocaleString('en-US')} items and passages embedded with ${embedder.model} in ${(Math.round(now() - te) / 1000).toFixed(1)} s`);
    deps.embedder = embedder;
    deps.chat = createOpenAIChat(provider, 'fake-chat');
    const embedCalls = fake.calls.embeddings;
    const firsts: number[] = [];
    const dones: number[] = [];
    let modelAnswers = 0;
    let vectorAnswers = 0;
    for (let k = 0; k < WARMUP + SSE_SAMPLES; k++) {
      const ts = now();
      const r = await call('/v1/ask', askBody(k), { accept: 'text/event-stream' });
      if (r.status !== 200) throw new Error(`SSE ask: ${r.status} ${await r.text()}`);
      const t = await firstEventMs(r, ts);
      if (k < WARMUP) continue;
      firsts.push(t.first);
      dones.push(t.done);
      if (t.mode === 'model') modelAnswers += 1;
      if (t.retrieval === 'vector') vectorAnswers += 1;
    }
    const firstP95 = pct(firsts, 95);
    console.log(`2. with the test provider (SSE), ${SSE_SAMPLES} requests: first event p50 ${ms(pct(firsts, 50))}, p95 ${ms(firstP95)} ` +
      `(target p95 <= ${TARGET_FIRST_EVENT_P95_MS} ms): ${verdict(firstP95 <= TARGET_FIRST_EVENT_P95_MS)}; done p50 ${ms(pct(dones, 50))}, p95 ${ms(pct(dones, 95))}; ` +
      `${modelAnswers} of ${SSE_SAMPLES} answers written by the model, ${vectorAnswers} ranked by the provider's vectors, ` +
      `${fake.calls.embeddings - embedCalls} embedding requests to the provider`);
  } finally {
    await new Promise<void>((ok) => server.close(() => ok()));
    await fake.close();
    await jobs.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchAsk();
