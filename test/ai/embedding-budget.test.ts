// Embedding calls during a run: metered against the run's token budget, on a failure streak of their own (a failing
// embeddings endpoint leaves the judge alone), and strategy passages embedded once however many score jobs run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embedPassagesOnce } from '../../src/pipeline/score.ts';
import { ITEMS, runToEnd, seed } from '../fixtures/api/logistics.ts';
import { CHAT_MODEL, runScores, setupAi, type AiEnv } from './helpers.ts';

let env: AiEnv;
beforeAll(async () => {
  env = await setupAi({ settings: { batchSize: 4, concurrency: 1, breakerFailures: 1 }, timeoutMs: 300, maxRetries: 0 });
});
afterAll(() => env.close());
beforeEach(() => {
  env.server.clearFaults();
  env.useModel('fake-embed-384');
  env.setSettings({ breakerFailures: 1, maxTokensPerRun: 10_000_000 });
});

const LLM = `llm:${CHAT_MODEL}`;

/** A seeded workspace whose vectors are of another model than the one now configured: a run has to embed. */
async function seededThenSwitched() {
  const c = await env.client();
  await seed(c);
  await env.settle();
  env.useModel('fake-embed-64');
  return c;
}

async function state(runId: string) {
  const r = await env.db.query<{ embedding_calls: number; embedding_tokens: string; embedding_failed_calls: number; breaker_opened_at: Date | null; embedding_breaker_opened_at: Date | null }>(
    `SELECT embedding_calls, embedding_tokens::text, embedding_failed_calls, breaker_opened_at, embedding_breaker_opened_at FROM provider_run_state WHERE run_id = $1`,
    [runId],
  );
  return r.rows[0]!;
}

describe('embedding calls in a run', () => {
  it('a failing embeddings endpoint does not open the judge’s breaker: every item is still judged', async () => {
    const c = await seededThenSwitched();
    env.server.fail('embeddings', 'server_error', Infinity, 0);
    const run = await runToEnd(c, env.settle);
    expect(run.status).toBe('finished');
    const rows = await runScores(env, run.id);
    expect(rows.map((r) => r.external_id).sort()).toEqual(ITEMS.map((i) => i.id).sort());
    expect(rows.every((r) => r.scorer === LLM && !r.provenance.fallback)).toBe(true);
    expect(rows.every((r) => r.provenance.retrieval === 'engine')).toBe(true); // no vectors of this model: retrieval degrades
    const s = await state(run.id);
    expect(s.breaker_opened_at).toBeNull();
    expect(s.embedding_failed_calls).toBe(1); // breakerFailures 1: the embedding breaker opened, nothing more was tried
    expect(s.embedding_breaker_opened_at).not.toBeNull();
    expect(run.scoring.provider.breaker.open).toBe(false);
  });

  it('embedding tokens count against the run’s token budget', async () => {
    const c = await seededThenSwitched();
    env.setSettings({ maxTokensPerRun: 1 });
    const chat0 = env.server.calls.chat;
    const run = await runToEnd(c, env.settle);
    const s = await state(run.id);
    expect(s.embedding_calls).toBe(1); // the first call is admitted; its tokens spend the budget
    expect(Number(s.embedding_tokens)).toBeGreaterThan(1);
    expect(env.server.calls.chat - chat0).toBe(0);
    const rows = await runScores(env, run.id);
    expect(rows.every((r) => r.provenance.fallback === 'budget_exhausted')).toBe(true);
    expect(run.scoring.provider.budget_exhausted_at).not.toBeNull();
  });
});

describe('strategy passages', () => {
  it('are embedded once for a strategy version and model, however many score jobs ask at the same time', async () => {
    const c = await seededThenSwitched();
    const embedder = env.deps.embedder!;
    const before = env.server.calls.embeddings;
    const done = await Promise.all([1, 2, 3, 4, 5, 6].map(() => embedPassagesOnce(env.db, embedder, c.workspace.id, 1)));
    expect(env.server.calls.embeddings - before).toBe(1);
    expect(done.every((n) => n === done[0]) && done[0]! > 0).toBe(true);
    // Later jobs find nothing left: no call at all.
    await embedPassagesOnce(env.db, embedder, c.workspace.id, 1);
    expect(env.server.calls.embeddings - before).toBe(1);
  });
});
