// Scoring runs, in flow order: createRun (API or nightly tick) → plan (one `score` job per batch of items, then a
// `finalize` parent) → scoreBatch (engine per item, or reuse of an unchanged earlier score) → finalize (duplicates
// through pgvector neighbours, stop ranking, portfolio). Every step is idempotent: a retried job does no harm.
import { insertAudit } from '../adapters/db/audit.ts';
import { countReusableScores, getRun, hasFinishedRunLike, insertRun, markFinished, markRunning, recordFailure, type RunRow } from '../adapters/db/runs.ts';
import { latestStrategy } from '../adapters/db/strategies.ts';
import type { Db, Deps } from '../deps.ts';
import { DEFAULT_STALE_DAYS, SCORER } from '../domain/engine/index.ts';
import { newId, sha256Hex } from '../lib/crypto.ts';
import { Problem } from '../lib/problem.ts';
import { enqueue } from './outbox.ts';

/** Items per `score` job: small enough that a retried batch repeats little work, large enough to amortise a job. */
export const SCORE_BATCH = 500;
/** Items per page of planning, and per settling `score` job (see planRun): one statement copies a page's unchanged scores. */
export const PLAN_PAGE = 5_000;
export const HEURISTIC_SCORER = `heuristic@${SCORER.version}`;

export interface CreateRunInput {
  workspaceId: string;
  kind: 'manual' | 'nightly';
  /** Only these items (by the caller's ids); all live items when absent. */
  itemIds?: string[];
  dryRun?: boolean;
  /** Nightly ticks pass `nightly-<date>` so a tick delivered twice starts one run. */
  dedupeKey?: string;
  actor: string;
  requestId?: string;
}

/**
 * Creates a run and its `plan` job in one transaction. The same manual request while an identical run is still
 * queued or running returns that run (created: false) instead of starting a second one.
 */
export async function createRun(deps: Pick<Deps, 'db' | 'jobs'>, input: CreateRunInput): Promise<{ run: RunRow; created: boolean }> {
  if (!deps.jobs) throw new Problem('service_unavailable', 'this deployment runs no scoring jobs');
  const strategy = await latestStrategy(deps.db, input.workspaceId);
  if (!strategy) throw new Problem('conflict', 'no strategy yet: PUT /v1/strategy before starting a run');
  const itemIds = input.itemIds ? [...new Set(input.itemIds)].sort() : undefined;
  const dedupeKey =
    input.dedupeKey ?? `active-${await sha256Hex(JSON.stringify([strategy.version, HEURISTIC_SCORER, input.dryRun ?? false, itemIds ?? null]))}`;
  const result = await deps.db.transaction(async (tx) => {
    let uids: string[] | undefined;
    if (itemIds) {
      const found = await tx.query<{ uid: string; external_id: string }>(
        'SELECT uid, external_id FROM items WHERE workspace_id = $1 AND external_id = ANY($2::text[]) AND deleted_at IS NULL',
        [input.workspaceId, itemIds],
      );
      const known = new Set(found.rows.map((r) => r.external_id));
      const missing = itemIds.filter((id) => !known.has(id));
      if (missing.length) {
        throw new Problem('validation_failed', `${missing.length} unknown item id(s)`, missing.slice(0, 20).map((id) => ({ location: 'body.item_ids', message: `no item "${id}"` })));
      }
      uids = found.rows.map((r) => r.uid).sort();
    }
    const created = await insertRun(tx, {
      id: newId('run'),
      workspace_id: input.workspaceId,
      kind: input.kind,
      strategy_version: strategy.version,
      scorer: HEURISTIC_SCORER,
      dry_run: input.dryRun ?? false,
      item_filter: uids ? { item_uids: uids } : null,
      dedupe_key: dedupeKey,
    });
    if (created.created) {
      await enqueue(tx, { queue: 'score', name: 'plan', data: { workspace_id: input.workspaceId, run_id: created.run.id }, workspaceId: input.workspaceId });
      await insertAudit(tx, { workspace_id: input.workspaceId, actor: input.actor, action: 'run.create', target: created.run.id, detail: { kind: input.kind, dry_run: input.dryRun ?? false }, request_id: input.requestId });
    }
    return created;
  });
  if (result.created) deps.jobs.kick();
  return result;
}

/**
 * Splits the run's items into `score` jobs under one `finalize` parent (a BullMQ flow). After a finished run of the
 * same strategy version and scorer, each job is a page of PLAN_PAGE items that first copies its unchanged items'
 * scores in SQL (`settle`: the score job's own reuse rule, one statement per page) and scores the rest: a nightly run
 * where 1% changed scores that 1%, and the workers settle the pages side by side. Otherwise (a first run, or a judge
 * configured: which earlier verdicts a judge may reuse is the score job's to say) jobs of SCORE_BATCH items.
 */
