// "Why does this matter?": answers a question about an item, the strategy or the portfolio, with citations of the
// strategy passages (and items) it rests on. Everything that can fail on bad input fails in `prepareAsk`, before an
// answer starts streaming. The answer is the model's when a provider is configured and answers with at least one
// valid citation; otherwise (no provider, provider failing, nothing valid cited) the deterministic one. Either way
// the events end with `done`, carrying the full answer.
import { liveItemsByIds } from '../adapters/db/ask-reads.ts';
import { findItems, type ItemRow } from '../adapters/db/items.ts';
import { latestStrategy, listPassages } from '../adapters/db/strategies.ts';
import type { ThreadRow } from '../adapters/db/threads.ts';
import type { Deps } from '../deps.ts';
import type { ChatMessage } from '../domain/llm.ts';
import { Problem } from '../lib/problem.ts';
import { ASK_PROMPT_VERSION, buildAskPrompt } from '../../prompts/ask.ts';
import { composeItemAnswer, composeStrategyAnswer, type Composed, type Confidence } from './ask-answer.ts';
import { MarkerFilter, type Citation, type Source } from './ask-citations.ts';
import { classifyIntent, isPortfolioIntent, itemFocus, mentionedItemIds, refersBack, type AskIntent } from './ask-intent.ts';
import { unknownGoalChecker } from './ask-goals.ts';
import { rejectNul } from './ask-input.ts';
import { ProviderTimeout, streamModelAnswer, type LlmRun } from './ask-llm.ts';
import { portfolioAnswer } from './ask-portfolio.ts';
import { itemFacts, itemText, neutral, rankPassages, type Ranking } from './ask-retrieval.ts';
import { recentTurns, requireThread, saveTurn } from './threads.ts';

/** A question, not a document: longer input is refused (400 naming `body.question`). */
export const MAX_QUESTION_CHARS = 4_000;
/** Earlier messages of the thread shown to a model (three question-and-answer turns). */
export const HISTORY_MESSAGES = 6;
/** Best-ranked passages offered to a model besides those the deterministic answer cites. */
export const PROMPT_PASSAGES = 8;
/** Words per `token` event when a deterministic answer is streamed. */
const WORDS_PER_TOKEN = 3;

export interface AskInput {
  workspaceId: string;
  question: string;
  itemId?: string;
  source?: string;
  threadId?: string;
  team?: string;
  /** Store the turn in a thread (default true; MCP tool calls do not). */
  persist?: boolean;
}

/** `unknown_goal`: the model's text named a goal id (or passage) the strategy does not have. */
export type FallbackReason = 'provider_error' | 'provider_timeout' | 'no_valid_citations' | 'unknown_goal';

export interface AskResult {
  thread_id: string | null;
  answer: string;
  citations: Citation[];
  /** `model`: written by the configured provider; `deterministic`: Bearing's extractive answer. */
  mode: 'model' | 'deterministic';
  intent: AskIntent;
  item: { id: string; source: string | null; title: string } | null;
  confidence: Confidence;
  strategy_version: number;
  run_id: string | null;
  retrieval: Ranking['method'] | 'none';
  model: string | null;
  prompt_version: string | null;
  /** Why a configured provider's answer was not used. */
  fallback_reason: FallbackReason | null;
  /** Tokens of a failed model answer were streamed before the fallback: `answer` replaces them. */
  replaces_streamed_text: boolean;
}

export type AskEvent = { type: 'token'; data: { text: string } } | { type: 'citation'; data: Citation } | { type: 'done'; data: AskResult };

export interface PreparedAsk {
  intent: AskIntent;
  item: ItemRow | null;
  thread: ThreadRow | null;
  version: number;
  ranking: Ranking | null;
  runId: string | null;
  composed: Composed;
  /** Sources a model may cite, and its prompt (null without a provider). */
  prompt: { messages: ChatMessage[]; sources: Map<string, Source> } | null;
  events(signal?: AbortSignal): AsyncGenerator<AskEvent>;
}

const fieldProblem = (code: 'validation_failed' | 'not_found' | 'conflict', detail: string, location: string, message: string) =>
  new Problem(code, detail, [{ location, message }]);

function checkQuestion(raw: string): string {
  const question = raw.trim();
  if (!question) throw fieldProblem('validation_failed', 'the question is empty', 'body.question', 'must not be empty');
  if (question.length > MAX_QUESTION_CHARS) {
    throw fieldProblem('validation_failed', `the question is too long (${question.length} characters)`, 'body.question', `at most ${MAX_QUESTION_CHARS} characters`);
  }
  return question;
}

async function resolveItem(deps: Deps, workspaceId: string, id: string, source?: string): Promise<ItemRow> {
  const rows = await findItems(deps.db, workspaceId, id, source);
  if (!rows.length) throw fieldProblem('not_found', `no item "${id}"${source !== undefined ? ` from source "${source}"` : ''}`, 'body.item_id', 'no item with this id in this workspace');
  if (rows.length > 1) {
    const sources = rows.map((r) => r.source || '(none)').join(', ');
    throw fieldProblem('conflict', `several items have id "${id}"; set source`, 'body.source', `required: one of ${sources}`);
  }
  return rows[0]!;
}

