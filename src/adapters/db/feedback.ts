// SQL for what people said about stop suggestions. A row pins the item version (content hash) and strategy version
// the suggestion was made for: finalize (suppressedItems in scores.ts) hides a rejected or snoozed suggestion until
// either changes.
import type { Queryable } from '../../deps.ts';

export type Verdict = 'accepted' | 'rejected' | 'snoozed';

export interface FeedbackRow {
  id: string;
  suggestion_id: string;
  item_uid: string;
  verdict: Verdict;
  note: string | null;
  item_content_hash: string;
  strategy_version: number;
  created_at: Date;
}

const COLS = 'id, suggestion_id, item_uid, verdict, note, item_content_hash, strategy_version, created_at';

export async function insertFeedback(q: Queryable, workspaceId: string, f: Omit<FeedbackRow, 'created_at'>): Promise<FeedbackRow> {
  const r = await q.query<FeedbackRow>(
    `INSERT INTO suggestion_feedback (id, workspace_id, suggestion_id, item_uid, verdict, note, item_content_hash, strategy_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLS}`,
    [f.id, workspaceId, f.suggestion_id, f.item_uid, f.verdict, f.note, f.item_content_hash, f.strategy_version],
  );
  return r.rows[0]!;
}

export async function feedbackCounts(q: Queryable, workspaceId: string): Promise<Record<Verdict, number>> {
  const r = await q.query<{ verdict: Verdict; n: string }>(
    'SELECT verdict, count(*)::text AS n FROM suggestion_feedback WHERE workspace_id = $1 GROUP BY verdict',
    [workspaceId],
  );
  const counts: Record<Verdict, number> = { accepted: 0, rejected: 0, snoozed: 0 };
  for (const row of r.rows) counts[row.verdict] = Number(row.n);
  return counts;
}

export interface FeedbackEntryRow extends FeedbackRow {
  external_id: string;
  source: string;
  title: string;
  action: string;
  run_id: string;
}

/** The latest entries, newest first, with the item and suggestion they concern. */
export async function latestFeedback(q: Queryable, workspaceId: string, limit: number): Promise<FeedbackEntryRow[]> {
  const r = await q.query<FeedbackEntryRow>(
    `SELECT f.id, f.suggestion_id, f.item_uid, f.verdict, f.note, f.item_content_hash, f.strategy_version, f.created_at,
            i.external_id, i.source, i.title, g.action, g.run_id
       FROM suggestion_feedback f
       JOIN stop_suggestions g ON g.id = f.suggestion_id
       JOIN items i ON i.uid = f.item_uid
      WHERE f.workspace_id = $1
      ORDER BY f.created_at DESC, f.id DESC LIMIT $2`,
    [workspaceId, limit],
  );
  return r.rows;
}
