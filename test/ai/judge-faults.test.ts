// Provider faults through the real `openai` SDK and the OpenAI-compatible test server: whatever the provider does,
// the run finishes, every item has exactly one score, and each score's provenance says what happened.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ITEMS, runToEnd, seed } from '../fixtures/api/logistics.ts';
import type { Fault } from '../helpers/openai-server.ts';
import { CHAT_MODEL, countCalls, runScores, setupAi, type AiEnv } from './helpers.ts';

let env: AiEnv;
beforeAll(async () => {
  // One call in flight and 2 items per call: batches fail in a known order, so breaker counts are exact.
  env = await setupAi({ settings: { batchSize: 2, concurrency: 1, breakerFailures: 3 }, timeoutMs: 300, maxRetries: 1 });
});
afterAll(() => env.close());
beforeEach(() => {
  env.server.clearFaults();
  env.judge.mode = 'follow';
  env.judge.gullible = false;
  env.judge.override = undefined;
  env.setSettings({ batchSize: 2, concurrency: 1, breakerFailures: 3, maxCallsPerRun: 1_000, maxTokensPerRun: 10_000_000 });
});

const BATCHES = Math.ceil(ITEMS.length / 2);
const LLM = `llm:${CHAT_MODEL}`;

/** A seeded workspace (strategy, items, embeddings) with the provider healthy, then `fault` set, then a run. */
async function runWith(prepare: () => void | Promise<void>) {
  const c = await env.client();
  await seed(c);
  await env.settle();
  await prepare();
  const chat0 = env.server.calls.chat;
  const t0 = Date.now();
  const run = await runToEnd(c, env.settle);
  const rows = await runScores(env, run.id);
  return { c, run, rows, chatCalls: env.server.calls.chat - chat0, ms: Date.now() - t0 };
}

function expectOneScoreEach(rows: { external_id: string }[]) {
  expect(rows.map((r) => r.external_id).sort()).toEqual(ITEMS.map((i) => i.id).sort());
}

/** Fallback rows keep the engine's reading exactly. */
function expectEngineReading(rows: Awaited<ReturnType<typeof runScores>>) {
  for (const r of rows.filter((x) => x.provenance.fallback)) {
    expect(r.scorer).toMatch(/^heuristic@/);
    expect(r.provenance).toMatchObject({ judge: LLM, engine: { alignment: r.alignment, objective_id: r.objective_id } });
  }
}

describe('a healthy provider', () => {
  it('judges every item with the LLM, citing strategy passages, and records the prompt version', async () => {
    const { rows, run, chatCalls } = await runWith(() => undefined);
    expectOneScoreEach(rows);
    expect(chatCalls).toBe(BATCHES);
    expect(rows.every((r) => r.scorer === LLM && r.provenance.prompt_version === 'judge@2' && !r.provenance.fallback)).toBe(true);
    expect(rows.filter((r) => r.objective_id).every((r) => r.evidence.some((e) => e.kind === 'key_result' || e.kind === 'objective'))).toBe(true);
    expect(rows.some((r) => r.provenance.retrieval === 'pgvector' && r.provenance.embedding_model === 'fake-embed-384')).toBe(true);
    expect(run.scoring).toMatchObject({ by_scorer: { [LLM]: ITEMS.length }, fallbacks: {}, provider: { calls: BATCHES, failed_calls: 0, breaker: { open: false } } });
  });
});

describe.each<[string, Fault, number, string]>([
  ['500 on every call', 'server_error', Infinity, 'provider_error'],
  ['a hang past the timeout on every call', 'hang', Infinity, 'timeout'],
  ['200 headers and then a body that never ends, on every call', 'stall_body', Infinity, 'timeout'],
  ['a malformed HTTP body on every call', 'malformed', Infinity, 'malformed_response'],
  ['429 on every call', 'rate_limit', Infinity, 'rate_limited'],
])('%s', (_name, fault, times, reason) => {
  it(`falls back (${reason}) until the breaker opens, then the rest of the run is deterministic`, async () => {
    const { rows, run, chatCalls } = await runWith(() => env.server.fail('chat', fault, times, 0));
    expectOneScoreEach(rows);
    expectEngineReading(rows);
    const by = (f: string) => rows.filter((r) => r.provenance.fallback === f).length;
    // Three failed calls (two items each) open the breaker; nothing after it reaches the provider.
    expect(by(reason)).toBe(6);
    expect(by('breaker_open')).toBe(ITEMS.length - 6);
    expect(rows.some((r) => r.scorer === LLM)).toBe(false);
    expect(chatCalls).toBe(fault === 'malformed' ? 3 : 3 * 2); // the SDK retries each failed call once (not a 200 it cannot parse)
    expect(run.scoring).toMatchObject({
      by_scorer: { [rows[0]!.scorer]: ITEMS.length },
      fallbacks: { [reason]: 6, breaker_open: ITEMS.length - 6 },
      provider: { calls: 3, failed_calls: 3, breaker: { open: true, reason } },
    });
  });
});

