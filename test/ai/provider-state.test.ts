// A run's provider budget and circuit breaker live in the database, so worker processes scoring the same run share
// them. Each process is its own connection pool: with PostgreSQL (DATABASE_URL) this test opens two pools and lets
// them race; on the embedded database one pool races with itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitCall, admitEmbedding, breakerOpen, providerRunStates, recordCall, recordEmbedding } from '../../src/adapters/db/judgements.ts';
import { insertRun } from '../../src/adapters/db/runs.ts';
import type { Db } from '../../src/deps.ts';
import { newId } from '../../src/lib/crypto.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { openTestDb, uniqueName, usingRealPostgres } from '../helpers/harness.ts';

let a: Db;
let b: Db;
let workspaceId: string;
beforeAll(async () => {
  a = await openTestDb();
  b = usingRealPostgres ? await openTestDb() : a;
  workspaceId = (await createKey({ db: a, input: { workspaceName: uniqueName('gate'), scopes: ['admin'] } })).workspace.id;
});
afterAll(async () => {
  if (b !== a) await b.close();
  await a.close();
});

async function newRun(): Promise<string> {
  const { run } = await insertRun(a, {
    id: newId('run'),
    workspace_id: workspaceId,
    kind: 'manual',
    strategy_version: 1,
    scorer: 'heuristic@test',
    dry_run: false,
    item_filter: null,
    dedupe_key: newId('dk'),
  });
  return run.id;
}

describe('per-run budget', () => {
  it('admits exactly the budgeted number of calls when workers race for them', async () => {
    const run = await newRun();
    const limits = { maxCalls: 20, maxTokens: 1_000_000 };
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => admitCall(i % 2 ? a : b, run, limits)));
    expect(answers.filter((x) => x === 'ok')).toHaveLength(20);
    expect(answers.filter((x) => x === 'budget_exhausted')).toHaveLength(40);
    expect((await providerRunStates(a, [run])).get(run)).toMatchObject({ calls: 20, budget_exhausted_at: expect.any(Date) });
  });

  it('stops admitting once the recorded tokens reach the token budget', async () => {
    const run = await newRun();
    const limits = { maxCalls: 100, maxTokens: 1_000 };
    expect(await admitCall(a, run, limits)).toBe('ok');
    await recordCall(b, run, { ok: true, usage: { promptTokens: 900, completionTokens: 150 } }, 3);
    expect(await admitCall(b, run, limits)).toBe('budget_exhausted');
  });

  it('a zero budget admits nothing', async () => {
    expect(await admitCall(a, await newRun(), { maxCalls: 0, maxTokens: 1_000 })).toBe('budget_exhausted');
  });
});

describe('circuit breaker', () => {
  it('opens after the configured consecutive failures from any worker, and then admits nothing', async () => {
    const run = await newRun();
    const limits = { maxCalls: 1_000, maxTokens: 1_000_000 };
    await recordCall(a, run, { ok: false, reason: 'timeout' }, 3);
    await recordCall(b, run, { ok: false, reason: 'timeout' }, 3);
    expect(await breakerOpen(a, run)).toBe(false);
    await recordCall(a, run, { ok: true }, 3); // a success in between resets the streak
    await Promise.all([1, 2, 3, 4, 5].map((i) => recordCall(i % 2 ? a : b, run, { ok: false, reason: 'unreachable' }, 3)));
    expect(await breakerOpen(b, run)).toBe(true);
    expect(await admitCall(a, run, limits)).toBe('breaker_open');
    expect((await providerRunStates(b, [run])).get(run)).toMatchObject({ failed_calls: 7, breaker_reason: 'unreachable' });
  });

  it('embedding calls keep their own streak: they neither open nor reset the judge’s breaker', async () => {
    const run = await newRun();
    await recordCall(a, run, { ok: false, reason: 'invalid_output' }, 2);
    expect(await admitEmbedding(a, run, 1_000_000)).toBe('ok');
    await recordEmbedding(a, run, { ok: true, tokens: 10 }, 2); // does not close the chat streak
    expect(await recordCall(b, run, { ok: false, reason: 'invalid_output' }, 2)).toBe(true);

    const other = await newRun();
    for (let i = 0; i < 3; i++) {
      expect(await admitEmbedding(a, other, 1_000_000)).toBe('ok');
      await recordEmbedding(b, other, { ok: false }, 3);
    }
    expect(await breakerOpen(a, other)).toBe(false); // the judge's breaker stays closed
    expect(await admitCall(a, other, { maxCalls: 10, maxTokens: 1_000_000 })).toBe('ok');
    expect(await admitEmbedding(a, other, 1_000_000)).toBe('breaker_open'); // the embedding breaker is open
  });

  it('embedding tokens count against the run’s token budget', async () => {
    const run = await newRun();
    expect(await admitEmbedding(a, run, 100)).toBe('ok');
    await recordEmbedding(a, run, { ok: true, tokens: 100 }, 3);
    expect(await admitCall(a, run, { maxCalls: 10, maxTokens: 100 })).toBe('budget_exhausted');
    expect(await admitEmbedding(b, run, 100)).toBe('budget_exhausted');
  });
});
