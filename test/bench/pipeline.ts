// Service benchmark (prints figures; not a timed test). Run: npm run bench -- pipeline
// On the embedded default (PGlite + in-process queue, everything in this process) and, when DATABASE_URL and
// REDIS_URL are set, on PostgreSQL + Redis with two real worker processes:
//   1. ingest of 10,000 items over HTTP vs a plain multi-row INSERT of the same rows (same run, same database);
//   2. a full run over them (queued → finished, from the run's own timestamps);
//   3. nightly re-runs, each after another 1% of the items changed (the median of three is the figure);
//   4. GET /v1/suggestions/stop and /v1/portfolio under 20 concurrent clients from a second process, vs GET /healthz;
//   5. worker memory on a 100,000-item run.
// Every figure is printed with its target and PASS/MISS. The app is served in this process on 127.0.0.1 (port 0).
// BENCH_PIPELINE_BACKEND=embedded|postgres runs one backend only; BENCH_EMBEDDED_100K=1 adds part 5 on the embedded one;
// BENCH_SKIP_100K=1 leaves part 5 out on PostgreSQL; BENCH_KEEP_DB=1 keeps its database (to look into with psql);
// BENCH_NIGHTLY_ROUNDS=N measures N nightly re-runs; BENCH_WORKER_LOG=debug prints the workers' job and finalize
// timings; BENCH_CPU_PROF=<dir> writes each worker's CPU profile there (node --cpu-prof) when it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { createLogger, type Db, type Deps } from '../../src/deps.ts';
import { attachJobs, type Jobs } from '../../src/entry/jobs.ts';
import { nodeDeps, openAndMigrate } from '../../src/entry/node.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { createRun } from '../../src/pipeline/runs.ts';
import type { PathResult } from './load-client.ts';
import { rareWord, rng } from './engine.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const N = 10_000;
const BIG_N = 100_000;
const BATCH = 1_000; // items per POST /v1/items:batch (the API's maximum)
const CHANGED = 100; // 1% of N, changed before the nightly re-run
const LOAD = { concurrency: 20, seconds: 5, max: 50_000, warmup: 1 };

// --- synthetic data: generic words from unrelated fields, no evaluation-set vocabulary. The strategy is written in
// the "on" words; about a third of the items use only "off" words, so runs produce real stop suggestions, and ~2%
// are near-copies of a recent item, so the duplicate path (pgvector neighbours) has work to do.
const ON = ('harbor cargo freight vessel container crane dock route tide anchor telescope orbit comet nebula galaxy lens ' +
  'mirror schedule inventory warehouse pallet forklift invoice customs tariff sensor gauge valve pump pressure').split(' ');
const OFF = ('garden seed soil compost greenhouse orchard pruning irrigation violin cello rehearsal concert tempo melody ' +
  'rhythm glacier river storm sailor beacon antenna battery turbine canvas easel chisel quilt').split(' ');
const VERBS = 'track measure reduce speed up automate replace label sort plan'.split(' ');
const TEAMS = ['quay', 'observatory', 'yard', 'studio'];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const phrase = (r: () => number, words: readonly string[], n: number) => Array.from({ length: n }, () => pick(r, words)).join(' ');

export const STRATEGY = (() => {
  const r = rng(7);
  return {
    north_star: { name: 'Synthetic north star' },
    objectives: Array.from({ length: 8 }, (_, o) => ({
      id: `O${o + 1}`,
      title: `${pick(r, VERBS)} ${phrase(r, ON, 4)}`,
      description: phrase(r, ON, 20),
      key_results: Array.from({ length: 3 }, (_, k) => ({ id: `O${o + 1}.KR${k + 1}`, title: `${phrase(r, ON, 4)} rate`, metric: phrase(r, ON, 8) })),
    })),
    non_goals: [{ id: 'NG1', text: 'No sculpture or pottery workshops this year.' }],
  };
})();

