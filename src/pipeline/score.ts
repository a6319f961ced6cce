// One `score` job: the verdict for a batch of a run's items — the engine's, or with a provider configured the LLM
// judge's merged with the engine's reading (src/pipeline/judge.ts; the engine answers whenever the judge cannot).
// For an item whose own content, its parent's and children's content, the strategy version and the way it would be
// scored (engine version, judge model and prompt version) are unchanged since its last finished run (and that did not
// cross the staleness line since), that earlier verdict is copied without any work.
import { toBacklogItem, type ItemRow } from '../adapters/db/items.ts';
import { JUDGE_PROMPT_VERSION } from '../../prompts/judge.ts';
import type { EmbedderWithUsage } from '../adapters/ai/openai.ts';
import { admitEmbedding, recordEmbedding } from '../adapters/db/judgements.ts';
import { copyReusableScores, type RunRow } from '../adapters/db/runs.ts';
import { copyScores, insertScores, previousScores, type ScoreRecord } from '../adapters/db/scores.ts';
import { parseConfig } from '../config.ts';
import { embedMissingItems, embedMissingPassages } from './embed.ts';
import { failureReason, judgeSettings, judgeTargets, type JudgeSettings } from './judge.ts';
import type { Db, Deps } from '../deps.ts';
import type { BacklogItem } from '../domain/contracts.ts';
import type { Embedder } from '../domain/embedder.ts';
import { DEFAULT_STALE_DAYS, scoreBatch } from '../domain/engine/index.ts';
import { sha256Hex } from '../lib/crypto.ts';
import { requireRun, SCORE_BATCH } from './runs.ts';
import { strategyIndexFor } from './strategy-index-cache.ts';

const DAY_MS = 86_400_000;

/** The judge settings of an unconfigured environment (the documented defaults in src/config.ts). */
export const DEFAULT_JUDGE_SETTINGS: JudgeSettings = judgeSettings(parseConfig({}));

interface LoadedItem {
  uid: string;
  content_hash: string;
  team: string | null;
  item: BacklogItem;
}

const ITEM_SQL = `SELECT uid, content_hash, team, external_id, source, title, description, type, status, assignee, estimate_points,
  labels, parent_id, src_created_at, src_updated_at FROM items`;

export async function loadItems(db: Db, workspaceId: string, uids: string[]): Promise<LoadedItem[]> {
  const r = await db.query<ItemRow>(`${ITEM_SQL} WHERE workspace_id = $1 AND uid = ANY($2::text[]) AND deleted_at IS NULL ORDER BY uid`, [workspaceId, uids]);
  return r.rows.map((x) => ({ uid: x.uid, content_hash: x.content_hash, team: x.team, item: toBacklogItem(x) }));
}

/**
 * The relatives of the given items — their parents and their children — which the engine reads when it scores them
 * (a story inherits its epic's link; an epic borrows from its stories).
 */
export async function loadRelatives(db: Db, workspaceId: string, items: LoadedItem[]): Promise<{ parents: LoadedItem[]; children: LoadedItem[] }> {
  const parentIds = [...new Set(items.map((i) => i.item.parent_id).filter((p): p is string => !!p))];
  const ownIds = [...new Set(items.map((i) => i.item.id))];
  const [parents, children] = await Promise.all([
    parentIds.length
      ? db.query<ItemRow>(`${ITEM_SQL} WHERE workspace_id = $1 AND external_id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY uid`, [workspaceId, parentIds])
      : { rows: [] },
    db.query<ItemRow>(`${ITEM_SQL} WHERE workspace_id = $1 AND parent_id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY uid`, [workspaceId, ownIds]),
  ]);
  const load = (x: ItemRow): LoadedItem => ({ uid: x.uid, content_hash: x.content_hash, team: x.team, item: toBacklogItem(x) });
  return { parents: parents.rows.map(load), children: children.rows.map(load) };
}

/** What an item's verdict is computed from: its content, its parent's and its children's (in a stable order). */
async function inputHashes(items: LoadedItem[], parents: LoadedItem[], children: LoadedItem[]): Promise<Map<string, string>> {
  const parentHash = new Map(parents.map((p) => [p.item.id, p.content_hash]));
  const childHashes = new Map<string, string[]>();
  for (const c of children) (childHashes.get(c.item.parent_id!) ?? childHashes.set(c.item.parent_id!, []).get(c.item.parent_id!)!).push(c.content_hash);
  const entries = await Promise.all(
    items.map(async (i) => {
      const parent = i.item.parent_id ? (parentHash.get(i.item.parent_id) ?? 'missing') : '';
      const kids = (childHashes.get(i.item.id) ?? []).sort().join(',');
      return [i.uid, await sha256Hex(`${i.content_hash}|${parent}|${kids}`)] as const;
    }),
  );
  return new Map(entries);
}

