// The provider adapters through the real `openai` SDK against the test server: embeddings, completions, streams,
// and what the SDK's retries and timeouts do with the server's faults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, createOpenAIChat, createOpenAIEmbedder } from '../../src/adapters/ai/openai.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.ts';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ chat: (b) => `echo: ${b.messages.at(-1)?.content ?? ''}` });
});
afterAll(() => server.close());
beforeEach(() => server.clearFaults());

const client = (o: { timeoutMs?: number; maxRetries?: number; maxRetryAfterMs?: number } = {}) =>
  createClient({ apiKey: 'test-key', baseURL: server.url, timeoutMs: o.timeoutMs ?? 2_000, maxRetries: o.maxRetries ?? 0, maxRetryAfterMs: o.maxRetryAfterMs });

describe('embedder', () => {
  it('returns one unit vector per text, in input order, and similar texts are closer', async () => {
    const e = createOpenAIEmbedder(client(), 'fake-embed-64', 64);
    const [a, b, c] = await e.embed(['refund the duplicate invoice', 'duplicate invoice refund', 'paint the fence blue']);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(a).toHaveLength(64);
    expect(dot(a!, a!)).toBeCloseTo(1, 6);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  });

  it('rejects vectors of another length than the model is configured for', async () => {
    const e = createOpenAIEmbedder(client(), 'fake-embed-32', 64);
    await expect(e.embed(['x'])).rejects.toThrow(/32-dimension embedding; expected 64/);
  });

  it.each(['few_vectors', 'duplicate_index'] as const)('rejects an answer with a vector missing (%s) instead of returning holes', async (fault) => {
    server.fail('embeddings', fault, 1);
    const e = createOpenAIEmbedder(client(), 'fake-embed-64', 64);
    await expect(e.embed(['one', 'two', 'three'])).rejects.toMatchObject({ reason: 'malformed_response', message: expect.stringMatching(/embedding/) });
    expect(await e.embed(['one', 'two', 'three'])).toHaveLength(3);
  });

  it('sends the configured length as `dimensions` when given, and nothing otherwise', async () => {
    const shortened = await createOpenAIEmbedder(client(), 'text-embedding-3-small', 384, 384).embed(['ship on time']);
    expect(server.embeddingBodies.at(-1)?.dimensions).toBe(384);
    expect(shortened[0]).toHaveLength(384);
    await createOpenAIEmbedder(client(), 'fake-embed-64', 64).embed(['ship on time']);
    expect(server.embeddingBodies.at(-1)).not.toHaveProperty('dimensions');
  });

  it('answers [] for no texts without calling the provider', async () => {
    const before = server.calls.embeddings;
    expect(await createOpenAIEmbedder(client(), 'fake-embed-64', 64).embed([])).toEqual([]);
    expect(server.calls.embeddings).toBe(before);
  });
});

