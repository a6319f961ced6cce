// Read-side SQL for portfolio answers: the best-ranked stop suggestions of a finished run (for one team or all), with
// the run's score of each item, and how many suggestions there are and the points they free — counted in SQL over
// every suggestion that matches, however many.
import type { Queryable } from '../../deps.ts';

export interface StopLine {
  item_uid: string;
  external_id: string;
  title: string;
  rank: number;
  action: 'stop' | 'merge' | 'pause' | 'reframe';
  reasons: string[];
  capacity_points: number | null;
  confidence: number;
  /** From the run's score of the item (null when it has none). */
  non_goal_id: string | null;
  duplicate_of: string | null;
}

export interface TopSuggestions {
  /** The best-ranked `limit` suggestions, rank order. */
  top: StopLine[];
  /** Every matching suggestion of the run. */
  count: number;
  /** Capacity points they free together (unestimated ones count 0). */
  points: number;
}

export async function topSuggestions(q: Queryable, workspaceId: string, runId: string, team: string | null, limit: number): Promise<TopSuggestions> {
  const r = await q.query<StopLine & { total: number; total_points: number }>(
    `SELECT g.item_uid, i.external_id, i.title, g.rank, g.action, g.reasons, g.capacity_points, g.confidence,
            s.non_goal_id, s.duplicate_of,
            count(*) OVER ()::int AS total, COALESCE(sum(g.capacity_points) OVER (), 0)::float8 AS total_points
       FROM stop_suggestions g
       JOIN items i ON i.uid = g.item_uid
       LEFT JOIN item_scores s ON s.workspace_id = g.workspace_id AND s.run_id = g.run_id AND s.item_uid = g.item_uid
      WHERE g.workspace_id = $1 AND g.run_id = $2 AND ($3::text IS NULL OR g.team = $3)
      ORDER BY g.rank LIMIT $4`,
    [workspaceId, runId, team, limit],
  );
  const first = r.rows[0];
  return {
    top: r.rows.map(({ total: _t, total_points: _p, ...line }) => line),
    count: first?.total ?? 0,
    points: first?.total_points ?? 0,
  };
}
