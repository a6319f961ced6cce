// The chat-model port: one completion (optionally constrained to a JSON schema) or a stream of text pieces.
// The OpenAI-compatible adapter (src/adapters/ai/openai.ts) implements it; without a provider it is absent and
// callers answer deterministically.
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Structured output: the reply must be JSON matching this JSON schema (draft-7). */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  maxTokens?: number;
  /** Aborts the request (the adapter also applies its own timeout). */
  signal?: AbortSignal;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  usage: ChatUsage;
}

export interface ChatModel {
  /** Model identifier, recorded in provenance (`llm:<model>`). */
  readonly model: string;
  complete(req: ChatRequest): Promise<ChatResult>;
  /** Text pieces as the provider sends them; throws (mid-stream too) when the provider fails. */
  stream(req: ChatRequest): AsyncIterable<string>;
}