/**
 * The item a question without item_id is about: one it names by key, else the thread's item — unless the question is
 * about the whole portfolio and does not point back at the item ("what should we stop?" vs "should we stop it?").
 */
async function impliedItem(deps: Deps, workspaceId: string, question: string, thread: ThreadRow | null): Promise<ItemRow | null> {
  const ids = mentionedItemIds(question);
  const named = await liveItemsByIds(deps.db, workspaceId, ids);
  for (const id of ids) {
    const rows = named.filter((r) => r.external_id === id);
    if (rows.length === 1) return rows[0]!;
  }
  if (isPortfolioIntent(classifyIntent(question, { hasItem: false })) && !refersBack(question)) return null;
  if (thread?.item_uid && thread.item_external_id) {
    return (await findItems(deps.db, workspaceId, thread.item_external_id)).find((r) => r.uid === thread.item_uid) ?? null;
  }
  return null;
}

/** Validates the input, gathers what the answer rests on and writes the deterministic answer. Throws Problems. */
export async function prepareAsk(deps: Deps, input: AskInput): Promise<PreparedAsk> {
  for (const [field, value] of [['question', input.question], ['item_id', input.itemId], ['source', input.source], ['thread_id', input.threadId], ['team', input.team]] as const) {
    rejectNul(value, `body.${field}`);
  }
  const question = checkQuestion(input.question);
  if (input.source !== undefined && input.itemId === undefined) throw fieldProblem('validation_failed', 'source without item_id', 'body.source', 'only with item_id');
  const thread = input.threadId !== undefined ? await requireThread(deps.db, input.workspaceId, input.threadId, 'body.thread_id') : null;
  const active = await latestStrategy(deps.db, input.workspaceId);
  if (!active) throw new Problem('conflict', 'this workspace has no strategy yet: PUT /v1/strategy first');
  const version = active.version;
  const passages = await listPassages(deps.db, input.workspaceId, version);
  const unknownGoals = unknownGoalChecker(active.parsed, passages);
  // Instruction-like sentences never steer what is looked up or cited.
  const asked = neutral(question);
  const item = input.itemId !== undefined ? await resolveItem(deps, input.workspaceId, input.itemId, input.source) : await impliedItem(deps, input.workspaceId, asked, thread);
  const intent: AskIntent = item ? 'item' : classifyIntent(asked, { hasItem: false });

  let ranking: Ranking | null = null;
  let composed: Composed;
  let runId: string | null = null;
  if (item) {
    const [facts, r] = await Promise.all([
      itemFacts(deps, input.workspaceId, item, version),
      rankPassages(deps, input.workspaceId, version, passages, { question: asked, item: { uid: item.uid, text: itemText(item) } }),
    ]);
    ranking = r;
    runId = facts.score?.run_id ?? facts.run?.id ?? null;
    composed = composeItemAnswer({ facts, strategy: active.parsed, version, passages, ranking, focus: itemFocus(asked) });
  } else if (intent === 'stop' || intent === 'coverage' || intent === 'portfolio') {
    const p = await portfolioAnswer(deps, { workspaceId: input.workspaceId, intent, question: asked, team: input.team, strategy: active.parsed, version, passages });
    runId = p.run_id;
    composed = p;
    if (deps.chat) ranking = await rankPassages(deps, input.workspaceId, version, passages, { question: asked, item: null });
  } else {
    ranking = await rankPassages(deps, input.workspaceId, version, passages, { question: asked, item: null });
    composed = composeStrategyAnswer({ question: asked, version, passages, ranking });
  }

  let prompt: PreparedAsk['prompt'] = null;
  if (deps.chat) {
    const history = thread ? await recentTurns(deps.db, input.workspaceId, thread.id, HISTORY_MESSAGES) : [];
    // Raw text, instructions included: ids named inside instruction sentences are exactly the ones to withhold. The
    // backlog text the findings echo (other items' titles, rationales, reasons) counts as much as the item's own.
    const untrusted = [question, item ? `${item.title}\n${item.description ?? ''}` : '', ...history.filter((h) => h.role === 'user').map((h) => h.content), ...composed.backlog].join('\n');
    const offered = offeredSources(composed, ranking, untrusted);
    const built = buildAskPrompt({
      now: deps.clock.now(),
      question,
      intent,
      item: item && { id: item.external_id, title: item.title, description: item.description, type: item.type, status: item.status, team: item.team },
      findings: composed.answer,
      sources: [...offered.values()].map((s) => ({ ref: s.citation.ref, kind: s.citation.kind, goal_id: s.citation.goal_id ?? s.citation.item_id, text: s.text })),
      history,
    });
    prompt = { messages: built.messages, sources: offered };
  }

  const base = {
    intent,
    item: item && { id: item.external_id, source: item.source || null, title: item.title },
    strategy_version: version,
    run_id: runId,
    retrieval: ranking?.method ?? ('none' as const),
  };

  async function* events(signal?: AbortSignal): AsyncGenerator<AskEvent> {
    let result: Omit<AskResult, 'thread_id'> | null = null;
    let fallback: FallbackReason | null = null;
    let streamed = false;
    if (deps.chat && prompt) {
      const run: LlmRun = { text: '', citations: [] };
      try {
        for await (const piece of streamModelAnswer(deps.chat, prompt.messages, prompt.sources, run, { signal })) {
          if (piece.type === 'token') {
            streamed = true;
            yield { type: 'token', data: { text: piece.text } };
          } else yield { type: 'citation', data: piece.citation };
        }
        const invented = unknownGoals(run.text);
        if (invented.length) {
          fallback = 'unknown_goal';
          deps.logger.warn('the model named goals the strategy does not have; answering deterministically', { goals: invented.slice(0, 5), workspace_id: input.workspaceId });
        } else if (run.citations.length && run.text.trim()) {
          result = { answer: run.text.trim(), citations: run.citations, ...base, mode: 'model', confidence: composed.confidence, model: deps.chat.model, prompt_version: ASK_PROMPT_VERSION, fallback_reason: null, replaces_streamed_text: false };
        } else fallback = 'no_valid_citations';
      } catch (e) {
        if (signal?.aborted) return;
        // Provider adapters tag their errors with a reason (src/adapters/ai/openai.ts); our own deadlines throw ProviderTimeout.
        fallback = e instanceof ProviderTimeout || (e as { reason?: unknown } | null)?.reason === 'timeout' ? 'provider_timeout' : 'provider_error';
        deps.logger.warn('provider answer failed; answering deterministically', { error: String(e), workspace_id: input.workspaceId });
      }
    }
    if (!result) {
      if (!streamed) yield* streamText(composed);
      result = { answer: composed.answer, citations: composed.citations, ...base, mode: 'deterministic', confidence: composed.confidence, model: null, prompt_version: null, fallback_reason: fallback, replaces_streamed_text: streamed };
    }
    if (signal?.aborted) return;
    let threadId = thread?.id ?? null;
    if (input.persist !== false) {
      const meta = { mode: result.mode, intent, item_id: base.item?.id ?? null, confidence: result.confidence, model: result.model, prompt_version: result.prompt_version, strategy_version: version, run_id: runId, fallback_reason: result.fallback_reason };
      try {
        threadId = await saveTurn(deps.db, input.workspaceId, thread?.id ?? null, { question, answer: result.answer, itemUid: item?.uid ?? null, citations: result.citations, meta });
      } catch (e) {
        // The answer stands without its thread: `thread_id: null` says it was not stored.
        deps.logger.error('storing the answer in its thread failed', { error: String(e), workspace_id: input.workspaceId });
        threadId = null;
      }
    }
    yield { type: 'done', data: { thread_id: threadId, ...result } };
  }

  return { intent, item, thread, version, ranking, runId, composed, prompt, events };
}

