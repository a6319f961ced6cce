// A small OpenAI-compatible HTTP server for tests and benchmarks: real HTTP, spoken to by the real `openai` SDK.
// Embeddings are deterministic (hashed word features, so texts sharing words are close); chat completions come
// from a handler the test gives (it reads the request and returns the assistant's text). Faults are set per
// request kind: 429 with Retry-After, 500, hanging past the client's timeout (before the headers, or after them with
// the body never finished), a body that is not JSON, a stream cut mid-way, too few or clashing embeddings, or the
// connection refused (`down`).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | 'rate_limit'
  | 'server_error'
  | 'hang' // no headers, no body
  | 'stall_body' // 200 and the headers at once, then part of the body and never the rest
  | 'malformed'
  | 'cut_stream'
  | 'few_vectors' // embeddings: 200 with one vector fewer than texts asked for
  | 'duplicate_index'; // embeddings: as many vectors as texts, but the last repeats the first one's index

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
  max_tokens?: number;
}

/** Returns the assistant's reply text for a chat request (JSON text when a schema was asked for). */
export type ChatHandler = (body: ChatBody) => string;

export interface FakeOpenAI {
  /** Base URL for the SDK (`OPENAI_BASE_URL`), ending in /v1. */
  url: string;
  /** Requests received, by kind (faulty ones included). */
  calls: { embeddings: number; chat: number; embeddedTexts: number };
  /** Every chat request body, in order. */
  chatBodies: ChatBody[];
  /** Every embeddings request body answered with vectors, in order. */
  embeddingBodies: Record<string, unknown>[];
  chat: ChatHandler;
  /**
   * Faults to apply, by request kind: `times` requests get it (Infinity: until cleared). `retryAfterSeconds` goes
   * into the Retry-After header of 429 answers.
   */
  fail(kind: 'chat' | 'embeddings' | 'all', fault: Fault, times?: number, retryAfterSeconds?: number): void;
  clearFaults(): void;
  /** Delay before every answer (a model's think time), in ms; 0 by default. */
  latencyMs: number;
  /** Stops answering: open connections are cut and new ones refused, until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Feature-hashed bag of lower-cased words (+ model as seed), L2-normalised: deterministic and similarity-preserving. */
export function fakeEmbedding(text: string, model: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = createHash('sha256').update(`${model}\u0000${w}`).digest();
    v[h.readUInt32BE(0) % dims]! += h[4]! & 1 ? 1 : -1;
  }
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

/** Dimensions per embedding model name; unknown models get 64. */
export const FAKE_EMBEDDING_DIMS: Record<string, number> = { 'fake-embed-64': 64, 'fake-embed-32': 32, 'fake-embed-384': 384 };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((ok, bad) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => ok(s));
    req.on('error', bad);
  });