describe('transient faults', () => {
  it('a 429 with Retry-After is waited out and retried: every item still gets the LLM verdict', async () => {
    const { rows, chatCalls, ms } = await runWith(() => env.server.fail('chat', 'rate_limit', 1, 1));
    expectOneScoreEach(rows);
    expect(rows.every((r) => r.scorer === LLM)).toBe(true);
    expect(chatCalls).toBe(BATCHES + 1);
    expect(ms).toBeGreaterThanOrEqual(1_000);
  });

  it('a Retry-After beyond OPENAI_MAX_RETRY_AFTER_MS is not waited for: that batch falls back at once', async () => {
    const quick = await setupAi({ settings: { batchSize: 20, concurrency: 1 }, maxRetries: 2, maxRetryAfterMs: 2_000 });
    try {
      const c = await quick.client();
      await seed(c);
      await quick.settle();
      quick.server.fail('chat', 'rate_limit', 1, 3_600);
      const t0 = Date.now();
      const run = await runToEnd(c, quick.settle);
      expect(Date.now() - t0).toBeLessThan(20_000);
      const rows = await runScores(quick, run.id);
      expectOneScoreEach(rows);
      expect(rows.every((r) => r.provenance.fallback === 'rate_limited')).toBe(true);
      expect(quick.server.calls.chat).toBe(1); // not retried
    } finally {
      await quick.close();
    }
  });

  it('one failed call among good ones costs only its own items (the breaker needs consecutive failures)', async () => {
    const { rows } = await runWith(() => env.server.fail('chat', 'server_error', 2, 0)); // one call: first attempt + its retry
    expectOneScoreEach(rows);
    expect(rows.filter((r) => r.provenance.fallback === 'provider_error')).toHaveLength(2);
    expect(rows.filter((r) => r.scorer === LLM)).toHaveLength(ITEMS.length - 2);
  });

  it('items that fell back are judged at the next run, while judged ones are reused', async () => {
    const { c } = await runWith(() => env.server.fail('chat', 'server_error', 2, 0));
    const next = await countCalls(env.server, () => runToEnd(c, env.settle));
    expect(next.chat).toBe(1); // the two items of the failed call, in one batch
    expect(next.result.progress).toMatchObject({ scored: 2, reused: ITEMS.length - 2 });
    const rows = await runScores(env, next.result.id);
    expectOneScoreEach(rows);
    expect(rows.every((r) => r.scorer === LLM)).toBe(true);
  });

  it('the provider going down mid-run: the run finishes on the engine', async () => {
    let calls = 0;
    env.judge.override = () => {
      if (++calls === 3) void env.server.stop(); // stops while the third item's batch is being answered
      return undefined;
    };
    try {
      const { rows, run } = await runWith(() => undefined);
      expectOneScoreEach(rows);
      expectEngineReading(rows);
      expect(rows.filter((r) => r.scorer === LLM).length).toBeGreaterThan(0);
      expect(rows.filter((r) => r.provenance.fallback === 'unreachable' || r.provenance.fallback === 'breaker_open').length).toBeGreaterThan(0);
      expect(run.scoring.provider.breaker).toMatchObject({ open: true, reason: 'unreachable' });
    } finally {
      await env.server.start();
    }
  });
});

