import { describe, expect, it } from 'vitest';
import { ConfigError, embeddingDimensions, embeddingRequestDimensions, INDEXED_EMBEDDING_DIMENSIONS, parseConfig } from '../src/config.ts';
import { judgeSettings } from '../src/pipeline/judge.ts';

describe('parseConfig', () => {
  it('defaults to the embedded database with no services', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ PORT: 8787, BEARING_DATA_DIR: './.bearing', LOG_LEVEL: 'info' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', PORT: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['OPENAI_TIMEOUT_MS', '10'],
    ['OPENAI_MAX_RETRIES', 'many'],
    ['BEARING_JUDGE_BATCH_SIZE', '0'],
    ['BEARING_JUDGE_BATCH_SIZE', '500'],
    ['BEARING_JUDGE_CONCURRENCY', '2.5'],
    ['BEARING_JUDGE_MAX_CALLS_PER_RUN', '-1'],
    ['BEARING_JUDGE_BREAKER_FAILURES', '0'],
  ])('a bad %s stops start-up with one line naming it', (name, value) => {
    let err: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });
});

describe('provider and judge configuration', () => {
  it('has documented defaults, and no provider without a key', () => {
    const c = parseConfig({});
    expect(c.OPENAI_API_KEY).toBeUndefined();
    expect(c).toMatchObject({ OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small', OPENAI_CHAT_MODEL: 'gpt-4o-mini', OPENAI_TIMEOUT_MS: 30_000, OPENAI_MAX_RETRIES: 2 });
    expect(judgeSettings(c)).toEqual({ batchSize: 8, concurrency: 4, maxCallsPerRun: 2_000, maxTokensPerRun: 10_000_000, breakerFailures: 3 });
  });

  it('knows the vector length of the provider’s own embedding models', () => {
    expect(embeddingDimensions(parseConfig({ OPENAI_API_KEY: 'k' }))).toBe(1536);
    expect(embeddingDimensions(parseConfig({ OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large' }))).toBe(3072);
  });

  it('refuses a vector length without an HNSW index in one line naming the variable and the supported sizes', () => {
    for (const raw of [
      { OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large' },
      { OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large', OPENAI_EMBEDDING_DIMENSIONS: '3072' },
      { OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'some-local-model', OPENAI_EMBEDDING_DIMENSIONS: '512' },
    ]) {
      let message = '';
      try {
        parseConfig(raw);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/^invalid configuration: OPENAI_EMBEDDING_DIMENSIONS: .*no vector index; supported: 384, 768, 1024, 1536/);
    }
    expect(INDEXED_EMBEDDING_DIMENSIONS).toEqual([384, 768, 1024, 1536]);
    // Without a key the provider embeds nothing: nothing to refuse.
    expect(() => parseConfig({ OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large' })).not.toThrow();
  });

  it('asks text-embedding-3 models for the configured length (the `dimensions` parameter), and no other model', () => {
    const large = parseConfig({ OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'text-embedding-3-large', OPENAI_EMBEDDING_DIMENSIONS: '1024' });
    expect(embeddingDimensions(large)).toBe(1024);
    expect(embeddingRequestDimensions(large)).toBe(1024);
    expect(embeddingRequestDimensions(parseConfig({ OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'openai/text-embedding-3-small', OPENAI_EMBEDDING_DIMENSIONS: '768' }))).toBe(768);
    expect(embeddingRequestDimensions(parseConfig({ OPENAI_API_KEY: 'k' }))).toBeUndefined(); // the model's own length: nothing to ask
    expect(embeddingRequestDimensions(parseConfig({ OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'nomic-embed-text', OPENAI_EMBEDDING_DIMENSIONS: '768' }))).toBeUndefined();
  });

  it('requires OPENAI_EMBEDDING_DIMENSIONS for another embedding model, naming it in one line', () => {
    expect(() => parseConfig({ OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'nomic-embed-text' })).toThrow(
      /^invalid configuration: OPENAI_EMBEDDING_DIMENSIONS: required for embedding model "nomic-embed-text"/,
    );
    const c = parseConfig({ OPENAI_API_KEY: 'k', OPENAI_EMBEDDING_MODEL: 'nomic-embed-text', OPENAI_EMBEDDING_DIMENSIONS: '768', BEARING_JUDGE_BATCH_SIZE: '12' });
    expect(embeddingDimensions(c)).toBe(768);
    expect(judgeSettings(c).batchSize).toBe(12);
    // Without a key nothing is embedded by a provider, so nothing is required.
    expect(() => parseConfig({ OPENAI_EMBEDDING_MODEL: 'nomic-embed-text' })).not.toThrow();
  });
});
