// SQL for scoring runs and their per-item scores. Score rows are written idempotently per (run, item).
import type { Db, Queryable } from '../../deps.ts';
import { copyScoresSql } from './scores.ts';

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

/**
 * Copies into `run` the scores of those of `uids` whose latest computed score (from a finished run of the same strategy
 * version and scorer; a copy repeats such a score) can be reused without looking at them in JavaScript: the same rule
 * as the `score` job, decided and copied in one statement (nothing goes back and forth between the database and the
 * worker).
 *   - the row was produced by the engine under the run's scorer (no judge, no prompt version);
 *   - the item's input hash is unchanged: sha256 of "content|parent's content|children's contents, sorted", as
 *     score.ts computes it (parent: the live item with that id and the greatest uid; 'missing' when there is none);
 *   - no staleness line was crossed: for each of the item's timestamps, both the "today" of the run that computed the
 *     score and this run's are on the same side of `staleDays`, by more than a second (an item near the line is left
 *     to the score job, which decides it to the millisecond);
 *   - with `model`, the item has that model's vector of its current content (finalize's duplicate search needs it).
 * Returns the items copied. Anything else is left to the `score` job, so this can only skip work, never change a result.
 */
export async function copyReusableScores(
  db: Db,
  run: Pick<RunRow, 'id' | 'workspace_id' | 'strategy_version' | 'scorer'>,
  uids: string[],
  opts: { staleDays: number; model: string | null },
): Promise<string[]> {
  if (!uids.length) return [];
  return db.transaction(async (tx) => {
    // Attempts of one page (a retry, or a stalled job picked up while it still runs) take turns. On a page's first
    // attempt the run has none of its rows (one probe of the run's uid range says so): the copy then needs no
    // per-row conflict check. After an earlier attempt, rows it wrote are skipped (ON CONFLICT).
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('copy:' || $1 || ':' || $2, 0))`, [run.id, uids[0]]);
    const range = `(SELECT min(u) FROM unnest($2::text[]) AS u) AND (SELECT max(u) FROM unnest($2::text[]) AS u)`;
    const begun = await tx.query(`SELECT 1 FROM item_scores WHERE run_id = $1 AND item_uid BETWEEN ${range} LIMIT 1`, [run.id, uids]);
    // The computed row to copy comes with the rule's answer (x.origin_row): no second look-up by key.
    const rows = `(${REUSABLE}) AS x CROSS JOIN LATERAL (SELECT (x.origin_row).*) s`;
    const r = await tx.query<{ item_uid: string }>(`${copyScoresSql('$5', rows, begun.rows.length > 0)} RETURNING item_uid`, reusableParams(run, uids, opts));
    return r.rows.map((x) => x.item_uid);
  });
}

/** How many of `uids` copyReusableScores would copy into `run` (a dry run's preview): the same rule, nothing written. */
export async function countReusableScores(
  q: Queryable,
  run: Pick<RunRow, 'id' | 'workspace_id' | 'strategy_version' | 'scorer'>,
  uids: string[],
  opts: { staleDays: number; model: string | null },
): Promise<number> {
  if (!uids.length) return 0;
  const r = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${REUSABLE}) AS x`, reusableParams(run, uids, opts));
  return Number(r.rows[0]?.n ?? 0);
}

const reusableParams = (run: Pick<RunRow, 'id' | 'workspace_id' | 'strategy_version' | 'scorer'>, uids: string[], opts: { staleDays: number; model: string | null }) =>
  [run.workspace_id, uids, run.strategy_version, run.scorer, run.id, opts.staleDays * 86_400, opts.model];

/** Whether timestamp `at` (NULL: none) is on the same side of the staleness line ($6 seconds) for the run that
 * computed the earlier row (v.run_now) and this run (cur.now), by more than a second. */
const sameSideOfStaleLine = (at: string) =>
  `(${at} IS NULL
     OR (extract(epoch FROM v.run_now - ${at}) > $6 + 1 AND extract(epoch FROM cur.now - ${at}) > $6 + 1)
     OR (extract(epoch FROM v.run_now - ${at}) < $6 - 1 AND extract(epoch FROM cur.now - ${at}) < $6 - 1))`;

