import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/queue/bullmq.ts';
import { createInProcessQueue } from '../../src/adapters/queue/inprocess.ts';
import { createLogger, type Db, type JobQueue, type JobSpec, type Queryable } from '../../src/deps.ts';
import { enqueue, outboxJobId, relayOutbox, startRelay } from '../../src/pipeline/outbox.ts';
import { openTestDb, serviceConfigured, uniqueName } from '../helpers/harness.ts';
import { recordingProcessors, sleep, waitFor } from './helpers.ts';

const logger = createLogger(process.env.TEST_LOG === '1' ? 'debug' : 'silent');

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db?.close();
});

/** A queue that records adds, and fails them while `down` is set (as the BullMQ adapter does with Redis down). */
function fakeQueue() {
  const added: JobSpec[] = [];
  const q = {
    down: false,
    added,
    kind: 'inprocess' as const,
    async add(job: JobSpec) {
      if (q.down) throw new Error('redis unreachable');
      await sleep(1); // a network round trip: lets two relays interleave
      added.push(job);
    },
    addFlow: async () => undefined,
    ping: async () => !q.down,
    upsertSchedule: async () => undefined,
    removeSchedule: async () => undefined,
    close: async () => undefined,
  };
  return q satisfies JobQueue;
}

async function enqueueRows(n: number, workspaceId = uniqueName('ws')): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await enqueue(tx, { queue: 'score', name: 'score', data: { i, workspaceId }, workspaceId }));
    return ids;
  });
}

const rowsOf = async (ids: string[]) =>
  (
    await db.query<{ id: string; dispatched: boolean; attempts: number; last_error: string | null }>(
      `SELECT id::text AS id, dispatched_at IS NOT NULL AS dispatched, attempts, last_error FROM job_outbox WHERE id::text = ANY($1) ORDER BY id`,
      [ids],
    )
  ).rows;

