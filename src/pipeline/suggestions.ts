// Stop suggestions of a finished run, and feedback on them. A rejected (or snoozed) suggestion is not made again
// until the item or the strategy changes: the feedback row pins both, and finalize reads it (suppressedItems).
import { feedbackCounts, insertFeedback, latestFeedback, type FeedbackRow, type Verdict } from '../adapters/db/feedback.ts';
import { getSuggestion, readSuggestions } from '../adapters/db/run-reads.ts';
import { finishedRuns, getRun, type RunRow } from '../adapters/db/runs.ts';
import { insertAudit } from '../adapters/db/audit.ts';
import type { Db } from '../deps.ts';
import type { StopSuggestion } from '../domain/contracts.ts';
import { newId } from '../lib/crypto.ts';
import { Problem } from '../lib/problem.ts';
import { decodeCursor, encodeCursor } from './run-views.ts';

/** Feedback entries GET /v1/suggestions/feedback lists. */
export const LATEST_FEEDBACK = 50;

/** The run whose results a read shows: the one asked for (finished, not a dry run), else the latest such run. */
export async function resultRun(db: Db, workspaceId: string, runId?: string): Promise<RunRow> {
  if (runId === undefined) {
    const [latest] = await finishedRuns(db, workspaceId, 1);
    if (!latest) throw new Problem('not_found', 'no finished scoring run yet: POST /v1/runs starts one');
    return latest;
  }
  const run = await getRun(db, workspaceId, runId);
  if (!run) throw new Problem('not_found', `no run "${runId}"`);
  if (run.dry_run) throw new Problem('conflict', `run "${runId}" is a dry run: it only counted what a run would do and wrote no results`);
  if (run.status !== 'finished') throw new Problem('conflict', `run "${runId}" is ${run.status}: results exist once it has finished`);
  return run;
}

export interface SuggestionView extends StopSuggestion {
  suggestion_id: string;
  team: string | null;
  title: string;
  run_id: string;
}

export interface SuggestionQuery {
  run_id?: string;
  team?: string;
  action?: 'stop' | 'merge' | 'pause' | 'reframe';
  min_confidence?: number;
  limit: number;
  cursor?: string;
}

const runAndRank = (p: unknown[]): p is [string, number] => p.length === 2 && typeof p[0] === 'string' && Number.isInteger(p[1]);

export interface SuggestionsPage {
  run_id: string;
  suggestions: SuggestionView[];
  next_cursor: string | null;
  feedback: Record<Verdict, number>;
}

/**
 * A page of a run's stop suggestions in rank order, as the JSON text of GET /v1/suggestions/stop (the page comes
 * from the database as JSON). The cursor names its run, so paging on continues in the same run even when a newer run
 * finishes meanwhile.
 */
export async function stopSuggestionsJson(db: Db, workspaceId: string, q: SuggestionQuery): Promise<string> {
  let afterRank = 0;
  let runId = q.run_id;
  if (q.cursor !== undefined) {
    const [cursorRun, rank] = decodeCursor(q.cursor, runAndRank);
    if (runId !== undefined && runId !== cursorRun) {
      throw new Problem('validation_failed', 'the cursor belongs to another run', [{ location: 'query.cursor', message: `this cursor pages run "${cursorRun}", not "${runId}"` }]);
    }
    runId = cursorRun;
    afterRank = rank;
  }
  // The latest run (the usual poll): run, page and feedback counts in one query. A named run is checked first, so
  // a dry or unfinished one is answered with what it is.
  if (runId !== undefined) await resultRun(db, workspaceId, runId);
  const read = await readSuggestions(db, workspaceId, runId ?? null, {
    team: q.team,
    action: q.action,
    min_confidence: q.min_confidence,
    after_rank: afterRank,
    limit: q.limit,
  });
  if (read.run_id === null) throw new Problem('not_found', 'no finished scoring run yet: POST /v1/runs starts one');
  const nextCursor = read.more && read.last_rank !== null ? encodeCursor([read.run_id, read.last_rank]) : null;
  const feedback: Record<Verdict, number> = { accepted: 0, rejected: 0, snoozed: 0, ...read.feedback };
  return `{"run_id":${JSON.stringify(read.run_id)},"suggestions":${read.page},"next_cursor":${JSON.stringify(nextCursor)},"feedback":${JSON.stringify(feedback)}}`;
}

/** The same page as an object (for callers that compose it into something else). */
export async function listStopSuggestions(db: Db, workspaceId: string, q: SuggestionQuery): Promise<SuggestionsPage> {
  return JSON.parse(await stopSuggestionsJson(db, workspaceId, q)) as SuggestionsPage;
}

export interface FeedbackView {
  id: string;
  suggestion_id: string;
  item_id: string;
  verdict: Verdict;
  note: string | null;
  strategy_version: number;
  created_at: string;
}

const feedbackView = (f: FeedbackRow, itemId: string): FeedbackView => ({
  id: f.id,
  suggestion_id: f.suggestion_id,
  item_id: itemId,
  verdict: f.verdict,
  note: f.note,
  strategy_version: f.strategy_version,
  created_at: f.created_at.toISOString(),
});

/** Stores a verdict on a suggestion, pinned to the item version and strategy version the suggestion was made for. */
export async function giveFeedback(
  db: Db,
  input: { workspaceId: string; suggestionId: string; verdict: Verdict; note?: string; actor: string; requestId?: string },
): Promise<FeedbackView> {
  const sug = await getSuggestion(db, input.workspaceId, input.suggestionId);
  if (!sug) throw new Problem('not_found', `no suggestion "${input.suggestionId}"`);
  const row = await db.transaction(async (tx) => {
    const stored = await insertFeedback(tx, input.workspaceId, {
      id: newId('fb'),
      suggestion_id: sug.id,
      item_uid: sug.item_uid,
      verdict: input.verdict,
      note: input.note ?? null,
      item_content_hash: sug.item_content_hash,
      strategy_version: sug.strategy_version,
    });
    await insertAudit(tx, {
      workspace_id: input.workspaceId,
      actor: input.actor,
      action: 'suggestion.feedback',
      target: sug.id,
      detail: { verdict: input.verdict, item_uid: sug.item_uid },
      request_id: input.requestId,
    });
    return stored;
  });
  return feedbackView(row, sug.external_id);
}

export interface FeedbackEntryView extends FeedbackView {
  source: string | null;
  title: string;
  action: string;
  run_id: string;
}

export async function feedbackSummary(db: Db, workspaceId: string): Promise<{ counts: Record<Verdict, number>; latest: FeedbackEntryView[] }> {
  const [counts, rows] = await Promise.all([feedbackCounts(db, workspaceId), latestFeedback(db, workspaceId, LATEST_FEEDBACK)]);
  return {
    counts,
    latest: rows.map((r) => ({ ...feedbackView(r, r.external_id), source: r.source === '' ? null : r.source, title: r.title, action: r.action, run_id: r.run_id })),
  };
}
