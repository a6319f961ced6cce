// Node wiring of background jobs: BullMQ when REDIS_URL is set, otherwise the in-process runner (the embedded
// default runs API and workers in one process). The outbox relay runs wherever jobs are enqueued or processed.
import { allSchedules, getSchedule } from '../adapters/db/schedules.ts';
import { createBullmqQueue } from '../adapters/queue/bullmq.ts';
import { createInProcessQueue } from '../adapters/queue/inprocess.ts';
import type { Config } from '../config.ts';
import type { Deps, JobQueue } from '../deps.ts';
import { judgeSettings } from '../pipeline/judge.ts';
import { startRelay } from '../pipeline/outbox.ts';
import { createProcessors } from '../../workers/jobs.ts';
import { startWorkers, type StartWorkersOptions } from '../../workers/run-workers.ts';

export interface Jobs {
  queue: JobQueue;
  close(): Promise<void>;
}

/**
 * Attaches `deps.jobs`. With Redis, `withWorkers` also starts BullMQ workers in this process (`bearing worker`);
 * the API process (`bearing serve`) only enqueues. Without Redis, jobs always run in this process.
 */
export async function attachJobs(
  /** A parsed Config (its judge settings apply), or just REDIS_URL (the judge's defaults apply). */
  config: Pick<Config, 'REDIS_URL'> & Partial<Config>,
  deps: Deps,
  opts: {
    withWorkers: boolean;
    prefix?: string;
    settings?: StartWorkersOptions['settings'];
    relayIntervalMs?: number;
    /** false: this process does not move outbox rows into the queue (another process does). */
    relay?: boolean;
  },
): Promise<Jobs> {
  const processors = createProcessors(deps, {
    timezoneOf: async (ws) => (await getSchedule(deps.db, ws))?.timezone ?? 'UTC',
    judge: config.BEARING_JUDGE_BATCH_SIZE === undefined ? undefined : judgeSettings(config as Config),
  });
  let queue: JobQueue;
  let workers: { close(): Promise<void> } | undefined;
  if (config.REDIS_URL) {
    queue = createBullmqQueue({ redisUrl: config.REDIS_URL, prefix: opts.prefix, logger: deps.logger });
    if (opts.withWorkers) workers = await startWorkers({ redisUrl: config.REDIS_URL, prefix: opts.prefix, processors, logger: deps.logger, settings: opts.settings });
  } else {
    queue = createInProcessQueue({ processors, logger: deps.logger });
    // In-process timers live in memory: restore every workspace's nightly schedule from its record.
    for (const s of await allSchedules(deps.db)) await queue.upsertSchedule(s.workspace_id, s.cron, s.timezone);
  }
  const relay = opts.relay === false ? null : startRelay(deps.db, queue, { logger: deps.logger, intervalMs: opts.relayIntervalMs });
  deps.jobs = { queue, kick: () => relay?.kick() };
  relay?.kick(); // work left in the outbox by an earlier process
  return {
    queue,
    async close() {
      await relay?.stop();
      await workers?.close();
      await queue.close();
    },
  };
}
