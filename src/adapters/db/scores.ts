// SQL for per-item scores, stop suggestions and portfolio snapshots of runs.
import type { Queryable } from '../../deps.ts';
import type { ItemScore, Portfolio } from '../../domain/contracts.ts';

export interface ScoreRecord {
  item_uid: string;
  content_hash: string;
  input_hash: string;
  points: number | null;
  team: string | null;
  /** The engine's verdict for the item alone (before cross-item duplicate decisions): what a later run may reuse. */
  base: { score: ItemScore; stop: unknown };
  /** What the run shows: the base, or the duplicate re-decision made by finalize. */
  score: ItemScore;
  stop: unknown;
  /** Who produced this verdict (`llm:<model>` or `heuristic@<version>`); the run's scorer when absent. */
  scorer?: string;
  /** What produced the verdict and how (src/pipeline/judge.ts Provenance); stored as JSON. */
  provenance: object;
  /** Judge and engine disagreed (shown for review); null or absent otherwise. */
  review?: unknown;
}

/** Writes score rows; `scorer` is the run's (engine) scorer, used for rows that do not name their own. */
export async function insertScores(q: Queryable, runId: string, workspaceId: string, strategyVersion: number, scorer: string, rows: ScoreRecord[]): Promise<number> {
  if (!rows.length) return 0;
  const r = await q.query(
    `INSERT INTO item_scores (run_id, item_uid, workspace_id, content_hash, input_hash, strategy_version, scorer, alignment,
                              objective_id, kr_id, execution_health, flags, duplicate_of, non_goal_id, rationale, evidence,
                              provenance, base, stop_candidate, points, team, review)
     SELECT $1, x.item_uid, $2, x.content_hash, x.input_hash, $3, COALESCE(x.scorer, $4), (x.score->>'alignment')::float8,
            x.score->>'objective_id', x.score->>'kr_id', (x.score->>'execution_health')::boolean,
            ARRAY(SELECT jsonb_array_elements_text(x.score->'flags')), x.score->>'duplicate_of', x.score->>'non_goal_id',
            x.score->>'rationale', x.score->'evidence', x.provenance, x.base, x.stop, x.points, x.team, x.review
       FROM jsonb_to_recordset($5::jsonb) AS x(item_uid text, content_hash text, input_hash text, points float8, team text,
            base jsonb, score jsonb, stop jsonb, provenance jsonb, scorer text, review jsonb)
     ON CONFLICT (run_id, item_uid) DO NOTHING`,
    [runId, workspaceId, strategyVersion, scorer, JSON.stringify(rows)],
  );
  return r.rowCount ?? 0;
}

export interface PreviousScore {
  item_uid: string;
  run_id: string;
  input_hash: string;
  run_now: Date;
  /** Who produced it (`llm:<model>` or `heuristic@<version>`) and, for a judge, with which prompt version. */
  scorer: string;
  prompt_version: string | null;
}

/**
 * The latest score of each item computed by `scorer` (`llm:<model>` or the engine's `heuristic@<version>`) in a
 * finished run under the same strategy version and run (engine) scorer; copies are left aside, as each repeats one.
 * An item whose latest score fell back to the engine while a judge is configured finds its last judged score here (or
 * none), so it is judged again unless that judgement's input is still current. The caller also compares the prompt
 * version.
 */
export async function previousScores(
  q: Queryable,
  workspaceId: string,
  uids: string[],
  strategyVersion: number,
  scorer: string,
  runScorer: string = scorer,
): Promise<PreviousScore[]> {
  // Per item, its computed rows newest first (item_scores_computed) until one matches: the first, unless the scorer
  // changed. (A copy repeats its origin's verdict: the origin is the row to compare with, and to copy from.)
  const r = await q.query<PreviousScore>(
    `SELECT v.* FROM unnest($2::text[]) AS p(uid)
      CROSS JOIN LATERAL (
        SELECT s.item_uid, s.run_id, s.input_hash, r.now AS run_now, s.scorer,
               s.provenance->>'prompt_version' AS prompt_version
          FROM item_scores s
          -- the row's run by primary key (see REUSABLE in runs.ts)
          CROSS JOIN LATERAL (SELECT r.now FROM scoring_runs r
                               WHERE r.id = s.run_id AND r.status = 'finished' AND NOT r.dry_run AND r.scorer = $5 OFFSET 0) r
         WHERE s.workspace_id = $1 AND s.item_uid = p.uid AND s.strategy_version = $3 AND s.scorer = $4 AND s.reused_from_run IS NULL
         ORDER BY s.created_at DESC LIMIT 1) v`,
    [workspaceId, uids, strategyVersion, scorer, runScorer],
  );
  return r.rows;
}

/**
 * Copies earlier score rows into this run without recomputing them (their base verdict, not their duplicate state),
 * read from the row of the run that computed them (`origin`). Only that row keeps the base verdict (~45% of a row's
 * bytes): a copy never needs it, since the next copy reads the origin again.
 */
