// Forward-only SQL migrations from migrations/NNNN_name.sql, recorded in schema_migrations. A session-level
// advisory lock makes two processes starting at once safe: the second waits, then finds nothing left to apply.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../deps.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
/** Arbitrary constant shared by every Bearing process: the advisory lock key for migrations. */
const MIGRATION_LOCK_KEY = 0x6265617269; // "beari"

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(dir + f, 'utf8');
      return { version: f.slice(0, 4), name: f.slice(5, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(db: Db, migrations = listMigrations()): Promise<{ applied: string[] }> {
  return db.transaction(async (tx) => {
    // Transaction-level lock: released at COMMIT/ROLLBACK, so a crash never leaves it held.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = await tx.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const known = new Map(done.rows.map((r) => [r.version, r.checksum]));
    const applied: string[] = [];
    for (const m of migrations) {
      const seen = known.get(m.version);
      if (seen !== undefined) {
        if (seen !== m.checksum) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied`);
        continue;
      }
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      applied.push(`${m.version}_${m.name}`);
    }
    return { applied };
  });
}

/** Readiness: reachable, and every migration file is recorded. */
export async function migrationStatus(db: Db, migrations = listMigrations()): Promise<{ ok: boolean; detail: string }> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return { ok: false, detail: 'no migrations applied' };
  const r = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
  const have = new Set(r.rows.map((x) => x.version));
  const missing = migrations.filter((m) => !have.has(m.version)).map((m) => m.version);
  return missing.length ? { ok: false, detail: `pending migrations: ${missing.join(', ')}` } : { ok: true, detail: `${have.size} applied` };
}
