// OpenAI-compatible provider adapters (OpenAI, Ollama, vLLM, LM Studio, gateways): the Embedder and ChatModel ports
// on the `openai` SDK. Only built when an API key is configured (`new OpenAI()` throws without one).
import OpenAI from 'openai';
import type { Embedder } from '../../domain/embedder.ts';
import type { ChatModel, ChatRequest } from '../../domain/llm.ts';

export interface ProviderOptions {
  apiKey: string;
  baseURL?: string;
  /** Per request; the SDK aborts and (within maxRetries) retries after it. */
  timeoutMs: number;
  /** SDK retries on 408/409/429/5xx and connection errors, honouring Retry-After / retry-after-ms. */
  maxRetries: number;
  /**
   * The SDK waits as long as Retry-After says, however long. Above this the answer is marked not retryable instead,
   * so one call never holds a score job for an hour; the caller falls back for that call's items.
   */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

export function createClient(o: ProviderOptions): OpenAI {
  const base = o.fetch ?? fetch;
  const capped = o.maxRetryAfterMs === undefined ? base : capRetryAfter(base, o.maxRetryAfterMs);
  return new OpenAI({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries, fetch: withDeadline(capped, o.timeoutMs) });
}

/** Thrown when an attempt's whole answer did not arrive in time; "timed out" in the message is how the SDK tells. */
class AnswerTimeout extends Error {
  constructor(ms: number) {
    super(`request timed out: no complete answer within ${ms} ms`);
  }
}

/**
 * One deadline per attempt for the whole answer, headers and body. The SDK's own timeout ends once the headers
 * arrive, so a provider that sends 200 and then stalls would hold the call (and its score job) forever. Here a
 * non-streaming answer is read to its end within `ms` of the request and handed to the SDK in full; past the
 * deadline the attempt fails as a timeout (the SDK retries it like any timeout). A call therefore ends within
 * (retries + 1) × ms plus the Retry-After waits, which OPENAI_MAX_RETRY_AFTER_MS bounds. Event streams are passed
 * through as they come (their reader decides how long to wait).
 */
function withDeadline(inner: typeof fetch, ms: number): typeof fetch {
  return async (input, init) => {
    const ctrl = new AbortController();
    const outer = init?.signal ?? undefined;
    const onAbort = () => ctrl.abort(outer?.reason);
    if (outer?.aborted) ctrl.abort(outer.reason);
    else outer?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort(new AnswerTimeout(ms));
    }, ms);
    let streaming = false;
    try {
      const res = await inner(input, { ...init, signal: ctrl.signal });
      if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
        streaming = true; // the caller's signal keeps reaching the stream through `ctrl`
        return res;
      }
      const body = res.status === 204 || res.status === 304 ? null : await res.arrayBuffer();
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (err) {
      if (timedOut) throw new AnswerTimeout(ms);
      throw err;
    } finally {
      clearTimeout(timer);
      if (!streaming) outer?.removeEventListener('abort', onAbort);
    }
  };
}

/** Milliseconds a response asks the client to wait (Retry-After seconds or HTTP date, or retry-after-ms), if any. */
export function retryAfterMs(headers: Headers): number | null {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return null;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : at - Date.now();
}

/** Adds `x-should-retry: false` (which the SDK obeys) to answers whose Retry-After exceeds `maxMs`. */
function capRetryAfter(inner: typeof fetch, maxMs: number): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    const wait = res.ok ? null : retryAfterMs(res.headers);
    if (wait === null || wait <= maxMs) return res;
    const headers = new Headers(res.headers);
    headers.set('x-should-retry', 'false');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

/** Why a provider call failed, in the words recorded as a score's fallback reason. */
export type ProviderFailure = 'rate_limited' | 'provider_error' | 'timeout' | 'unreachable' | 'malformed_response';

/**
 * Errors leaving these adapters carry `reason: ProviderFailure` (their class and message unchanged), so callers can
 * record why they fell back without importing the SDK.
 */
export function tagProviderError(err: unknown): unknown {
  if (err && typeof err === 'object' && !('reason' in err)) Object.assign(err, { reason: classifyProviderError(err) });
  return err;
}

export function classifyProviderError(err: unknown): ProviderFailure {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (err instanceof OpenAI.APIConnectionError) return 'unreachable';
  if (err instanceof OpenAI.RateLimitError) return 'rate_limited';
  if (err instanceof OpenAI.APIError) return 'provider_error';
  // A body that is not JSON (or not the protocol's shape) surfaces as a SyntaxError / TypeError from the SDK.
  if (err instanceof SyntaxError || err instanceof TypeError) return 'malformed_response';
  return 'provider_error';
}

/**
 * Embeddings of one model. `dimensions` is what the provider returns (checked on every answer): vectors of another
 * length are an error, never stored under this model. `requestDimensions` is sent as the `dimensions` parameter
 * (models that shorten their vectors on request: OpenAI's text-embedding-3 family); others are never sent it.
 */
