// A real worker process (startWorkers + onShutdownSignals): SIGTERM mid-job finishes the job and exits 0; SIGKILL
// mid-job leaves it to the stalled check, and another worker runs it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, type BullmqJobQueue } from '../../src/adapters/queue/bullmq.ts';
import { QUEUES } from '../../src/deps.ts';
import { serviceConfigured, uniqueName } from '../helpers/harness.ts';
import { waitFor } from './helpers.ts';

const child = fileURLToPath(new URL('./fixtures/worker-child.ts', import.meta.url));

function startChild(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { proc, lines, exited, stderr: () => stderr };
}

describe.runIf(serviceConfigured('REDIS_URL'))('worker process shutdown', () => {
  const redisUrl = process.env.REDIS_URL!;
  const prefix = uniqueName('bearing-test-shutdown');
  let queue: BullmqJobQueue;
  const children: ChildProcess[] = [];

  let queueB: BullmqJobQueue;
  beforeAll(() => {
    queue = createBullmqQueue({ redisUrl, prefix });
    queueB = createBullmqQueue({ redisUrl, prefix: `${prefix}-b` });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const q of [queue, queueB]) {
      await Promise.all(QUEUES.map((name) => q.queue(name).obliterate({ force: true })));
      await q.close();
    }
    const redis = new Redis(redisUrl);
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  });

  it('SIGTERM during a job: the job completes, then the process exits 0', async () => {
    const w = startChild({ REDIS_URL: redisUrl, PREFIX: prefix, JOB_MS: '1500' });
    children.push(w.proc);
    await waitFor(() => w.lines.includes('ready'), `worker ready (stderr: ${w.stderr()})`, 20_000);
    await queue.add({ queue: 'score', name: 'slow', data: {}, jobId: 'term-1' });
    await waitFor(() => w.lines.includes('started term-1'), 'job started');
    w.proc.kill('SIGTERM');
    const [code, signal] = await w.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(w.lines).toContain('finished term-1');
    const job = await queue.queue('score').getJob('term-1');
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toBe(`done-${w.proc.pid}`);
  });

  it('SIGKILL during a job: the stalled job is recovered and run again by another worker', async () => {
    // Its own queue: the stalled check is throttled per queue by a Redis key that lives stalledInterval, and the
    // previous test's worker (30 s, the production value) has just set it on the first queue.
    const env = { REDIS_URL: redisUrl, PREFIX: `${prefix}-b`, JOB_MS: '1000', FAST_RECOVERY: '1' };
    const first = startChild(env);
    children.push(first.proc);
    await waitFor(() => first.lines.includes('ready'), 'first worker ready', 20_000);
    await queueB.add({ queue: 'score', name: 'slow', data: {}, jobId: 'kill-1' });
    await waitFor(() => first.lines.includes('started kill-1'), 'job started');
    first.proc.kill('SIGKILL');
    await first.exited;

    const second = startChild(env);
    children.push(second.proc);
    await waitFor(() => second.lines.includes('finished kill-1'), 'job re-run by the second worker', 20_000).catch((err: Error) => {
      throw new Error(`${err.message}; second worker said ${JSON.stringify(second.lines)}, stderr ${second.stderr()}`);
    });
    await waitFor(async () => (await (await queueB.queue('score').getJob('kill-1'))?.getState()) === 'completed', 'kill-1 completed');
    expect((await queueB.queue('score').getJob('kill-1'))?.returnvalue).toBe(`done-${second.proc.pid}`);
    second.proc.kill('SIGTERM');
    expect((await second.exited)[0]).toBe(0);
  });
});
