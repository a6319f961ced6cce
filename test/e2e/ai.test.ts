// `bearing serve` (the real process, embedded database) with the OpenAI-compatible test server as its provider:
// the README walk-through — strategy, items, run — gives LLM-judged scores citing the strategy; with the provider
// stopped in the middle of a later run, that run still finishes, the rest of it on the deterministic engine.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeJudge } from '../helpers/fake-judge.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.ts';
import { startServe } from '../helpers/serve-process.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const judge = createFakeJudge();
let provider: FakeOpenAI;
let proc: ChildProcess | undefined;
let url = '';
let auth: Record<string, string> = {};

beforeAll(async () => {
  provider = await startFakeOpenAI({ chat: (b) => judge.handler(b) });
  const served = await startServe({
    BEARING_DATA_DIR: mkdtempSync(join(tmpdir(), 'bearing-ai-')),
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: provider.url,
    OPENAI_EMBEDDING_MODEL: 'fake-embed-384',
    OPENAI_EMBEDDING_DIMENSIONS: '384',
    OPENAI_CHAT_MODEL: 'fake-judge-1',
    OPENAI_TIMEOUT_MS: '1000',
    OPENAI_MAX_RETRIES: '1',
    // One item per call, one call at a time: the provider can be stopped between two known calls.
    BEARING_JUDGE_BATCH_SIZE: '1',
    BEARING_JUDGE_CONCURRENCY: '1',
  });
  proc = served.proc;
  url = served.url;
  auth = { authorization: `Bearer ${/export BEARING_KEY=(brg_\S+)/.exec(served.out)![1]}` };
}, 90_000);

afterAll(async () => {
  proc?.kill('SIGKILL');
  await provider.close();
});

const api = async (method: string, path: string, body?: string, type = 'application/json') => {
  const res = await fetch(`${url}${path}`, { method, headers: { ...auth, ...(body ? { 'content-type': type } : {}) }, body });
  return { status: res.status, json: (await res.json()) as any };
};

async function runToEnd(): Promise<any> {
  const started = await api('POST', '/v1/runs', '{}');
  expect(started.status).toBe(202);
  for (let i = 0; i < 600; i++) {
    const run = (await api('GET', `/v1/runs/${started.json.id}`)).json;
    if (run.status !== 'queued' && run.status !== 'running') return run;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error('run did not finish in 60 s');
}

const strategy = readFileSync(join(ROOT, 'examples/strategy.md'), 'utf8');
const backlog = JSON.parse(readFileSync(join(ROOT, 'examples/backlog.json'), 'utf8')) as { id: string }[];

describe('bearing serve with an OpenAI-compatible provider', () => {
  it('the walk-through gives LLM-judged scores that cite the strategy', async () => {
    expect((await api('PUT', '/v1/strategy', strategy, 'text/markdown')).status).toBe(201);
    expect((await api('POST', '/v1/items:batch', JSON.stringify({ items: backlog }))).status).toBe(200);
    const chat0 = provider.calls.chat;
    const run = await runToEnd();
    expect(run.status).toBe('finished');
    expect(run.progress).toMatchObject({ total: backlog.length, done: backlog.length });
    expect(run.scoring.by_scorer).toEqual({ 'llm:fake-judge-1': backlog.length });
    expect(provider.calls.chat - chat0).toBe(backlog.length);
    expect(provider.calls.embeddings).toBeGreaterThan(0);

    const score = (await api('GET', '/v1/items/PAY-101/score?include=provenance')).json;
    expect(score).toMatchObject({ id: 'PAY-101', scorer: 'llm:fake-judge-1', provenance: { prompt_version: 'judge@2', retrieval: 'pgvector', embedding_model: 'fake-embed-384' } });
    expect(score.objective_id).not.toBeNull();
    expect(score.evidence.some((e: any) => (e.kind === 'key_result' || e.kind === 'objective') && e.quote.length > 0)).toBe(true);
  }, 90_000);

  it('with the provider stopped mid-run, the run finishes on the engine', async () => {
    // A new strategy version: every item is judged again.
    expect((await api('PUT', '/v1/strategy', `${strategy}\n- Small steps, shipped weekly.\n`, 'text/markdown')).status).toBe(201);
    const judged0 = judge.judged;
    judge.override = () => {
      if (judge.judged - judged0 === 3) void provider.stop(); // while the third item of this run is being answered
      return undefined;
    };
    try {
      const run = await runToEnd();
      expect(run.status).toBe('finished');
      expect(run.progress).toMatchObject({ total: backlog.length, done: backlog.length });
      const llm = run.scoring.by_scorer['llm:fake-judge-1'] ?? 0;
      const engine = Object.entries(run.scoring.by_scorer as Record<string, number>).find(([k]) => k.startsWith('heuristic@'))?.[1] ?? 0;
      expect(llm).toBe(2);
      expect(llm + engine).toBe(backlog.length);
      expect(run.scoring.fallbacks).toEqual({ unreachable: 3, breaker_open: backlog.length - 5 });
      expect(run.scoring.provider.breaker).toMatchObject({ open: true, reason: 'unreachable' });
      for (const item of backlog) {
        const s = (await api('GET', `/v1/items/${item.id}/score?include=provenance`)).json;
        expect(s.run_id).toBe(run.id);
      }
    } finally {
      judge.override = undefined;
      await provider.start();
    }
  }, 90_000);
});