/** Whether an item's staleness can differ between two "todays" (then its earlier verdict cannot be reused). */
export function crossesStaleLine(item: BacklogItem, before: Date, now: Date, staleDays = DEFAULT_STALE_DAYS): boolean {
  const times = [item.updated_at, item.created_at].filter((t): t is string => !!t).map((t) => Date.parse(t));
  const limit = staleDays * DAY_MS;
  return times.some((t) => before.getTime() - t > limit !== now.getTime() - t > limit);
}

/** How an item's verdict is produced in this process: the judge (model + prompt version) or the engine alone. */
function scorerWanted(deps: Deps, runScorer: string): { scorer: string; prompt: string | null } {
  return deps.chat ? { scorer: `llm:${deps.chat.model}`, prompt: JUDGE_PROMPT_VERSION } : { scorer: runScorer, prompt: null };
}

const reportsUsage = (e: Embedder): e is EmbedderWithUsage => typeof (e as Partial<EmbedderWithUsage>).embedWithUsage === 'function';

/** Why an embedding call of a run was not made: the run's embedding breaker is open or its token budget spent. */
class EmbeddingNotAdmitted extends Error {
  constructor(readonly reason: 'breaker_open' | 'budget_exhausted') {
    super(`embedding skipped: ${reason}`);
  }
}

/**
 * The provider's embedder as a run uses it: each call admitted by the run (token budget, embedding breaker) and
 * recorded on the run's embedding counters — its tokens count against BEARING_JUDGE_MAX_TOKENS_PER_RUN, its failures
 * on a streak of their own (an embeddings endpoint failing must not take the judge's breaker with it).
 */
export function meteredEmbedder(deps: Pick<Deps, 'db'>, embedder: Embedder, runId: string, settings: JudgeSettings): Embedder {
  const call = reportsUsage(embedder) ? (t: string[]) => embedder.embedWithUsage(t) : async (t: string[]) => ({ vectors: await embedder.embed(t), tokens: 0 });
  return {
    model: embedder.model,
    dimensions: embedder.dimensions,
    async embed(texts) {
      if (!texts.length) return [];
      const admission = await admitEmbedding(deps.db, runId, settings.maxTokensPerRun);
      if (admission !== 'ok') throw new EmbeddingNotAdmitted(admission);
      try {
        const r = await call(texts);
        await recordEmbedding(deps.db, runId, { ok: true, tokens: r.tokens }, settings.breakerFailures);
        return r.vectors;
      } catch (err) {
        await recordEmbedding(deps.db, runId, { ok: false }, settings.breakerFailures);
        throw err;
      }
    },
  };
}

/** Passage embeddings in flight in this process, by workspace, strategy version and model. */
const passagesInFlight = new Map<string, Promise<number>>();

/**
 * Embeds the strategy version's passages that have no vector of this model, once: concurrent score jobs of a process
 * share one attempt, and on PostgreSQL a transaction-scoped advisory lock makes jobs of other processes wait for it
 * and then find nothing left to embed. Returns the passages embedded by this call's attempt.
 */
export function embedPassagesOnce(db: Db, embedder: Embedder, workspaceId: string, version: number): Promise<number> {
  const key = `${workspaceId}:${version}:${embedder.model}`;
  let p = passagesInFlight.get(key);
  if (!p) {
    p = (
      db.kind === 'postgres'
        ? db.transaction(async (tx) => {
            await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`bearing:passage-embeddings:${key}`]);
            // embedMissingPassages only queries: on the locked transaction's connection.
            return embedMissingPassages({ ...db, query: (text, params) => tx.query(text, params) } as Db, embedder, workspaceId, version);
          })
        : embedMissingPassages(db, embedder, workspaceId, version)
    ).finally(() => passagesInFlight.delete(key));
    passagesInFlight.set(key, p);
  }
  return p;
}

/**
 * Gives the batch's items (and the strategy version's passages) vectors of the configured embedding model where they
 * have none: the judge retrieves passages through them, finalize finds duplicates through them. A provider that fails
 * here costs the run nothing but retrieval quality: the judge then sees the engine's passages. With a provider, the
 * calls are metered (meteredEmbedder): once the run's embedding breaker is open or its budget spent, none are made.
 */
async function ensureVectors(deps: Deps, run: RunRow, uids: string[], settings: JudgeSettings): Promise<void> {
  const embedder = deps.embedder && deps.chat ? meteredEmbedder(deps, deps.embedder, run.id, settings) : deps.embedder;
  if (!embedder) return;
  try {
    await embedPassagesOnce(deps.db, embedder, run.workspace_id, run.strategy_version);
    await embedMissingItems(deps.db, embedder, run.workspace_id, uids);
  } catch (err) {
    if (!deps.chat) throw err; // the deterministic embedder runs in-process: its failure is a bug, not an outage
    const reason = err instanceof EmbeddingNotAdmitted ? err.reason : failureReason(err);
    deps.logger.warn('embedding failed: retrieval falls back to the engine’s passages', { run: run.id, reason, error: String((err as Error)?.message ?? err) });
  }
}

