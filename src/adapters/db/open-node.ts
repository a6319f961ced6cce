// Opens the database on Node: PostgreSQL when DATABASE_URL is set, otherwise PGlite with pgvector in-process,
// persisted under BEARING_DATA_DIR. Both are driven through the same `pg` Pool, so there is one SQL code path.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { fromSql } from 'pgvector';
import type { Db } from '../../deps.ts';
import { dbFromPool } from './pool.ts';

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Test hook: start the embedded database from a dumped template instead of an empty folder. */
  loadDataDir?: Blob;
  /** Pool size for a real server (PGlite is one session; its pool is always 1). */
  poolSize?: number;
}

/** Parses `vector` columns into number[] once the extension's type oid is known (looked up after migrations). */
function vectorTypes() {
  let vectorOid: number | null = null;
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === vectorOid) return (v: string) => fromSql(v) as number[];
      return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
    },
  };
  return { types, setOid: (oid: number) => (vectorOid = oid) };
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const vt = vectorTypes();
  let db: Db;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      types: vt.types as pg.CustomTypesConfig,
      // JIT compilation off for every session: Bearing's queries are short and index-driven, but some carry large
      // cost estimates (nearest-neighbour scans, per-item sub-queries over a run), which made PostgreSQL JIT-compile
      // them: ~45 ms of compiling for ~75 ms of work in a run's reuse check, ~170 ms for ~50 ms in a neighbour query.
      // A SET before the connection is handed out, not a startup option (which poolers such as PgBouncer refuse); if
      // it fails, only speed suffers.
      onConnect: (client) => client.query('SET jit = off').then(() => undefined, () => undefined),
    });
    pool.on('error', () => undefined); // an idle client's error is surfaced on its next query instead
    db = dbFromPool(pool, 'postgres');
  } else {
    const [{ PGlite }, { vector }, { createPgConfig }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-pgvector'),
      import('@electric-sql/pglite/node-postgres'),
    ]);
    let dataDir: string | undefined;
    if (!opts.loadDataDir) {
      dataDir = resolve(opts.dataDir, 'pgdata');
      mkdirSync(dataDir, { recursive: true });
    }
    const lite = await PGlite.create({ dataDir, loadDataDir: opts.loadDataDir, extensions: { vector } });
    const pool = new pg.Pool({ ...createPgConfig(lite), types: vt.types as pg.CustomTypesConfig });
    db = dbFromPool(pool, 'pglite', () => lite.close());
  }
  // The extension must exist before its type oid can be read; migrations create it too (IF NOT EXISTS).
  await db.query('CREATE EXTENSION IF NOT EXISTS vector').catch((err: { code?: string }) => {
    // Two processes starting on a fresh database race here ("IF NOT EXISTS" is not atomic): the loser sees a
    // unique violation (23505) although the extension now exists, which is all that is needed.
    if (err.code !== '23505') throw err;
  });
  const oid = await db.query<{ oid: number }>(`SELECT oid::int AS oid FROM pg_type WHERE typname = 'vector'`);
  if (oid.rows[0]) vt.setOid(oid.rows[0].oid);
  return db;
}

