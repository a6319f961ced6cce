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
  fetch?: typeof fetch;
}

export function createClient(o: ProviderOptions): OpenAI {
  return new OpenAI({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries, ...(o.fetch ? { fetch: o.fetch } : {}) });
}

/**
 * Embeddings of one model. `dimensions` is what the provider returns (checked on every answer): vectors of another
 * length are an error, never stored under this model.
 */
export function createOpenAIEmbedder(client: OpenAI, model: string, dimensions: number): Embedder {
  return {
    model,
    dimensions,
    async embed(texts) {
      if (!texts.length) return [];
      // encoding_format 'float': without it the SDK asks for base64, and a server answering floats anyway yields garbage.
      const res = await client.embeddings.create({ model, input: texts, encoding_format: 'float' });
      const out = new Array<number[]>(texts.length);
      for (const d of res.data) {
        if (!Array.isArray(d.embedding) || d.embedding.length !== dimensions) {
          throw new Error(`provider returned a ${Array.isArray(d.embedding) ? d.embedding.length : typeof d.embedding}-dimension embedding; expected ${dimensions} for ${model}`);
        }
        out[d.index] = normalise(d.embedding);
      }
      if (out.some((v) => !v)) throw new Error(`provider returned ${res.data.length} embeddings for ${texts.length} texts`);
      return out;
    },
  };
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
      const res = await client.chat.completions.create(
        { model, messages: req.messages, temperature: 0, ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}), ...responseFormat(req) },
        req.signal ? { signal: req.signal } : undefined,
      );
      const text = res.choices[0]?.message?.content;
      if (typeof text !== 'string') throw new Error('provider answered without message content');
      return { text, usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 } };
    },
    async *stream(req) {
      const stream = await client.chat.completions.create(
        { model, messages: req.messages, temperature: 0, stream: true, ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}), ...responseFormat(req) },
        req.signal ? { signal: req.signal } : undefined,
      );
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta?.content;
        if (piece) yield piece;
      }
    },
  };
}
