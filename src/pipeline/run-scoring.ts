// How a run's items were scored, shown in GET /v1/runs/{id}: items per scorer and fallback reason, disagreements,
// and the provider's use against the run's budget and breaker.
import { providerRunStates } from '../adapters/db/judgements.ts';
import { scorerCounts } from '../adapters/db/score-reviews.ts';
import type { Db } from '../deps.ts';

export interface RunScoring {
  /** Items per scorer (`llm:<model>`, `heuristic@<version>`), reused scores under the scorer that produced them. */
  by_scorer: Record<string, number>;
  /** Items the engine scored although a judge was configured, by reason (timeout, breaker_open, budget_exhausted …). */
  fallbacks: Record<string, number>;
  /** Items whose judge and engine readings disagree (see GET /v1/runs/{id}/disagreements). */
  disagreements: number;
  /** The run's provider use; null when no judge took part. */
  provider: {
    calls: number;
    failed_calls: number;
    prompt_tokens: number;
    completion_tokens: number;
    cache_hits: number;
    breaker: { open: boolean; reason: string | null; opened_at: string | null };
    budget_exhausted_at: string | null;
  } | null;
}

export async function runScoring(db: Db, workspaceId: string, runId: string): Promise<RunScoring> {
  const [counts, states] = await Promise.all([scorerCounts(db, workspaceId, runId), providerRunStates(db, [runId])]);
  const out: RunScoring = { by_scorer: {}, fallbacks: {}, disagreements: 0, provider: null };
  for (const c of counts) {
    out.by_scorer[c.scorer] = (out.by_scorer[c.scorer] ?? 0) + c.items;
    if (c.fallback) out.fallbacks[c.fallback] = (out.fallbacks[c.fallback] ?? 0) + c.items;
    out.disagreements += c.disagreements;
  }
  const s = states.get(runId);
  if (s) {
    out.provider = {
      calls: s.calls,
      failed_calls: s.failed_calls,
      prompt_tokens: s.prompt_tokens,
      completion_tokens: s.completion_tokens,
      cache_hits: s.cache_hits,
      breaker: { open: s.breaker_opened_at !== null, reason: s.breaker_reason, opened_at: s.breaker_opened_at?.toISOString() ?? null },
      budget_exhausted_at: s.budget_exhausted_at?.toISOString() ?? null,
    };
  }
  return out;
}
