// Two processes migrating the same database at once: one applies, the other waits on the advisory lock and finds
// nothing left to do; the schema ends up complete and recorded once.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { serviceConfigured } from '../helpers/harness.ts';

const BIN = new URL('../../src/entry/bin.mjs', import.meta.url).pathname;

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, [BIN, 'migrate'], { env: { ...process.env, ...env, LOG_LEVEL: 'info' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => ok({ code, out }));
  });
}

const realDb = serviceConfigured('DATABASE_URL') ? process.env.DATABASE_URL : undefined;

describe('migrations', () => {
  it.runIf(realDb)('two processes migrating a fresh PostgreSQL database at once', async () => {
    const admin = new pg.Client({ connectionString: realDb });
    await admin.connect();
    const name = `bearing_mig_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(realDb!);
      url.pathname = `/${name}`;
      const [a, b] = await Promise.all([run({ DATABASE_URL: url.href }), run({ DATABASE_URL: url.href })]);
      expect(a.code, a.out).toBe(0);
      expect(b.code, b.out).toBe(0);
      // exactly one of them applied the migration
      expect([a.out, b.out].filter((o) => o.includes('migrations applied')).length).toBe(1);
      const c = new pg.Client({ connectionString: url.href });
      await c.connect();
      const rows = await c.query('SELECT version FROM schema_migrations');
      expect(rows.rows.map((r) => r.version)).toContain('0001');
      expect(new Set(rows.rows.map((r) => r.version)).size).toBe(rows.rowCount);
      await c.end();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('embedded: migrate twice on the same data folder keeps data and applies nothing the second time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bearing-mig-'));
    const first = await run({ DATABASE_URL: '', BEARING_DATA_DIR: dir });
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('migrations applied');
    const second = await run({ DATABASE_URL: '', BEARING_DATA_DIR: dir });
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toContain('migrations applied');
  });
});
