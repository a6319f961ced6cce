// The JobQueue port without Redis: the embedded default runs the same jobs through the same processors inside the
// API process. It mirrors the BullMQ semantics the code relies on — FIFO per queue, retries with exponential backoff,
// UnrecoverableError fails at once, a known jobId is a no-op, flow parents run after all children — but holds jobs
// in memory only: work queued when the process stops is lost (durability comes from the outbox rows written first).
import type { JobQueue, JobSpec, Logger, Processors, QueueName } from '../../deps.ts';
import { QUEUES } from '../../deps.ts';
import { errorMessage, isUnrecoverable, resolveProcessor } from './dispatch.ts';
import { INPROCESS_BACKOFF_MS, JOB_ATTEMPTS, KEEP_COMPLETED, KEEP_FAILED } from './defaults.ts';
import { createSchedules } from './inprocess-schedules.ts';

type State = 'waiting' | 'waiting-children' | 'delayed' | 'active' | 'completed' | 'failed';

interface Entry {
  spec: JobSpec;
  state: State;
  attemptsMade: number;
  result?: unknown;
  error?: string;
  /** Flow parents waiting on this job. */
  parents: string[];
  /** Flow children this job waits on. */
  children: string[];
  timer?: NodeJS.Timeout;
}

export interface InProcessQueue extends JobQueue {
  /** Resolves once nothing is waiting, delayed or running (tests, benchmarks, CLI commands before exit). */
  drain(): Promise<void>;
  /** Jobs that failed for good and are still retained, oldest first. */
  failed(): { jobId: string; name: string; error: string }[];
}

export interface InProcessOptions {
  processors: Processors;
  /** Jobs running at once per queue (default 1: strict FIFO, and PGlite is a single session anyway). */
  concurrency?: number;
  logger?: Logger;
  /** Clock for schedules (tests shift it). */
  now?: () => Date;
  /** Attempts per job (default JOB_ATTEMPTS, as on BullMQ). */
  attempts?: number;
  /** First retry delay in ms, doubling per attempt, with up to 50 % jitter subtracted (default INPROCESS_BACKOFF_MS). */
  backoffMs?: number;
}

const FINISHED: ReadonlySet<State> = new Set(['completed', 'failed']);

