// Nightly schedules: the cron/time-zone arithmetic and the ids both adapters derive from a workspace id.
import { CronExpressionParser } from 'cron-parser';

/** BullMQ job scheduler key for a workspace: one scheduler per workspace, so an upsert replaces it. */
export const schedulerKey = (workspaceId: string) => `nightly-${workspaceId}`;

/** In-process job id for one firing: deterministic per fire time, so a re-armed timer cannot run a night twice. */
export const nightlyJobId = (workspaceId: string, fireAt: Date) =>
  `nightly-${workspaceId}-${fireAt.toISOString().replaceAll(':', '')}`;

/** Throws a clear error for a bad pattern or an unknown IANA zone (cron-parser only fails later, on next()). */
export function validateSchedule(cron: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new Error(`unknown time zone "${timezone}"`);
  }
  nextFireTime(cron, timezone, new Date());
}

/** The first fire time strictly after `after`, for a 5-field (or 6-field, with seconds) cron pattern in `timezone`. */
export function nextFireTime(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}
