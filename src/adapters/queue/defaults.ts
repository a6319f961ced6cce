// Retry and retention numbers shared by the BullMQ adapter and the in-process runner, so both behave alike.

/**
 * 5 attempts: embed/score failures are mostly transient (provider 429/5xx, a DB failover); four retries with the
 * backoff below span ~30 s + jitter, long enough to ride out a blip, short enough that a real bug surfaces as a
 * failed job within a minute instead of hiding behind hours of retries.
 */
export const JOB_ATTEMPTS = 5;

/**
 * Exponential from 2 s (2, 4, 8, 16 s). Jitter 0.5 spreads the retries of jobs that failed together (a provider
 * outage fails a whole batch at once), so they do not come back as one synchronized burst and trip the limit again.
 */
export const JOB_BACKOFF = { type: 'exponential', delay: 2_000, jitter: 0.5 } as const;

/**
 * Completed jobs: keep 24 h (at most 10,000). The retained id is what makes a re-add of the same jobId a no-op, so
 * this is also the dedupe window for deterministic ids; older ones are pruned so Redis memory stays bounded.
 */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 } as const;

/** Failed jobs: keep 7 days (at most 50,000) so the error and stack stay visible to whoever investigates. */
export const KEEP_FAILED = { age: 7 * 24 * 3600, count: 50_000 } as const;

/**
 * In-process retry base delay: the embedded default runs inside the API process, where a 2 s sleep only delays the
 * caller; 200 ms doubling (200, 400, 800, 1600 ms) still spaces out retries against a flaky provider.
 */
export const INPROCESS_BACKOFF_MS = 200;
