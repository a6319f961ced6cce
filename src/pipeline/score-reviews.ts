// The judge-vs-engine disagreements of a run, flagged for review, and an item's scores with their provenance.
import { getRun } from '../adapters/db/runs.ts';
import { disagreementsPage, scoreExtras, type DisagreementRow, type ScoreExtras } from '../adapters/db/score-reviews.ts';
import type { Db } from '../deps.ts';
import { Problem } from '../lib/problem.ts';
import { getItem } from './items.ts';
import type { Provenance } from './judge.ts';
import type { Review } from './judge-verdict.ts';
import { decodeCursor, encodeCursor, getItemScore, getItemScoreHistory, type ItemScoreView } from './run-views.ts';

// ---------------------------------------------------------------- disagreements

/** A flagged score as the API lists it: the item by its caller id, the stored verdict, both readings. */
export type DisagreementView = Omit<DisagreementRow, 'item_uid' | 'external_id' | 'source' | 'review'> & { id: string; source: string | null; review: Review };

const oneString = (p: unknown[]): p is [string] => p.length === 1 && typeof p[0] === 'string';

export async function listDisagreements(
  db: Db,
  workspaceId: string,
  runId: string,
  q: { limit: number; cursor?: string; reason?: 'objective' | 'alignment' },
): Promise<{ run_id: string; disagreements: DisagreementView[]; next_cursor: string | null }> {
  if (!(await getRun(db, workspaceId, runId))) throw new Problem('not_found', `no run "${runId}"`);
  const after = q.cursor === undefined ? '' : decodeCursor(q.cursor, oneString)[0];
  const rows = await disagreementsPage(db, workspaceId, runId, { afterUid: after, limit: q.limit + 1, reason: q.reason });
  const page = rows.slice(0, q.limit);
  return {
    run_id: runId,
    disagreements: page.map(({ item_uid: _uid, external_id, source, review, ...rest }) => ({ id: external_id, source: source || null, ...rest, review: review as Review })),
    next_cursor: rows.length > q.limit ? encodeCursor([page[page.length - 1]!.item_uid]) : null,
  };
}

// ---------------------------------------------------------------- an item's scores with provenance

/** As stored: a score of the engine alone (no judge configured) records only its scorer. */
export type StoredProvenance = Partial<Provenance> & { scorer: string };

export interface ScoreWithProvenance extends ItemScoreView {
  /** What produced the score: scorer, prompt version, fallback reason, the engine's reading, cache … */
  provenance: StoredProvenance;
  /** Judge and engine disagreed: both readings, for review; null otherwise. */
  review: Review | null;
}

const withExtras = (v: ItemScoreView, extras: Map<string, ScoreExtras<StoredProvenance, Review>>): ScoreWithProvenance => {
  const e = extras.get(v.run_id);
  return { ...v, provenance: e?.provenance ?? { scorer: v.scorer }, review: e?.review ?? null };
};

export async function getItemScoreWithProvenance(db: Db, workspaceId: string, id: string, source?: string): Promise<ScoreWithProvenance> {
  const view = await getItemScore(db, workspaceId, id, source);
  const item = await getItem(db, workspaceId, id, source);
  return withExtras(view, await scoreExtras<StoredProvenance, Review>(db, workspaceId, item.uid, [view.run_id]));
}

export async function getItemScoreHistoryWithProvenance(
  db: Db,
  workspaceId: string,
  id: string,
  q: { source?: string; limit: number; cursor?: string },
): Promise<{ id: string; scores: ScoreWithProvenance[]; next_cursor: string | null }> {
  const page = await getItemScoreHistory(db, workspaceId, id, q);
  const item = await getItem(db, workspaceId, id, q.source);
  const extras = await scoreExtras<StoredProvenance, Review>(db, workspaceId, item.uid, page.scores.map((s) => s.run_id));
  return { ...page, scores: page.scores.map((s) => withExtras(s, extras)) };
}