export async function copyScores(q: Queryable, runId: string, from: { item_uid: string; origin: string }[]): Promise<number> {
  if (!from.length) return 0;
  const rows = `jsonb_to_recordset($2::jsonb) AS x(item_uid text, origin text)
       JOIN item_scores s ON s.run_id = x.origin AND s.item_uid = x.item_uid`;
  const r = await q.query(copyScoresSql('$1', rows), [runId, JSON.stringify(from)]);
  return r.rowCount ?? 0;
}

/**
 * The columns of a score document (the engine's ItemScore as JSON) in one pass over it, as `alias`: use in FROM,
 * `CROSS JOIN LATERAL ${scoreFields("doc", "b")}`. (A ->> per column walks the document again each time.)
 */
export const scoreFields = (doc: string, alias: string) =>
  `jsonb_to_record(${doc}) AS ${alias}(alignment float8, objective_id text, kr_id text, execution_health boolean, flags text[],
                                    duplicate_of text, non_goal_id text, rationale text, evidence jsonb)`;

/**
 * The INSERT of copyScores: `runParam` names the run's parameter, `rows` the computed rows to copy: a FROM list that
 * yields each as `s`, with `x.origin` its run. The verdict is the row's own, unless finalize replaced it there with a
 * duplicate verdict (duplicate_of set): then the base verdict it keeps beside it.
 * Rows the run already has are skipped (ON CONFLICT): a retried job, or two attempts of one job at once (a stalled
 * job picked up while it still runs), which a "not in the run yet" test in the source would let fail on the key.
 * `skipExisting` false leaves that out (~20% of the statement's time at 5,000 rows), for a caller that knows the run
 * has none of these rows and that no one else writes them meanwhile (copyReusableScores).
 */
export function copyScoresSql(runParam: string, rows: string, skipExisting = true): string {
  return `INSERT INTO item_scores (run_id, item_uid, workspace_id, content_hash, input_hash, strategy_version, scorer, alignment,
                              objective_id, kr_id, execution_health, flags, duplicate_of, non_goal_id, rationale, evidence,
                              provenance, base, stop_candidate, points, team, reused_from_run, review)
     SELECT ${runParam}, s.item_uid, s.workspace_id, s.content_hash, s.input_hash, s.strategy_version, s.scorer,
            d.alignment, d.objective_id, d.kr_id, d.execution_health, d.flags, NULL, d.non_goal_id, d.rationale, d.evidence,
            s.provenance, NULL, d.stop, s.points, s.team, x.origin, s.review
       FROM ${rows}
       CROSS JOIN LATERAL (
         SELECT s.alignment, s.objective_id, s.kr_id, s.execution_health, s.flags, s.non_goal_id, s.rationale, s.evidence,
                s.stop_candidate AS stop
          WHERE s.duplicate_of IS NULL
         UNION ALL
         SELECT b.alignment, b.objective_id, b.kr_id, b.execution_health, COALESCE(b.flags, '{}'), b.non_goal_id, b.rationale,
                b.evidence, s.base->'stop'
           FROM ${scoreFields("s.base->'score'", 'b')}
          WHERE s.duplicate_of IS NOT NULL) d
     ${skipExisting ? 'ON CONFLICT (run_id, item_uid) DO NOTHING' : ''}`;
}

/** Items whose suggestion was rejected (or snoozed within `snoozeDays`) for this exact item version and strategy. */
export async function suppressedItems(q: Queryable, workspaceId: string, strategyVersion: number, snoozeDays: number): Promise<Map<string, string>> {
  const r = await q.query<{ item_uid: string; item_content_hash: string }>(
    `SELECT DISTINCT ON (item_uid) item_uid, item_content_hash FROM suggestion_feedback
      WHERE workspace_id = $1 AND strategy_version = $2
        AND (verdict = 'rejected' OR (verdict = 'snoozed' AND created_at > now() - make_interval(days => $3)))
      ORDER BY item_uid, created_at DESC`,
    [workspaceId, strategyVersion, snoozeDays],
  );
  return new Map(r.rows.map((x) => [x.item_uid, x.item_content_hash]));
}

export async function insertPortfolio(q: Queryable, runId: string, workspaceId: string, portfolio: Portfolio): Promise<void> {
  await q.query(
    `INSERT INTO portfolio_snapshots (run_id, workspace_id, portfolio) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO UPDATE SET portfolio = EXCLUDED.portfolio`,
    [runId, workspaceId, JSON.stringify(portfolio)],
  );
}

/** Finalize is re-runnable: a retry starts from clean suggestions. */
export async function clearSuggestions(q: Queryable, runId: string): Promise<void> {
  await q.query('DELETE FROM stop_suggestions WHERE run_id = $1 AND id NOT IN (SELECT suggestion_id FROM suggestion_feedback)', [runId]);
}
