// The LLM judge for a score job's items: cached judgements first, then one chat completion per batch of the rest,
// each admitted by the run's budget and circuit breaker. Whatever the provider does — rate limits, errors, hangs,
// broken or schema-breaking replies, invented ids — every item leaves with exactly one verdict: the judge's (merged
// with the engine's reading), or the engine's own with the reason it fell back. Never throws for provider trouble.
import {
  JUDGE_FLAGS,
  JUDGE_PROMPT_VERSION,
  JudgeReplyLoose,
  buildJudgePrompt,
  judgeReplyJsonSchema,
  judgeReplySchema,
  type JudgeItem,
  type JudgeReplyItem,
} from '../../prompts/judge.ts';
import { addCacheHits, admitCall, getJudgements, putJudgements, recordCall, type CachedJudgement, type JudgementKey } from '../adapters/db/judgements.ts';
import type { Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import type { BacklogItem, ItemScore } from '../domain/contracts.ts';
import { isInstructionLike, type BatchItemResult } from '../domain/engine/index.ts';
import type { ChatModel, ChatResult } from '../domain/llm.ts';
import { checkJudgement, mergeVerdict, type Judgement, type Review } from './judge-verdict.ts';
import { judgeContextFor, type JudgeContext } from './judge-context.ts';
import { retrievePassages, type Retrieved } from './retrieval.ts';

export interface JudgeSettings {
  batchSize: number;
  concurrency: number;
  maxCallsPerRun: number;
  maxTokensPerRun: number;
  breakerFailures: number;
}

export function judgeSettings(c: Pick<Config, 'BEARING_JUDGE_BATCH_SIZE' | 'BEARING_JUDGE_CONCURRENCY' | 'BEARING_JUDGE_MAX_CALLS_PER_RUN' | 'BEARING_JUDGE_MAX_TOKENS_PER_RUN' | 'BEARING_JUDGE_BREAKER_FAILURES'>): JudgeSettings {
  return {
    batchSize: c.BEARING_JUDGE_BATCH_SIZE,
    concurrency: c.BEARING_JUDGE_CONCURRENCY,
    maxCallsPerRun: c.BEARING_JUDGE_MAX_CALLS_PER_RUN,
    maxTokensPerRun: c.BEARING_JUDGE_MAX_TOKENS_PER_RUN,
    breakerFailures: c.BEARING_JUDGE_BREAKER_FAILURES,
  };
}

/** Why an item was scored by the engine although a judge is configured. */
export type FallbackReason =
  | 'rate_limited' // 429 beyond the SDK's retries, or a Retry-After longer than OPENAI_MAX_RETRY_AFTER_MS
  | 'provider_error' // 5xx (after retries) or another API error
  | 'timeout' // no answer within OPENAI_TIMEOUT_MS (after retries)
  | 'unreachable' // connection refused or reset
  | 'malformed_response' // the HTTP body was not the protocol's JSON
  | 'invalid_output' // the model's reply was not JSON, or broke the reply schema
  | 'unknown_ids' // the model named an objective, key result or non-goal that does not exist
  | 'missing_from_reply' // the reply had no entry for this item
  | 'breaker_open' // earlier calls of this run failed repeatedly: the rest of the run is deterministic
  | 'budget_exhausted' // the run's call or token budget is spent
  | 'judge_error'; // an unexpected error while judging the batch (logged with its stack)

const PROVIDER_FAILURES = new Set<FallbackReason>(['rate_limited', 'provider_error', 'timeout', 'unreachable', 'malformed_response']);

/** The provider adapter tags its errors with `reason` (src/adapters/ai/openai.ts); anything else is a provider error. */
export function failureReason(err: unknown): FallbackReason {
  const r = (err as { reason?: unknown } | null)?.reason;
  return typeof r === 'string' && PROVIDER_FAILURES.has(r as FallbackReason) ? (r as FallbackReason) : 'provider_error';
}

export interface Provenance {
  /** Who produced the verdict: `llm:<model>` or `heuristic@<version>`. */
  scorer: string;
  prompt_version?: string;
  /** The configured judge, when the item fell back to the engine. */
  judge?: string;
  fallback?: FallbackReason;
  fallback_detail?: string;
  /** The judgement came from the cache (no provider call for this item in this run). */
  cached?: boolean;
  clamped?: string[];
  dropped_passages?: string[];
  /** How the passages shown to the judge were chosen: pgvector neighbours, or the engine's reading. */
  retrieval?: 'pgvector' | 'engine';
  embedding_model?: string;
  /** The engine's reading (the prior, and what disagreements are measured against). */
  engine: { scorer: string; objective_id: string | null; kr_id: string | null; alignment: number };
}

export interface JudgeTarget {
  uid: string;
  input_hash: string;
  item: BacklogItem;
  parentTitle: string | null;
  engine: BatchItemResult;
}

export interface JudgedItem {
  uid: string;
  scorer: string;
  score: ItemScore;
  stop: BatchItemResult['stop'];
  review: Review | null;
  provenance: Provenance;
}

export interface JudgeRun {
  id: string;
  workspace_id: string;
  strategy_version: number;
  /** The engine's scorer (`heuristic@<version>`), recorded on fallbacks. */
  scorer: string;
}

const engineOf = (t: JudgeTarget, scorer: string) => ({
  scorer,
  objective_id: t.engine.score.objective_id,
  kr_id: t.engine.score.kr_id,
  alignment: t.engine.score.alignment,
});

/** The engine's verdict, with why the judge did not decide. */
export function fallbackVerdict(t: JudgeTarget, run: JudgeRun, judge: string, reason: FallbackReason, detail?: string): JudgedItem {
  return {
    uid: t.uid,
    scorer: run.scorer,
    score: t.engine.score,
    stop: t.engine.stop,
    review: null,
    provenance: { scorer: run.scorer, judge, fallback: reason, ...(detail ? { fallback_detail: detail } : {}), engine: engineOf(t, run.scorer) },
  };
}

function judgedVerdict(t: JudgeTarget, run: JudgeRun, chat: ChatModel, ctx: JudgeContext, j: Judgement, retrieved: ReadonlySet<string>, extra: Partial<Provenance>): JudgedItem {
  const text = `${t.item.title}\n${t.item.description ?? ''}`;
  const v = mergeVerdict(t.engine, j, { instructionLike: isInstructionLike(text), ids: ctx.ids, retrieved });
  const scorer = `llm:${chat.model}`;
  return {
    uid: t.uid,
    scorer,
    score: v.score,
    stop: v.stop,
    review: v.review,
    provenance: { scorer, prompt_version: JUDGE_PROMPT_VERSION, ...extra, ...(v.clamped.length ? { clamped: v.clamped } : {}), engine: engineOf(t, run.scorer) },
  };
}

const nearOf = (r: Retrieved, t: JudgeTarget): ReadonlySet<string> => new Set(r.byItem.get(t.uid)?.near ?? []);

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Reply tokens per item: a rationale of ≤ 240 characters plus ids, flags and numbers, with room to spare. */
const REPLY_TOKENS_PER_ITEM = 250;
const REPLY_TOKENS_BASE = 200;

/** Judges a score job's items. `deps.chat` must be set; without it callers score with the engine alone. */
export async function judgeTargets(
  deps: Pick<Deps, 'db' | 'embedder' | 'logger'> & { chat: ChatModel },
  settings: JudgeSettings,
  run: JudgeRun,
  targets: JudgeTarget[],
): Promise<JudgedItem[]> {
  const chat = deps.chat;
  const judge = `llm:${chat.model}`;
  const out = new Map<string, JudgedItem>();
  const ctx = await judgeContextFor(deps.db, run.workspace_id, run.strategy_version);
  const key: JudgementKey = { workspaceId: run.workspace_id, model: chat.model, promptVersion: JUDGE_PROMPT_VERSION, strategyVersion: run.strategy_version };

  // 1. The cache: same model, prompt version, strategy version and input → the earlier judgement, no call.
  const cached = await getJudgements<Judgement>(deps.db, key, targets.map((t) => t.input_hash));
  const misses = targets.filter((t) => !cached.has(t.input_hash));
  // Retrieval (a database query, no provider call) for every judged item, cached or not: whether a raise above the
  // engine's reading is backed depends on the passages found near the item.
  const toRetrieve = targets.filter((t) => !cached.has(t.input_hash) || cached.get(t.input_hash)!.judgement);
  const retrieved: Retrieved = toRetrieve.length ? await retrievePassages(deps, run, ctx, toRetrieve) : { model: null, byItem: new Map() };
  for (const t of targets) {
    const hit = cached.get(t.input_hash);
    if (!hit) continue;
    if (hit.judgement) out.set(t.uid, judgedVerdict(t, run, chat, ctx, hit.judgement, nearOf(retrieved, t), { cached: true }));
    else {
      // A rejected answer is cached too: at temperature 0 the same input would be answered the same way.
      const v = fallbackVerdict(t, run, judge, 'unknown_ids', hit.rejected ?? undefined);
      v.provenance.cached = true;
      out.set(t.uid, v);
    }
  }
  await addCacheHits(deps.db, run.id, targets.length - misses.length);

  // 2. The rest, in batches: nearest passages, one completion each, checked and merged per item.
  if (misses.length) {
    const batches: JudgeTarget[][] = [];
    for (let i = 0; i < misses.length; i += settings.batchSize) batches.push(misses.slice(i, i + settings.batchSize));
    await pool(batches, settings.concurrency, async (batch) => {
      let verdicts: JudgedItem[];
      try {
        verdicts = await judgeBatch(deps, settings, run, ctx, key, batch, retrieved);
      } catch (err) {
        // A bug or a database blip must not fail the run either: the engine answers for this batch.
        deps.logger.error('judging a batch failed: its items are scored by the engine', { run: run.id, items: batch.length, error: String((err as Error)?.stack ?? err) });
        verdicts = batch.map((t) => fallbackVerdict(t, run, judge, 'judge_error'));
      }
      for (const v of verdicts) out.set(v.uid, v);
    });
  }
  return targets.map((t) => out.get(t.uid)!);
}

/** An item as the prompt's data block shows it, with the engine's reading as its prior. */
function promptItem(t: JudgeTarget, key: string, nearest: string[]): JudgeItem {
  const e = t.engine.score;
  return {
    key,
    title: t.item.title,
    description: t.item.description ?? null,
    type: t.item.type ?? null,
    status: t.item.status ?? null,
    labels: t.item.labels ?? [],
    parent_title: t.parentTitle,
    contains_instructions: isInstructionLike(`${t.item.title}\n${t.item.description ?? ''}`),
    nearest_passages: nearest,
    // Only the flags the judge may set: the engine's own (`stale`, `duplicate`) would invite the model to echo them.
    prior: { objective_id: e.objective_id, kr_id: e.kr_id, alignment: e.alignment, execution_health: e.execution_health, flags: e.flags.filter(isJudgeFlag), non_goal_id: e.non_goal_id },
  };
}

const isJudgeFlag = (f: string): boolean => (JUDGE_FLAGS as readonly string[]).includes(f);

/** The model's reply as the loose reply shape, or what is wrong with it (the first few schema violations). */
function parseReply(text: string): { ok: true; items: JudgeReplyItem[] } | { ok: false; detail: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'reply is not JSON' };
  }
  const r = JudgeReplyLoose.safeParse(json);
  if (r.success) return { ok: true, items: r.data.items };
  return { ok: false, detail: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

async function judgeBatch(
  deps: Pick<Deps, 'db' | 'logger'> & { chat: ChatModel },
  settings: JudgeSettings,
  run: JudgeRun,
  ctx: JudgeContext,
  key: JudgementKey,
  batch: JudgeTarget[],
  retrieved: Retrieved,
): Promise<JudgedItem[]> {
  const judge = `llm:${deps.chat.model}`;
  const fallAll = (reason: FallbackReason, detail?: string) => batch.map((t) => fallbackVerdict(t, run, judge, reason, detail));
  const admission = await admitCall(deps.db, run.id, { maxCalls: settings.maxCallsPerRun, maxTokens: settings.maxTokensPerRun });
  if (admission !== 'ok') return fallAll(admission);

  const keys = batch.map((_, i) => `i${i + 1}`);
  const passageIds = [...new Set(batch.flatMap((t) => retrieved.byItem.get(t.uid)?.ids ?? []))];
  if (!passageIds.length) passageIds.push(...ctx.objectivePassageIds);
  const items = batch.map((t, i) => promptItem(t, keys[i]!, retrieved.byItem.get(t.uid)?.ids ?? []));
  const messages = buildJudgePrompt({ strategy: ctx.outline, passages: passageIds.map((id) => ctx.ids.passages.get(id)!).filter(Boolean), items });
  const schema = judgeReplySchema({ keys, objectives: ctx.objectiveIds, keyResults: ctx.keyResultIds, nonGoals: ctx.nonGoalIds, passages: passageIds });

  let reply: ChatResult;
  try {
    reply = await deps.chat.complete({ messages, jsonSchema: judgeReplyJsonSchema(schema), maxTokens: REPLY_TOKENS_BASE + REPLY_TOKENS_PER_ITEM * batch.length });
  } catch (err) {
    const reason = failureReason(err);
    const open = await recordCall(deps.db, run.id, { ok: false, reason }, settings.breakerFailures);
    deps.logger.warn('judge call failed: its items are scored by the engine', { run: run.id, items: batch.length, reason, breakerOpen: open, error: String((err as Error)?.message ?? err) });
    return fallAll(reason);
  }

  const parsed = parseReply(reply.text);
  if (!parsed.ok) {
    const open = await recordCall(deps.db, run.id, { ok: false, usage: reply.usage, reason: 'invalid_output' }, settings.breakerFailures);
    deps.logger.warn('judge reply rejected: its items are scored by the engine', { run: run.id, items: batch.length, detail: parsed.detail, breakerOpen: open });
    return fallAll('invalid_output', parsed.detail);
  }
  await recordCall(deps.db, run.id, { ok: true, usage: reply.usage }, settings.breakerFailures);

  const byKey = new Map<string, JudgeReplyItem>();
  for (const r of parsed.items) if (!byKey.has(r.key)) byKey.set(r.key, r);
  const verdicts: JudgedItem[] = [];
  const toCache: CachedJudgement<Judgement>[] = [];
  batch.forEach((t, i) => {
    const raw = byKey.get(keys[i]!);
    if (!raw) {
      verdicts.push(fallbackVerdict(t, run, judge, 'missing_from_reply'));
      return;
    }
    const checked = checkJudgement(raw, ctx.ids);
    if (!checked.ok) {
      toCache.push({ input_hash: t.input_hash, judgement: null, rejected: checked.detail });
      verdicts.push(fallbackVerdict(t, run, judge, checked.reason, checked.detail));
      return;
    }
    toCache.push({ input_hash: t.input_hash, judgement: checked.judgement, rejected: null });
    const r = retrieved.byItem.get(t.uid);
    verdicts.push(
      judgedVerdict(t, run, deps.chat, ctx, checked.judgement, nearOf(retrieved, t), {
        retrieval: r?.source ?? 'engine',
        ...(r?.source === 'pgvector' && retrieved.model ? { embedding_model: retrieved.model } : {}),
        ...(checked.dropped_passages.length ? { dropped_passages: checked.dropped_passages } : {}),
      }),
    );
  });
  await putJudgements(deps.db, key, toCache);
  return verdicts;
}
