// Configuration, parsed once from the environment at the edge (entry files only). A bad value stops start-up
// with one line naming the variable; modules never read process.env themselves.
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const int = (min: number, max: number, fallback: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

/**
 * Vector lengths of the providers' common embedding models, so OPENAI_EMBEDDING_DIMENSIONS is only needed for others
 * (a local server's model, a gateway's alias). A vector of another length is refused, never stored under the model.
 */
export const KNOWN_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/**
 * Vector lengths with an HNSW index for both item and passage vectors (migrations 0001 and 0004). A provider model
 * of another length would be searched by exact scans over every vector of that length, so it is refused at start-up.
 * 3072 (text-embedding-3-large) is not indexed: pgvector's HNSW takes `vector` up to 2,000 dimensions, and the
 * text-embedding-3 models shorten their vectors on request (OPENAI_EMBEDDING_DIMENSIONS, sent as `dimensions`) at
 * little cost in quality, which keeps one index scheme for every query that compares vectors.
 */
export const INDEXED_EMBEDDING_DIMENSIONS: readonly number[] = [384, 768, 1024, 1536];

/** Embedding models that accept the `dimensions` request parameter (OpenAI's text-embedding-3 family, also behind a gateway prefix). */
export const acceptsDimensionsParameter = (model: string): boolean => /(^|\/)text-embedding-3-/.test(model);

export const ConfigSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8787)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
    DATABASE_URL: z.preprocess(emptyAsUndefined, url(['postgres:', 'postgresql:']).optional()),
    BEARING_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./.bearing')),
    REDIS_URL: z.preprocess(emptyAsUndefined, url(['redis:', 'rediss:']).optional()),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
    /** Largest accepted request body. 1,000 items with long descriptions fit in the default. */
    BEARING_MAX_BODY_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).default(16 * 1024 * 1024)),

    // ---- OpenAI-compatible provider: absent key = deterministic scoring and embeddings, no network.
    OPENAI_API_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, url(['http:', 'https:']).optional()),
    OPENAI_EMBEDDING_MODEL: z.preprocess(emptyAsUndefined, z.string().min(1).max(200).default('text-embedding-3-small')),
    /** Length of the embedding model's vectors; defaults for the models in KNOWN_EMBEDDING_DIMENSIONS. */
    OPENAI_EMBEDDING_DIMENSIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(16_000).optional()),
    OPENAI_CHAT_MODEL: z.preprocess(emptyAsUndefined, z.string().min(1).max(200).default('gpt-4o-mini')),
    /** Per request attempt, for the whole answer (headers and body). A batch of 8 items answers in a few seconds; 30 s leaves room for a slow model. */
    OPENAI_TIMEOUT_MS: int(100, 600_000, 30_000),
    /** SDK retries per request on 408/409/429/5xx, timeouts and refused connections (honouring Retry-After). */
    OPENAI_MAX_RETRIES: int(0, 10, 2),
    /** A Retry-After longer than this is not waited for: the call fails and its items are scored by the engine. */
    OPENAI_MAX_RETRY_AFTER_MS: int(0, 600_000, 60_000),

    // ---- The LLM judge (active when OPENAI_API_KEY is set).
    /**
     * Items per chat completion. 8 amortises the strategy outline each prompt repeats, keeps one failed call cheap,
     * and lets a nightly run with a few changed items per score job cost one call per job.
     */
    BEARING_JUDGE_BATCH_SIZE: int(1, 50, 8),
    /** Judge calls in flight per score job (a provider's rate limit, not the CPU, is the bound here). */
    BEARING_JUDGE_CONCURRENCY: int(1, 32, 4),
    /** Per run: chat completions beyond this are not made; the remaining items are scored by the engine. */
    BEARING_JUDGE_MAX_CALLS_PER_RUN: int(0, 1_000_000, 2_000),
    /** Per run: prompt + completion + embedding tokens; once reached, no further calls (calls in flight may pass it by one each). */
    BEARING_JUDGE_MAX_TOKENS_PER_RUN: int(0, 1_000_000_000, 10_000_000),
    /** Consecutive failed calls (after the SDK's own retries) that open the run's circuit breaker. */
    BEARING_JUDGE_BREAKER_FAILURES: int(1, 100, 3),
  })
  .superRefine((c, ctx) => {
    if (c.OPENAI_API_KEY && c.OPENAI_EMBEDDING_DIMENSIONS === undefined && !(c.OPENAI_EMBEDDING_MODEL in KNOWN_EMBEDDING_DIMENSIONS)) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPENAI_EMBEDDING_DIMENSIONS'],
        message: `required for embedding model "${c.OPENAI_EMBEDDING_MODEL}": the length of its vectors (e.g. 768)`,
      });
      return;
    }
    const dims = embeddingDimensions(c);
    if (c.OPENAI_API_KEY && !INDEXED_EMBEDDING_DIMENSIONS.includes(dims)) {
      const shorten = acceptsDimensionsParameter(c.OPENAI_EMBEDDING_MODEL) ? `; "${c.OPENAI_EMBEDDING_MODEL}" can shorten its vectors: set one of these` : '';
      ctx.addIssue({
        code: 'custom',
        path: ['OPENAI_EMBEDDING_DIMENSIONS'],
        message: `${dims} dimensions (embedding model "${c.OPENAI_EMBEDDING_MODEL}") have no vector index; supported: ${INDEXED_EMBEDDING_DIMENSIONS.join(', ')}${shorten}`,
      });
    }
  });
export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Pure: parses a raw environment record. Throws ConfigError with one line per bad variable. */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `invalid configuration: ${String(i.path[0])}: ${i.message}`);
  throw new ConfigError(lines.join('\n'));
}

/** The `dimensions` to ask the provider for: the configured length, for models that accept the parameter. */
export function embeddingRequestDimensions(c: Pick<Config, 'OPENAI_EMBEDDING_MODEL' | 'OPENAI_EMBEDDING_DIMENSIONS'>): number | undefined {
  return c.OPENAI_EMBEDDING_DIMENSIONS !== undefined && acceptsDimensionsParameter(c.OPENAI_EMBEDDING_MODEL) ? c.OPENAI_EMBEDDING_DIMENSIONS : undefined;
}

/** The embedding model's vector length: configured, or known for the provider's own models. */
export function embeddingDimensions(c: Pick<Config, 'OPENAI_EMBEDDING_MODEL' | 'OPENAI_EMBEDDING_DIMENSIONS'>): number {
  return c.OPENAI_EMBEDDING_DIMENSIONS ?? KNOWN_EMBEDDING_DIMENSIONS[c.OPENAI_EMBEDDING_MODEL] ?? 0;
}
