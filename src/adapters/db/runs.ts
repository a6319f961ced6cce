// SQL for scoring runs and their per-item scores. Score rows are written idempotently per (run, item).
import type { Queryable } from '../../deps.ts';

export type RunStatus = 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';

export interface RunRow {
  id: string;
  workspace_id: string;
  kind: 'manual' | 'nightly';
  status: RunStatus;
  strategy_version: number;
  scorer: string;
  dry_run: boolean;
  item_filter: { item_uids?: string[] } | null;
  dedupe_key: string | null;
  counts: RunCounts;
  failures: { job: string; error: string; at: string }[];
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  now: Date;
}

export interface RunCounts {
  total?: number;
  batches?: number;
  scored?: number;
  reused?: number;
  duplicates?: number;
  suggestions?: number;
  /** Dry runs: what a real run would do. */
  would_score?: number;
  would_reuse?: number;
}

const RUN_COLS = `id, workspace_id, kind, status, strategy_version, scorer, dry_run, item_filter, dedupe_key, counts, failures,
  created_at, started_at, finished_at, now`;

/** Inserts a run unless one with the same dedupe key exists; returns the stored run and whether it is new. */
export async function insertRun(
  q: Queryable,
  r: Pick<RunRow, 'id' | 'workspace_id' | 'kind' | 'strategy_version' | 'scorer' | 'dry_run' | 'item_filter' | 'dedupe_key'>,
): Promise<{ run: RunRow; created: boolean }> {
  const ins = await q.query<RunRow>(
    `INSERT INTO scoring_runs (id, workspace_id, kind, status, strategy_version, scorer, dry_run, item_filter, dedupe_key)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8)
     ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING ${RUN_COLS}`,
    [r.id, r.workspace_id, r.kind, r.strategy_version, r.scorer, r.dry_run, r.item_filter ? JSON.stringify(r.item_filter) : null, r.dedupe_key],
  );
  if (ins.rows[0]) return { run: ins.rows[0], created: true };
  const existing = await q.query<RunRow>(`SELECT ${RUN_COLS} FROM scoring_runs WHERE workspace_id = $1 AND dedupe_key = $2`, [r.workspace_id, r.dedupe_key]);
  return { run: existing.rows[0]!, created: false };
}

export async function getRun(q: Queryable, workspaceId: string, id: string): Promise<RunRow | null> {
  const r = await q.query<RunRow>(`SELECT ${RUN_COLS} FROM scoring_runs WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return r.rows[0] ?? null;
}

/** The latest finished (non-dry) runs, newest first. */
export async function finishedRuns(q: Queryable, workspaceId: string, limit: number): Promise<RunRow[]> {
  const r = await q.query<RunRow>(
    `SELECT ${RUN_COLS} FROM scoring_runs WHERE workspace_id = $1 AND status = 'finished' AND NOT dry_run
      ORDER BY finished_at DESC, id DESC LIMIT $2`,
    [workspaceId, limit],
  );
  return r.rows;
}

export async function markRunning(q: Queryable, id: string, counts: RunCounts): Promise<void> {
  await q.query(
    `UPDATE scoring_runs SET status = 'running', started_at = COALESCE(started_at, now()), counts = counts || $2::jsonb
      WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, JSON.stringify(counts)],
  );
}

/** Marks the run finished; a manual run's dedupe key is released so the same request can start a new run later. */
export async function markFinished(q: Queryable, id: string, counts: RunCounts): Promise<void> {
  await q.query(
    `UPDATE scoring_runs SET status = 'finished', finished_at = now(), counts = counts || $2::jsonb,
            dedupe_key = CASE WHEN kind = 'manual' THEN NULL ELSE dedupe_key END
      WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, JSON.stringify(counts)],
  );
}

export async function recordFailure(q: Queryable, id: string, job: string, error: string, fatal: boolean): Promise<void> {
  await q.query(
    `UPDATE scoring_runs SET failures = failures || jsonb_build_array(jsonb_build_object('job', $2::text, 'error', $3::text, 'at', now())),
            status = CASE WHEN $4 AND status IN ('queued', 'running') THEN 'failed' ELSE status END,
            finished_at = CASE WHEN $4 AND status IN ('queued', 'running') THEN now() ELSE finished_at END,
            dedupe_key = CASE WHEN $4 AND kind = 'manual' THEN NULL ELSE dedupe_key END
      WHERE id = $1`,
    [id, job, error.slice(0, 2000), fatal],
  );
}
