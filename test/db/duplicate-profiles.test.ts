// Duplicate profiles are stored between runs and read back by every later finalize: what comes back must be the
// profile the engine computed, to the bit, or a nightly run would decide pairs differently from a full one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfiles, upsertProfiles } from '../../src/adapters/db/duplicate-profiles.ts';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import type { Db } from '../../src/deps.ts';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { duplicateProfile, isDuplicatePair, termStats } from '../../src/domain/engine/duplicates.ts';
import { openTestDb, uniqueName } from '../helpers/harness.ts';

const vectors = loadWordVectors();
const items = [
  { id: 'A-1', title: 'Retry failed card payments at checkout', description: 'Declined cards get one automatic retry after 30 seconds.', status: 'todo' },
  { id: 'A-2', title: 'Retry declined card payments during checkout', description: 'One automatic retry 30 seconds after a card is declined.', status: 'in_progress' },
  { id: 'A-3', title: 'Dark mode for the settings page', status: 'todo' },
];
const profiles = items.map((it, i) => duplicateProfile(analyzeItem(it, i, vectors)));

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => db?.close());

describe('stored duplicate profiles', () => {
  it('read back exactly as computed, and decide the same pairs', async () => {
    const ws = uniqueName('ws-profiles');
    await upsertProfiles(db, ws, profiles.map((p, i) => ({ uid: `${ws}-u${i}`, content_hash: `h${i}`, profile: p })));
    const uid = (i: number) => `${ws}-u${i}`;
    const stored = await loadProfiles(db, ws, [uid(0), uid(1), uid(2), `${ws}-missing`]);
    expect([...stored.keys()].sort()).toEqual([uid(0), uid(1), uid(2)]);
    profiles.forEach((p, i) => {
      const back = stored.get(uid(i))!;
      expect(back.weights).toBeInstanceOf(Float64Array);
      expect(Array.from(back.weights)).toEqual(Array.from(p.weights)); // every weight to the bit
      expect(back.vector).toEqual(p.vector);
      expect({ ...back, weights: null, vector: null }).toEqual({ ...p, weights: null, vector: null });
    });
    const stats = termStats(profiles);
    expect(isDuplicatePair(stored.get(uid(0))!, stored.get(uid(1))!, stats)).toBe(isDuplicatePair(profiles[0]!, profiles[1]!, stats));
    expect(isDuplicatePair(stored.get(uid(0))!, stored.get(uid(1))!, stats)).toBe(true);
    expect(isDuplicatePair(stored.get(uid(0))!, stored.get(uid(2))!, stats)).toBe(false);
  });

  it('still reads profiles stored with JSON number arrays (written before the binary encoding)', async () => {
    const ws = uniqueName('ws-profiles-legacy');
    const p = profiles[0]!;
    const legacy = JSON.stringify({ ...p, weights: Array.from(p.weights), vector: Array.from(p.vector!) });
    await db.query(
      `INSERT INTO item_profiles (item_uid, workspace_id, content_hash, external_id, status, created_ms, stems, profile)
       VALUES ($1, $2, 'h', $3, $4, $5, $6, $7)`,
      [`${ws}-u`, ws, p.id, p.status, p.createdMs, p.stems, legacy],
    );
    const back = (await loadProfiles(db, ws, [`${ws}-u`])).get(`${ws}-u`)!;
    expect(Array.from(back.weights)).toEqual(Array.from(p.weights));
    expect(back.vector).toEqual(p.vector);
  });
});
