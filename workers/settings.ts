// Per-queue BullMQ Worker settings. The machine has 2 cores and also runs the API; every number says why.
import type { WorkerOptions } from 'bullmq';
import type { QueueName } from '../src/deps.ts';

export type QueueWorkerSettings = Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'limiter'>;

/**
 * Recovery after a crash (SIGKILL, OOM): the dead worker stops renewing its job lock; once the lock expires the next
 * stalled check (every `stalledInterval`) moves the job back to waiting and another worker runs it again. A job is
 * recovered within lockDuration + stalledInterval. maxStalledCount 2: survive two crashes mid-job (a redeploy plus an
 * OOM), but a job that kills its worker every time is failed on the third stall instead of crash-looping the fleet.
 * The stalled check is throttled per queue by a Redis key that lives stalledInterval, so every worker of a queue
 * must use the same value (a worker with a longer one delays the others' checks).
 */
const RECOVERY = { stalledInterval: 30_000, maxStalledCount: 2 } as const;

export const WORKER_SETTINGS: Record<QueueName, QueueWorkerSettings> = {
  embed: {
    // I/O-bound (waits on the embedding provider, then one batched INSERT): 2 in flight keeps both cores and the
    // provider busy without tripping its rate limit; more would only queue inside the OpenAI client.
    concurrency: 2,
    // The lock is renewed every lockDuration/2 while a job runs, so it must outlast the longest event-loop stall, not
    // the job: an embed job's CPU work (tokenizing, the local deterministic fallback for a 100-text batch) is well
    // under a second. 30 s (BullMQ's default) gives margin while keeping crash recovery under a minute.
    lockDuration: 30_000,
    // Provider-bound: at most 20 jobs per second across all embed workers (the limiter is global in Redis). At up to
    // 100 texts a job that stays under a 3,000 requests/min tier with room for the API's own query embeddings.
    limiter: { max: 20, duration: 1_000 },
    ...RECOVERY,
  },
  score: {
    // CPU-bound scoring runs on the event loop: 1 per process leaves the second core to the API and embed worker.
    // With an LLM judge a job mostly waits on the provider; its calls in flight are BEARING_JUDGE_CONCURRENCY, and
    // the run's budget and breaker are shared by every process (provider_run_state), so more processes stay safe.
    concurrency: 1,
    // Scoring a large backlog can hold the event loop for tens of seconds between awaits, which blocks lock renewal;
    // 120 s keeps a healthy long score from being declared stalled and run twice (recovery takes ≤ 2.5 min instead).
    lockDuration: 120_000,
    ...RECOVERY,
  },
  nightly: {
    // One workspace's nightly run at a time: it fans out embed/score work and must not starve daytime traffic.
    concurrency: 1,
    // The nightly job plans and enqueues (a flow) rather than computing; 60 s covers its database reads.
    lockDuration: 60_000,
    ...RECOVERY,
  },
};
