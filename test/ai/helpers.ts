// The embedded app with a provider configured: the real `openai` SDK talking to the OpenAI-compatible test server,
// whose chat handler is a fake judge. Jobs run in-process with the judge settings a test chooses.
import { createProviderAdapters } from '../../src/adapters/ai/openai.ts';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import { createInProcessQueue } from '../../src/adapters/queue/inprocess.ts';
import type { JudgeSettings } from '../../src/pipeline/judge.ts';
import { DEFAULT_JUDGE_SETTINGS } from '../../src/pipeline/score.ts';
import { createProcessors } from '../../workers/jobs.ts';
import { createFakeJudge, type FakeJudge } from '../helpers/fake-judge.ts';
import { settleJobs, setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { FAKE_EMBEDDING_DIMS, startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.ts';

export const CHAT_MODEL = 'fake-judge-1';

export interface AiEnvOptions {
  settings?: Partial<JudgeSettings>;
  embeddingModel?: string;
  /** Per attempt (default 400 ms: a hang costs little test time). */
  timeoutMs?: number;
  /** SDK retries (default 1). */
  maxRetries?: number;
  maxRetryAfterMs?: number;
}

export async function setupAi(opts: AiEnvOptions = {}) {
  const judge = createFakeJudge();
  const server = await startFakeOpenAI({ chat: (b) => judge.handler(b) });
  const env = await setupApp();
  const deps = env.deps;
  deps.wordVectors = loadWordVectors();
  const useModel = (embeddingModel: string) => {
    const a = createProviderAdapters({
      apiKey: 'test-key',
      baseURL: server.url,
      embeddingModel,
      embeddingDimensions: FAKE_EMBEDDING_DIMS[embeddingModel] ?? 64,
      chatModel: CHAT_MODEL,
      timeoutMs: opts.timeoutMs ?? 400,
      maxRetries: opts.maxRetries ?? 1,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
    });
    deps.embedder = a.embedder;
    deps.chat = a.chat;
  };
  useModel(opts.embeddingModel ?? 'fake-embed-384');
  const settings: JudgeSettings = { ...DEFAULT_JUDGE_SETTINGS, ...opts.settings };
  const queue = createInProcessQueue({ processors: createProcessors(deps, { judge: settings }), logger: deps.logger, backoffMs: 10 });
  deps.jobs = { queue, kick: () => undefined };
  const workspaceIds: string[] = [];

  const settle = () => settleJobs(deps.db, queue, workspaceIds);

  return {
    ...env,
    judge,
    server,
    settings,
    settle,
    useModel,
    /** Judge settings are read per score job: a test may change them between runs. */
    setSettings: (s: Partial<JudgeSettings>) => Object.assign(settings, s),
    client: async (): Promise<TestClient> => {
      const c = await env.clientFor(uniqueName('ai'));
      workspaceIds.push(c.workspace.id);
      return c;
    },
    close: async () => {
      await queue.close();
      await server.close();
      await env.close();
    },
  };
}
export type AiEnv = Awaited<ReturnType<typeof setupAi>>;

/** Server calls (chat + embeddings) made while `fn` runs. */
export async function countCalls<T>(server: FakeOpenAI, fn: () => Promise<T>): Promise<{ result: T; chat: number; embeddings: number }> {
  const c0 = server.calls.chat;
  const e0 = server.calls.embeddings;
  const result = await fn();
  return { result, chat: server.calls.chat - c0, embeddings: server.calls.embeddings - e0 };
}

export interface ScoreRow {
  external_id: string;
  scorer: string;
  alignment: number;
  objective_id: string | null;
  provenance: Record<string, any>;
  review: Record<string, any> | null;
  evidence: { kind: string; id: string; quote: string }[];
}

/** Every score row of a run, by item id. */
export async function runScores(env: AiEnv, runId: string): Promise<ScoreRow[]> {
  const r = await env.db.query<ScoreRow>(
    `SELECT i.external_id, s.scorer, s.alignment, s.objective_id, s.provenance, s.review, s.evidence
       FROM item_scores s JOIN items i ON i.uid = s.item_uid WHERE s.run_id = $1 ORDER BY i.external_id`,
    [runId],
  );
  return r.rows;
}

export { syntheticItem } from './synthetic.ts';
