// SQL for nightly schedules (one per workspace). The queue holds the live scheduler; this table is the record the
// API reads and the in-process runner restores its timers from at start.
import type { Queryable } from '../../deps.ts';

export interface ScheduleRow {
  workspace_id: string;
  cron: string;
  timezone: string;
  updated_at: Date;
}

export async function getSchedule(q: Queryable, workspaceId: string): Promise<ScheduleRow | null> {
  const r = await q.query<ScheduleRow>('SELECT workspace_id, cron, timezone, updated_at FROM schedules WHERE workspace_id = $1', [workspaceId]);
  return r.rows[0] ?? null;
}

export async function upsertScheduleRow(q: Queryable, workspaceId: string, cron: string, timezone: string): Promise<ScheduleRow> {
  const r = await q.query<ScheduleRow>(
    `INSERT INTO schedules (workspace_id, cron, timezone) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id) DO UPDATE SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, updated_at = now()
     RETURNING workspace_id, cron, timezone, updated_at`,
    [workspaceId, cron, timezone],
  );
  return r.rows[0]!;
}

export async function deleteScheduleRow(q: Queryable, workspaceId: string): Promise<boolean> {
  const r = await q.query('DELETE FROM schedules WHERE workspace_id = $1', [workspaceId]);
  return (r.rowCount ?? 0) > 0;
}

export async function allSchedules(q: Queryable): Promise<ScheduleRow[]> {
  const r = await q.query<ScheduleRow>('SELECT workspace_id, cron, timezone, updated_at FROM schedules ORDER BY workspace_id');
  return r.rows;
}
