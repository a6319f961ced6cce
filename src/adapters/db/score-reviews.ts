// Read-side SQL for how a run's items were scored: counts per scorer and fallback reason, the judge-vs-engine
// disagreements flagged for review, and the provenance of individual scores. Every query filters on the workspace.
import type { Queryable } from '../../deps.ts';

export interface ScorerCount {
  scorer: string;
  fallback: string | null;
  items: number;
  disagreements: number;
}

/** Items per scorer and fallback reason of one run (reused scores count under the scorer that produced them). */
export async function scorerCounts(q: Queryable, workspaceId: string, runId: string): Promise<ScorerCount[]> {
  const r = await q.query<ScorerCount>(
    `SELECT scorer, provenance->>'fallback' AS fallback, count(*)::int AS items, count(*) FILTER (WHERE review IS NOT NULL)::int AS disagreements
       FROM item_scores WHERE workspace_id = $1 AND run_id = $2
      GROUP BY scorer, provenance->>'fallback' ORDER BY scorer, fallback NULLS FIRST`,
    [workspaceId, runId],
  );
  return r.rows;
}

export interface DisagreementRow {
  item_uid: string;
  external_id: string;
  source: string;
  title: string;
  team: string | null;
  scorer: string;
  alignment: number;
  objective_id: string | null;
  kr_id: string | null;
  rationale: string;
  review: unknown;
}

/** A page of a run's scores flagged for review, in item order after `afterUid`; `reason` narrows to one kind. */
export async function disagreementsPage(
  q: Queryable,
  workspaceId: string,
  runId: string,
  f: { afterUid: string; limit: number; reason?: 'objective' | 'alignment' },
): Promise<DisagreementRow[]> {
  const r = await q.query<DisagreementRow>(
    `SELECT s.item_uid, i.external_id, i.source, i.title, s.team, s.scorer, s.alignment, s.objective_id, s.kr_id, s.rationale, s.review
       FROM item_scores s JOIN items i ON i.uid = s.item_uid
      WHERE s.workspace_id = $1 AND s.run_id = $2 AND s.review IS NOT NULL AND s.item_uid > $3
        AND ($4::text IS NULL OR s.review->'reasons' ? $4::text)
      ORDER BY s.item_uid LIMIT $5`,
    [workspaceId, runId, f.afterUid, f.reason ?? null, f.limit],
  );
  return r.rows;
}

export interface ScoreExtras<P = Record<string, unknown>, R = Record<string, unknown>> {
  run_id: string;
  provenance: P;
  review: R | null;
}

/** Provenance and review of one item's scores in the given runs. */
export async function scoreExtras<P, R>(q: Queryable, workspaceId: string, itemUid: string, runIds: string[]): Promise<Map<string, ScoreExtras<P, R>>> {
  if (!runIds.length) return new Map();
  const r = await q.query<ScoreExtras<P, R>>(
    `SELECT run_id, provenance, review FROM item_scores WHERE workspace_id = $1 AND item_uid = $2 AND run_id = ANY($3::text[])`,
    [workspaceId, itemUid, runIds],
  );
  return new Map(r.rows.map((x) => [x.run_id, x]));
}
