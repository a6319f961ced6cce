// What the API shows of scoring runs and of the scores they wrote: starting a run (createRun in runs.ts does the
// work), a run with its live progress, the run list, and an item's score now and over time.
import { getRun, type RunRow } from '../adapters/db/runs.ts';
import { itemScoresPage, runsPage, scoreProgressOf, type ScoreProgress, type StoredScoreRow } from '../adapters/db/run-reads.ts';
import type { Db, Deps } from '../deps.ts';
import type { ItemScore } from '../domain/contracts.ts';
import { Problem } from '../lib/problem.ts';
import { getItem } from './items.ts';
import { runScoring, type RunScoring } from './run-scoring.ts';
import { createRun } from './runs.ts';

// ---------------------------------------------------------------- opaque cursors

/** Cursors are opaque to callers: base64url of a small JSON array of strings / numbers. */
export function encodeCursor(parts: (string | number)[]): string {
  return btoa(JSON.stringify(parts)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a cursor of this API with the given shape; anything else is a 400 naming `query.cursor`. */
export function decodeCursor<T extends (string | number)[]>(cursor: string, check: (parts: unknown[]) => parts is T): T {
  try {
    const parts: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
    if (Array.isArray(parts) && check(parts)) return parts;
  } catch {
    /* not base64 / JSON: fall through */
  }
  throw new Problem('validation_failed', 'invalid cursor', [{ location: 'query.cursor', message: 'not a cursor returned by this API' }]);
}

const oneString = (p: unknown[]): p is [string] => p.length === 1 && typeof p[0] === 'string';

// ---------------------------------------------------------------- runs

export interface RunView {
  id: string;
  kind: 'manual' | 'nightly';
  status: RunRow['status'];
  dry_run: boolean;
  strategy_version: number;
  scorer: string;
  progress: { total: number; scored: number; reused: number; done: number; percent: number };
  counts: Record<string, number>;
  timings: { created_at: string; started_at: string | null; finished_at: string | null; duration_ms: number | null };
  failures: { job: string; error: string; at: string }[];
  /** GET /v1/runs/{id} only: items per scorer and fallback reason, disagreements, provider use (run-scoring.ts). */
  scoring?: RunScoring;
}

/**
 * Progress is counted from the score rows written so far, so it moves while a run works. A dry run writes no scores:
 * its items count as done once the preview finished. `counts` carries the run's own counters plus scored / reused.
 */
export function toRunView(run: RunRow, p: { scored: number; reused: number }): RunView {
  const finished = run.status === 'finished';
  const total = run.counts.total ?? 0;
  const done = run.dry_run ? (finished ? total : 0) : p.scored + p.reused;
  const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : finished ? 100 : 0;
  const { batches: _batches, ...counts } = run.counts;
  const start = run.started_at ?? run.created_at;
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    dry_run: run.dry_run,
    strategy_version: run.strategy_version,
    scorer: run.scorer,
    progress: { total, scored: p.scored, reused: p.reused, done, percent },
    counts: run.dry_run ? { total, ...counts } : { total, ...counts, scored: p.scored, reused: p.reused },
    timings: {
      created_at: run.created_at.toISOString(),
      started_at: run.started_at?.toISOString() ?? null,
      finished_at: run.finished_at?.toISOString() ?? null,
      duration_ms: run.finished_at ? run.finished_at.getTime() - start.getTime() : null,
    },
    failures: run.failures.map((f) => ({ job: f.job, error: f.error, at: new Date(f.at).toISOString() })),
  };
}

export interface StartRunInput {
  workspaceId: string;
  itemIds?: string[];
  dryRun?: boolean;
  actor: string;
  requestId?: string;
}

/** Starts a manual run, or returns the identical one still queued or running (created: false). */
export async function startRun(deps: Pick<Deps, 'db' | 'jobs'>, input: StartRunInput): Promise<{ run: RunView; created: boolean }> {
  const { run, created } = await createRun(deps, { ...input, kind: 'manual' });
  return { run: toRunView(run, await progressOf(deps.db, run.id)), created };
}

export async function getRunView(db: Db, workspaceId: string, id: string): Promise<RunView> {
  const run = await getRun(db, workspaceId, id);
  if (!run) throw new Problem('not_found', `no run "${id}"`);
  const [progress, scoring] = await Promise.all([progressOf(db, run.id), runScoring(db, workspaceId, run.id)]);
  return { ...toRunView(run, progress), scoring };
}

export async function listRunViews(db: Db, workspaceId: string, q: { limit: number; cursor?: string }): Promise<{ runs: RunView[]; next_cursor: string | null }> {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, oneString)[0];
  const rows = await runsPage(db, workspaceId, q.limit + 1, after);
  const page = rows.slice(0, q.limit);
  const progress = await scoreProgressOf(db, page.map((r) => r.id));
  return {
    runs: page.map((r) => toRunView(r, progress.get(r.id) ?? { scored: 0, reused: 0 })),
    next_cursor: rows.length > q.limit ? encodeCursor([page[page.length - 1]!.id]) : null,
  };
}

// ---------------------------------------------------------------- item scores

export interface ItemScoreView extends ItemScore {
  run_id: string;
  scored_at: string;
  reused_from_run: string | null;
  scorer: string;
  strategy_version: number;
}

function toScoreView(s: StoredScoreRow): ItemScoreView {
  return {
    id: s.external_id,
    alignment: s.alignment,
    objective_id: s.objective_id,
    kr_id: s.kr_id,
    execution_health: s.execution_health,
    flags: s.flags,
    // The engine names items by the caller's id, so the stored value already is the kept copy's own id.
    duplicate_of: s.duplicate_of,
    non_goal_id: s.non_goal_id,
    rationale: s.rationale,
    evidence: s.evidence,
    run_id: s.run_id,
    scored_at: s.created_at.toISOString(),
    reused_from_run: s.reused_from_run,
    scorer: s.scorer,
    strategy_version: s.strategy_version,
  };
}

/** The item's score in the latest finished, non-dry run that scored it. */
export async function getItemScore(db: Db, workspaceId: string, id: string, source?: string): Promise<ItemScoreView> {
  const item = await getItem(db, workspaceId, id, source);
  const [latest] = await itemScoresPage(db, workspaceId, item.uid, 1);
  if (!latest) throw new Problem('not_found', `item "${id}" has no score yet: no finished run has scored it (POST /v1/runs starts one)`);
  return toScoreView(latest);
}

export async function getItemScoreHistory(
  db: Db,
  workspaceId: string,
  id: string,
  q: { source?: string; limit: number; cursor?: string },
): Promise<{ id: string; scores: ItemScoreView[]; next_cursor: string | null }> {
  const item = await getItem(db, workspaceId, id, q.source);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, oneString)[0];
  const rows = await itemScoresPage(db, workspaceId, item.uid, q.limit + 1, after);
  const page = rows.slice(0, q.limit);
  return {
    id: item.external_id,
    scores: page.map(toScoreView),
    next_cursor: rows.length > q.limit ? encodeCursor([page[page.length - 1]!.run_id]) : null,
  };
}

async function progressOf(db: Db, runId: string): Promise<ScoreProgress> {
  return (await scoreProgressOf(db, [runId])).get(runId) ?? { scored: 0, reused: 0 };
}
