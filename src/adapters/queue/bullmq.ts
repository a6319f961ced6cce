// The JobQueue port on BullMQ/Redis. Naming: each QueueName is a BullMQ queue of the same name under the key prefix
// (default `bearing`), so Redis holds `bearing:embed:*`, `bearing:score:*`, `bearing:nightly:*` and several
// deployments can share one Redis by prefix.
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, type JobQueue, type JobSpec, type Logger, type QueueName } from '../../deps.ts';
import { errorMessage, withTimeout } from './dispatch.ts';
import { JOB_ATTEMPTS, JOB_BACKOFF, KEEP_COMPLETED, KEEP_FAILED } from './defaults.ts';
import { schedulerKey, validateSchedule } from './schedule.ts';

export const DEFAULT_PREFIX = 'bearing';

/** ping() answers within this: /readyz must not hang on a dead Redis. */
const PING_TIMEOUT_MS = 1_000;
/**
 * Bound on one producer call. While Redis is down at start, BullMQ waits for the first connection before any
 * command, so enqueue would hang; the caller (API request, outbox relay) gets an error after 2 s instead.
 */
const PRODUCER_CALL_TIMEOUT_MS = 2_000;

/**
 * One ioredis connection. Producer (API, relay): no offline queue, so a command fails at once while Redis is
 * unreachable instead of piling up; a 2 s command timeout for a server that accepts but does not answer; reconnect
 * retries capped at 2 s so it recovers quickly. Worker: `maxRetriesPerRequest: null` as BullMQ requires (its
 * blocking commands must wait for Redis to come back, not error), offline queue on.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker'): Redis {
  const retryStrategy = (times: number) => Math.min(times * 200, 2_000);
  if (role === 'producer') {
    return new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: PRODUCER_CALL_TIMEOUT_MS,
      connectTimeout: PING_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      retryStrategy,
    });
  }
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy });
}

/** Options every job gets. FlowProducer ignores a Queue's defaultJobOptions, so flows pass these per job too. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: { ...JOB_BACKOFF },
  removeOnComplete: { ...KEEP_COMPLETED },
  removeOnFail: { ...KEEP_FAILED },
};

export interface BullmqJobQueue extends JobQueue {
  /** The underlying BullMQ queue (inspection in tests and admin tools). */
  queue(name: QueueName): Queue;
}

export function createBullmqQueue(opts: { redisUrl: string; prefix?: string; logger?: Logger }): BullmqJobQueue {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const connection = createRedisConnection(opts.redisUrl, 'producer');
  // ioredis and BullMQ emit 'error' on every failed reconnect; without listeners Node prints or throws them. The
  // failure reaches callers through rejected calls and ping(), so log it once per outage, not once per retry.
  let down = false;
  const onError = (err: Error) => {
    if (!down) opts.logger?.warn('redis unreachable', { error: errorMessage(err) });
    down = true;
  };
  connection.on('error', onError);
  connection.on('ready', () => {
    if (down) opts.logger?.info('redis reachable again');
    down = false;
  });

  const queues = Object.fromEntries(
    QUEUES.map((name) => {
      const q = new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
      q.on('error', onError);
      return [name, q];
    }),
  ) as Record<QueueName, Queue>;
  const flows = new FlowProducer({ connection, prefix });
  flows.on('error', onError);

  /**
   * Fails fast while Redis is known to be down (the last connect attempt failed); otherwise waits up to 1 s for the
   * connection to come up (first call after start). Without this, BullMQ would wait for Redis indefinitely.
   */
  async function ready(): Promise<void> {
    if (connection.status === 'ready') return;
    if (down || connection.status === 'end') throw new Error('redis unreachable');
    let settle = () => undefined as void;
    const connected = new Promise<void>((resolve, reject) => {
      const onReady = () => (settle(), resolve());
      const onFail = (err: Error) => (settle(), reject(err));
      settle = () => void (connection.off('ready', onReady), connection.off('error', onFail));
      connection.once('ready', onReady);
      connection.once('error', onFail);
    });
    await withTimeout(connected, PING_TIMEOUT_MS, 'redis connect').finally(settle);
  }
  /** Every producer call: Redis up, then the call itself bounded (a server that accepts but never answers). */
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    await ready();
    return withTimeout(fn(), PRODUCER_CALL_TIMEOUT_MS, what);
  };

  const flowJob = (job: JobSpec, extra: JobsOptions = {}): FlowJob => ({
    name: job.name,
    queueName: job.queue,
    data: job.data,
    prefix,
    opts: { ...JOB_OPTIONS, jobId: job.jobId, ...extra },
  });

  return {
    kind: 'bullmq',
    queue: (name) => queues[name],
    async add(job) {
      // A known jobId is a no-op in BullMQ (the stored job keeps its first data), which is what makes ids idempotent.
      await call('enqueue', () => queues[job.queue].add(job.name, job.data, { jobId: job.jobId }));
    },
    async addFlow(parent, children) {
      // failParentOnFailure: a child that fails for good fails the parent, instead of leaving it waiting forever.
      const tree: FlowJob = { ...flowJob(parent), children: children.map((c) => flowJob(c, { failParentOnFailure: true })) };
      await call('enqueue flow', () => flows.add(tree));
    },
    async ping() {
      try {
        await ready();
        return (await withTimeout(connection.ping(), PING_TIMEOUT_MS, 'redis ping')) === 'PONG';
      } catch {
        return false;
      }
    },
    async upsertSchedule(workspaceId, cron, timezone) {
      validateSchedule(cron, timezone);
      await call('upsert schedule', () =>
        queues.nightly.upsertJobScheduler(
          schedulerKey(workspaceId),
          { pattern: cron, tz: timezone },
          { name: 'nightly', data: { workspace_id: workspaceId }, opts: { ...JOB_OPTIONS } },
        ),
      );
    },
    async removeSchedule(workspaceId) {
      await call('remove schedule', () => queues.nightly.removeJobScheduler(schedulerKey(workspaceId)));
    },
    async close() {
      // Queues share the connection (BullMQ does not close a connection it was handed), so quit it last.
      await Promise.allSettled([...Object.values(queues).map((q) => q.close()), flows.close()]);
      connection.disconnect();
    },
  };
}