export interface BenchItem {
  id: string;
  title: string;
  description: string;
  type: string;
  status: string;
  team: string;
  estimate_points: number;
  labels: string[];
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Item `i` of a backlog, computed on its own (no list held in memory), so 100k items stream in batches. */
export function benchItem(prefix: string, i: number): BenchItem {
  const r = rng(i * 2654435761);
  const epic = i % 50 === 0; // every 50th item is an epic; ~30% of the others belong to their block's epic
  const words = r() < 0.65 ? ON : OFF;
  let title = `${pick(r, VERBS)} ${phrase(r, words, 5)}`;
  // Each item has a made-up word of its own (as real tickets name a component, customer or screen): without one, every
  // item of a 30-word vocabulary reads like a copy of every other and the duplicate rule merges most of the backlog.
  let description = `${phrase(r, words, 25)} ${rareWord(i, 0)}. ${phrase(r, words, 10)}`;
  if (!epic && i > 60 && r() < 0.02) {
    const twin = benchItem(prefix, i - 1 - Math.floor(r() * 40));
    title = `${twin.title} again`;
    description = twin.description;
  } else if (r() < 0.01) title = `${title} sculpture pottery workshop`;
  return {
    id: `${prefix}-${i}`, title, description,
    type: epic ? 'epic' : pick(r, ['story', 'task', 'bug']),
    status: pick(r, ['todo', 'todo', 'in_progress', 'done', 'blocked']),
    team: pick(r, TEAMS),
    estimate_points: Math.floor(r() * 8),
    labels: [pick(r, words)],
    parent_id: !epic && r() < 0.3 ? `${prefix}-${i - (i % 50)}` : null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: r() < 0.2 ? '2025-01-01T00:00:00Z' : '2026-10-01T00:00:00Z',
  };
}
export const batchOf = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, k) => benchItem(prefix, from + k));
/** Nightly re-runs measured, each after its own 1% changed: their median is the figure (one run is noisy).
 * BENCH_NIGHTLY_ROUNDS=N measures more of them (odd N keeps the median one run). */
const NIGHTLY_ROUNDS = Number(process.env.BENCH_NIGHTLY_ROUNDS ?? 3);
/** The items changed before nightly re-run `round`: spread over the backlog (offsets 37, 63, 89, 15, …), none of them an epic. */
const changedIndexes = (round: number) => Array.from({ length: CHANGED }, (_, k) => k * (N / CHANGED) + ((37 + 26 * round) % 100));

// --- small helpers
const now = () => performance.now();
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const s = (msec: number) => `${(msec / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resident memory of a process in MiB: now (VmRSS) and the peak since it started (VmHWM). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/**
 * Samples VmRSS of some processes every 100 ms: the peak of one phase and when it happened (ms after the start),
 * which VmHWM cannot tell (it is the peak since the process started).
 */
function sampleRss(pids: number[]) {
  const t0 = now();
  const peak = new Map(pids.map((p) => [p, { mib: memoryOf(p).rss, at: 0 }]));
  const sample = () => {
    for (const p of pids) {
      const rss = memoryOf(p).rss;
      if (rss > peak.get(p)!.mib) peak.set(p, { mib: rss, at: now() - t0 });
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

// --- the service under test
interface Service {
  db: Db;
  deps: Deps;
  url: string;
  /** Starts the job side, as `bearing serve` does at start-up: the outbox relay, and on the embedded default the
   * in-process runner (with Redis, the worker processes consume). Deferred so part 1 can time the API alone. */
  startJobs(): Promise<void>;
  close(): Promise<void>;
}

async function startService(config: Config, prefix?: string): Promise<Service> {
  const logger = createLogger('warn');
  const db = await openAndMigrate(config, logger);
  const deps = await nodeDeps(config, db, logger);
  const app = createApp(deps); // routes read deps.jobs per request, so jobs attached later are picked up
  let jobs: Jobs | undefined;
  let port = 0;
  const server = await new Promise<ServerType>((ok) => {
    const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      port = info.port;
      ok(srv);
    });
  });
  return {
    db, deps, url: `http://127.0.0.1:${port}`,
    async startJobs() {
      jobs = await attachJobs(config, deps, { withWorkers: false, prefix });
    },
    async close() {
      await new Promise<void>((ok) => server.close(() => ok()));
      await jobs?.close();
      await db.close();
    },
  };
}