export async function planRun(deps: Deps, payload: { workspace_id: string; run_id: string }): Promise<{ total: number; batches: number }> {
  const run = await requireRun(deps.db, payload.workspace_id, payload.run_id);
  if (run.status !== 'queued' && run.status !== 'running') return { total: run.counts.total ?? 0, batches: run.counts.batches ?? 0 };
  if (run.dry_run) return previewRun(deps, run);
  const settle = !deps.chat && (await hasFinishedRunLike(deps.db, run.workspace_id, run.strategy_version, run.scorer));
  const children: { queue: 'score'; name: string; jobId: string; data: { workspace_id: string; run_id: string; uids: string[]; settle?: true } }[] = [];
  let total = 0;
  // Pages of PLAN_PAGE items (each page is one query: fewer pages, fewer chances of a poor plan on fresh statistics).
  for await (const page of runItemPages(deps.db, run, PLAN_PAGE)) {
    total += page.length;
    const size = settle ? PLAN_PAGE : SCORE_BATCH;
    for (let i = 0; i < page.length; i += size) {
      const data = { workspace_id: run.workspace_id, run_id: run.id, uids: page.slice(i, i + size), ...(settle ? { settle: true as const } : {}) };
      children.push({ queue: 'score', name: 'score', jobId: `${run.id}-score-${children.length}`, data });
    }
  }
  await markRunning(deps.db, run.id, { total, batches: children.length });
  const parent = { queue: 'score' as const, name: 'finalize', jobId: `${run.id}-finalize`, data: { workspace_id: run.workspace_id, run_id: run.id } };
  await deps.jobs!.queue.addFlow(parent, children);
  return { total, batches: children.length };
}

/**
 * A dry run only counts: how many items it would score, and how many an unchanged earlier score would cover. With
 * the engine scoring, the count is the settling jobs' own rule (countReusableScores: input hash, staleness line,
 * vector). With a judge it is an estimate: same content under the same strategy version and scorer (whether the
 * judge's earlier verdict or a changed parent would be looked at is the score job's to say).
 */
async function previewRun(deps: Deps, run: RunRow): Promise<{ total: number; batches: number }> {
  let total = 0;
  let reusable = 0;
  for await (const uids of runItemPages(deps.db, run, PLAN_PAGE)) {
    total += uids.length;
    if (!deps.chat) {
      reusable += await countReusableScores(deps.db, run, uids, { staleDays: DEFAULT_STALE_DAYS, model: deps.embedder?.model ?? null });
      continue;
    }
    const r = await deps.db.query<{ n: string }>(
      `SELECT count(DISTINCT i.uid)::text AS n FROM items i
         -- computed rows (item_scores_computed): a copy repeats one
         JOIN item_scores s ON s.workspace_id = i.workspace_id AND s.item_uid = i.uid AND s.reused_from_run IS NULL
                           AND s.content_hash = i.content_hash AND s.strategy_version = $2 AND s.scorer = $3
         JOIN scoring_runs r ON r.id = s.run_id AND r.status = 'finished' AND NOT r.dry_run
        WHERE i.uid = ANY($1::text[])`,
      [uids, run.strategy_version, run.scorer],
    );
    reusable += Number(r.rows[0]?.n ?? 0);
  }
  await markRunning(deps.db, run.id, { total, batches: 0 });
  await markFinished(deps.db, run.id, { would_score: total - reusable, would_reuse: reusable });
  return { total, batches: 0 };
}

/** The run's items in uid order, `size` at a time, never all in memory. */
export async function* runItemPages(db: Db, run: RunRow, size = SCORE_BATCH): AsyncGenerator<string[]> {
  const subset = run.item_filter?.item_uids;
  if (subset) {
    for (let i = 0; i < subset.length; i += size) yield subset.slice(i, i + size);
    return;
  }
  let after = '';
  for (;;) {
    const r = await db.query<{ uid: string }>(
      'SELECT uid FROM items WHERE workspace_id = $1 AND deleted_at IS NULL AND uid > $2 ORDER BY uid LIMIT $3',
      [run.workspace_id, after, size],
    );
    if (!r.rows.length) return;
    yield r.rows.map((x) => x.uid);
    after = r.rows[r.rows.length - 1]!.uid;
  }
}

export async function requireRun(db: Db, workspaceId: string, runId: string): Promise<RunRow> {
  const run = await getRun(db, workspaceId, runId);
  if (!run) throw new Problem('not_found', `no run ${runId}`);
  return run;
}

export async function failRun(db: Db, runId: string, job: string, error: string, fatal: boolean): Promise<void> {
  await recordFailure(db, runId, job, error, fatal);
}
