// Node entry: opens the database (PostgreSQL or embedded PGlite), applies migrations, bootstraps the embedded
// default's key, and serves the app. Shuts down cleanly on SIGTERM/SIGINT.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { migrate, migrationStatus } from '../adapters/db/migrate.ts';
import { openDatabase } from '../adapters/db/open-node.ts';
import { createApp } from '../app.ts';
import { createProviderAdapters } from '../adapters/ai/openai.ts';
import { embeddingDimensions, embeddingRequestDimensions, type Config } from '../config.ts';
import { createLogger, systemClock, type Db, type Deps, type Logger } from '../deps.ts';
import { bootstrapDefaultKey } from '../pipeline/keys.ts';
import type { Embedder } from '../domain/embedder.ts';
import { createDeterministicEmbedder } from '../adapters/embeddings/deterministic.ts';
import { loadWordVectors } from '../adapters/embeddings/cache.ts';
import type { WordVectors } from '../domain/engine/vectors.ts';
import { attachJobs } from './jobs.ts';

/** The docs bundle, read from the installed @scalar/api-reference package (so /docs works offline). */
function docsScriptLoader(): () => Promise<string> {
  const pkgMain = createRequire(import.meta.url).resolve('@scalar/api-reference');
  const file = join(dirname(pkgMain), 'browser', 'standalone.js');
  let cached: Promise<string> | undefined;
  return () => (cached ??= readFile(file, 'utf8'));
}

export function buildDeps(config: Config, db: Db, logger: Logger, embedder?: Embedder, wordVectors?: WordVectors): Deps {
  return {
    db,
    embedder,
    wordVectors,
    clock: systemClock,
    logger,
    limits: { maxBodyBytes: config.BEARING_MAX_BODY_BYTES },
    docsScript: docsScriptLoader(),
    async readiness() {
      const m = await migrationStatus(db);
      return { ok: m.ok, checks: { database: { ok: true, detail: db.kind }, migrations: m } };
    },
  };
}

/**
 * Deps of a Node process. With OPENAI_API_KEY: the provider's embedder fills the pgvector columns and its chat model
 * judges runs (and answers questions); the engine's word vectors still load, since the engine is the judge's prior
 * and its fallback. Without a key: the deterministic embedder, no chat model, no network.
 */
export async function nodeDeps(config: Config, db: Db, logger: Logger): Promise<Deps> {
  const wordVectors = loadWordVectors();
  if (!config.OPENAI_API_KEY) return buildDeps(config, db, logger, await createDeterministicEmbedder(), wordVectors);
  const { embedder, chat } = createProviderAdapters({
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    embeddingModel: config.OPENAI_EMBEDDING_MODEL,
    embeddingDimensions: embeddingDimensions(config),
    requestDimensions: embeddingRequestDimensions(config),
    chatModel: config.OPENAI_CHAT_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    maxRetries: config.OPENAI_MAX_RETRIES,
    maxRetryAfterMs: config.OPENAI_MAX_RETRY_AFTER_MS,
  });
  logger.info('provider configured', { baseURL: config.OPENAI_BASE_URL ?? 'default', embeddingModel: embedder.model, dimensions: embedder.dimensions, chatModel: chat.model });
  const deps = buildDeps(config, db, logger, embedder, wordVectors);
  deps.chat = chat;
  return deps;
}

export async function openAndMigrate(config: Config, logger: Logger): Promise<Db> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.BEARING_DATA_DIR });
  const { applied } = await migrate(db);
  if (applied.length) logger.info('migrations applied', { applied });
  return db;
}

/** On the embedded default, the first start creates the `default` workspace and prints its admin key once. */
function announceKey(config: Config, key: string | null, print: (s: string) => void): void {
  const file = resolve(config.BEARING_DATA_DIR, 'default-api-key');
  if (key) {
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    print(`\nCreated workspace "default" and an admin API key (shown once here, also saved to ${file}):\n\n  ${key}\n\n  export BEARING_KEY=${key}\n`);
  } else if (existsSync(file)) {
    print(`API key of workspace "default": see ${file}  (export BEARING_KEY=$(cat ${file}))`);
  }
}

export async function startServer(config: Config): Promise<{ close(): Promise<void>; port: number }> {
  const t0 = performance.now();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openAndMigrate(config, logger);
  if (!config.DATABASE_URL) {
    const created = await bootstrapDefaultKey(db);
    announceKey(config, created?.key ?? null, (s) => console.log(s));
  }
  const deps = await nodeDeps(config, db, logger);
  const jobs = await attachJobs(config, deps, { withWorkers: false });
  const app = createApp(deps);
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => ok(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  console.log(`Bearing listening on ${url}  (docs: ${url}/docs, database: ${db.kind === 'pglite' ? `embedded, ${resolve(config.BEARING_DATA_DIR)}` : 'PostgreSQL'}) — ready in ${Math.round(performance.now() - t0)} ms`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await jobs.close();
      await db.close();
    })());
  return { close, port };
}

