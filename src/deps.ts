// The ports the app and use-cases depend on. Entry files (src/entry/*) build real adapters and hand them to
// createApp; tests build the same adapters on an embedded database.
export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** Anything that runs SQL: the pool, or one checked-out client inside a transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn on one client inside BEGIN/COMMIT; rolls back and rethrows on error. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

import type { Embedder } from './domain/embedder.ts';
import type { WordVectors } from './domain/engine/vectors.ts';
import type { ChatModel } from './domain/llm.ts';

export interface Deps {
  db: Db;
  /** Embeds items and strategy passages into pgvector; absent where no embedder runs (Workers). */
  embedder?: Embedder;
  /**
   * Background jobs. Use-cases write jobs to the outbox inside their transaction and then `kick` the relay, which
   * moves them to `queue`. Absent on Workers: there the outbox is drained by a Node process.
   */
  jobs?: { queue: JobQueue; kick(): void };
  /** The configured chat model (OPENAI_API_KEY); absent without a provider, and then answers are deterministic. */
  chat?: ChatModel;
  /** Offline word vectors for the engine's semantic signal (Node); without them the engine is lexical only. */
  wordVectors?: WordVectors;
  clock: Clock;
  logger: Logger;
  /** Database reachable and migrations applied (used by GET /readyz). */
  readiness(): Promise<Readiness>;
  limits: { maxBodyBytes: number };
  /**
   * The API reference page's script, served at /docs/scalar.js from the installed package (never a CDN). Absent on
   * Cloudflare Workers, where the same file is a static asset at /standalone.js (wrangler.toml [assets]).
   */
  docsScript?: () => Promise<string>;
}

export const systemClock: Clock = { now: () => new Date() };

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** JSON-lines logger on stderr (stdout stays free for CLI output). */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => console.error(l)): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ level: lvl, time: new Date().toISOString(), msg, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

// ---------------------------------------------------------------- jobs

/** Queues, one BullMQ queue (and Worker) each, named `<name>` under the Redis key prefix `bearing` (`bearing:embed:*`). */
export const QUEUES = ['embed', 'score', 'nightly'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobSpec {
  queue: QueueName;
  /** Processor name within the queue, e.g. 'plan', 'score', 'finalize'. */
  name: string;
  data: Record<string, unknown>;
  /** Deterministic id: adding the same id twice yields one job. No ':' (BullMQ), never a bare integer. */
  jobId: string;
}

/** The job queue port: BullMQ on Redis, or an in-process runner on the embedded default. */
export interface JobQueue {
  readonly kind: 'bullmq' | 'inprocess';
  add(job: JobSpec): Promise<void>;
  /** A parent that runs once all its children completed (BullMQ flow). */
  addFlow(parent: JobSpec, children: JobSpec[]): Promise<void>;
  /** Reachable right now (answers within a short timeout). */
  ping(): Promise<boolean>;
  /** Per-workspace nightly schedule (cron pattern + IANA time zone); replaces an existing one. */
  upsertSchedule(workspaceId: string, cron: string, timezone: string): Promise<void>;
  removeSchedule(workspaceId: string): Promise<void>;
  close(): Promise<void>;
}

/** What a processor sees of a job: the same shape from BullMQ workers and the in-process runner. */
export interface ProcessorJob {
  id: string;
  name: string;
  /** Unvalidated: each processor parses its payload (zod) and throws UnrecoverableError when it is bad. */
  data: unknown;
  /** Failed attempts before this one (0 on the first run). */
  attemptsMade: number;
  /** A flow parent's children results, keyed by child jobId (empty for jobs without children). */
  childrenValues(): Promise<Record<string, unknown>>;
}
/** Thin: validate data, call one use-case, return a small JSON-able result. Throw UnrecoverableError to stop retries. */
export type Processor = (job: ProcessorJob) => Promise<unknown>;
/** Processors by queue, then by job name. */
export type Processors = Record<QueueName, Record<string, Processor>>;
