// Real Redis (REDIS_URL): the BullMQ adapter and the worker runner together. Everything lives under a prefix unique
// to this file, removed afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, type BullmqJobQueue } from '../../src/adapters/queue/bullmq.ts';
import { createLogger, QUEUES, type JobSpec } from '../../src/deps.ts';
import { startWorkers } from '../../workers/run-workers.ts';
import { serviceConfigured, uniqueName } from '../helpers/harness.ts';
import { recordingProcessors, sleep, waitFor } from './helpers.ts';

const redisUrl = process.env.REDIS_URL ?? '';
const logger = createLogger(process.env.TEST_LOG === '1' ? 'debug' : 'silent');

describe.runIf(serviceConfigured('REDIS_URL'))('BullMQ queue (real Redis)', () => {
  const prefix = uniqueName('bearing-test');
  let queue: BullmqJobQueue;
  let workers: { close(): Promise<void> } | undefined;
  let flaky = 0;
  let parentSaw: Record<string, unknown> | undefined;
  const rec = recordingProcessors({
    'score.bad': async () => Promise.reject(new UnrecoverableError('payload failed validation')),
    'score.flaky': async () => {
      if (flaky++ === 0) throw new Error('transient');
      return 'recovered';
    },
    'embed.child': async (j) => {
      await sleep(j.id.endsWith('slow') ? 200 : 1);
      return { vec: j.id };
    },
    'embed.broken-child': async () => Promise.reject(new UnrecoverableError('child cannot run')),
    'score.finalize': async (j) => {
      parentSaw = await j.childrenValues();
      return 'parent done';
    },
  });
  const job = (jobId: string, over: Partial<JobSpec> = {}): JobSpec => ({ queue: 'score', name: 'score', data: { jobId }, jobId, ...over });
  const stateOf = async (q: 'embed' | 'score' | 'nightly', id: string) => (await queue.queue(q).getJob(id))?.getState();

  beforeAll(async () => {
    queue = createBullmqQueue({ redisUrl, prefix, logger });
  });

  afterAll(async () => {
    await workers?.close();
    await Promise.all(QUEUES.map((q) => queue.queue(q).obliterate({ force: true })));
    await queue.close();
    const redis = new Redis(redisUrl);
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await redis.quit();
  });

  it('ping answers true', async () => {
    expect(await queue.ping()).toBe(true);
  });

  it('dedupes by jobId: a second add keeps one job with the first data', async () => {
    await queue.add(job('dup-1', { data: { v: 1 } }));
    await queue.add(job('dup-1', { data: { v: 2 } }));
    const jobs = await queue.queue('score').getJobs(['waiting']);
    expect(jobs.filter((j) => j.id === 'dup-1').map((j) => j.data)).toEqual([{ v: 1 }]);
  });

  it('upsertSchedule replaces the scheduler under the same key; removeSchedule deletes it', async () => {
    const nightly = queue.queue('nightly');
    await queue.upsertSchedule('ws-a', '0 2 * * *', 'UTC');
    await queue.upsertSchedule('ws-a', '30 3 * * *', 'Europe/Paris');
    await queue.upsertSchedule('ws-b', '0 1 * * *', 'UTC');
    const schedulers = await nightly.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(['nightly-ws-a', 'nightly-ws-b']);
    const a = await nightly.getJobScheduler('nightly-ws-a');
    expect(a).toMatchObject({ pattern: '30 3 * * *', tz: 'Europe/Paris', name: 'nightly', template: { data: { workspace_id: 'ws-a' } } });
    // The one pending run of ws-a is the next 03:30 in Paris, not a leftover 02:00 UTC run.
    const delayed = (await nightly.getDelayed()).filter((j) => j.data.workspace_id === 'ws-a');
    expect(delayed).toHaveLength(1);
    const at = new Date(delayed[0]!.timestamp + delayed[0]!.delay);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(at)).toBe('03:30');
    await queue.removeSchedule('ws-a');
    await queue.removeSchedule('ws-b');
    expect(await nightly.getJobSchedulersCount()).toBe(0);
    await expect(queue.upsertSchedule('ws-c', '0 2 * * *', 'Nowhere/City')).rejects.toThrow(/time zone/);
  });

  describe('with workers', () => {
    beforeAll(async () => {
      workers = await startWorkers({ redisUrl, prefix, processors: rec.processors, logger });
    });

    it('a worker processes an added job and stores its result', async () => {
      await queue.add(job('plain-1', { data: { hello: 'world' } }));
      await waitFor(async () => (await stateOf('score', 'plain-1')) === 'completed', 'plain-1 completed');
      expect(rec.runs.find((r) => r.id === 'plain-1')).toMatchObject({ name: 'score', data: { hello: 'world' }, attemptsMade: 0 });
      expect((await queue.queue('score').getJob('plain-1'))?.returnvalue).toBe('ok-plain-1');
      // completed and retained: adding it again is still a no-op
      await queue.add(job('plain-1'));
      await sleep(100);
      expect(rec.runs.filter((r) => r.id === 'plain-1')).toHaveLength(1);
    });

    it('UnrecoverableError fails the job at once: attemptsMade 1, error visible in getFailed()', async () => {
      await queue.add(job('bad-1', { name: 'bad' }));
      await waitFor(async () => (await stateOf('score', 'bad-1')) === 'failed', 'bad-1 failed');
      const failed = (await queue.queue('score').getFailed()).find((j) => j.id === 'bad-1');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toBe('payload failed validation');
      expect(rec.runs.filter((r) => r.id === 'bad-1')).toHaveLength(1);
    });

    it('an ordinary error is retried with backoff', async () => {
      await queue.add(job('flaky-1', { name: 'flaky' }));
      await waitFor(async () => (await stateOf('score', 'flaky-1')) === 'completed', 'flaky-1 completed after a retry', 15_000);
      expect(rec.runs.filter((r) => r.id === 'flaky-1').map((r) => r.attemptsMade)).toEqual([0, 1]);
    });

    it('a flow parent runs after its children (on another queue) and gets their values by jobId', async () => {
      const children = ['c-slow', 'c-2', 'c-3'].map((id) => job(id, { queue: 'embed', name: 'child' }));
      await queue.addFlow(job('parent-1', { name: 'finalize' }), children);
      await waitFor(async () => (await stateOf('score', 'parent-1')) === 'completed', 'parent-1 completed');
      const order = rec.runs.map((r) => r.id).filter((id) => ['c-slow', 'c-2', 'c-3', 'parent-1'].includes(id));
      expect(order.at(-1)).toBe('parent-1');
      expect(order).toHaveLength(4);
      expect(parentSaw).toEqual({ 'c-slow': { vec: 'c-slow' }, 'c-2': { vec: 'c-2' }, 'c-3': { vec: 'c-3' } });
    });

    it('a child that fails for good fails its parent', async () => {
      await queue.addFlow(job('parent-2', { name: 'finalize' }), [
        job('ok-child', { queue: 'embed', name: 'child' }),
        job('broken', { queue: 'embed', name: 'broken-child' }),
      ]);
      await waitFor(async () => (await stateOf('score', 'parent-2')) === 'failed', 'parent-2 failed');
      expect(rec.runs.map((r) => r.id)).not.toContain('parent-2');
    });
  });
});

