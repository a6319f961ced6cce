// What duplicate detection keeps between runs: each item's profile for the engine's duplicate rule (per content
// version) and snapshots of the backlog's term statistics, with the snapshot each run decided its pairs under.
import type { Db, Queryable } from '../../deps.ts';
import type { DuplicateProfile, TermStats } from '../../domain/engine/index.ts';
import { hashJoins } from './finalize-reads.ts';

/** The next page of the run's items (uid order) with no profile of their current content. */
export async function missingProfilesPage(q: Queryable, p: { workspaceId: string; runId: string; after: string; limit: number }): Promise<string[]> {
  const r = await q.query<{ uid: string }>(
    // OFFSET 0: per-row primary-key probes, whatever the (possibly stale) statistics say (see finalize-reads.ts).
    `SELECT s.item_uid AS uid FROM item_scores s
      WHERE s.run_id = $2 AND s.item_uid > $3
        AND NOT EXISTS (SELECT 1 FROM item_profiles p JOIN items i ON i.uid = p.item_uid AND i.content_hash = p.content_hash
                         WHERE p.item_uid = s.item_uid AND i.workspace_id = $1 OFFSET 0)
      ORDER BY s.item_uid LIMIT $4`,
    [p.workspaceId, p.runId, p.after, p.limit],
  );
  return r.rows.map((x) => x.uid);
}

/**
 * All the run's items with no profile of their current content, in one hash anti-join: for a run after an earlier
 * one (a few changed items at most, normally), half the time of the keyset page's per-item probes.
 */
export async function missingProfilesAll(db: Db, p: { workspaceId: string; runId: string }): Promise<string[]> {
  const r = await hashJoins(db, (tx) =>
    tx.query<{ uid: string }>(
      `SELECT s.item_uid AS uid FROM item_scores s
         JOIN items i ON i.uid = s.item_uid
         LEFT JOIN item_profiles p ON p.item_uid = s.item_uid AND p.content_hash = i.content_hash
        WHERE s.run_id = $2 AND i.workspace_id = $1 AND p.item_uid IS NULL
        ORDER BY s.item_uid`,
      [p.workspaceId, p.runId],
    ),
  );
  return r.rows.map((x) => x.uid);
}

export interface StoredProfile {
  uid: string;
  content_hash: string;
  profile: DuplicateProfile;
}

export async function upsertProfiles(q: Queryable, workspaceId: string, rows: StoredProfile[]): Promise<void> {
  if (!rows.length) return;
  const json = rows.map(({ uid, content_hash, profile: p }) => ({
    uid, content_hash, id: p.id, status: p.status, created_ms: p.createdMs, stems: p.stems,
    profile: JSON.stringify({ ...p, weights: toBase64(Float64Array.from(p.weights)), vector: p.vector ? toBase64(p.vector) : null }),
  }));
  await q.query(
    `INSERT INTO item_profiles (item_uid, workspace_id, content_hash, external_id, status, created_ms, stems, profile)
     SELECT x.uid, $1, x.content_hash, x.id, x.status, x.created_ms, ARRAY(SELECT jsonb_array_elements_text(x.stems)), x.profile
       FROM jsonb_to_recordset($2::jsonb) AS x(uid text, content_hash text, id text, status text, created_ms float8, stems jsonb, profile text)
     ON CONFLICT (item_uid) DO UPDATE SET
       content_hash = EXCLUDED.content_hash, external_id = EXCLUDED.external_id, status = EXCLUDED.status, created_ms = EXCLUDED.created_ms,
       stems = EXCLUDED.stems, profile = EXCLUDED.profile`,
    [workspaceId, JSON.stringify(json)],
  );
}

