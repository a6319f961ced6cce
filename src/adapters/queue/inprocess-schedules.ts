// Cron schedules for the in-process queue: one timer per workspace that adds a `nightly` job at each fire time.
import type { JobSpec, Logger } from '../../deps.ts';
import { errorMessage } from './dispatch.ts';
import { nextFireTime, nightlyJobId, validateSchedule } from './schedule.ts';

/**
 * Timers wake at least this often and re-check the clock: Node caps a timeout at ~24.8 days, and waking every
 * minute also follows wall-clock jumps (suspend/resume, NTP steps) instead of sleeping past a fire time.
 */
const MAX_SLEEP_MS = 60_000;

interface Schedule {
  cron: string;
  timezone: string;
  next: Date;
  timer?: NodeJS.Timeout;
}

export function createSchedules(opts: { now: () => Date; fire: (job: JobSpec) => void; logger?: Logger }) {
  const schedules = new Map<string, Schedule>();

  const arm = (workspaceId: string, s: Schedule) => {
    const wait = Math.min(Math.max(0, s.next.getTime() - opts.now().getTime()), MAX_SLEEP_MS);
    // unref: a schedule alone must not keep a CLI process alive; the server's socket keeps the process up.
    s.timer = setTimeout(() => tick(workspaceId, s), wait).unref();
  };

  const tick = (workspaceId: string, s: Schedule) => {
    if (schedules.get(workspaceId) !== s) return; // replaced or removed meanwhile
    const now = opts.now();
    if (now >= s.next) {
      try {
        // The id carries the fire time, so a night is enqueued once even if a timer fires twice.
        opts.fire({ queue: 'nightly', name: 'nightly', data: { workspace_id: workspaceId }, jobId: nightlyJobId(workspaceId, s.next) });
      } catch (err) {
        opts.logger?.error('nightly schedule could not enqueue', { workspaceId, error: errorMessage(err) });
      }
      // Fire times missed while the process slept are not replayed one by one: the next run covers them.
      s.next = nextFireTime(s.cron, s.timezone, now > s.next ? now : s.next);
    }
    arm(workspaceId, s);
  };

  return {
    upsert(workspaceId: string, cron: string, timezone: string) {
      validateSchedule(cron, timezone);
      this.remove(workspaceId);
      const s: Schedule = { cron, timezone, next: nextFireTime(cron, timezone, opts.now()) };
      schedules.set(workspaceId, s);
      arm(workspaceId, s);
    },
    remove(workspaceId: string) {
      clearTimeout(schedules.get(workspaceId)?.timer);
      schedules.delete(workspaceId);
    },
    stop() {
      for (const s of schedules.values()) clearTimeout(s.timer);
      schedules.clear();
    },
  };
}