/** Whether untrusted text names this id on its own ("NG1", "kr:O1.KR2"; not the "O1" inside "O1.KR2"). */
function names(text: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_.:-])${escaped}(?![\\p{L}\\p{N}_:-]|\\.[\\p{L}\\p{N}])`, 'iu').test(text);
}

/**
 * What a model may cite: everything the deterministic answer cites, and the best-ranked passages (ranked from text
 * with instructions removed) — except a passage that the question, the item or earlier questions name by id or goal
 * id when Bearing's own answer does not cite it: text that points the model at a source it would not otherwise use
 * is how injected instructions steer citations.
 */
function offeredSources(composed: Composed, ranking: Ranking | null, untrusted: string): Map<string, Source> {
  const offered = new Map<string, Source>();
  for (const c of composed.citations) offered.set(c.ref, composed.sources.get(c.ref)!);
  for (const r of ranking?.passages.slice(0, PROMPT_PASSAGES) ?? []) {
    const s = composed.sources.get(r.passage.id);
    if (!s || offered.has(r.passage.id)) continue;
    if (names(untrusted, s.citation.ref) || (s.citation.goal_id !== null && names(untrusted, s.citation.goal_id))) continue;
    offered.set(r.passage.id, s);
  }
  return offered;
}

/** A finished answer as token events (a few words each), each citation right after the token that cites it. */
function* streamText(composed: Composed): Generator<AskEvent> {
  const byRef = new Map(composed.citations.map((c) => [c.ref, c]));
  const filter = new MarkerFilter((ref) => byRef.has(ref));
  const words = composed.answer.match(/\S+\s*/g) ?? [];
  for (let i = 0; i < words.length; i += WORDS_PER_TOKEN) {
    const out = filter.push(words.slice(i, i + WORDS_PER_TOKEN).join(''));
    if (out.text) yield { type: 'token', data: { text: out.text } };
    for (const ref of out.refs) yield { type: 'citation', data: byRef.get(ref)! };
  }
  const rest = filter.end();
  if (rest.text) yield { type: 'token', data: { text: rest.text } };
}

/** The whole answer at once (JSON responses, MCP tools). */
export async function ask(deps: Deps, input: AskInput): Promise<AskResult> {
  const prepared = await prepareAsk(deps, input);
  for await (const e of prepared.events()) if (e.type === 'done') return e.data;
  throw new Error('answer ended without a done event');
}