describe('chat', () => {
  it('completes with usage and passes a JSON schema as response_format', async () => {
    const chat = createOpenAIChat(client(), 'fake-chat');
    const r = await chat.complete({ messages: [{ role: 'user', content: 'hello' }], jsonSchema: { name: 'x', schema: { type: 'object' } } });
    expect(r.text).toBe('echo: hello');
    expect(r.usage.promptTokens).toBeGreaterThanOrEqual(0);
    expect(server.chatBodies.at(-1)?.response_format?.type).toBe('json_schema');
  });

  it('streams the reply in pieces that join to the full text', async () => {
    const chat = createOpenAIChat(client(), 'fake-chat');
    const pieces: string[] = [];
    for await (const p of chat.stream({ messages: [{ role: 'user', content: 'one two three four five' }] })) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe('echo: one two three four five');
  });

  it('throws when the stream is cut mid-way', async () => {
    server.fail('chat', 'cut_stream', 1);
    const chat = createOpenAIChat(client(), 'fake-chat');
    const read = async () => {
      for await (const _ of chat.stream({ messages: [{ role: 'user', content: 'one two three four five six seven' }] })) void _;
    };
    await expect(read()).rejects.toThrow();
  });

  it('retries a 429 after Retry-After and then succeeds', async () => {
    server.fail('chat', 'rate_limit', 1, 1);
    const before = server.calls.chat;
    const t0 = Date.now();
    const r = await createOpenAIChat(client({ maxRetries: 1 }), 'fake-chat').complete({ messages: [{ role: 'user', content: 'again' }] });
    expect(r.text).toBe('echo: again');
    expect(server.calls.chat - before).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('fails on 500, malformed bodies and hangs past the timeout (no retries configured)', async () => {
    const chat = createOpenAIChat(client({ timeoutMs: 300 }), 'fake-chat');
    const ask = () => chat.complete({ messages: [{ role: 'user', content: 'x' }] });
    server.fail('chat', 'server_error', 1);
    await expect(ask()).rejects.toThrow();
    server.fail('chat', 'malformed', 1);
    await expect(ask()).rejects.toThrow();
    server.fail('chat', 'hang', 1);
    await expect(ask()).rejects.toThrow(/timed out/i);
    expect((await ask()).text).toBe('echo: x');
  });

  it('gives up on an answer whose body stalls after the headers (timeout), for chat and embeddings, then works again', async () => {
    const c = client({ timeoutMs: 300 });
    const chat = createOpenAIChat(c, 'fake-chat');
    const embedder = createOpenAIEmbedder(c, 'fake-embed-64', 64);
    const t0 = Date.now();
    server.fail('chat', 'stall_body', 1);
    await expect(chat.complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ reason: 'timeout' });
    server.fail('embeddings', 'stall_body', 1);
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect((await chat.complete({ messages: [{ role: 'user', content: 'z' }] })).text).toBe('echo: z');
    expect(await embedder.embed(['x'])).toHaveLength(1);
  });

  it('fails fast when the server is down, and works again once it is back', async () => {
    await server.stop();
    const chat = createOpenAIChat(client(), 'fake-chat');
    await expect(chat.complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(/connection/i);
    await server.start();
    expect((await chat.complete({ messages: [{ role: 'user', content: 'y' }] })).text).toBe('echo: y');
  });
});

describe('what callers learn from a failure', () => {
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { reason?: string }) => e.reason);

  it('tags every provider error with the reason recorded as a fallback', async () => {
    const chat = createOpenAIChat(client({ timeoutMs: 300 }), 'fake-chat');
    const ask = () => chat.complete({ messages: [{ role: 'user', content: 'x' }] });
    for (const [fault, reason] of [
      ['rate_limit', 'rate_limited'],
      ['server_error', 'provider_error'],
      ['hang', 'timeout'],
      ['malformed', 'malformed_response'],
    ] as const) {
      server.fail('chat', fault, 1, 0);
      expect(await reasonOf(ask())).toBe(reason);
    }
    server.fail('embeddings', 'server_error', 1);
    expect(await reasonOf(createOpenAIEmbedder(client(), 'fake-embed-64', 64).embed(['x']))).toBe('provider_error');
    expect(await reasonOf(createOpenAIEmbedder(client(), 'fake-embed-32', 64).embed(['x']))).toBe('malformed_response');
    await server.stop();
    try {
      expect(await reasonOf(ask())).toBe('unreachable');
    } finally {
      await server.start();
    }
  });

  it('does not wait for a Retry-After longer than the cap: the call fails at once instead', async () => {
    server.fail('chat', 'rate_limit', 1, 3_600);
    const before = server.calls.chat;
    const t0 = Date.now();
    const chat = createOpenAIChat(client({ maxRetries: 2, maxRetryAfterMs: 5_000 }), 'fake-chat');
    await expect(chat.complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 429, reason: 'rate_limited' });
    expect(server.calls.chat - before).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('honours a Retry-After within the cap', async () => {
    server.fail('chat', 'rate_limit', 1, 1);
    const before = server.calls.chat;
    const r = await createOpenAIChat(client({ maxRetries: 1, maxRetryAfterMs: 5_000 }), 'fake-chat').complete({ messages: [{ role: 'user', content: 'y' }] });
    expect(r.text).toBe('echo: y');
    expect(server.calls.chat - before).toBe(2);
  });
});
