// Wraps a node-postgres Pool (a real server, or PGlite through @electric-sql/pglite/node-postgres) as the Db port.
// Runtime-neutral: used by the Node entry and the Cloudflare Workers entry alike.
import type pg from 'pg';
import type { Db, Queryable, QueryResult } from '../../deps.ts';

export function dbFromPool(pool: pg.Pool, kind: Db['kind'], onClose?: () => Promise<void>): Db {
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await client.query(text, params as unknown[]);
      return { rows: r.rows as R[], rowCount: r.rowCount };
    },
  });
  return {
    kind,
    ...run(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(run(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
      await onClose?.();
    },
  };
}
