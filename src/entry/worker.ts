// Cloudflare Workers entry: the same Hono app, with PostgreSQL reached through a Hyperdrive binding. Queue work is
// not done here (BullMQ needs Node): the Node workers process picks it up from the database.
import pg from 'pg';
import { createApp } from '../app.ts';
import { parseConfig } from '../config.ts';
import { dbFromPool } from '../adapters/db/pool.ts';
import { createLogger, systemClock, type Db } from '../deps.ts';

export interface Env {
  HYPERDRIVE: { connectionString: string };
  LOG_LEVEL?: string;
  BEARING_MAX_BODY_BYTES?: string;
}

interface ExecutionContext {
  waitUntil(p: Promise<unknown>): void;
}

async function readiness(db: Db) {
  const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM schema_migrations`);
  const ok = Number(r.rows[0]?.n ?? 0) > 0;
  return { ok, checks: { database: { ok: true, detail: 'hyperdrive' }, migrations: { ok, detail: `${r.rows[0]?.n ?? 0} applied` } } };
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = parseConfig({ LOG_LEVEL: env.LOG_LEVEL, BEARING_MAX_BODY_BYTES: env.BEARING_MAX_BODY_BYTES });
    // Hyperdrive pools connections at the edge: a small pool per request is the recommended pattern.
    const pool = new pg.Pool({ connectionString: env.HYPERDRIVE.connectionString, max: 2 });
    const db = dbFromPool(pool, 'postgres');
    const app = createApp({
      db,
      clock: systemClock,
      logger: createLogger(config.LOG_LEVEL),
      limits: { maxBodyBytes: config.BEARING_MAX_BODY_BYTES },
      readiness: () => readiness(db),
    });
    try {
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(db.close());
    }
  },
};