type Api = (method: string, path: string, body?: unknown) => Promise<any>;

function apiClient(url: string, key: string): Api {
  const call = (method: string, path: string, body: unknown) =>
    fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return async (method, path, body) => {
    // Client and server share this event loop: after a long job stalls it, a pooled keep-alive socket can be closed by
    // the server just as it is reused (ECONNRESET). A GET is safe to send again.
    const res = await call(method, path, body).catch((err: unknown) => (method === 'GET' ? call(method, path, body) : Promise.reject(err)));
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

async function newWorkspace(svc: Service, name: string): Promise<{ id: string; key: string; api: Api }> {
  const created = await createKey({ db: svc.db, input: { workspaceName: `${name}-${process.pid}`, scopes: ['admin'], actor: 'bench' } });
  const api = apiClient(svc.url, created.key);
  await api('PUT', '/v1/strategy', STRATEGY);
  return { id: created.workspace.id, key: created.key, api };
}

/**
 * Item vectors of a workspace (written since `since`, if given). A plain count on the primary key: an anti-join of
 * items against embeddings looks more exact but, with the statistics stale after a bulk load, PGlite plans it as a
 * nested loop that took 23 s at 10k items and held the single session the jobs need.
 */
async function itemVectors(svc: Service, workspaceId: string, since?: Date): Promise<number> {
  const r = await svc.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM embeddings WHERE workspace_id = $1 AND owner_kind = 'item' AND model = $2
        AND ($3::timestamptz IS NULL OR created_at > $3)`,
    [workspaceId, svc.deps.embedder!.model, since ?? null],
  );
  return r.rows[0]!.n;
}

/** The machine's busy CPU time so far (all cores, all processes: database, workers, this process), in ms. */
function machineBusyMs(): number {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const f = cpu!.trim().split(/\s+/).slice(1).map(Number); // user nice system idle iowait irq softirq steal …
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return (busy * 1000) / 100; // USER_HZ is 100 on Linux
}

/** CPU time (user + system, ms) used so far by the workers, this process and Redis. (PostgreSQL's is the machine's
 * busy time less these: its backends come and go with the pools' connections, and an ended one's time is lost.) */
function cpuByProcess(workerPids: number[]): Record<'redis' | 'workers' | 'bench', number> {
  const out = { redis: 0, workers: 0, bench: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state): utime is field 14
    const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    if (workerPids.includes(pid)) out.workers += ms;
    else if (pid === process.pid) out.bench += ms;
    else if (comm.startsWith('redis')) out.redis += ms;
  }
  return out;
}

interface RunFigures {
  /** Queued → finished, from the run's own timestamps (created_at → finished_at, one clock: the database's). */
  ms: number;
  /** createRun → finished as this process saw it, polling every RUN_POLL_MS. */
  observedMs: number;
  /** Busy CPU time of the whole machine during the run, in ms (Linux only; null elsewhere). */
  cpuMs: number | null;
  /** Of it, per process group (Linux only). */
  cpuBy: Record<string, number> | null;
  counts: { total?: number; scored?: number; reused?: number; duplicates?: number; suggestions?: number };
  /** Phases from the database's own timestamps: queued → plan done, → last score row, → finished (finalize). */
  phases: { plan: number; score: number; finalize: number };
}

/**
 * How often a run's status is polled. The figure is the run's own queued → finished time, so polling adds no error
 * to it; polling more often (it was every 10 ms) took ~0.1 s of CPU from a nightly run's ~1 s on the 2 cores.
 */
const RUN_POLL_MS = 50;

/** createRun → finished (the run's own timestamps; and as seen from this process); then the run as GET /v1/runs/{id} shows it. */
async function timedRun(svc: Service, ws: { id: string; api: Api }, kind: 'manual' | 'nightly', timeoutMs: number, workerPids: number[]): Promise<RunFigures> {
  const linux = process.platform === 'linux';
  const by0 = linux ? cpuByProcess(workerPids) : null;
  const t0 = now();
  const cpu0 = linux ? machineBusyMs() : null;
  const { run } = await createRun(svc.deps, { workspaceId: ws.id, kind, actor: 'bench', ...(kind === 'nightly' ? { dedupeKey: `nightly-bench-${Date.now()}` } : {}) });
  const status = await waitFor(
    `run ${run.id}`,
    async () => {
      const r = await svc.db.query<{ status: string }>('SELECT status FROM scoring_runs WHERE id = $1', [run.id]);
      return ['finished', 'failed', 'cancelled'].includes(r.rows[0]!.status) ? r.rows[0]!.status : null;
    },
    timeoutMs,
    RUN_POLL_MS,
  );
  const observedMs = now() - t0;
  const cpuMs = cpu0 === null ? null : machineBusyMs() - cpu0;
  const by1 = by0 === null ? null : cpuByProcess(workerPids);
  const cpuBy = by0 === null ? null : Object.fromEntries(Object.entries(by1!).map(([k, v]) => [k, v - by0[k as keyof typeof by0]]));
  if (cpuBy && cpuMs !== null) cpuBy['postgres and the rest'] = cpuMs - Object.values(cpuBy).reduce((a, b) => a + b, 0);
  const view = await ws.api('GET', `/v1/runs/${run.id}`);
  if (status !== 'finished') throw new Error(`run ${run.id} ${status}: ${JSON.stringify(view.failures ?? view).slice(0, 500)}`);
  const t = await svc.db.query<{ total: number; plan: number; score: number; finalize: number }>(
    `SELECT extract(epoch FROM r.finished_at - r.created_at) * 1000 AS total,
            extract(epoch FROM r.started_at - r.created_at) * 1000 AS plan,
            extract(epoch FROM max(s.created_at) - r.started_at) * 1000 AS score,
            extract(epoch FROM r.finished_at - max(s.created_at)) * 1000 AS finalize
       FROM scoring_runs r JOIN item_scores s ON s.run_id = r.id WHERE r.id = $1 GROUP BY r.id`,
    [run.id],
  );
  const p = t.rows[0]!;
  return { ms: Number(p.total), observedMs, cpuMs, cpuBy, counts: view.counts, phases: { plan: Number(p.plan), score: Number(p.score), finalize: Number(p.finalize) } };
}

const phasesText = (f: RunFigures) =>
  `queued→planned ${s(f.phases.plan)}, scoring ${s(f.phases.score)}, finalize ${s(f.phases.finalize)}` +
  `; seen by a client polling every ${RUN_POLL_MS} ms after ${s(f.observedMs)}` +
  (f.cpuMs === null ? '' : `; machine CPU busy ${s(f.cpuMs)} (${((f.cpuMs / f.observedMs) * 100).toFixed(0)}% of one core on average`) +
  (f.cpuBy === null ? '' : `: ${Object.entries(f.cpuBy).map(([k, v]) => `${k} ${s(v)}`).join(', ')})`);

// --- worker processes (PostgreSQL + Redis)
const WORKER_HEAP_MB = Number(process.env.BENCH_WORKER_HEAP_MB ?? 256);
function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  // --expose-gc: the worker reports its live heap (after a full collection) beside the peaks. The old generation is
  // capped as the README recommends for `bearing worker` (256 MiB; BENCH_WORKER_HEAP_MB=N another cap, 0 none).
  const heap = WORKER_HEAP_MB > 0 ? [`--max-old-space-size=${WORKER_HEAP_MB}`] : [];
  const proc = spawn(process.execPath, ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : []), ...heap, '--import', 'tsx', 'test/bench/worker-proc.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    proc.stdout!.on('data', (d) => String(d).includes('ready') && ok(proc));
    proc.on('exit', (code) => fail(new Error(`bench worker exited ${code} before ready`)));
  });
}

type MemoryPeaks = Record<'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers' | 'liveHeap', number>;

/** The worker's process.memoryUsage() peaks (bytes) since the previous call (see worker-proc.ts). */
function workerMemoryPeaks(proc: ChildProcess): Promise<MemoryPeaks> {
  return new Promise((ok) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += String(d);
      const line = buf.split('\n').find((l) => l.startsWith('mem '));
      if (!line) return;
      proc.stdout!.off('data', onData);
      ok(JSON.parse(line.slice(4)) as MemoryPeaks);
    };
    proc.stdout!.on('data', onData);
    proc.stdin!.write('mem\n');
  });
}

async function stopWorker(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// --- the load client, a second process
async function loadTest(url: string, key: string, paths: string[]): Promise<PathResult[]> {
  const args = ['--import', 'tsx', 'test/bench/load-client.ts', '--url', url, '--paths', paths.join(','),
    '--concurrency', String(LOAD.concurrency), '--seconds', String(LOAD.seconds), '--max', String(LOAD.max), '--warmup', String(LOAD.warmup)];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, BENCH_KEY: key }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += String(d)));
  // Async, never spawnSync: the server answering the load runs on this process's event loop.
  const code = await new Promise<number | null>((ok) => proc.on('exit', ok));
  if (code !== 0) throw new Error(`load client exited ${code}`);
  return JSON.parse(out) as PathResult[];
}

// --- the benchmark parts
async function ingest(api: Api, prefix: string, n: number): Promise<number> {
  const t0 = now();
  for (let at = 0; at < n; at += BATCH) {
    const res = await api('POST', '/v1/items:batch', { items: batchOf(prefix, at, Math.min(BATCH, n - at)) });
    if (res.created !== Math.min(BATCH, n - at)) throw new Error(`batch at ${at}: ${res.created} created`);
  }
  return now() - t0;
}

/**
 * The baseline of part 1: the same 10,000 rows (uids and content hashes precomputed, untimed) written with plain
 * multi-row INSERT ... VALUES statements of 1,000 rows into a scratch copy of `items` (same columns, defaults,
 * indexes and unique constraints), through the same database handle.
 */
async function plainInsertMs(db: Db, workspaceId: string): Promise<number> {
  await db.query('DROP TABLE IF EXISTS bench_items_scratch');
  await db.query('CREATE TABLE bench_items_scratch (LIKE items INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
  const cols = ['uid', 'workspace_id', 'source', 'external_id', 'title', 'description', 'type', 'status', 'team', 'assignee',
    'estimate_points', 'labels', 'parent_id', 'src_created_at', 'src_updated_at', 'content_hash'];
  const statements: { text: string; params: unknown[] }[] = [];
  for (let at = 0; at < N; at += BATCH) {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const it of batchOf('P', at, BATCH)) {
      const hash = createHash('sha256').update(JSON.stringify(it)).digest('hex');
      const row = [`itm_scratch_${it.id}`, workspaceId, '', it.id, it.title, it.description, it.type, it.status, it.team, null,
        it.estimate_points, it.labels, it.parent_id, it.created_at, it.updated_at, hash];
      tuples.push(`(${row.map((_, k) => `$${params.length + k + 1}`).join(', ')})`);
      params.push(...row);
    }
    statements.push({ text: `INSERT INTO bench_items_scratch (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params });
  }
  // Warm-up (the database's caches, the driver's code paths), then the timed pass on an empty table.
  await db.query(statements[0]!.text, statements[0]!.params);
  await db.query('TRUNCATE bench_items_scratch');
  const t0 = now();
  for (const st of statements) await db.query(st.text, st.params);
  const ms = now() - t0;
  await db.query('DROP TABLE bench_items_scratch');
  return ms;
}