export function createOpenAIEmbedder(client: OpenAI, model: string, dimensions: number, requestDimensions?: number): EmbedderWithUsage {
  const embedWithUsage = async (texts: string[]): Promise<{ vectors: number[][]; tokens: number }> => {
    if (!texts.length) return { vectors: [], tokens: 0 };
    // encoding_format 'float': without it the SDK asks for base64, and a server answering floats anyway yields garbage.
    const res = await client.embeddings.create({ model, input: texts, encoding_format: 'float', ...(requestDimensions ? { dimensions: requestDimensions } : {}) }).catch((e: unknown) => {
      throw tagProviderError(e);
    });
    // One vector per text, each index once and in range: a short or garbled answer must not leave holes that
    // would be stored as vectors of the wrong items.
    if (!Array.isArray(res.data) || res.data.length !== texts.length) {
      throw new MalformedAnswer(`provider returned ${Array.isArray(res.data) ? res.data.length : 'no'} embeddings for ${texts.length} texts`);
    }
    const out: (number[] | undefined)[] = new Array(texts.length).fill(undefined);
    for (const d of res.data) {
      if (!Number.isInteger(d.index) || d.index < 0 || d.index >= texts.length || out[d.index]) {
        throw new MalformedAnswer(`provider returned an embedding with index ${String(d.index)} (duplicate or out of range) for ${texts.length} texts`);
      }
      if (!Array.isArray(d.embedding) || d.embedding.length !== dimensions) {
        throw new MalformedAnswer(`provider returned a ${Array.isArray(d.embedding) ? d.embedding.length : typeof d.embedding}-dimension embedding; expected ${dimensions} for ${model}`);
      }
      out[d.index] = normalise(d.embedding);
    }
    const filled = out.filter((v): v is number[] => v !== undefined);
    if (filled.length !== texts.length) throw new MalformedAnswer(`provider returned ${filled.length} embeddings for ${texts.length} texts`);
    return { vectors: filled, tokens: res.usage?.total_tokens ?? res.usage?.prompt_tokens ?? 0 };
  };
  return { model, dimensions, embedWithUsage, embed: async (texts) => (await embedWithUsage(texts)).vectors };
}

/** An embedder that also reports the tokens each call cost (the provider's `usage`), for a run's budget. */
export interface EmbedderWithUsage extends Embedder {
  embedWithUsage(texts: string[]): Promise<{ vectors: number[][]; tokens: number }>;
}

/** A 2xx answer that is not what the protocol promises (wrong vector length, no message). */
class MalformedAnswer extends Error {
  readonly reason: ProviderFailure = 'malformed_response';
}

function normalise(v: number[]): number[] {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return n > 0 ? v.map((x) => x / n) : v;
}

const responseFormat = (req: ChatRequest) =>
  req.jsonSchema ? { response_format: { type: 'json_schema' as const, json_schema: { name: req.jsonSchema.name, schema: req.jsonSchema.schema, strict: true } } } : {};

export function createOpenAIChat(client: OpenAI, model: string): ChatModel {
  return {
    model,
    async complete(req) {
      const res = await client.chat.completions
        .create(
          { model, messages: req.messages, temperature: 0, ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}), ...responseFormat(req) },
          req.signal ? { signal: req.signal } : undefined,
        )
        .catch((e: unknown) => {
          throw tagProviderError(e);
        });
      const text = res.choices?.[0]?.message?.content;
      if (typeof text !== 'string') throw new MalformedAnswer('provider answered without message content');
      return { text, usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 } };
    },
    async *stream(req) {
      try {
        const stream = await client.chat.completions.create(
          { model, messages: req.messages, temperature: 0, stream: true, ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}), ...responseFormat(req) },
          req.signal ? { signal: req.signal } : undefined,
        );
        for await (const chunk of stream) {
          const piece = chunk.choices[0]?.delta?.content;
          if (piece) yield piece;
        }
      } catch (e) {
        throw tagProviderError(e);
      }
    },
  };
}

/** What node.ts needs to build the provider adapters (from src/config.ts). */
export interface ProviderConfig {
  apiKey: string;
  baseURL?: string;
  embeddingModel: string;
  embeddingDimensions: number;
  /** Sent as the embeddings request's `dimensions` (config: embeddingRequestDimensions). */
  requestDimensions?: number;
  chatModel: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterMs: number;
}

/** Both ports on one client (one connection pool, one retry policy). */
export function createProviderAdapters(c: ProviderConfig): { embedder: Embedder; chat: ChatModel } {
  const client = createClient({ apiKey: c.apiKey, baseURL: c.baseURL, timeoutMs: c.timeoutMs, maxRetries: c.maxRetries, maxRetryAfterMs: c.maxRetryAfterMs });
  return { embedder: createOpenAIEmbedder(client, c.embeddingModel, c.embeddingDimensions, c.requestDimensions), chat: createOpenAIChat(client, c.chatModel) };
}
