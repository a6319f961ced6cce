// A model's answer, streamed: text pieces pass through a marker filter that keeps only citations of the sources the
// prompt listed (unknown ids are dropped as they stream), with deadlines for the first piece and between pieces so a
// hanging provider cannot hold an answer. Failures throw: the caller falls back to the deterministic answer.
import type { ChatMessage, ChatModel } from '../domain/llm.ts';
import { cite, MarkerFilter, type Citation, type Source } from './ask-citations.ts';

/** A provider that has not started answering by then is treated as down (the fallback answers in milliseconds). */
export const FIRST_PIECE_MS = 8_000;
/** A stream that stalls this long mid-answer is cut and the answer falls back. */
export const STALL_MS = 8_000;
/** Room for a short cited answer; longer output is cut by the provider. */
export const MAX_ANSWER_TOKENS = 700;

export type LlmPiece = { type: 'token'; text: string } | { type: 'citation'; citation: Citation };

export class ProviderTimeout extends Error {}

/** The next value of an iterator, or ProviderTimeout (and the request aborted) after `ms`. */
async function nextWithin<T>(it: AsyncIterator<T>, ms: number, abort: AbortController): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new ProviderTimeout(`the provider sent nothing for ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([it.next(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface LlmRun {
  /** The answer text so far (markers of unknown sources removed). */
  text: string;
  citations: Citation[];
}

/**
 * Streams the model's answer. Yields tokens and, the first time a known source is cited, its citation (quoted from
 * the source near what the answer says). `run` holds the text and citations when the generator returns.
 */
export async function* streamModelAnswer(
  chat: ChatModel,
  messages: ChatMessage[],
  sources: Map<string, Source>,
  run: LlmRun,
  opts: { signal?: AbortSignal; firstPieceMs?: number; stallMs?: number } = {},
): AsyncGenerator<LlmPiece> {
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort);
  const filter = new MarkerFilter((ref) => sources.has(ref));
  const it = chat.stream({ messages, maxTokens: MAX_ANSWER_TOKENS, signal: abort.signal })[Symbol.asyncIterator]();
  let first = true;
  const emit = function* (out: { text: string; refs: string[] }): Generator<LlmPiece> {
    if (out.text) {
      run.text += out.text;
      yield { type: 'token', text: out.text };
    }
    for (const ref of out.refs) {
      const c = cite(sources.get(ref)!, { about: run.text.slice(-400) });
      run.citations.push(c);
      yield { type: 'citation', citation: c };
    }
  };
  try {
    for (;;) {
      const r = await nextWithin(it, first ? (opts.firstPieceMs ?? FIRST_PIECE_MS) : (opts.stallMs ?? STALL_MS), abort);
      first = false;
      if (r.done) break;
      yield* emit(filter.push(r.value));
    }
    yield* emit(filter.end());
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    if (!abort.signal.aborted) abort.abort();
    // Not awaited: a provider that ignores the abort must not hold the answer.
    void it.return?.().catch(() => undefined);
  }
}
