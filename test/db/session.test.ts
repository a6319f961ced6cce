// Every pooled PostgreSQL connection runs with JIT compilation off: with it on, PostgreSQL compiled the run reuse
// check and the neighbour searches (large cost estimates, little work) for longer than they ran.
import { describe, expect, it } from 'vitest';
import { openTestDb, usingRealPostgres } from '../helpers/harness.ts';

describe.runIf(usingRealPostgres)('PostgreSQL sessions', () => {
  it('have JIT compilation off, on every connection of the pool and inside transactions', async () => {
    const db = await openTestDb();
    try {
      // More queries at once than one connection serves: several connections are opened.
      const shown = await Promise.all(Array.from({ length: 6 }, () => db.query<{ jit: string }>('SELECT current_setting($1) AS jit', ['jit'])));
      expect(shown.map((r) => r.rows[0]!.jit)).toEqual(Array(6).fill('off'));
      expect(await db.transaction(async (tx) => (await tx.query<{ jit: string }>('SHOW jit')).rows[0]!.jit)).toBe('off');
    } finally {
      await db.close();
    }
  });
});