export async function startFakeOpenAI(opts: { chat?: ChatHandler; port?: number } = {}): Promise<FakeOpenAI> {
  const faults: Record<'chat' | 'embeddings', { fault: Fault; left: number; retryAfter: number } | null> = { chat: null, embeddings: null };
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = opts.port ?? 0;

  const takeFault = (kind: 'chat' | 'embeddings') => {
    const f = faults[kind];
    if (!f || f.left <= 0) return null;
    f.left -= 1;
    return f;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').replace(/\?.*$/, '');
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [] });
    const kind = path === '/v1/embeddings' ? 'embeddings' : path === '/v1/chat/completions' ? 'chat' : null;
    if (req.method !== 'POST' || !kind) return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return json(res, 400, { error: { message: 'body is not JSON' } });
    }
    if (kind === 'chat') api.chatBodies.push(body as unknown as ChatBody);
    api.calls[kind] += 1;
    const fault = takeFault(kind);
    if (api.latencyMs > 0 && fault?.fault !== 'hang') await new Promise((ok) => setTimeout(ok, api.latencyMs));
    if (fault?.fault === 'rate_limit') return json(res, 429, { error: { message: 'rate limited', type: 'rate_limit' } }, { 'retry-after': String(fault.retryAfter) });
    if (fault?.fault === 'server_error') return json(res, 500, { error: { message: 'internal error' } });
    if (fault?.fault === 'hang') return; // never answers; the client's timeout fires
    if (fault?.fault === 'stall_body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": "stalled", "object": ');
      return; // never finished; the socket closes when the client gives up (or the server stops)
    }
    if (fault?.fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"id": "x", "choices": [ {"message": ');
    }

    if (kind === 'embeddings') {
      const model = String(body.model);
      const dims = typeof body.dimensions === 'number' ? body.dimensions : (FAKE_EMBEDDING_DIMS[model] ?? 64);
      const input = Array.isArray(body.input) ? (body.input as unknown[]).map(String) : [String(body.input)];
      api.calls.embeddedTexts += input.length;
      api.embeddingBodies.push(body);
      let data = input.map((t, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(t, model, dims) }));
      if (fault?.fault === 'few_vectors') data = data.slice(0, -1);
      if (fault?.fault === 'duplicate_index' && data.length > 1) data[data.length - 1]!.index = 0;
      return json(res, 200, {
        object: 'list',
        model,
        data,
        usage: { prompt_tokens: input.join(' ').length >> 2, total_tokens: input.join(' ').length >> 2 },
      });
    }

    const chatBody = body as unknown as ChatBody;
    const text = api.chat(chatBody);
    const promptTokens = chatBody.messages.reduce((s, m) => s + (m.content?.length ?? 0), 0) >> 2;
    const usage = { prompt_tokens: promptTokens, completion_tokens: text.length >> 2, total_tokens: promptTokens + (text.length >> 2) };
    const id = `chatcmpl-${api.calls.chat}`;
    if (!chatBody.stream) {
      return json(res, 200, {
        id, object: 'chat.completion', created: 0, model: chatBody.model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const pieces = text.match(/\S+\s*|\s+/g) ?? [];
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: chatBody.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const [i, p] of pieces.entries()) {
      if (fault?.fault === 'cut_stream' && i >= Math.min(3, pieces.length - 1)) {
        res.socket?.destroy();
        return;
      }
      res.write(chunk({ content: p }, null));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  const api: FakeOpenAI = {
    url: '',
    calls: { embeddings: 0, chat: 0, embeddedTexts: 0 },
    chatBodies: [],
    embeddingBodies: [],
    latencyMs: 0,
    chat: opts.chat ?? (() => 'ok'),
    fail(kind, fault, times = Infinity, retryAfterSeconds = 1) {
      for (const k of kind === 'all' ? (['chat', 'embeddings'] as const) : [kind]) faults[k] = { fault, left: times, retryAfter: retryAfterSeconds };
    },
    clearFaults() {
      faults.chat = null;
      faults.embeddings = null;
    },
    async start() {
      if (server) return;
      const s = createServer((req, res) => {
        handle(req, res).catch((e: unknown) => {
          if (!res.headersSent) json(res, 500, { error: { message: String(e) } });
          else res.destroy();
        });
      });
      s.on('connection', (sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      await new Promise<void>((ok) => s.listen(port, '127.0.0.1', ok));
      port = (s.address() as AddressInfo).port;
      server = s;
      api.url = `http://127.0.0.1:${port}/v1`;
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = null;
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((ok) => s.close(() => ok()));
    },
    close: () => api.stop(),
  };
  await api.start();
  return api;
}

/**
 * Standalone: `npx tsx test/helpers/openai-server.ts [port]` serves deterministic embeddings and the fake judge
 * (test/helpers/fake-judge.ts) until Ctrl-C — a provider for trying the AI path locally without an account.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const { createFakeJudge } = await import('./fake-judge.ts');
  const judge = createFakeJudge();
  const server = await startFakeOpenAI({ chat: (b) => judge.handler(b), port: Number(process.argv[2] ?? 8788) });
  console.log(`OpenAI-compatible test server on ${server.url} (embedding models: ${Object.keys(FAKE_EMBEDDING_DIMS).join(', ')}, any other: 64 dims)`);
  process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
}
