// `bearing worker`, as started from a shell: its old generation is capped unless told otherwise, and a SIGTERM to the
// command shuts the workers down cleanly (through the child process that carries the cap).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serviceConfigured } from '../helpers/harness.ts';

const enabled = serviceConfigured('DATABASE_URL') && serviceConfigured('REDIS_URL');

/** Starts `bearing worker`; resolves once its workers are up, with the logged start-up line and a stop function. */
function startWorker(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['src/entry/bin.mjs', 'worker'], {
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((ok) => proc.on('exit', (code) => ok(code)));
  const started = new Promise<{ heap_limit_mb: number }>((ok, fail) => {
    const timer = setInterval(() => {
      const line = out.split('\n').find((l) => l.includes('"workers started"'));
      if (line) {
        clearInterval(timer);
        ok(JSON.parse(line));
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      fail(new Error(`worker exited ${code} before starting: ${out}`));
    });
  });
  started.catch(() => undefined); // awaited by the tests that expect a start
  return { started, exited, output: () => out, stop: (signal: NodeJS.Signals) => proc.kill(signal) };
}

describe('bearing worker', () => {
  it('refuses a heap cap that is not a whole number, naming the variable', async () => {
    const w = startWorker({ BEARING_WORKER_HEAP_MB: '256MB' });
    expect(await w.exited).toBe(2);
    expect(w.output()).toContain('BEARING_WORKER_HEAP_MB');
  });

  it.runIf(enabled)('caps its heap at 256 MiB by default and stops cleanly on SIGTERM', async () => {
    const w = startWorker({});
    const line = await w.started;
    // heap_size_limit is the old generation's cap plus the young generation's spaces.
    expect(line.heap_limit_mb).toBeGreaterThanOrEqual(256);
    expect(line.heap_limit_mb).toBeLessThan(400);
    w.stop('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.output()).toContain('shut down cleanly');
  }, 30_000);

  it.runIf(enabled)('takes another cap from BEARING_WORKER_HEAP_MB, or none at 0', async () => {
    for (const [mb, check] of [
      ['512', (limit: number) => limit >= 512 && limit < 700],
      ['0', (limit: number) => limit > 700], // V8's own default on this machine's memory
    ] as const) {
      const w = startWorker({ BEARING_WORKER_HEAP_MB: mb });
      const { heap_limit_mb } = await w.started;
      expect(check(heap_limit_mb), `BEARING_WORKER_HEAP_MB=${mb}: heap limit ${heap_limit_mb} MiB`).toBe(true);
      w.stop('SIGTERM');
      expect(await w.exited).toBe(0);
    }
  }, 60_000);
});
