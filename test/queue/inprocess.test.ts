import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessQueue, type InProcessQueue } from '../../src/adapters/queue/inprocess.ts';
import { nextFireTime, nightlyJobId } from '../../src/adapters/queue/schedule.ts';
import type { JobSpec } from '../../src/deps.ts';
import { recordingProcessors, sleep, waitFor } from './helpers.ts';

const job = (jobId: string, over: Partial<JobSpec> = {}): JobSpec => ({ queue: 'score', name: 'score', data: { jobId }, jobId, ...over });

let queue: InProcessQueue | undefined;
afterEach(async () => {
  await queue?.close();
  queue = undefined;
});

describe('in-process queue', () => {
  it('runs jobs FIFO per queue and drain() waits for all of them', async () => {
    const rec = recordingProcessors({ 'score.score': async () => sleep(5) });
    queue = createInProcessQueue({ processors: rec.processors });
    for (let i = 0; i < 8; i++) await queue.add(job(`j${i}`));
    expect(rec.runs).toHaveLength(0); // add() never runs a processor in the caller's stack
    await queue.drain();
    expect(rec.runs.map((r) => r.id)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7']);
    await queue.drain(); // idle: resolves at once
  });

  it('treats a known jobId (queued, running or completed) as a no-op and keeps the first data', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rec = recordingProcessors({ 'score.score': async () => gate });
    queue = createInProcessQueue({ processors: rec.processors });
    await queue.add(job('a', { data: { v: 1 } }));
    await queue.add(job('a', { data: { v: 2 } })); // queued
    await waitFor(() => rec.runs.length === 1, 'job a to start');
    await queue.add(job('a', { data: { v: 3 } })); // running
    release();
    await queue.drain();
    await queue.add(job('a', { data: { v: 4 } })); // completed
    await queue.drain();
    expect(rec.runs.map((r) => r.data)).toEqual([{ v: 1 }]);
  });

  it('retries with backoff and then succeeds; attemptsMade counts earlier failures', async () => {
    const rec = recordingProcessors({
      'embed.embed': async (j) => {
        if (j.attemptsMade < 2) throw new Error('provider 503');
        return 'done';
      },
    });
    queue = createInProcessQueue({ processors: rec.processors, backoffMs: 20 });
    const started = Date.now();
    await queue.add(job('e1', { queue: 'embed', name: 'embed' }));
    await queue.drain();
    expect(rec.runs.map((r) => r.attemptsMade)).toEqual([0, 1, 2]);
    // backoff 20 ms then 40 ms, each with at most 50 % jitter taken off: at least 30 ms in total
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(queue.failed()).toEqual([]);
  });

  it('fails a job for good after the last attempt, keeping its error', async () => {
    const rec = recordingProcessors({ 'score.score': async () => Promise.reject(new Error('always broken')) });
    queue = createInProcessQueue({ processors: rec.processors, backoffMs: 1, attempts: 3 });
    await queue.add(job('x'));
    await queue.drain();
    expect(rec.runs).toHaveLength(3);
    expect(queue.failed()).toEqual([{ jobId: 'x', name: 'score', error: 'always broken' }]);
  });

  it('does not retry an UnrecoverableError, nor a job name without a processor', async () => {
    const rec = recordingProcessors({ 'score.score': async () => Promise.reject(new UnrecoverableError('bad payload')) });
    queue = createInProcessQueue({ processors: { ...rec.processors, nightly: {} }, backoffMs: 1 });
    await queue.add(job('u'));
    await queue.add(job('n', { queue: 'nightly', name: 'nope' }));
    await queue.drain();
    expect(rec.runs).toHaveLength(1);
    expect(queue.failed()).toEqual([
      { jobId: 'u', name: 'score', error: 'bad payload' },
      { jobId: 'n', name: 'nope', error: 'no processor for job "nope" on queue "nightly"' },
    ]);
  });

  it('runs a flow parent after all its children (across queues), with their values', async () => {
    let parentSaw: Record<string, unknown> | undefined;
    const rec = recordingProcessors({
      'embed.embed': async (j) => (await sleep(j.id === 'c1' ? 30 : 1), `v-${j.id}`),
      'score.finalize': async (j) => {
        parentSaw = await j.childrenValues();
        return 'final';
      },
    });
    queue = createInProcessQueue({ processors: rec.processors, concurrency: 2 });
    const children = ['c1', 'c2', 'c3'].map((id) => job(id, { queue: 'embed', name: 'embed' }));
    await queue.addFlow(job('p', { name: 'finalize' }), children);
    await queue.drain();
    expect(rec.runs.map((r) => r.id).at(-1)).toBe('p');
    expect(rec.runs).toHaveLength(4);
    expect(parentSaw).toEqual({ c1: 'v-c1', c2: 'v-c2', c3: 'v-c3' });
  });

  it('fails the parent with the child error when a child fails for good', async () => {
    const rec = recordingProcessors({
      'embed.embed': async (j) => {
        if (j.id === 'bad') throw new UnrecoverableError('cannot embed');
        return 1;
      },
    });
    queue = createInProcessQueue({ processors: rec.processors });
    await queue.addFlow(job('parent', { name: 'finalize' }), [job('good', { queue: 'embed', name: 'embed' }), job('bad', { queue: 'embed', name: 'embed' })]);
    await queue.drain();
    expect(rec.runs.map((r) => r.id)).not.toContain('parent');
    expect(queue.failed()).toEqual([
      { jobId: 'bad', name: 'embed', error: 'cannot embed' },
      { jobId: 'parent', name: 'finalize', error: 'child bad failed: cannot embed' },
    ]);
  });

  it('fires a per-second schedule with fire-time job ids, replaces it on upsert and stops on remove', async () => {
    const rec = recordingProcessors();
    queue = createInProcessQueue({ processors: rec.processors });
    await queue.upsertSchedule('ws1', '* * * * * *', 'UTC');
    await queue.upsertSchedule('ws1', '* * * * * *', 'Europe/Paris'); // replaces: still one timer
    await waitFor(() => rec.runs.length >= 2, 'two nightly runs', 5_000);
    await queue.removeSchedule('ws1');
    await queue.drain();
    const seen = rec.runs.length;
    expect(rec.runs.every((r) => r.queue === 'nightly' && r.name === 'nightly')).toBe(true);
    expect(rec.runs[0]!.data).toEqual({ workspace_id: 'ws1' });
    const ids = rec.runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // one run per second, never two for one fire time
    for (const id of ids) expect(id).toMatch(/^nightly-ws1-\d{4}-\d\d-\d\dT\d{6}\.000Z$/);
    await sleep(1_200);
    expect(rec.runs.length).toBe(seen);
  });

  it('fires a daily cron at the right instant of the workspace time zone (shifted clock)', async () => {
    // 02:00 in Paris on 2025-01-15 is 01:00Z. Start the fake clock 150 ms before it.
    const fireAt = new Date('2025-01-15T01:00:00.000Z');
    const offset = fireAt.getTime() - 150 - Date.now();
    const rec = recordingProcessors();
    queue = createInProcessQueue({ processors: rec.processors, now: () => new Date(Date.now() + offset) });
    await queue.upsertSchedule('ws-paris', '0 2 * * *', 'Europe/Paris');
    await waitFor(() => rec.runs.length === 1, 'the 02:00 Paris run', 3_000);
    expect(rec.runs[0]!.id).toBe('nightly-ws-paris-2025-01-15T010000.000Z');
    expect(rec.runs[0]!.id).toBe(nightlyJobId('ws-paris', fireAt));
  });

  it('computes fire times across a DST change and rejects bad patterns and zones', async () => {
    // Paris springs forward on 2025-03-30: 02:00 local does not exist, cron-parser moves it to 03:00 CEST (01:00Z).
    expect(nextFireTime('30 2 * * *', 'America/New_York', new Date('2025-06-01T12:00:00Z')).toISOString()).toBe('2025-06-02T06:30:00.000Z');
    expect(nextFireTime('0 2 * * *', 'Europe/Paris', new Date('2025-03-30T00:30:00Z')).toISOString()).toBe('2025-03-30T01:00:00.000Z');
    queue = createInProcessQueue({ processors: recordingProcessors().processors });
    await expect(queue.upsertSchedule('w', 'not a cron', 'UTC')).rejects.toThrow();
    await expect(queue.upsertSchedule('w', '0 2 * * *', 'Mars/Olympus')).rejects.toThrow(/time zone/);
  });

  it('rejects adds after close and lets a running job finish', async () => {
    const rec = recordingProcessors({ 'score.score': async () => sleep(50) });
    const q = createInProcessQueue({ processors: rec.processors });
    await q.add(job('slow'));
    await waitFor(() => rec.runs.length === 1, 'slow job start');
    await q.close();
    await q.drain();
    expect(await q.ping()).toBe(false);
    await expect(q.add(job('late'))).rejects.toThrow(/closed/);
  });
});