/** The reuse rule of copyReusableScores: $1 workspace, $2 uids, $3 strategy version, $4 scorer, $5 run, $6 staleness
 * line in seconds, $7 embedding model; yields (item_uid, origin, origin_row): the computed row to copy, and its run. */
const REUSABLE = `WITH items_page AS (
       SELECT i.uid, i.content_hash, i.external_id, NULLIF(i.parent_id, '') AS parent_id, i.src_updated_at AS updated_at, i.src_created_at AS created_at
         FROM items i WHERE i.workspace_id = $1 AND i.uid = ANY($2::text[]) AND i.deleted_at IS NULL),
     kids AS (
       SELECT c.parent_id, string_agg(c.content_hash, ',' ORDER BY c.content_hash COLLATE "C") AS hashes FROM items c
        WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND c.parent_id IN (SELECT external_id FROM items_page)
        GROUP BY c.parent_id),
     parents AS (
       SELECT DISTINCT ON (x.external_id) x.external_id, x.content_hash FROM items x
        WHERE x.workspace_id = $1 AND x.deleted_at IS NULL AND x.external_id IN (SELECT parent_id FROM items_page)
        ORDER BY x.external_id, x.uid DESC),
     page AS (
       SELECT i.uid, i.content_hash,
              encode(sha256(convert_to(i.content_hash || '|' ||
                CASE WHEN i.parent_id IS NULL THEN '' ELSE COALESCE(pa.content_hash, 'missing') END || '|' ||
                COALESCE(k.hashes, ''), 'UTF8')), 'hex') AS input_hash,
              i.updated_at, i.created_at
         FROM items_page i LEFT JOIN kids k ON k.parent_id = i.external_id LEFT JOIN parents pa ON pa.external_id = i.parent_id),
     cur AS (SELECT now FROM scoring_runs WHERE id = $5)
     SELECT p.uid AS item_uid, v.run_id AS origin, v.origin_row
       FROM page p CROSS JOIN cur
       -- The latest computed row per item (a copy repeats its origin's verdict, computed from the same input, and that
       -- run's "today" is when it was computed), newest first through item_scores_computed until one from a finished
       -- run matches: a DISTINCT ON over every earlier run's rows grows with the history (50k rows sorted per page
       -- after 10 runs).
       CROSS JOIN LATERAL (
          SELECT s.run_id, s.input_hash, s.scorer, s.provenance->>'prompt_version' AS prompt_version, r.now AS run_now,
                 s AS origin_row
            FROM item_scores s
            -- the row's run by primary key (OFFSET 0): joined, the planner scanned every finished run per row until
            -- it met this one (the rule took 2x as long at 30 finished runs, 3x at 130)
            CROSS JOIN LATERAL (SELECT r.now FROM scoring_runs r
                                 WHERE r.id = s.run_id AND r.status = 'finished' AND NOT r.dry_run AND r.scorer = $4 OFFSET 0) r
           WHERE s.workspace_id = $1 AND s.item_uid = p.uid AND s.strategy_version = $3 AND s.reused_from_run IS NULL
           ORDER BY s.created_at DESC LIMIT 1) v
      WHERE v.scorer = $4 AND v.prompt_version IS NULL AND v.input_hash = p.input_hash
        AND ${sameSideOfStaleLine('p.updated_at')} AND ${sameSideOfStaleLine('p.created_at')}
        AND ($7::text IS NULL OR EXISTS (
          SELECT 1 FROM embeddings e WHERE e.workspace_id = $1 AND e.owner_kind = 'item' AND e.owner_id = p.uid
             AND e.model = $7 AND e.content_hash = p.content_hash))
`;

/** Whether any finished (non-dry) run of this strategy version and scorer exists: else nothing can be reused. */
export async function hasFinishedRunLike(q: Queryable, workspaceId: string, strategyVersion: number, scorer: string): Promise<boolean> {
  const r = await q.query(
    `SELECT 1 FROM scoring_runs WHERE workspace_id = $1 AND status = 'finished' AND NOT dry_run AND strategy_version = $2 AND scorer = $3 LIMIT 1`,
    [workspaceId, strategyVersion, scorer],
  );
  return r.rows.length > 0;
}
