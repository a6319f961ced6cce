// The Node worker process: one BullMQ Worker per queue, dispatching by job name to the thin processors, plus the
// signal handling that lets a deploy stop it without losing the job in hand.
import { getHeapStatistics } from 'node:v8';
import { Worker, type Job } from 'bullmq';
import { createRedisConnection, DEFAULT_PREFIX } from '../src/adapters/queue/bullmq.ts';
import { errorMessage, isUnrecoverable, resolveProcessor } from '../src/adapters/queue/dispatch.ts';
import { QUEUES, type Logger, type Processors, type QueueName } from '../src/deps.ts';
import { WORKER_SETTINGS, type QueueWorkerSettings } from './settings.ts';

export interface StartWorkersOptions {
  redisUrl: string;
  prefix?: string;
  processors: Processors;
  logger: Logger;
  /** Queues this process consumes (default all): e.g. a separate process for the provider-bound embed queue. */
  queues?: QueueName[];
  /** Overrides of WORKER_SETTINGS per queue (tests shorten lock and stall timings to observe crash recovery). */
  settings?: Partial<Record<QueueName, QueueWorkerSettings>>;
}

/** BullMQ keys children values by `<prefix>:<queue>:<jobId>`; processors see them by jobId, as in-process. */
const byJobId = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([key, v]) => [key.slice(key.lastIndexOf(':') + 1), v]));

/** Starts the workers and resolves once each one is connected (it waits for Redis rather than failing). */
export async function startWorkers(opts: StartWorkersOptions): Promise<{ close(): Promise<void> }> {
  const connection = createRedisConnection(opts.redisUrl, 'worker');
  let redisDown = false;
  connection.on('error', (err: Error) => {
    if (!redisDown) opts.logger.error('worker: redis unreachable', { error: errorMessage(err) });
    redisDown = true;
  });
  connection.on('ready', () => (redisDown = false));

  const workers = (opts.queues ?? [...QUEUES]).map((queue) => {
    const worker = new Worker(
      queue,
      async (job: Job) => {
        // An unknown name throws UnrecoverableError: it would fail the same way on every retry.
        const processor = resolveProcessor(opts.processors, queue, job.name);
        return processor({
          id: job.id ?? '',
          name: job.name,
          data: job.data,
          attemptsMade: job.attemptsMade,
          childrenValues: async () => byJobId(await job.getChildrenValues()),
        });
      },
      { connection, prefix: opts.prefix ?? DEFAULT_PREFIX, ...WORKER_SETTINGS[queue], ...opts.settings?.[queue] },
    );
    worker.on('failed', (job, err) => {
      const attempts = job?.opts.attempts ?? 1;
      const attemptsMade = job?.attemptsMade ?? 0;
      const final = isUnrecoverable(err) || attemptsMade >= attempts;
      const fields = { queue, jobId: job?.id, name: job?.name, attemptsMade, attempts, final, error: errorMessage(err) };
      if (final) opts.logger.error('job failed', fields);
      else opts.logger.warn('job failed, will retry', fields);
    });
    worker.on('error', (err) => {
      if (!redisDown) opts.logger.error('worker error', { queue, error: errorMessage(err) });
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // The heap limit shows whether the old generation is capped (bearing worker: 256 MiB unless told otherwise).
  opts.logger.info('workers started', { queues: workers.map((w) => w.name), heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) });

  let closing: Promise<void> | undefined;
  return {
    close() {
      // worker.close() stops taking jobs and waits for the ones in hand to finish (their result is stored).
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => void connection.disconnect());
      return closing;
    },
  };
}

export interface ShutdownOptions {
  logger?: Logger;
  /**
   * How long the jobs in hand may take to finish (default 25 s: inside the 30 s a container orchestrator waits
   * before SIGKILL). Past it the process exits 1 without them; their locks expire and the stalled check runs them
   * again elsewhere (see RECOVERY in settings.ts), so the work is delayed, not lost.
   */
  graceMs?: number;
  /** Test hook. */
  exit?: (code: number) => void;
}

/** On SIGTERM/SIGINT: close (finish the current jobs), then exit 0. A second signal exits 1 at once. Returns an unsubscribe. */
export function onShutdownSignals(close: () => Promise<void>, opts: ShutdownOptions = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const handler = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      opts.logger?.warn('second signal: exiting without waiting for jobs', { signal });
      exit(1);
      return;
    }
    shuttingDown = true;
    opts.logger?.info('shutting down: finishing current jobs', { signal });
    const grace = setTimeout(() => {
      opts.logger?.error('shutdown grace period over: exiting with jobs still running', { graceMs: opts.graceMs ?? 25_000 });
      exit(1);
    }, opts.graceMs ?? 25_000);
    close().then(
      () => {
        clearTimeout(grace);
        opts.logger?.info('shut down cleanly');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(grace);
        opts.logger?.error('shutdown failed', { error: errorMessage(err) });
        exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
