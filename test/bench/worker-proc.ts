// A real `bearing worker` process for the pipeline benchmark: the project's processors on BullMQ with the
// production WORKER_SETTINGS (unlike test/integration/fixtures/worker-proc.ts, whose short lock timings exist to
// observe crash recovery and would only add Redis traffic here). Env: DATABASE_URL, REDIS_URL, BENCH_QUEUE_PREFIX.
// Prints "ready" once its workers are connected. The benchmark reads RSS from /proc/<pid>/status; on a "mem" line on
// stdin this process answers with the peaks of process.memoryUsage() since the previous "mem" (JS heap vs the rest).
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/deps.ts';
import { attachJobs } from '../../src/entry/jobs.ts';
import { nodeDeps, openAndMigrate } from '../../src/entry/node.ts';

const config = parseConfig(process.env);
const logger = createLogger(process.env.BENCH_WORKER_LOG === 'debug' ? 'debug' : 'warn'); // BENCH_WORKER_LOG=debug: the jobs' timings on stderr
const db = await openAndMigrate(config, logger);
const jobs = await attachJobs(config, await nodeDeps(config, db, logger), {
  withWorkers: true,
  prefix: process.env.BENCH_QUEUE_PREFIX,
  relay: false, // the benchmark's API process relays the outbox, as `bearing serve` does
});
const KEYS = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const;
const zero = () => Object.fromEntries(KEYS.map((k) => [k, 0])) as Record<(typeof KEYS)[number], number>;
let peak = zero();
const sample = () => {
  const m = process.memoryUsage();
  for (const k of KEYS) peak[k] = Math.max(peak[k], m[k]);
};
setInterval(sample, 100).unref();
process.stdin.on('data', (d) => {
  if (!String(d).includes('mem')) return;
  sample();
  // What is still reachable: the heap after a full collection (the process runs with --expose-gc).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  process.stdout.write(`mem ${JSON.stringify({ ...peak, liveHeap: gc ? process.memoryUsage().heapUsed : 0 })}\n`);
  peak = zero();
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void jobs.close().then(() => db.close()).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
// The benchmark holds our stdin open: if it dies without killing us, stdin ends and we leave instead of lingering.
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write('ready\n');