export function createInProcessQueue(opts: InProcessOptions): InProcessQueue {
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const attempts = Math.max(1, opts.attempts ?? JOB_ATTEMPTS);
  const backoffMs = opts.backoffMs ?? INPROCESS_BACKOFF_MS;
  const jobs = new Map<string, Entry>();
  const ready = Object.fromEntries(QUEUES.map((q) => [q, [] as string[]])) as Record<QueueName, string[]>;
  const running = Object.fromEntries(QUEUES.map((q) => [q, 0])) as Record<QueueName, number>;
  const pumpScheduled = new Set<QueueName>();
  // Retention as on BullMQ (KEEP_COMPLETED / KEEP_FAILED counts): finished ids stay known, so re-adds are no-ops,
  // but memory stays bounded in a long-running server. Sets keep insertion order, oldest first.
  const completedIds = new Set<string>();
  const failedIds = new Set<string>();
  let unfinished = 0;
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const notifyIfIdle = () => {
    if (unfinished > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const enqueueReady = (entry: Entry) => {
    entry.state = 'waiting';
    ready[entry.spec.queue].push(entry.spec.jobId);
    schedulePump(entry.spec.queue);
  };

  // Deferred, so add() never runs a processor inside the caller's stack (e.g. the relay's open transaction).
  const schedulePump = (queue: QueueName) => {
    if (pumpScheduled.has(queue)) return;
    pumpScheduled.add(queue);
    setImmediate(() => {
      pumpScheduled.delete(queue);
      while (!closed && running[queue] < concurrency) {
        const id = ready[queue].shift();
        if (id === undefined) break;
        const entry = jobs.get(id);
        if (entry?.state === 'waiting') void run(entry);
      }
    });
  };

  const retain = (ids: Set<string>, id: string, max: number) => {
    ids.add(id);
    for (const old of ids) {
      if (ids.size <= max) break;
      ids.delete(old);
      jobs.delete(old);
    }
  };

  const finish = (entry: Entry, state: 'completed' | 'failed') => {
    entry.state = state;
    unfinished--;
    if (state === 'completed') retain(completedIds, entry.spec.jobId, KEEP_COMPLETED.count);
    else retain(failedIds, entry.spec.jobId, KEEP_FAILED.count);
    for (const parentId of entry.parents) {
      const parent = jobs.get(parentId);
      if (parent?.state !== 'waiting-children') continue;
      if (state === 'failed') fail(parent, `child ${entry.spec.jobId} failed: ${entry.error}`);
      else if (parent.children.every((c) => jobs.get(c)?.state === 'completed')) enqueueReady(parent);
    }
    notifyIfIdle();
  };

  const fail = (entry: Entry, error: string) => {
    entry.error = error;
    finish(entry, 'failed');
  };

  async function run(entry: Entry): Promise<void> {
    const { queue, name, jobId, data } = entry.spec;
    entry.state = 'active';
    running[queue]++;
    try {
      const processor = resolveProcessor(opts.processors, queue, name);
      entry.result = await processor({
        id: jobId,
        name,
        data: structuredClone(data), // as from Redis: a processor cannot mutate the stored payload
        attemptsMade: entry.attemptsMade,
        // As BullMQ's getChildrenValues: completed children only (a parent runs once all of them are), undefined → null.
        childrenValues: async () =>
          Object.fromEntries(
            entry.children.flatMap((c) => {
              const child = jobs.get(c);
              return child?.state === 'completed' ? [[c, child.result ?? null]] : [];
            }),
          ),
      });
      finish(entry, 'completed');
    } catch (err) {
      entry.attemptsMade++;
      const final = isUnrecoverable(err) || entry.attemptsMade >= attempts || closed;
      opts.logger?.warn('job failed', { queue, jobId, name, attemptsMade: entry.attemptsMade, final, error: errorMessage(err) });
      if (final) fail(entry, errorMessage(err));
      else {
        entry.state = 'delayed';
        const delay = backoffMs * 2 ** (entry.attemptsMade - 1);
        entry.timer = setTimeout(() => enqueueReady(entry), delay * (1 - Math.random() * 0.5));
      }
    } finally {
      running[queue]--;
      schedulePump(queue);
    }
  }

  /** Registers a job unless its id is known (queued, running, or finished and still retained): then a no-op. */
  const register = (spec: JobSpec, state: State): Entry | undefined => {
    if (closed) throw new Error('job queue is closed');
    if (jobs.has(spec.jobId)) return undefined;
    const entry: Entry = { spec: { ...spec, data: structuredClone(spec.data) }, state, attemptsMade: 0, parents: [], children: [] };
    jobs.set(spec.jobId, entry);
    unfinished++;
    return entry;
  };

  const add = (spec: JobSpec) => {
    const entry = register(spec, 'waiting');
    if (entry) enqueueReady(entry);
  };

  const schedules = createSchedules({
    now: opts.now ?? (() => new Date()),
    fire: (job) => add(job),
    logger: opts.logger,
  });

  return {
    kind: 'inprocess',
    async add(job) {
      add(job);
    },
    async addFlow(parentSpec, children) {
      const parent = register(parentSpec, 'waiting-children');
      if (!parent) return;
      parent.children = children.map((c) => c.jobId);
      for (const child of children) add(child);
      // Children may be known already (deduped): link to them, and settle the parent if they have finished.
      for (const id of parent.children) jobs.get(id)?.parents.push(parent.spec.jobId);
      const failedChild = parent.children.map((id) => jobs.get(id)).find((c) => c?.state === 'failed');
      if (failedChild) fail(parent, `child ${failedChild.spec.jobId} failed: ${failedChild.error}`);
      else if (parent.children.every((id) => jobs.get(id)?.state === 'completed')) enqueueReady(parent);
    },
    async ping() {
      return !closed;
    },
    async upsertSchedule(workspaceId, cron, timezone) {
      if (closed) throw new Error('job queue is closed');
      schedules.upsert(workspaceId, cron, timezone);
    },
    async removeSchedule(workspaceId) {
      schedules.remove(workspaceId);
    },
    drain() {
      if (unfinished === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    failed() {
      return [...failedIds].flatMap((id) => {
        const e = jobs.get(id);
        return e ? [{ jobId: id, name: e.spec.name, error: e.error ?? '' }] : [];
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      schedules.stop();
      // Let running jobs finish (as worker.close() does); what has not started is dropped (see the file comment).
      const runningDone = new Promise<void>((resolve) => {
        const check = () => (QUEUES.every((q) => running[q] === 0) ? resolve() : setTimeout(check, 10));
        check();
      });
      await runningDone;
      let dropped = 0;
      for (const entry of jobs.values()) {
        if (FINISHED.has(entry.state)) continue;
        clearTimeout(entry.timer);
        dropped++;
      }
      if (dropped > 0) opts.logger?.warn('job queue closed with unfinished jobs', { dropped });
      unfinished = 0;
      notifyIfIdle();
    },
  };
}
