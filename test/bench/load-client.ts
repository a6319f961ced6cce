// Load client for the pipeline benchmark, run as a SECOND process (node --import tsx test/bench/load-client.ts) so
// its own CPU work (fetch, JSON) is not counted against the server's event loop. For each path in turn: a short
// warm-up, then keeps `--concurrency` GET requests in flight until `--seconds` have passed or `--max` requests were
// sent, whichever comes first (bounded in both). Loopback only. Prints one JSON array of per-path latency figures.
// Env: BENCH_KEY (bearer key; kept out of argv). Args: --url http://127.0.0.1:PORT --paths /a,/b [--concurrency 20]
// [--seconds 5] [--max 20000] [--warmup 1]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    paths: { type: 'string' },
    concurrency: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '5' },
    max: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '1' },
  },
});

const base = new URL(values.url ?? '');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
  console.error(`load-client: refusing non-loopback target ${base.hostname}`);
  process.exit(2);
}
const paths = (values.paths ?? '').split(',').filter(Boolean);
const concurrency = Math.min(Math.max(1, Number(values.concurrency)), 200);
const seconds = Math.min(Math.max(0.1, Number(values.seconds)), 60);
const max = Math.min(Math.max(1, Number(values.max)), 1_000_000);
const warmup = Math.min(Math.max(0, Number(values.warmup)), 10);
const headers = process.env.BENCH_KEY ? { authorization: `Bearer ${process.env.BENCH_KEY}` } : undefined;

export interface PathResult {
  path: string;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  bytes: number;
}

/** Nearest-rank percentile of a sorted list. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function hammer(url: string, forMs: number, limit: number) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let bytes = 0;
  const until = performance.now() + forMs;
  const lane = async () => {
    while (sent < limit && performance.now() < until) {
      sent++;
      const t0 = performance.now();
      try {
        const res = await fetch(url, { headers });
        bytes = (await res.arrayBuffer()).byteLength; // read the whole body: the latency is the full response
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (!res.ok) errors++;
      } catch {
        errors++;
        statuses.network = (statuses.network ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { latencies, statuses, errors, bytes, elapsed: (performance.now() - t0) / 1000 };
}

const results: PathResult[] = [];
for (const path of paths) {
  const url = new URL(path, base).toString();
  if (warmup > 0) await hammer(url, warmup * 1000, max); // JIT, connection pool, caches: not measured
  const r = await hammer(url, seconds * 1000, max);
  const sorted = r.latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  results.push({
    path,
    requests: sorted.length,
    errors: r.errors,
    statuses: r.statuses,
    seconds: round(r.elapsed),
    rps: Math.round(sorted.length / r.elapsed),
    p50_ms: round(pct(sorted, 50)),
    p90_ms: round(pct(sorted, 90)),
    p99_ms: round(pct(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? NaN),
    bytes: r.bytes,
  });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