/** Profiles by item uid (items without one are absent). */
export async function loadProfiles(q: Queryable, workspaceId: string, uids: string[]): Promise<Map<string, DuplicateProfile>> {
  if (!uids.length) return new Map();
  const r = await q.query<{ item_uid: string; profile: string }>(
    'SELECT item_uid, profile FROM item_profiles WHERE workspace_id = $1 AND item_uid = ANY($2::text[])',
    [workspaceId, uids],
  );
  return new Map(
    r.rows.map((x) => {
      const p = JSON.parse(x.profile) as Omit<DuplicateProfile, 'vector' | 'weights'> & { weights: string | number[]; vector: string | number[] | null };
      const weights = typeof p.weights === 'string' ? new Float64Array(fromBase64(p.weights)) : p.weights;
      const vector = p.vector === null ? null : typeof p.vector === 'string' ? new Float32Array(fromBase64(p.vector)) : Float32Array.from(p.vector);
      return [x.item_uid, { ...p, weights, vector }];
    }),
  );
}

// A profile's weights and vector are stored as the bytes of their typed arrays (base64): exact, and parsed ~10x
// faster than JSON numbers (a nightly finalize reads a few thousand profiles). Profiles written as JSON number
// arrays (before this encoding) are still read.
const toBase64 = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromBase64(s: string): ArrayBuffer {
  const b = Buffer.from(s, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; // own, aligned copy
}

/** Only what choosing the copy to keep reads (keepFirst), by item uid. */
export async function loadKeepKeys(q: Queryable, workspaceId: string, uids: string[]): Promise<Map<string, Pick<DuplicateProfile, 'id' | 'status' | 'createdMs'>>> {
  if (!uids.length) return new Map();
  const r = await q.query<{ item_uid: string; external_id: string; status: DuplicateProfile['status']; created_ms: number | null }>(
    'SELECT item_uid, external_id, status, created_ms FROM item_profiles WHERE workspace_id = $1 AND item_uid = ANY($2::text[])',
    [workspaceId, uids],
  );
  return new Map(r.rows.map((x) => [x.item_uid, { id: x.external_id, status: x.status, createdMs: x.created_ms === null ? null : Number(x.created_ms) }]));
}

/** Takes a snapshot of the term statistics of the run's items (those with a profile), computed in SQL. */
export async function createTermStats(q: Queryable, p: { id: string; workspaceId: string; runId: string }): Promise<void> {
  await q.query(
    `INSERT INTO term_stats (id, workspace_id, n, df)
     SELECT $1, $2,
            (SELECT count(*) FROM item_scores s JOIN item_profiles p ON p.item_uid = s.item_uid WHERE s.run_id = $3),
            COALESCE((SELECT jsonb_object_agg(stem, n) FROM (
                        SELECT t.stem, count(*) AS n FROM item_scores s JOIN item_profiles p ON p.item_uid = s.item_uid, unnest(p.stems) AS t(stem)
                         WHERE s.run_id = $3 GROUP BY t.stem) d), '{}'::jsonb)`,
    [p.id, p.workspaceId, p.runId],
  );
}

export async function loadTermStats(q: Queryable, id: string): Promise<TermStats | null> {
  const r = await q.query<{ n: number; df: string }>('SELECT n, df::text AS df FROM term_stats WHERE id = $1', [id]);
  const row = r.rows[0];
  if (!row) return null;
  return { n: Number(row.n), df: new Map(Object.entries(JSON.parse(row.df) as Record<string, number>)) };
}

/** The snapshot a run decided its pairs under, and the items changed since it was taken. */
export async function runStatsState(q: Queryable, runId: string): Promise<{ termStatsId: string | null; changedSinceStats: number }> {
  const r = await q.query<{ term_stats_id: string | null; changed_since_stats: number | null }>(
    'SELECT term_stats_id, changed_since_stats FROM scoring_runs WHERE id = $1',
    [runId],
  );
  return { termStatsId: r.rows[0]?.term_stats_id ?? null, changedSinceStats: Number(r.rows[0]?.changed_since_stats ?? 0) };
}

export async function setRunStats(q: Queryable, runId: string, termStatsId: string, changedSinceStats: number): Promise<void> {
  await q.query('UPDATE scoring_runs SET term_stats_id = $2, changed_since_stats = $3 WHERE id = $1', [runId, termStatsId, changedSinceStats]);
}
