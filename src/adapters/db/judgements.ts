// SQL for the LLM judge: cached judgements (keyed by model, prompt version, strategy version and item input hash)
// and each run's provider use — calls and tokens against its budget, and its circuit breaker. Both live in the
// database so every worker process scoring a run reads and updates the same state with single atomic statements.
import type { Queryable } from '../../deps.ts';

export interface JudgementKey {
  workspaceId: string;
  model: string;
  promptVersion: string;
  strategyVersion: number;
}

export interface CachedJudgement<J> {
  input_hash: string;
  /** null when the model's answer for this input was rejected (`rejected` says why). */
  judgement: J | null;
  rejected: string | null;
}

export async function getJudgements<J>(q: Queryable, key: JudgementKey, inputHashes: string[]): Promise<Map<string, CachedJudgement<J>>> {
  if (!inputHashes.length) return new Map();
  const r = await q.query<CachedJudgement<J>>(
    `SELECT input_hash, judgement, rejected FROM judgements
      WHERE workspace_id = $1 AND model = $2 AND prompt_version = $3 AND strategy_version = $4 AND input_hash = ANY($5::text[])`,
    [key.workspaceId, key.model, key.promptVersion, key.strategyVersion, [...new Set(inputHashes)]],
  );
  return new Map(r.rows.map((x) => [x.input_hash, x]));
}

export async function putJudgements<J>(q: Queryable, key: JudgementKey, rows: CachedJudgement<J>[]): Promise<void> {
  if (!rows.length) return;
  await q.query(
    `INSERT INTO judgements (workspace_id, model, prompt_version, strategy_version, input_hash, judgement, rejected)
     SELECT $1, $2, $3, $4, x.input_hash, x.judgement, x.rejected
       FROM jsonb_to_recordset($5::jsonb) AS x(input_hash text, judgement jsonb, rejected text)
     ON CONFLICT DO NOTHING`,
    [key.workspaceId, key.model, key.promptVersion, key.strategyVersion, JSON.stringify(rows)],
  );
}

// ---------------------------------------------------------------- per-run provider budget and breaker

export interface RunLimits {
  maxCalls: number;
  maxTokens: number;
}

export type Admission = 'ok' | 'breaker_open' | 'budget_exhausted';

/**
 * Takes one call from the run's budget, unless the breaker is open or the budget is spent. The check and the
 * increment are one statement (the row is locked while it runs), so concurrent workers never overspend on calls.
 * Tokens are known only after a call: calls already admitted may pass the token budget by their own size. The token
 * budget covers the run's embedding tokens too (recordEmbedding).
 */
export async function admitCall(q: Queryable, runId: string, limits: RunLimits): Promise<Admission> {
  const r = await q.query(
    `INSERT INTO provider_run_state AS s (run_id, calls) SELECT $1, 1 WHERE $2::int > 0 AND $3::bigint > 0
     ON CONFLICT (run_id) DO UPDATE SET calls = s.calls + 1
      WHERE s.breaker_opened_at IS NULL AND s.calls < $2::int AND s.prompt_tokens + s.completion_tokens + s.embedding_tokens < $3::bigint
     RETURNING calls`,
    [runId, limits.maxCalls, limits.maxTokens],
  );
  if (r.rows.length) return 'ok';
  const state = await q.query<{ open: boolean }>(`SELECT breaker_opened_at IS NOT NULL AS open FROM provider_run_state WHERE run_id = $1`, [runId]);
  if (state.rows[0]?.open) return 'breaker_open';
  await q.query(
    `INSERT INTO provider_run_state AS s (run_id, budget_exhausted_at) VALUES ($1, now())
     ON CONFLICT (run_id) DO UPDATE SET budget_exhausted_at = COALESCE(s.budget_exhausted_at, now())`,
    [runId],
  );
  return 'budget_exhausted';
}

export interface CallOutcome {
  ok: boolean;
  usage?: { promptTokens: number; completionTokens: number };
  /** Failure reason, recorded as the breaker's reason when this failure opens it. */
  reason?: string;
}

/** Records a call's outcome; returns whether the run's breaker is open afterwards. */
export async function recordCall(q: Queryable, runId: string, o: CallOutcome, breakerFailures: number): Promise<boolean> {
  const p = o.usage?.promptTokens ?? 0;
  const c = o.usage?.completionTokens ?? 0;
  if (o.ok) {
    const r = await q.query<{ open: boolean }>(
      `INSERT INTO provider_run_state AS s (run_id, prompt_tokens, completion_tokens) VALUES ($1, $2, $3)
       ON CONFLICT (run_id) DO UPDATE SET prompt_tokens = s.prompt_tokens + $2, completion_tokens = s.completion_tokens + $3,
              consecutive_failures = 0
       RETURNING breaker_opened_at IS NOT NULL AS open`,
      [runId, p, c],
    );
    return r.rows[0]?.open ?? false;
  }
  // In an UPDATE every right-hand side reads the row as it was: `s.consecutive_failures + 1` is this failure's streak.
  const r = await q.query<{ open: boolean }>(
    `INSERT INTO provider_run_state AS s (run_id, prompt_tokens, completion_tokens, failed_calls, consecutive_failures, breaker_opened_at, breaker_reason)
     VALUES ($1, $2, $3, 1, 1, CASE WHEN $4::int <= 1 THEN now() END, CASE WHEN $4::int <= 1 THEN $5::text END)
     ON CONFLICT (run_id) DO UPDATE SET
       prompt_tokens = s.prompt_tokens + $2, completion_tokens = s.completion_tokens + $3,
       failed_calls = s.failed_calls + 1, consecutive_failures = s.consecutive_failures + 1,
       breaker_opened_at = CASE WHEN s.breaker_opened_at IS NULL AND s.consecutive_failures + 1 >= $4::int THEN now() ELSE s.breaker_opened_at END,
       breaker_reason = CASE WHEN s.breaker_opened_at IS NULL AND s.consecutive_failures + 1 >= $4::int THEN $5::text ELSE s.breaker_reason END
     RETURNING breaker_opened_at IS NOT NULL AS open`,
    [runId, p, c, breakerFailures, o.reason ?? 'provider_error'],
  );
  return r.rows[0]?.open ?? false;
}