interface BackendSpec {
  label: string;
  config: Config;
  prefix?: string;
  /** Environment of the worker processes; absent: jobs run in this process. */
  workerEnv?: Record<string, string>;
  /** Part 5 on this backend. */
  big: boolean;
}

async function benchBackend(b: BackendSpec): Promise<void> {
  console.log(`\n### ${b.label}${b.workerEnv ? `; workers run with ${WORKER_HEAP_MB > 0 ? `--max-old-space-size=${WORKER_HEAP_MB}` : 'no heap cap'}` : ''}`);
  const svc = await startService(b.config, b.prefix);
  const workers: ChildProcess[] = [];
  try {
    // 1. Ingest, twice. (a) The API alone: no job consumer yet, so the figure is the ingest path's own cost against
    // a plain INSERT of the same rows. That workspace's rows are then removed (with their queued embed jobs) so they
    // weigh on nothing later. (b) As deployed: the embed job each batch enqueues runs meanwhile (in this process on
    // the embedded default, in the two workers otherwise); its workspace is the one parts 2-4 use.
    const alone = await newWorkspace(svc, 'bench-ingest-alone');
    const baseMs = await plainInsertMs(svc.db, alone.id);
    await ingest(alone.api, 'W', BATCH); // warm-up, as the baseline had (JIT of validation, hashing, the upsert)
    const aloneMs = await ingest(alone.api, 'A', N);
    await svc.db.query('DELETE FROM job_outbox WHERE workspace_id = $1', [alone.id]);
    await svc.db.query('DELETE FROM items WHERE workspace_id = $1', [alone.id]);

    await svc.startJobs();
    if (b.workerEnv) workers.push(...(await Promise.all([startWorker(b.workerEnv), startWorker(b.workerEnv)])));
    // "The worker": the worker processes, or on the embedded default this (API) process itself.
    const workerPids = workers.length ? workers.map((w) => w.pid!) : [process.pid];
    const startRss = new Map(workerPids.map((p) => [p, memoryOf(p).rss]));
    const ws = await newWorkspace(svc, 'bench-10k');
    const ingestMs = await ingest(ws.api, 'I', N);
    const tEmbed = now();
    await waitFor('embeddings of the ingest', async () => (await itemVectors(svc, ws.id)) >= N, 300_000, 250);
    const embedMs = now() - tEmbed;
    const rate = (ms: number) => `${fmt((N / ms) * 1000)} items/s`;
    console.log(`1. ingest ${fmt(N)} items via POST /v1/items:batch (${N / BATCH} requests of ${fmt(BATCH)}, HTTP on 127.0.0.1), target within 3x the plain INSERT:`);
    console.log(`   baseline: plain multi-row INSERT of the same rows into a scratch copy of items: ${s(baseMs)} = ${rate(baseMs)}`);
    console.log(`   API alone (no job consumer running):        ${s(aloneMs)} = ${rate(aloneMs)}, ${(aloneMs / baseMs).toFixed(2)}x the baseline: ${verdict(aloneMs <= 3 * baseMs)}`);
    console.log(`   as deployed (embed jobs running alongside): ${s(ingestMs)} = ${rate(ingestMs)}, ${(ingestMs / baseMs).toFixed(2)}x the baseline: ${verdict(ingestMs <= 3 * baseMs)}; ` +
      `every vector written ${s(embedMs)} after the last batch was answered`);

    // 2. Full run, with every vector in place (the nightly case; a run embeds what is missing itself).
    const full = await timedRun(svc, ws, 'manual', 300_000, workerPids);
    console.log(`2. full run over ${fmt(N)} items, deterministic scorer${workers.length ? `, ${workers.length} worker processes` : ', in-process'}: ${s(full.ms)} (target <= 30 s): ${verdict(full.ms <= 30_000)}`);
    console.log(`   counts: scored ${full.counts.scored}, reused ${full.counts.reused}, duplicates ${full.counts.duplicates}, suggestions ${full.counts.suggestions}; ${phasesText(full)}`);

    // 3. Nightly re-runs, each after another 1% of the items changed (titles edited through the batch API).
    const nightlies: RunFigures[] = [];
    for (let round = 0; round < NIGHTLY_ROUNDS; round++) {
      const since = (await svc.db.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
      const edits = changedIndexes(round).map((i) => ({ ...benchItem('I', i), title: `${benchItem('I', i).title} revised` }));
      const tEdit = now();
      const edited = await ws.api('POST', '/v1/items:batch', { items: edits });
      const editMs = now() - tEdit;
      await waitFor('embeddings of the edits', async () => (await itemVectors(svc, ws.id, since)) >= edited.updated, 120_000, 100);
      const embedEditMs = now() - tEdit;
      const nightly = await timedRun(svc, ws, 'nightly', 300_000, workerPids);
      nightlies.push(nightly);
      const embedded = await itemVectors(svc, ws.id, since);
      console.log(`${round ? '  ' : '3.'} nightly re-run ${round + 1} of ${NIGHTLY_ROUNDS}, after another ${edited.updated} of ${fmt(N)} items changed: ${s(nightly.ms)} = ${((nightly.ms / full.ms) * 100).toFixed(1)}% of the full run`);
      console.log(`   work: scored ${nightly.counts.scored}, reused ${nightly.counts.reused}; embeddings computed since the change: ${embedded}; ${phasesText(nightly)}`);
      console.log(`   (the edit: POST of ${CHANGED} items ${s(editMs)}, their embeddings done ${s(embedEditMs)} after it started)`);
    }
    const median = [...nightlies].sort((a, b) => a.ms - b.ms)[Math.floor(NIGHTLY_ROUNDS / 2)]!;
    const share = median.ms / full.ms;
    console.log(`   median nightly re-run: ${s(median.ms)} = ${(share * 100).toFixed(1)}% of the full run (target <= 10%): ${verdict(share <= 0.1)}`);

    // 4. Read endpoints under load from a second process, against the trivial /healthz in the same run.
    const load = await loadTest(svc.url, ws.key, ['/healthz', '/v1/suggestions/stop', '/v1/portfolio']);
    const base = load[0]!;
    console.log(`4. ${LOAD.concurrency} concurrent clients (second process), ${LOAD.seconds} s or ${fmt(LOAD.max)} requests per endpoint after ${LOAD.warmup} s warm-up:`);
    for (const r of load) {
      const target = r.path === '/healthz' ? 'baseline' : `p99 target <= 50 ms: ${verdict(r.p99_ms <= 50 && r.errors === 0)}`;
      console.log(`   GET ${r.path.padEnd(21)} p50 ${r.p50_ms.toFixed(1).padStart(6)} ms  p99 ${r.p99_ms.toFixed(1).padStart(6)} ms  max ${r.max_ms.toFixed(0).padStart(4)} ms  ${fmt(r.rps).padStart(6)} req/s  ${fmt(r.bytes)} B  errors ${r.errors}  ` +
        (r === base ? `(${target})` : `p99 ${(r.p99_ms / base.p99_ms).toFixed(1)}x baseline (${target})`));
    }

    // 5. Worker memory on a 100,000-item backlog, against the same workers' start-up RSS and their peak on 10k.
    if (!b.big) {
      console.log(`5. worker memory at ${fmt(BIG_N)} items: not run on this backend (time budget; see PostgreSQL + Redis)`);
      return;
    }
    const peak10k = new Map(workerPids.map((p) => [p, memoryOf(p).hwm]));
    const big = await newWorkspace(svc, 'bench-100k');
    const ingestSampler = sampleRss(workerPids);
    const tBig = now();
    const bigIngestMs = await ingest(big.api, 'B', BIG_N);
    await waitFor('embeddings of the 100k ingest', async () => (await itemVectors(svc, big.id)) >= BIG_N, 900_000, 1000);
    const bigEmbeddedMs = now() - tBig;
    const ingestPeak = ingestSampler.stop();
    if (workers.length) await Promise.all(workers.map(workerMemoryPeaks)); // reset: the next peaks are the run's
    const runSampler = sampleRss(workerPids);
    const bigRun = await timedRun(svc, big, 'manual', 900_000, workerPids);
    const runPeak = runSampler.stop();
    const runHeaps = new Map(await Promise.all(workers.map(async (w) => [w.pid!, await workerMemoryPeaks(w)] as const)));
    console.log(`5. ${fmt(BIG_N)}-item backlog: ingest ${s(bigIngestMs)} (${fmt((BIG_N / bigIngestMs) * 1000)} items/s; all embedded after ${s(bigEmbeddedMs)}), run ${s(bigRun.ms)} (scored ${bigRun.counts.scored}, suggestions ${bigRun.counts.suggestions}; ${phasesText(bigRun)})`);
    const finalizeFrom = bigRun.phases.plan + bigRun.phases.score;
    // Either worker may take a run's finalize (the job with the highest peak): each 100k peak is held against the
    // highest 10k peak of the workers, the one of whichever took the 10k finalize.
    const peak10kAll = Math.max(...peak10k.values());
    for (const p of workerPids) {
      const m = memoryOf(p);
      const flat = m.hwm <= 1.5 * peak10kAll;
      const rp = runPeak.get(p)!;
      console.log(`   ${p === process.pid ? 'API+worker process' : `worker ${p}`}: RSS after start-up ${fmt(startRss.get(p)!)} MiB, peak after the 10k parts ${fmt(peak10k.get(p)!)} MiB; ` +
        `100k: peak while ingesting+embedding ${fmt(ingestPeak.get(p)!.mib)} MiB, while running ${fmt(rp.mib)} MiB ` +
        `(at ${s(rp.at)}, ${rp.at >= finalizeFrom ? 'finalize' : 'plan/score'}), VmHWM ${fmt(m.hwm)} MiB (${(m.hwm / startRss.get(p)!).toFixed(1)}x start-up) ` +
        `= ${(m.hwm / peak10kAll).toFixed(2)}x the workers' 10k peak of ${fmt(peak10kAll)} MiB (target: 100k peak <= 1.5x the 10k peak: ${verdict(flat)})`);
      const h = runHeaps.get(p);
      const mib = (bytes: number) => fmt(bytes / 2 ** 20);
      if (h) console.log(`     its process.memoryUsage() peaks during the run: JS heap used ${mib(h.heapUsed)} MiB (heap reserved ${mib(h.heapTotal)}), external ${mib(h.external)} MiB, array buffers ${mib(h.arrayBuffers)} MiB; live heap after the run (full GC) ${mib(h.liveHeap)} MiB`);
    }
  } finally {
    await Promise.all(workers.map(stopWorker));
    await svc.close();
  }
}

export async function benchPipeline(): Promise<void> {
  // Embedded default: a fresh data folder, no Redis (in-process jobs), exactly as `bearing serve` without settings.
  const only = process.env.BENCH_PIPELINE_BACKEND;
  const dataDir = mkdtempSync(join(tmpdir(), 'bearing-bench-'));
  try {
    if (only !== 'postgres') await benchBackend({ label: 'embedded default (PGlite, in-process queue, one process)', config: parseConfig({ BEARING_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), big: process.env.BENCH_EMBEDDED_100K === '1' });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const { DATABASE_URL, REDIS_URL } = process.env;
  if (only === 'embedded') return;
  if (!DATABASE_URL || !REDIS_URL) {
    console.log('\n### PostgreSQL + Redis: skipped (set DATABASE_URL and REDIS_URL)');
    return;
  }
  // A fresh database per bench run (dropped at the end) and a private BullMQ key prefix.
  const dbName = `bearing_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${dbName}`;
  const prefix = `bearing-bench-${process.pid}`;
  try {
    const label = `PostgreSQL ${(await admin.query<{ v: string }>(`SELECT split_part(current_setting('server_version'), ' ', 1) AS v`)).rows[0]!.v} + Redis (API in this process, 2 worker processes)`;
    await benchBackend({
      label,
      config: parseConfig({ DATABASE_URL: url.toString(), REDIS_URL, LOG_LEVEL: 'warn' }),
      prefix,
      workerEnv: { DATABASE_URL: url.toString(), REDIS_URL, BENCH_QUEUE_PREFIX: prefix },
      big: process.env.BENCH_SKIP_100K !== '1',
    });
  } finally {
    if (process.env.BENCH_KEEP_DB === '1') console.log(`database kept: ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e: unknown) => console.error(`could not drop ${dbName}: ${String(e)}`));
    await admin.end();
    const redis = new Redis(REDIS_URL);
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPipeline();
