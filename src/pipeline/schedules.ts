// The workspace's nightly scoring schedule. The queue holds the live scheduler and the schedules table the record;
// a change goes to both or to neither: when the queue cannot be reached nothing is written (503, retry later).
import { deleteScheduleRow, getSchedule, upsertScheduleRow, type ScheduleRow } from '../adapters/db/schedules.ts';
import { insertAudit } from '../adapters/db/audit.ts';
import { validateSchedule } from '../adapters/queue/schedule.ts';
import type { Db, Deps, JobQueue } from '../deps.ts';
import { Problem, type FieldError } from '../lib/problem.ts';

/** Seconds a client should wait before retrying while the queue is unreachable. */
export const QUEUE_RETRY_AFTER_S = 30;
/** A pattern and a zone known to be valid: each field is checked alone, so an error names the field at fault. */
const VALID_CRON = '0 3 * * *';
const VALID_ZONE = 'UTC';

export interface ScheduleView {
  cron: string;
  timezone: string;
  updated_at: string;
}

const view = (r: ScheduleRow): ScheduleView => ({ cron: r.cron, timezone: r.timezone, updated_at: r.updated_at.toISOString() });

const unavailable = (why: string) =>
  new Problem('service_unavailable', `the job queue is unreachable (${why}); nothing was changed, retry in ${QUEUE_RETRY_AFTER_S} s`, [], {
    'retry-after': String(QUEUE_RETRY_AFTER_S),
  });

function checkSchedule(cron: string, timezone: string): void {
  const errors: FieldError[] = [];
  try {
    validateSchedule(cron, VALID_ZONE);
  } catch (e) {
    errors.push({ location: 'body.cron', message: `not a valid cron pattern ("minute hour day-of-month month day-of-week", e.g. "${VALID_CRON}"): ${(e as Error).message}` });
  }
  try {
    validateSchedule(VALID_CRON, timezone);
  } catch {
    errors.push({ location: 'body.timezone', message: `unknown IANA time zone "${timezone}" (e.g. "Europe/Berlin")` });
  }
  if (errors.length) throw new Problem('validation_failed', errors.map((e) => `${e.location}: ${e.message}`).join('; '), errors);
}

/** The queue, reachable right now, or a 503. */
async function reachableQueue(deps: Pick<Deps, 'jobs'>): Promise<JobQueue> {
  if (!deps.jobs) throw unavailable('this deployment runs no job queue');
  const ok = await deps.jobs.queue.ping().catch(() => false);
  if (!ok) throw unavailable('ping failed');
  return deps.jobs.queue;
}

export async function getScheduleView(db: Db, workspaceId: string): Promise<ScheduleView> {
  const row = await getSchedule(db, workspaceId);
  if (!row) throw new Problem('not_found', 'no nightly schedule: PUT /v1/schedules sets one');
  return view(row);
}

/** Sets (or replaces) the schedule: the row is written in a transaction that commits only once the queue took it. */
export async function putSchedule(
  deps: Pick<Deps, 'db' | 'jobs'>,
  input: { workspaceId: string; cron: string; timezone: string; actor: string; requestId?: string },
): Promise<{ schedule: ScheduleView; created: boolean }> {
  checkSchedule(input.cron, input.timezone);
  const queue = await reachableQueue(deps);
  const result = await deps.db.transaction(async (tx) => {
    const existed = await getSchedule(tx, input.workspaceId);
    const row = await upsertScheduleRow(tx, input.workspaceId, input.cron, input.timezone);
    await insertAudit(tx, { workspace_id: input.workspaceId, actor: input.actor, action: 'schedule.put', detail: { cron: input.cron, timezone: input.timezone }, request_id: input.requestId });
    try {
      await queue.upsertSchedule(input.workspaceId, input.cron, input.timezone);
    } catch (e) {
      throw unavailable((e as Error).message);
    }
    return { schedule: view(row), created: !existed };
  });
  return result;
}

export async function deleteSchedule(deps: Pick<Deps, 'db' | 'jobs'>, input: { workspaceId: string; actor: string; requestId?: string }): Promise<void> {
  if (!(await getSchedule(deps.db, input.workspaceId))) throw new Problem('not_found', 'no nightly schedule to delete');
  const queue = await reachableQueue(deps);
  await deps.db.transaction(async (tx) => {
    await deleteScheduleRow(tx, input.workspaceId);
    await insertAudit(tx, { workspace_id: input.workspaceId, actor: input.actor, action: 'schedule.delete', request_id: input.requestId });
    try {
      await queue.removeSchedule(input.workspaceId);
    } catch (e) {
      throw unavailable((e as Error).message);
    }
  });
}