// ---------------------------------------------------------------- embedding calls of a run

/**
 * Admits one embedding call: not once the run's embedding breaker is open or its token budget (judge and embedding
 * tokens together) is spent. Embedding calls are counted but not held to BEARING_JUDGE_MAX_CALLS_PER_RUN, which
 * counts chat completions: a run's embedding calls are bounded anyway (one per 128 new or changed texts).
 */
export async function admitEmbedding(q: Queryable, runId: string, maxTokens: number): Promise<Admission> {
  const r = await q.query<{ open: boolean; spent: boolean }>(
    `INSERT INTO provider_run_state AS s (run_id, embedding_calls) VALUES ($1, 1)
     ON CONFLICT (run_id) DO UPDATE SET embedding_calls = s.embedding_calls
       + CASE WHEN s.embedding_breaker_opened_at IS NULL AND s.prompt_tokens + s.completion_tokens + s.embedding_tokens < $2::bigint THEN 1 ELSE 0 END
     RETURNING embedding_breaker_opened_at IS NOT NULL AS open, prompt_tokens + completion_tokens + embedding_tokens >= $2::bigint AS spent`,
    [runId, maxTokens],
  );
  const row = r.rows[0]!;
  if (row.open) return 'breaker_open';
  if (row.spent) {
    await q.query(`UPDATE provider_run_state SET budget_exhausted_at = COALESCE(budget_exhausted_at, now()) WHERE run_id = $1`, [runId]);
    return 'budget_exhausted';
  }
  return 'ok';
}

/**
 * Records an embedding call's outcome on its own streak: `breakerFailures` consecutive failures open the embedding
 * breaker (the run embeds nothing more; retrieval degrades), never the judge's.
 */
export async function recordEmbedding(q: Queryable, runId: string, o: { ok: boolean; tokens?: number }, breakerFailures: number): Promise<void> {
  if (o.ok) {
    await q.query(
      `UPDATE provider_run_state SET embedding_tokens = embedding_tokens + $2, embedding_consecutive_failures = 0 WHERE run_id = $1`,
      [runId, o.tokens ?? 0],
    );
    return;
  }
  await q.query(
    `UPDATE provider_run_state SET embedding_failed_calls = embedding_failed_calls + 1,
            embedding_consecutive_failures = embedding_consecutive_failures + 1,
            embedding_breaker_opened_at = CASE WHEN embedding_breaker_opened_at IS NULL AND embedding_consecutive_failures + 1 >= $2::int
                                               THEN now() ELSE embedding_breaker_opened_at END
      WHERE run_id = $1`,
    [runId, breakerFailures],
  );
}

export async function breakerOpen(q: Queryable, runId: string): Promise<boolean> {
  const r = await q.query<{ open: boolean }>(`SELECT breaker_opened_at IS NOT NULL AS open FROM provider_run_state WHERE run_id = $1`, [runId]);
  return r.rows[0]?.open ?? false;
}

export async function addCacheHits(q: Queryable, runId: string, n: number): Promise<void> {
  if (n <= 0) return;
  await q.query(
    `INSERT INTO provider_run_state AS s (run_id, cache_hits) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET cache_hits = s.cache_hits + $2`,
    [runId, n],
  );
}

export interface ProviderRunState {
  run_id: string;
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  failed_calls: number;
  cache_hits: number;
  breaker_opened_at: Date | null;
  breaker_reason: string | null;
  budget_exhausted_at: Date | null;
}

export async function providerRunStates(q: Queryable, runIds: string[]): Promise<Map<string, ProviderRunState>> {
  if (!runIds.length) return new Map();
  const r = await q.query<ProviderRunState>(
    `SELECT run_id, calls, prompt_tokens::float8 AS prompt_tokens, completion_tokens::float8 AS completion_tokens, failed_calls, cache_hits,
            breaker_opened_at, breaker_reason, budget_exhausted_at
       FROM provider_run_state WHERE run_id = ANY($1::text[])`,
    [runIds],
  );
  return new Map(r.rows.map((x) => [x.run_id, x]));
}
