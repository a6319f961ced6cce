// The nightly re-run after 1% of 1,000 items changed: unchanged items reuse their judged scores, so the provider is
// asked about the changed ones only — at most 2% of the first run's provider calls (counted at the test server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRATEGY, runToEnd, sendItems } from '../fixtures/api/logistics.ts';
import { CHAT_MODEL, countCalls, runScores, setupAi, syntheticItem, type AiEnv } from './helpers.ts';

let env: AiEnv;
beforeAll(async () => {
  env = await setupAi(); // the documented defaults: 8 items per call, 4 calls in flight
});
afterAll(() => env.close());

const N = 1_000;
const CHANGED = Array.from({ length: 10 }, (_, k) => 5 + k * 100); // 1%, spread over both score jobs

describe('nightly re-run with 1% changed', () => {
  it('makes ≤ 2% of the first run’s provider calls, and every changed item is judged again', async () => {
    const c = await env.client();
    expect((await c.request('PUT', '/v1/strategy', { body: STRATEGY })).status).toBe(201);
    const items = Array.from({ length: N }, (_, i) => syntheticItem(i));
    const ingest = await countCalls(env.server, async () => {
      await sendItems(c, items);
      await env.settle();
    });

    const first = await countCalls(env.server, () => runToEnd(c, env.settle));
    expect(first.result.progress).toMatchObject({ total: N, scored: N, reused: 0 });
    expect(first.result.scoring.by_scorer).toEqual({ [`llm:${CHAT_MODEL}`]: N });
    expect(first.chat).toBe(2 * Math.ceil(500 / env.settings.batchSize)); // two score jobs of 500

    const changed = items.map((it, i) => (CHANGED.includes(i) ? syntheticItem(i, 1) : it));
    const reingest = await countCalls(env.server, async () => {
      await sendItems(c, changed);
      await env.settle();
    });
    const second = await countCalls(env.server, () => runToEnd(c, env.settle));
    expect(second.result.progress).toMatchObject({ total: N, scored: CHANGED.length, reused: N - CHANGED.length });

    const firstCalls = first.chat + first.embeddings;
    const secondCalls = second.chat + second.embeddings;
    expect(secondCalls).toBeLessThanOrEqual(0.02 * firstCalls);
    const rows = await runScores(env, second.result.id);
    const fresh = rows.filter((r) => CHANGED.some((i) => r.external_id === `SYN-${i}`));
    expect(fresh.every((r) => r.scorer === `llm:${CHAT_MODEL}` && !r.provenance.cached)).toBe(true);
    console.log(
      `[ai] provider calls — ingest of ${N}: ${ingest.embeddings} embedding calls; first run: ${first.chat} chat + ${first.embeddings} embedding; ` +
        `re-ingest of ${CHANGED.length} changed: ${reingest.embeddings} embedding; re-run: ${second.chat} chat + ${second.embeddings} embedding ` +
        `(${((100 * secondCalls) / firstCalls).toFixed(1)}% of the first run)`,
    );
  }, 240_000);
});