describe('outbox', () => {
  it('does not relay a job written in a rolled-back transaction', async () => {
    let id = '';
    await expect(
      db.transaction(async (tx) => {
        id = await enqueue(tx, { queue: 'embed', name: 'embed', data: { item: 1 } });
        throw new Error('use-case failed after enqueue');
      }),
    ).rejects.toThrow('use-case failed');
    expect(id).not.toBe('');
    const q = fakeQueue();
    await relayOutbox(db, q);
    expect(q.added.map((j) => j.jobId)).not.toContain(outboxJobId(id));
    expect(await rowsOf([id])).toEqual([]);
  });

  it('dispatches each committed row once, in id order, with jobId outbox-<id> and the payload', async () => {
    const ids = await enqueueRows(3);
    const q = fakeQueue();
    const first = await relayOutbox(db, q);
    const second = await relayOutbox(db, q);
    expect(first.dispatched).toBeGreaterThanOrEqual(3);
    expect(second).toEqual({ dispatched: 0, failed: 0 });
    const mine = q.added.filter((j) => ids.map(outboxJobId).includes(j.jobId));
    expect(mine.map((j) => j.jobId)).toEqual(ids.map(outboxJobId));
    expect(mine[1]).toMatchObject({ queue: 'score', name: 'score', data: { i: 1 } });
    expect((await rowsOf(ids)).every((r) => r.dispatched)).toBe(true);
  });

  it('two concurrent relays never both take a row', async () => {
    const ids = await enqueueRows(20);
    const q = fakeQueue();
    await Promise.all([relayOutbox(db, q, { batch: 7 }), relayOutbox(db, q, { batch: 7 }), relayOutbox(db, q, { batch: 7 })]);
    await relayOutbox(db, q);
    const mine = q.added.map((j) => j.jobId).filter((id) => ids.map(outboxJobId).includes(id));
    expect(mine.sort()).toEqual(ids.map(outboxJobId).sort());
  });

  it('keeps rows pending with attempts and last_error while the queue fails, then dispatches them', async () => {
    const ids = await enqueueRows(3);
    const q = fakeQueue();
    q.down = true;
    expect(await relayOutbox(db, q)).toEqual({ dispatched: 0, failed: 1 }); // stops at the first error
    await relayOutbox(db, q);
    const pending = await rowsOf(ids);
    expect(pending.map((r) => r.dispatched)).toEqual([false, false, false]);
    expect(pending[0]).toMatchObject({ attempts: 2, last_error: 'redis unreachable' });
    expect(pending[1]).toMatchObject({ attempts: 0, last_error: null });
    q.down = false;
    expect((await relayOutbox(db, q)).dispatched).toBeGreaterThanOrEqual(3);
    expect((await rowsOf(ids)).every((r) => r.dispatched)).toBe(true);
  });

  /** The database as a relay sees it when the process dies after add() and before marking: the mark never commits. */
  const crashingBeforeMark = (inner: Db): Db => ({
    ...inner,
    transaction: (fn) =>
      inner.transaction((tx) =>
        fn({
          query: (text: string, params?: unknown[]) => {
            if (text.includes('dispatched_at = now()')) throw new Error('process killed');
            return tx.query(text, params);
          },
        } as Queryable),
      ),
  });

  it('re-adds the same jobId after a crash between add and mark: the in-process queue runs it once', async () => {
    const rec = recordingProcessors();
    const queue = createInProcessQueue({ processors: rec.processors });
    const [id] = await enqueueRows(1);
    await expect(relayOutbox(crashingBeforeMark(db), queue)).rejects.toThrow('process killed');
    expect((await rowsOf([id!]))[0]!.dispatched).toBe(false);
    await relayOutbox(db, queue);
    await queue.drain();
    expect(rec.runs.filter((r) => r.id === outboxJobId(id!))).toHaveLength(1);
    expect((await rowsOf([id!]))[0]!.dispatched).toBe(true);
    await queue.close();
  });

  it.runIf(serviceConfigured('REDIS_URL'))('re-adds the same jobId after a crash between add and mark: BullMQ holds one job', async () => {
    const queue = createBullmqQueue({ redisUrl: process.env.REDIS_URL!, prefix: uniqueName('bearing-test-outbox') });
    try {
      const [id] = await enqueueRows(1);
      await expect(relayOutbox(crashingBeforeMark(db), queue)).rejects.toThrow('process killed');
      await relayOutbox(db, queue);
      const score = queue.queue('score');
      const jobs = await score.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
      expect(jobs.filter((j) => j.id === outboxJobId(id!))).toHaveLength(1);
      expect(await score.getJobCountByTypes('waiting')).toBe(jobs.length);
      expect((await rowsOf([id!]))[0]!.dispatched).toBe(true);
    } finally {
      await Promise.all(['embed', 'score', 'nightly'].map((n) => queue.queue(n as 'embed').obliterate({ force: true })));
      await queue.close();
    }
  });

  it('startRelay: kick() dispatches at once, backs off while the queue is down, recovers, stops cleanly', async () => {
    const q = fakeQueue();
    const relay = startRelay(db, q, { intervalMs: 60_000, maxBackoffMs: 100, logger });
    try {
      await sleep(50); // the first pass has run; the next poll is a minute away
      const [a] = await enqueueRows(1);
      relay.kick();
      await waitFor(() => q.added.some((j) => j.jobId === outboxJobId(a!)), 'kicked dispatch', 2_000);

      q.down = true;
      const [b] = await enqueueRows(1);
      relay.kick();
      await waitFor(async () => ((await rowsOf([b!]))[0]?.attempts ?? 0) >= 2, 'failed passes recorded', 3_000);
      q.down = false; // backoff is capped at 100 ms: the next pass dispatches without a kick
      await waitFor(async () => (await rowsOf([b!]))[0]?.dispatched, 'dispatch after recovery', 3_000);
    } finally {
      await relay.stop();
    }
  });
});
