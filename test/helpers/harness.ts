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

export async function setupApp(over: Partial<Deps> = {}) {
  const db = await openTestDb();
  const deps = testDeps(db, over);
  const app = createApp(deps);
  const clientFor = async (workspaceName: string, scopes: Scope[] = ['admin']): Promise<TestClient> => {
    const created = await createKey({ db, input: { workspaceName, scopes } });
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
  return { app, db, deps, clientFor, close: () => db.close() };
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
