// Transactional outbox: a use-case writes its rows and the job that follows from them in one transaction
// (enqueue), and a relay later moves pending jobs into the queue with jobId `outbox-<id>`. A Redis blip then never
// loses work, and runtimes that cannot reach the queue (Cloudflare Workers) can still enqueue.
import { QUEUES, type Db, type JobQueue, type JobSpec, type Logger, type Queryable, type QueueName } from '../deps.ts';

export type OutboxJob = Omit<JobSpec, 'jobId'> & { workspaceId?: string };

/** Inserts the job inside the caller's transaction: it exists only if the transaction commits. Returns the row id. */
export async function enqueue(tx: Queryable, job: OutboxJob): Promise<string> {
  const r = await tx.query<{ id: string | number }>(
    `INSERT INTO job_outbox (workspace_id, queue, name, payload) VALUES ($1, $2, $3, $4) RETURNING id`,
    [job.workspaceId ?? null, job.queue, job.name, JSON.stringify(job.data)],
  );
  return String(r.rows[0]!.id);
}

/** The queue's jobId for an outbox row: re-adding after a crash between add() and marking is a no-op in the queue. */
export const outboxJobId = (id: string | number) => `outbox-${id}`;

interface OutboxRow {
  id: string | number;
  queue: QueueName;
  name: string;
  payload: unknown;
}

/**
 * Default rows per pass: one transaction holds their row locks while it calls the queue (~0.1–1 ms per add on a
 * local Redis), so 100 keeps it well under a second — PGlite is a single session, everyone else waits meanwhile.
 */
const DEFAULT_BATCH = 100;


/**
 * One pass: pending rows in id order, locked with SKIP LOCKED so concurrent relays never take the same row. Each row
 * is added then marked dispatched. A queue error is recorded on its row and ends the pass (the queue is likely down;
 * the rest waits for the next pass). Only rows for known queues are taken: a row written by a newer release for a
 * queue this one does not know waits for a relay that does, instead of blocking the rows behind it. Payloads are
 * not validated here; each processor validates its own and fails the job (without retry) when it is bad.
 */
export async function relayOutbox(
  db: Db,
  queue: JobQueue,
  opts: { batch?: number; /** Only these workspaces' rows (tests sharing one database). */ workspaceIds?: string[] } = {},
): Promise<{ dispatched: number; failed: number }> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<OutboxRow>(
      `SELECT id, queue, name, payload FROM job_outbox WHERE dispatched_at IS NULL AND queue = ANY($2::text[])
          AND ($3::text[] IS NULL OR workspace_id = ANY($3::text[]))
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [opts.batch ?? DEFAULT_BATCH, [...QUEUES], opts.workspaceIds ?? null],
    );
    let dispatched = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        await queue.add({ queue: row.queue, name: row.name, data: row.payload as Record<string, unknown>, jobId: outboxJobId(row.id) });
      } catch (err) {
        failed++;
        const error = (err instanceof Error ? err.message : String(err)).slice(0, 2_000);
        await tx.query(`UPDATE job_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, error]);
        break;
      }
      await tx.query(`UPDATE job_outbox SET dispatched_at = now() WHERE id = $1`, [row.id]);
      dispatched++;
    }
    return { dispatched, failed };
  });
}

export interface RelayOptions {
  /** Poll period when idle (default 1 s): kick() covers the common case, polling covers other writers and restarts. */
  intervalMs?: number;
  /** Longest wait between passes while the queue or database fails (default 30 s). */
  maxBackoffMs?: number;
  batch?: number;
  logger: Logger;
}

/** Runs relay passes until stop(): polls, runs at once on kick(), backs off exponentially while passes fail. */
export function startRelay(db: Db, queue: JobQueue, opts: RelayOptions): { kick(): void; stop(): Promise<void> } {
  const interval = opts.intervalMs ?? 1_000;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const batch = opts.batch ?? DEFAULT_BATCH;
  let stopped = false;
  let kicked = false;
  let failures = 0;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });

  const loop = async () => {
    while (!stopped) {
      kicked = false;
      let more = false;
      try {
        const r = await relayOutbox(db, queue, { batch });
        if (r.failed > 0) failures++;
        else if (failures > 0) {
          opts.logger.info('outbox relay: dispatching again', { afterFailedPasses: failures });
          failures = 0;
        }
        if (failures === 1) opts.logger.warn('outbox relay: queue unavailable, backing off', { failed: r.failed });
        if (failures === 0 && r.dispatched > 0) opts.logger.debug('outbox relayed', { dispatched: r.dispatched, failed: r.failed });
        more = failures === 0 && r.dispatched >= batch; // a full batch: more may be pending
      } catch (err) {
        failures++;
        if (failures === 1) opts.logger.error('outbox relay pass failed', { error: err instanceof Error ? err.message : String(err) });
      }
      if (stopped) break;
      if (more || (kicked && failures === 0)) continue;
      // While failing, kicks do not shorten the wait: every API commit would otherwise hammer a dead queue.
      await sleep(failures === 0 ? interval : Math.min(interval * 2 ** failures, maxBackoff));
    }
  };
  const done = loop();

  return {
    kick() {
      kicked = true;
      if (failures === 0) wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