describe('BullMQ queue with Redis unreachable', () => {
  it('ping answers false and add rejects, both quickly', async () => {
    const down = createBullmqQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: 'bearing-test-down' });
    try {
      let t = Date.now();
      expect(await down.ping()).toBe(false);
      expect(Date.now() - t).toBeLessThan(1_500);
      t = Date.now();
      await expect(down.add({ queue: 'embed', name: 'embed', data: {}, jobId: 'x' })).rejects.toThrow();
      await expect(down.addFlow({ queue: 'score', name: 'p', data: {}, jobId: 'p' }, [])).rejects.toThrow();
      expect(Date.now() - t).toBeLessThan(2_500);
    } finally {
      await down.close();
    }
  });
});

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

// A private throwaway redis-server (not REDIS_URL's), so it can be stopped and started around the adapter.
describe.runIf(serviceConfigured('REDIS_URL') && hasRedisServer)('BullMQ queue across a Redis outage', () => {
  it('fails fast while Redis is down (also at start) and works again once it is back', async () => {
    const port = await freePort();
    const startServer = () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const q = createBullmqQueue({ redisUrl: `redis://127.0.0.1:${port}`, prefix: 'bearing-test-outage' });
    const add = (jobId: string) => q.add({ queue: 'embed', name: 'embed', data: {}, jobId });
    let server: ChildProcess | undefined;
    try {
      expect(await q.ping()).toBe(false); // no server yet
      await expect(add('before-start')).rejects.toThrow();

      server = startServer();
      await waitFor(() => q.ping(), 'redis up');
      await add('while-up');

      server.kill('SIGKILL');
      await once(server, 'exit');
      const t = Date.now();
      await expect(add('while-down')).rejects.toThrow();
      expect(await q.ping()).toBe(false);
      expect(Date.now() - t).toBeLessThan(2_500);

      server = startServer(); // empty again: no persistence
      await waitFor(() => q.ping(), 'redis back', 10_000);
      await add('after-restart');
      expect((await q.queue('embed').getJobs(['waiting'])).map((j) => j.id)).toEqual(['after-restart']);
    } finally {
      await q.close();
      server?.kill('SIGKILL');
    }
  });
});