export interface ScoreOptions {
  /** Judge settings (batch size, concurrency, budget, breaker); DEFAULT_JUDGE_SETTINGS when absent. */
  judge?: JudgeSettings;
}

/**
 * Scores a batch of a run's items. `settle` (a page of a run planned after a finished run of the same strategy
 * version and scorer, engine only): the unchanged items' earlier scores are first copied in SQL (copyReusableScores,
 * this job's own reuse rule, decided in one statement), and the rest is scored SCORE_BATCH items at a time.
 */
export async function scoreRunBatch(
  deps: Deps,
  payload: { workspace_id: string; run_id: string; uids: string[]; settle?: boolean },
  opts: ScoreOptions = {},
): Promise<{ scored: number; reused: number }> {
  const settings = opts.judge ?? DEFAULT_JUDGE_SETTINGS;
  const run = await requireRun(deps.db, payload.workspace_id, payload.run_id);
  if (run.status !== 'running' && run.status !== 'queued') return { scored: 0, reused: 0 };
  if (payload.settle || payload.uids.length > SCORE_BATCH) {
    // (A settling page reaching a worker with a judge configured is scored in batches: the judge decides reuse.)
    const copied = new Set(payload.settle && !deps.chat ? await copyReusableScores(deps.db, run, payload.uids, { staleDays: DEFAULT_STALE_DAYS, model: deps.embedder?.model ?? null }) : []);
    const rest = payload.uids.filter((u) => !copied.has(u));
    const total = { scored: 0, reused: copied.size };
    for (let i = 0; i < rest.length; i += SCORE_BATCH) {
      const r = await scoreRunBatch(deps, { ...payload, uids: rest.slice(i, i + SCORE_BATCH), settle: false }, opts);
      total.scored += r.scored;
      total.reused += r.reused;
    }
    return total;
  }
  // A retried job skips what an earlier attempt already wrote.
  const done = await deps.db.query<{ item_uid: string }>('SELECT item_uid FROM item_scores WHERE run_id = $1 AND item_uid = ANY($2::text[])', [run.id, payload.uids]);
  const doneSet = new Set(done.rows.map((r) => r.item_uid));
  const items = await loadItems(deps.db, run.workspace_id, payload.uids.filter((u) => !doneSet.has(u)));
  if (!items.length) return { scored: 0, reused: 0 };
  const { parents, children } = await loadRelatives(deps.db, run.workspace_id, items);
  const inputHash = await inputHashes(items, parents, children);

  const wanted = scorerWanted(deps, run.scorer);
  const previous = new Map(
    (await previousScores(deps.db, run.workspace_id, items.map((i) => i.uid), run.strategy_version, wanted.scorer, run.scorer)).map((p) => [p.item_uid, p]),
  );
  const reuse: { item_uid: string; origin: string }[] = [];
  const compute: LoadedItem[] = [];
  for (const it of items) {
    const prev = previous.get(it.uid);
    if (prev && prev.prompt_version === wanted.prompt && prev.input_hash === inputHash.get(it.uid) && !crossesStaleLine(it.item, prev.run_now, run.now)) {
      reuse.push({ item_uid: it.uid, origin: prev.run_id });
    } else compute.push(it);
  }

  // Every item of the batch needs a vector of the current model (finalize's duplicate search reads reused items too).
  await ensureVectors(deps, run, items.map((i) => i.uid), settings);

  const records: ScoreRecord[] = [];
  if (compute.length) {
    const index = await strategyIndexFor(deps, run.workspace_id, run.strategy_version);
    const context = [...parents, ...children].map((p) => p.item);
    const results = scoreBatch(index, compute.map((c) => c.item), context, { now: run.now });
    const parentTitle = new Map(parents.map((p) => [p.item.id, p.item.title]));
    const verdicts = deps.chat
      ? await judgeTargets({ db: deps.db, embedder: deps.embedder, logger: deps.logger, chat: deps.chat }, settings, run, compute.map((c, k) => ({
          uid: c.uid,
          input_hash: inputHash.get(c.uid)!,
          item: c.item,
          parentTitle: c.item.parent_id ? (parentTitle.get(c.item.parent_id) ?? null) : null,
          engine: results[k]!,
        })))
      : null;
    compute.forEach((c, k) => {
      const v = verdicts?.[k];
      const r = results[k]!;
      const score = v?.score ?? r.score;
      const stop = v ? v.stop : r.stop;
      records.push({
        item_uid: c.uid,
        content_hash: c.content_hash,
        input_hash: inputHash.get(c.uid)!,
        points: c.item.estimate_points ?? null,
        team: c.team,
        base: { score, stop },
        score,
        stop,
        scorer: v?.scorer ?? run.scorer,
        provenance: v?.provenance ?? { scorer: run.scorer },
        review: v?.review ?? null,
      });
    });
  }
  await deps.db.transaction(async (tx) => {
    await copyScores(tx, run.id, reuse);
    await insertScores(tx, run.id, run.workspace_id, run.strategy_version, run.scorer, records);
  });
  return { scored: records.length, reused: reuse.length };
}
