// Test harness: the real app on a real database — embedded PGlite from the migrated template by default, or the
// PostgreSQL server in DATABASE_URL. Workspaces get unique names, so files can share one server database.
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { openDatabase } from '../../src/adapters/db/open-node.ts';
import { createApp } from '../../src/app.ts';
import { createLogger, systemClock, type Db, type Deps } from '../../src/deps.ts';
import type { Scope } from '../../src/http/auth.ts';
import { createKey } from '../../src/pipeline/keys.ts';
import { migrationStatus } from '../../src/adapters/db/migrate.ts';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import { createDeterministicEmbedder } from '../../src/adapters/embeddings/deterministic.ts';
import { createInProcessQueue, type InProcessQueue } from '../../src/adapters/queue/inprocess.ts';
import { relayOutbox } from '../../src/pipeline/outbox.ts';
import { createProcessors } from '../../workers/jobs.ts';

/**
 * The embedded default's job setup, with a test-controlled relay: `settle()` relays the outbox and drains the
 * in-process queue until nothing is left (a job may enqueue more).
 */
export async function attachTestJobs(deps: Deps, workspaceIds: string[]) {
  deps.embedder ??= await createDeterministicEmbedder();
  deps.wordVectors ??= loadWordVectors();
  const queue = createInProcessQueue({ processors: createProcessors(deps), logger: deps.logger, backoffMs: 10 });
  deps.jobs = { queue, kick: () => undefined };
  return { queue, settle: () => settleJobs(deps.db, queue, workspaceIds), close: () => queue.close() };
}

/** Relays the outbox of these workspaces and drains the in-process queue until nothing is left (a job may enqueue more). */
export async function settleJobs(db: Db, queue: InProcessQueue, workspaceIds: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { dispatched } = await relayOutbox(db, queue, { workspaceIds });
    await queue.drain();
    const pending = await db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM job_outbox WHERE dispatched_at IS NULL AND workspace_id = ANY($1::text[])',
      [workspaceIds],
    );
    if (dispatched === 0 && pending.rows[0]!.n === '0') return;
  }
  throw new Error('jobs did not settle');
}

export const usingRealPostgres = Boolean(process.env.DATABASE_URL);

export async function openTestDb(): Promise<Db> {
  if (serviceConfigured('DATABASE_URL')) return openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '.tmp', poolSize: 4 });
  const template = readFileSync(inject('pgliteTemplate'));
  return openDatabase({ dataDir: '.tmp', loadDataDir: new Blob([template]) });
}

export function testDeps(db: Db, over: Partial<Deps> = {}): Deps {
  return {
    db,
    clock: systemClock,
    logger: createLogger(process.env.TEST_LOG === '1' ? 'debug' : 'silent'),
    limits: { maxBodyBytes: 2 * 1024 * 1024 },
    docsScript: async () => '/* docs bundle */',
    readiness: async () => {
      const m = await migrationStatus(db);
      return { ok: m.ok, checks: { database: { ok: true }, migrations: m } };
    },
    ...over,
  };
}

let counter = 0;
export const uniqueName = (base: string) => `${base}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export interface TestClient {
  key: string;
  workspace: { id: string; name: string };
  request(method: string, path: string, init?: { body?: unknown; raw?: RequestInit["body"]; headers?: Record<string, string> }): Promise<Response>;
}

export async function setupApp(over: Partial<Deps> = {}, opts: { jobs?: boolean } = {}) {
  const db = await openTestDb();
  const deps = testDeps(db, over);
  const workspaceIds: string[] = []; // the workspaces this harness created: settle() relays only their jobs
  const jobs = opts.jobs ? await attachTestJobs(deps, workspaceIds) : undefined;
  const app = createApp(deps);
  const clientFor = async (workspaceName: string, scopes: Scope[] = ['admin']): Promise<TestClient> => {
    const created = await createKey({ db, input: { workspaceName, scopes } });
    if (!workspaceIds.includes(created.workspace.id)) workspaceIds.push(created.workspace.id);
    return {
      key: created.key,
      workspace: created.workspace,
      request: (method, path, init = {}) => {
        const headers: Record<string, string> = { authorization: `Bearer ${created.key}`, ...init.headers };
        let body: RequestInit["body"] = init.raw;
        if (init.body !== undefined) {
          body = JSON.stringify(init.body);
          headers['content-type'] ??= 'application/json';
        }
        return Promise.resolve(app.request(path, { method, headers, body }));
      },
    };
  };
  return {
    app,
    db,
    deps,
    clientFor,
    /** Waits until the outbox is empty and the in-process queue is idle (jobs enqueued by jobs included). */
    settle: () => (jobs ? jobs.settle() : Promise.resolve()),
    close: async () => {
      await jobs?.close();
      await db.close();
    },
  };
}

/**
 * Whether a service-backed suite should run. Without the service it is skipped, unless BEARING_REQUIRE_SERVICES=1
 * (CI), where a missing service is a failure rather than a silent skip.
 */
export function serviceConfigured(variable: 'DATABASE_URL' | 'REDIS_URL'): boolean {
  const set = Boolean(process.env[variable]);
  if (!set && process.env.BEARING_REQUIRE_SERVICES === '1') {
    throw new Error(`${variable} is not set but BEARING_REQUIRE_SERVICES=1: this suite needs the service`);
  }
  return set;
}