describe('bad answers', () => {
  it('a reply that is not JSON: invalid_output, and it counts towards the breaker', async () => {
    const { rows, run } = await runWith(() => void (env.judge.mode = 'not_json'));
    expectOneScoreEach(rows);
    expectEngineReading(rows);
    expect(rows.filter((r) => r.provenance.fallback === 'invalid_output')).toHaveLength(6);
    expect(run.scoring.provider.breaker).toMatchObject({ open: true, reason: 'invalid_output' });
  });

  it('JSON that breaks the reply schema: invalid_output, naming what broke', async () => {
    const { rows } = await runWith(() => void (env.judge.mode = 'break_schema'));
    expectOneScoreEach(rows);
    const bad = rows.filter((r) => r.provenance.fallback === 'invalid_output');
    expect(bad).toHaveLength(6);
    expect(bad[0]!.provenance.fallback_detail).toMatch(/items\.0\.\w+/);
  });

  it('invented objective ids: each such item is rejected (unknown_ids), the calls themselves succeeded', async () => {
    const { rows, run, chatCalls } = await runWith(() => void (env.judge.mode = 'invent_ids'));
    expectOneScoreEach(rows);
    expectEngineReading(rows);
    expect(rows.every((r) => r.provenance.fallback === 'unknown_ids')).toBe(true);
    expect(rows[0]!.provenance.fallback_detail).toMatch(/objective "L1-INVENTED" does not exist/);
    expect(rows.some((r) => r.objective_id === 'L1-INVENTED')).toBe(false);
    expect(chatCalls).toBe(BATCHES);
    expect(run.scoring.provider).toMatchObject({ calls: BATCHES, failed_calls: 0, breaker: { open: false } });
  });
});

describe('flags the judge may not set', () => {
  it('a reply carrying `stale` or `duplicate` keeps the batch: those flags are dropped, the prior shows only judge flags', async () => {
    env.judge.override = (it) => (it.prior.objective_id ? { flags: ['stale', 'duplicate', 'vague'] } : undefined);
    const { rows, run } = await runWith(() => undefined);
    expectOneScoreEach(rows);
    expect(rows.every((r) => r.scorer === LLM && !r.provenance.fallback)).toBe(true);
    const flags = await env.db.query<{ flags: string[]; duplicate_of: string | null }>(`SELECT flags, duplicate_of FROM item_scores WHERE run_id = $1`, [run.id]);
    expect(flags.rows.some((f) => f.flags.includes('vague'))).toBe(true);
    for (const f of flags.rows) if (!f.duplicate_of) expect(f.flags).not.toContain('duplicate');
    // The engine flags a stale item in this fixture; its prior reaches the model without engine-only flags.
    const priors = env.judge.seen.flat().map((i) => i.prior.flags);
    expect(priors.every((fs) => fs.every((f) => ['unlinked', 'vague', 'busywork', 'contradicts_non_goal'].includes(f)))).toBe(true);
  });
});

describe('unexpected errors', () => {
  it('an error while judging a batch (here: the budget table failing) costs that batch the judge, not the run', async () => {
    const db = env.deps.db;
    env.deps.db = {
      ...db,
      kind: db.kind,
      transaction: (fn) => db.transaction(fn),
      close: () => db.close(),
      query: (text: string, params?: unknown[]) =>
        /INSERT INTO provider_run_state AS s \(run_id, calls\)/.test(text) ? Promise.reject(new Error('relation is locked')) : db.query(text, params),
    } as typeof db;
    try {
      const { rows, chatCalls } = await runWith(() => undefined);
      expectOneScoreEach(rows);
      expectEngineReading(rows);
      expect(rows.every((r) => r.provenance.fallback === 'judge_error')).toBe(true);
      expect(chatCalls).toBe(0);
    } finally {
      env.deps.db = db;
    }
  });
});

describe('budget', () => {
  it('calls beyond the per-run budget are not made: the rest of the run is deterministic', async () => {
    env.setSettings({ maxCallsPerRun: 3 });
    const { rows, run, chatCalls } = await runWith(() => undefined);
    expectOneScoreEach(rows);
    expect(chatCalls).toBe(3);
    expect(rows.filter((r) => r.scorer === LLM)).toHaveLength(6);
    expect(rows.filter((r) => r.provenance.fallback === 'budget_exhausted')).toHaveLength(ITEMS.length - 6);
    expect(run.scoring.provider.budget_exhausted_at).not.toBeNull();
  });

  it('the token budget stops further calls once reached', async () => {
    env.setSettings({ maxTokensPerRun: 1 });
    const { rows, chatCalls, run } = await runWith(() => undefined);
    expectOneScoreEach(rows);
    expect(chatCalls).toBe(1);
    expect(rows.filter((r) => r.scorer === LLM)).toHaveLength(2);
    expect(run.scoring.provider.prompt_tokens).toBeGreaterThan(1);
  });
});
