// Read-side SQL for what scoring runs produced: run pages, an item's scores across runs, stop suggestions and
// portfolio snapshots. Only finished, non-dry runs count as results: a running run's scores are partial and its
// duplicates not yet decided. Every query filters on the workspace.
import type { Queryable } from '../../deps.ts';
import type { Evidence, Flag, Portfolio } from '../../domain/contracts.ts';
import type { RunRow } from './runs.ts';

const RUN_COLS = `id, workspace_id, kind, status, strategy_version, scorer, dry_run, item_filter, dedupe_key, counts, failures,
  created_at, started_at, finished_at, now`;

/**
 * Runs newest first, after the run `afterId` (the last one of the previous page). Keyset positions are resolved in
 * SQL from the id: timestamps keep their microseconds there, which a JavaScript Date would lose.
 */
export async function runsPage(q: Queryable, workspaceId: string, limit: number, afterId?: string): Promise<RunRow[]> {
  const r = await q.query<RunRow>(
    `SELECT ${RUN_COLS} FROM scoring_runs
      WHERE workspace_id = $1
        AND ($2::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM scoring_runs WHERE workspace_id = $1 AND id = $2))
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [workspaceId, afterId ?? null, limit],
  );
  return r.rows;
}

/** Scored / reused counts of runs (one query for a whole page of runs). */
export interface ScoreProgress {
  scored: number;
  reused: number;
}

export async function scoreProgressOf(q: Queryable, runIds: string[]): Promise<Map<string, ScoreProgress>> {
  if (!runIds.length) return new Map();
  const r = await q.query<{ run_id: string; scored: string; reused: string }>(
    `SELECT run_id, count(*) FILTER (WHERE reused_from_run IS NULL)::text AS scored, count(*) FILTER (WHERE reused_from_run IS NOT NULL)::text AS reused
       FROM item_scores WHERE run_id = ANY($1::text[]) GROUP BY run_id`,
    [runIds],
  );
  return new Map(r.rows.map((x) => [x.run_id, { scored: Number(x.scored), reused: Number(x.reused) }]));
}

// ---------------------------------------------------------------- item scores

export interface StoredScoreRow {
  run_id: string;
  external_id: string;
  alignment: number;
  objective_id: string | null;
  kr_id: string | null;
  execution_health: boolean;
  flags: Flag[];
  duplicate_of: string | null;
  non_goal_id: string | null;
  rationale: string;
  evidence: Evidence[];
  reused_from_run: string | null;
  scorer: string;
  strategy_version: number;
  created_at: Date;
}

const SCORE_COLS = `s.run_id, i.external_id, s.alignment, s.objective_id, s.kr_id, s.execution_health, s.flags, s.duplicate_of,
  s.non_goal_id, s.rationale, s.evidence, s.reused_from_run, s.scorer, s.strategy_version, s.created_at`;

/** An item's scores from finished non-dry runs, the latest run first; `afterRunId`: the run of the previous page's last
 * row. */
export async function itemScoresPage(q: Queryable, workspaceId: string, uid: string, limit: number, afterRunId?: string): Promise<StoredScoreRow[]> {
  // The workspace's finished runs newest first (scoring_runs_finished), each one's row of the item by primary key, until
  // the page is full. (item_scores_computed holds only the rows a run computed, not the copies of a nightly run.)
  const r = await q.query<StoredScoreRow>(
    `SELECT ${SCORE_COLS}
       FROM scoring_runs r
       JOIN item_scores s ON s.run_id = r.id AND s.item_uid = $2 AND s.workspace_id = r.workspace_id
       JOIN items i ON i.uid = s.item_uid
      WHERE r.workspace_id = $1 AND r.status = 'finished' AND NOT r.dry_run
        AND ($3::text IS NULL OR (r.finished_at, r.id) < (SELECT finished_at, id FROM scoring_runs WHERE id = $3))
      ORDER BY r.finished_at DESC, r.id DESC LIMIT $4`,
    [workspaceId, uid, afterRunId ?? null, limit],
  );
  return r.rows;
}

// ---------------------------------------------------------------- stop suggestions

export interface SuggestionRow {
  id: string;
  run_id: string;
  item_uid: string;
  external_id: string;
  title: string;
  team: string | null;
  rank: number;
  action: 'stop' | 'merge' | 'pause' | 'reframe';
  reasons: string[];
  capacity_points: number | null;
  confidence: number;
  item_content_hash: string;
  strategy_version: number;
}

const SUGGESTION_COLS = `g.id, g.run_id, g.item_uid, i.external_id, i.title, g.team, g.rank, g.action, g.reasons, g.capacity_points,
  g.confidence, g.item_content_hash, g.strategy_version`;

export interface SuggestionFilter {
  team?: string;
  action?: string;
  min_confidence?: number;
  after_rank: number;
  limit: number;
}

export async function getSuggestion(q: Queryable, workspaceId: string, id: string): Promise<SuggestionRow | null> {
  const r = await q.query<SuggestionRow>(
    `SELECT ${SUGGESTION_COLS} FROM stop_suggestions g JOIN items i ON i.uid = g.item_uid WHERE g.workspace_id = $1 AND g.id = $2`,
    [workspaceId, id],
  );
  return r.rows[0] ?? null;
}

// ---------------------------------------------------------------- portfolio

export interface PortfolioRow {
  run_id: string;
  portfolio: Portfolio;
  created_at: Date;
}

export async function portfolioOf(q: Queryable, workspaceId: string, runId: string): Promise<PortfolioRow | null> {
  const r = await q.query<PortfolioRow>('SELECT run_id, portfolio, created_at FROM portfolio_snapshots WHERE workspace_id = $1 AND run_id = $2', [
    workspaceId,
    runId,
  ]);
  return r.rows[0] ?? null;
}

export interface AlignmentDrop {
  external_id: string;
  before: number;
  after: number;
}

/** Items scored in both runs whose alignment fell by at least `minDrop`, largest drops first. */
export async function alignmentDrops(q: Queryable, workspaceId: string, previousRunId: string, runId: string, minDrop: number, limit: number): Promise<AlignmentDrop[]> {
  const r = await q.query<AlignmentDrop>(
    `SELECT i.external_id, p.alignment AS before, s.alignment AS after
       FROM item_scores s
       JOIN item_scores p ON p.run_id = $3 AND p.item_uid = s.item_uid
       JOIN items i ON i.uid = s.item_uid
      WHERE s.workspace_id = $1 AND s.run_id = $2 AND p.alignment - s.alignment >= $4
      ORDER BY p.alignment - s.alignment DESC, i.external_id LIMIT $5`,
    [workspaceId, runId, previousRunId, minDrop, limit],
  );
  return r.rows;
}

/** Feedback counts per verdict, as a JSON object (a sub-select for the one-query reads below). */
const FEEDBACK_COUNTS = `(SELECT COALESCE(json_object_agg(f.verdict, f.n), '{}'::json)
    FROM (SELECT verdict, count(*) AS n FROM suggestion_feedback WHERE workspace_id = $1 GROUP BY verdict) f)`;

export interface SuggestionsRead {
  /** The run read: `runId` when given and finished, else the latest finished run; null when there is none. */
  run_id: string | null;
  /** The page as a JSON array of the API's suggestion objects (text: sent as it is, never parsed here). */
  page: string;
  /** Whether more suggestions follow the page, and the page's last rank (the next cursor's position). */
  more: boolean;
  last_rank: number | null;
  feedback: Partial<Record<'accepted' | 'rejected' | 'snoozed', number>>;
}

/**
 * A page of a finished run's stop suggestions with the workspace's feedback counts, in one round trip (the run
 * resolved in the same statement): the read every client polls. The page is built as JSON text in the database, in
 * the API's shape (GET /v1/suggestions/stop), so serving it neither parses nor re-serializes ~20 KB per request.
 */
export async function readSuggestions(q: Queryable, workspaceId: string, runId: string | null, f: SuggestionFilter): Promise<SuggestionsRead> {
  const r = await q.query<{ run_id: string | null; page: string; more: boolean; last_rank: number | null; feedback: SuggestionsRead['feedback'] }>(
    `WITH run AS (
       SELECT id FROM scoring_runs
        WHERE workspace_id = $1 AND status = 'finished' AND NOT dry_run AND ($2::text IS NULL OR id = $2)
        ORDER BY finished_at DESC, id DESC LIMIT 1),
     page AS (
       SELECT g.rank, row_number() OVER (ORDER BY g.rank) AS n,
              json_build_object('id', i.external_id, 'rank', g.rank, 'action', g.action, 'reasons', g.reasons,
                                'capacity_points', g.capacity_points, 'confidence', g.confidence, 'suggestion_id', g.id,
                                'team', g.team, 'title', i.title, 'run_id', g.run_id) AS view
         FROM stop_suggestions g JOIN items i ON i.uid = g.item_uid
        WHERE g.workspace_id = $1 AND g.run_id = (SELECT id FROM run) AND g.rank > $3
          AND ($4::text IS NULL OR g.team = $4) AND ($5::text IS NULL OR g.action = $5)
          AND ($6::float8 IS NULL OR g.confidence >= $6)
        ORDER BY g.rank LIMIT $7 + 1)
     SELECT (SELECT id FROM run) AS run_id,
            (SELECT COALESCE(json_agg(view ORDER BY rank) FILTER (WHERE n <= $7), '[]'::json)::text FROM page) AS page,
            (SELECT count(*) > $7 FROM page) AS more,
            (SELECT max(rank) FILTER (WHERE n <= $7) FROM page) AS last_rank,
            ${FEEDBACK_COUNTS} AS feedback`,
    [workspaceId, runId, f.after_rank, f.team ?? null, f.action ?? null, f.min_confidence ?? null, f.limit],
  );
  return r.rows[0]!;
}

export interface PortfolioPair {
  latest: (PortfolioRow & { run_id: string }) | null;
  /** The finished run before the latest, and its snapshot (null when it has none). */
  previous: { run_id: string; portfolio: Portfolio | null } | null;
}

/** The latest finished run's portfolio snapshot and the one of the finished run before it, in one round trip. */
export async function latestPortfolios(q: Queryable, workspaceId: string): Promise<PortfolioPair> {
  const r = await q.query<{ run_id: string; portfolio: Portfolio | null; created_at: Date | null }>(
    `SELECT r.id AS run_id, p.portfolio, p.created_at
       FROM (SELECT id, finished_at FROM scoring_runs WHERE workspace_id = $1 AND status = 'finished' AND NOT dry_run
              ORDER BY finished_at DESC, id DESC LIMIT 2) r
       LEFT JOIN portfolio_snapshots p ON p.run_id = r.id AND p.workspace_id = $1
      ORDER BY r.finished_at DESC, r.id DESC`,
    [workspaceId],
  );
  const [a, b] = r.rows;
  return {
    latest: a && a.portfolio && a.created_at ? { run_id: a.run_id, portfolio: a.portfolio, created_at: a.created_at } : null,
    previous: b ? { run_id: b.run_id, portfolio: b.portfolio } : null,
  };
}
