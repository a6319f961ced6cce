// SQL of the `finalize` job that reads or writes a run as a whole: each item's nearest neighbours (and what a later
// run may carry of them), duplicate verdicts in one statement, the narrow pass over a run's scores for the portfolio
// and stop ranking, and stop suggestions written from the score rows they come from. Every query is bounded by a
// page size or by the run's own small sets (changed items, confirmed copies): nothing returns a whole run.
import type { Db, Queryable } from '../../deps.ts';
import type { ItemScore } from '../../domain/contracts.ts';
import { scoreFields } from './scores.ts';

/** Cosine distance expression of two vectors of `dims` dimensions (casts let the partial HNSW index answer). */
const dist = (dims: number, a: string, b: string) => `(${a}.embedding::vector(${dims}) <=> ${b}.embedding::vector(${dims}))`;

function checkDims(dims: number): void {
  if (!Number.isInteger(dims) || dims <= 0 || dims > 16_000) throw new Error(`invalid vector dimensions ${dims}`);
}

/**
 * Runs `fn` in a transaction set up for approximate searches: the HNSW scan goes on until enough rows pass the
 * filters, and the planner keeps to it. (JIT compilation is off for every connection: see open-node.ts.)
 */
async function withHnsw<T>(db: Db, fn: (tx: Queryable) => Promise<T>, limit = 0): Promise<T> {
  return db.transaction(async (tx) => {
    // A LIMIT above the scan's candidate list (hnsw.ef_search, 40 by default) needs a second pass of the iterative
    // scan: a list a little longer than the LIMIT answers in one (~15% less time for the 50 nearest).
    if (limit > 30) await tx.query(`SET LOCAL hnsw.ef_search = ${Math.ceil(limit * 1.25)}`);
    // The HNSW index spans every workspace and model: filtering after the index scan could leave fewer rows than the
    // LIMIT, so the scan continues until enough rows pass the filter (pgvector >= 0.8).
    await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
    // Right after a bulk ingest the statistics are stale and the planner may prefer the exact plan (quadratic over a
    // large run). The nearest-neighbour sort is the only sort here: disabling sorts leaves the HNSW index.
    await tx.query(`SET LOCAL enable_sort = off`);
    return fn(tx);
  });
}

/** Runs `fn` in a transaction where the planner joins whole tables by hashing, not row by row. */
export async function hashJoins<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_nestloop = off');
    return fn(tx);
  });
}

export interface NeighbourRow {
  item_uid: string;
  neighbour: string;
  distance: number;
}

/**
 * The `k` nearest other items of the run (same model, with a vector) of each of `uids`, whatever their similarity.
 * `exact`: every vector is compared and ties go to the smaller uid (deterministic; for small runs). Otherwise the
 * HNSW index answers approximately in ~O(log n).
 */
export async function nearestNeighbours(
  db: Db,
  p: { workspaceId: string; runId: string; model: string; dims: number; uids: string[]; k: number; exact: boolean },
): Promise<NeighbourRow[]> {
  checkDims(p.dims);
  if (!p.uids.length) return [];
  const d = dist(p.dims, 'e', 'a');
  // `+ 0` hides the distance from the index, so small runs get the exact plan whatever the statistics say.
  const order = p.exact ? `${d} + 0, e.owner_id` : d;
  const search = async (tx: Queryable) => {
    const r = await tx.query<NeighbourRow>(
      `SELECT a.owner_id AS item_uid, n.owner_id AS neighbour, n.distance
         FROM embeddings a
         CROSS JOIN LATERAL (
           SELECT e.owner_id, ${d} AS distance FROM embeddings e
            WHERE e.workspace_id = a.workspace_id AND e.owner_kind = 'item' AND e.model = a.model AND e.dims = ${p.dims}
              AND e.owner_id <> a.owner_id
              AND EXISTS (SELECT 1 FROM item_scores s WHERE s.run_id = $4 AND s.item_uid = e.owner_id OFFSET 0)
            ORDER BY ${order} LIMIT ${p.k}) n
        WHERE a.workspace_id = $1 AND a.owner_kind = 'item' AND a.model = $2 AND a.dims = ${p.dims} AND a.owner_id = ANY($3::text[])`,
      [p.workspaceId, p.model, p.uids, p.runId],
    );
    return r.rows.map((x) => ({ ...x, distance: Number(x.distance) }));
  };
  return p.exact ? search(db) : withHnsw(db, search);
}

/**
 * How the run's items differ from the previous run's, for the vectors of `model`: `changed` are the run's items with
 * a vector that were not scored with the same content in the previous run (changed, new, or re-embedded since);
 * `gone` the previous run's items that are not in this run (deleted, or outside its subset). Both are small lists on
 * a nightly run; `withVector` counts the run's items with a vector.
 */
export async function changedVectors(
  db: Db,
  p: { workspaceId: string; runId: string; previousRunId: string; model: string },
): Promise<{ changed: string[]; gone: string[]; withVector: number }> {
  // Whole runs against each other: hash joins, whatever the (possibly stale) statistics suggest. Per-row probes cost
  // twice as much here (~57 ms against ~25 ms at 10k items), and a nested loop planned on stale statistics, far more.
  const [r, g] = await Promise.all([
    hashJoins(db, (tx) =>
      tx.query<{ changed: string[] | null; n: string }>(
        `SELECT array_agg(r.item_uid ORDER BY r.item_uid) FILTER (WHERE p.content_hash IS DISTINCT FROM r.content_hash OR e.content_hash <> r.content_hash) AS changed,
                count(*)::text AS n
           FROM item_scores r
           JOIN embeddings e ON e.workspace_id = $1 AND e.owner_kind = 'item' AND e.owner_id = r.item_uid AND e.model = $4
           LEFT JOIN item_scores p ON p.run_id = $3 AND p.item_uid = r.item_uid
          WHERE r.run_id = $2`,
        [p.workspaceId, p.runId, p.previousRunId, p.model],
      ),
    ),
    hashJoins(db, (tx) =>
      tx.query<{ gone: string[] | null }>(
        `SELECT array_agg(p.item_uid) AS gone FROM item_scores p LEFT JOIN item_scores r ON r.run_id = $1 AND r.item_uid = p.item_uid
          WHERE p.run_id = $2 AND r.item_uid IS NULL`,
        [p.runId, p.previousRunId],
      ),
    ),
  ]);
  return { changed: r.rows[0]?.changed ?? [], gone: g.rows[0]?.gone ?? [], withVector: Number(r.rows[0]?.n ?? 0) };
}

/** A changed item now at most as far from `item_uid` as that item's horizon was in the previous run, with the
 * item's neighbourhood in the previous run. */
export interface ReachedRow extends NeighbourhoodRecord {
  changed_uid: string;
  distance: number;
}

/**
 * The neighbourhoods of `previousRunId` that a changed vector may have entered: each (item, changed item) where the
 * changed item is now at most as far from the item as its horizon (or it has none: every item was listed), with that
 * distance. `exact` compares every pair; otherwise each changed item's `reach` nearest items of the workspace (HNSW)
 * are the candidates. (Whether a candidate is in this run is not asked: one that is not has no neighbourhood in the
 * previous run, or is gone since and the caller drops it. The membership probe cost ~30% of this query.)
 */
export async function reachedNeighbourhoods(
  db: Db,
  p: { workspaceId: string; previousRunId: string; model: string; dims: number; changed: string[]; exact: boolean; reach: number },
): Promise<ReachedRow[]> {
  checkDims(p.dims);
  if (!p.changed.length) return [];
  const params = [p.workspaceId, p.model, p.changed, p.previousRunId];
  type Raw = StoredNeighbourhood & { changed_uid: string; distance: number };
  const rows = (r: { rows: Raw[] }) => r.rows.map((x) => ({ ...neighbourhood(x), changed_uid: x.changed_uid, distance: Number(x.distance) }));
  if (p.exact) {
    const d = dist(p.dims, 'x', 'a');
    return rows(await db.query<Raw>(
      `SELECT ${NEIGHBOURHOOD_COLS}, x.owner_id AS changed_uid, ${d} AS distance
         FROM run_neighbours h
         JOIN embeddings a ON a.workspace_id = $1 AND a.owner_kind = 'item' AND a.owner_id = h.item_uid AND a.model = $2 AND a.dims = ${p.dims}
         JOIN embeddings x ON x.workspace_id = $1 AND x.owner_kind = 'item' AND x.owner_id = ANY($3::text[]) AND x.model = $2 AND x.dims = ${p.dims}
        WHERE h.run_id = $4 AND h.model = $2 AND x.owner_id <> h.item_uid
          AND (h.horizon IS NULL OR ${d} <= h.horizon)`,
      params,
    ));
  }
  return withHnsw(db, async (tx) =>
    rows(await tx.query<Raw>(
      `SELECT ${NEIGHBOURHOOD_COLS}, x.owner_id AS changed_uid, n.distance
         FROM embeddings x
         CROSS JOIN LATERAL (
           SELECT e.owner_id, ${dist(p.dims, 'e', 'x')} AS distance FROM embeddings e
            WHERE e.workspace_id = x.workspace_id AND e.owner_kind = 'item' AND e.model = x.model AND e.dims = ${p.dims}
              AND e.owner_id <> x.owner_id
            ORDER BY ${dist(p.dims, 'e', 'x')} LIMIT ${p.reach}) n
         CROSS JOIN LATERAL (SELECT ${NEIGHBOURHOOD_COLS} FROM run_neighbours h
                              WHERE h.run_id = $4 AND h.item_uid = n.owner_id AND h.model = $2 OFFSET 0) h
        WHERE x.workspace_id = $1 AND x.owner_kind = 'item' AND x.model = $2 AND x.dims = ${p.dims} AND x.owner_id = ANY($3::text[])
          AND (h.horizon IS NULL OR n.distance <= h.horizon)`,
      params,
    )),
    p.reach,
  );
}

/**
 * Copies the neighbourhoods of `previousRunId` into `runId` for the items that keep them (all but `exclude`).
 * Returns how many were copied.
 */
export async function carryNeighbourhoods(q: Queryable, p: { runId: string; previousRunId: string; model: string; exclude: string[] }): Promise<number> {
  // NOT IN over a sub-select is one hashed lookup per row (an array's <> ALL compares every element).
  const r = await q.query(
    `INSERT INTO run_neighbours (run_id, item_uid, model, neighbours, distances, pairs, horizon, horizon_uid)
     SELECT $1, h.item_uid, h.model, h.neighbours, h.distances, h.pairs, h.horizon, h.horizon_uid
       FROM run_neighbours h
      WHERE h.run_id = $2 AND h.model = $3 AND h.item_uid NOT IN (SELECT unnest($4::text[]))
     ON CONFLICT (run_id, item_uid) DO NOTHING`,
    [p.runId, p.previousRunId, p.model, p.exclude],
  );
  return r.rowCount ?? 0;
}

/** The neighbourhoods stored by `runId` that list any of `uids`. */
export async function neighbourhoodsWith(q: Queryable, p: { runId: string; model: string; uids: string[] }): Promise<NeighbourhoodRecord[]> {
  if (!p.uids.length) return [];
  // Each listed neighbour looked up in the hashed `uids` (= ANY of a parameter array is hashed): `neighbours && uids`
  // compares every pair of elements, ~4x the time at 100 moved items.
  const r = await q.query<StoredNeighbourhood>(
    `SELECT ${NEIGHBOURHOOD_COLS} FROM run_neighbours h
      WHERE h.run_id = $1 AND h.model = $2 AND EXISTS (SELECT 1 FROM unnest(h.neighbours) AS n(uid) WHERE n.uid = ANY($3::text[]))`,
    [p.runId, p.model, p.uids],
  );
  return r.rows.map(neighbourhood);
}

/** Deletes the neighbourhoods of the workspace's runs that ended before `keepRunId` did. Returns how many. */
export async function pruneNeighbourhoods(q: Queryable, workspaceId: string, keepRunId: string): Promise<number> {
  const r = await q.query(
    `DELETE FROM run_neighbours h USING scoring_runs r
      WHERE r.id = h.run_id AND r.workspace_id = $1 AND r.id <> $2 AND r.finished_at IS NOT NULL
        AND r.finished_at <= (SELECT finished_at FROM scoring_runs WHERE id = $2)`,
    [workspaceId, keepRunId],
  );
  return r.rowCount ?? 0;
}

/** Whether a run stored neighbourhoods for this model (a run finalized before they existed did not). */
export async function hasNeighbourhoods(q: Queryable, runId: string, model: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM run_neighbours WHERE run_id = $1 AND model = $2 LIMIT 1', [runId, model]);
  return r.rows.length > 0;
}

/** The next page of the run's items that have a vector but no neighbourhood yet (the ones to search), in uid order. */
export async function unsearchedPage(q: Queryable, p: { workspaceId: string; runId: string; model: string; after: string; limit: number }): Promise<string[]> {
  const r = await q.query<{ uid: string }>(
    // OFFSET 0 (here and in the queries above) keeps a sub-query a per-row primary-key probe: planned as a join on
    // the statistics of a table that was just filled (estimated at one row), it became a nested loop over every pair
    // (4.5 s for this query at 10k items, minutes for the reverse neighbour search).
    `SELECT s.item_uid AS uid FROM item_scores s
      WHERE s.run_id = $2 AND s.item_uid > $4
        AND EXISTS (SELECT 1 FROM embeddings e WHERE e.workspace_id = $1 AND e.owner_kind = 'item' AND e.owner_id = s.item_uid AND e.model = $3 OFFSET 0)
        AND NOT EXISTS (SELECT 1 FROM run_neighbours h WHERE h.run_id = $2 AND h.item_uid = s.item_uid OFFSET 0)
      ORDER BY s.item_uid LIMIT $5`,
    [p.workspaceId, p.runId, p.model, p.after, p.limit],
  );
  return r.rows.map((x) => x.uid);
}

/**
 * All the run's items that have a vector but no neighbourhood yet, in one hash anti-join: for a run that carried
 * its neighbourhoods (where there are normally none), cheaper than a keyset page probing every item.
 */
export async function unsearchedAll(db: Db, p: { workspaceId: string; runId: string; model: string }): Promise<string[]> {
  const r = await hashJoins(db, (tx) =>
    tx.query<{ uid: string }>(
      `SELECT s.item_uid AS uid FROM item_scores s
         JOIN embeddings e ON e.workspace_id = $1 AND e.owner_kind = 'item' AND e.owner_id = s.item_uid AND e.model = $3
         LEFT JOIN run_neighbours h ON h.run_id = $2 AND h.item_uid = s.item_uid
        WHERE s.run_id = $2 AND h.item_uid IS NULL`,
      [p.workspaceId, p.runId, p.model],
    ),
  );
  return [...new Set(r.rows.map((x) => x.uid))];
}

/**
 * An item's neighbourhood: its nearest items of the run, nearest first (ties by uid), and the confirmed copies among
 * the first K. Every item at least as close as the horizon is listed; no horizon: every other item is listed.
 */
export interface NeighbourhoodRecord {
  item_uid: string;
  neighbours: string[];
  distances: number[];
  /** Confirmed copies: copy uid, kept uid, copy uid, kept uid … */
  pairs: string[];
  horizon: { uid: string; distance: number } | null;
}

const NEIGHBOURHOOD_COLS = 'h.item_uid, h.neighbours, h.distances, h.pairs, h.horizon, h.horizon_uid';

/** A neighbourhood as stored (NEIGHBOURHOOD_COLS). */
interface StoredNeighbourhood {
  item_uid: string;
  neighbours: string[];
  distances: (number | string)[];
  pairs: string[];
  horizon: number | string | null;
  horizon_uid: string | null;
}

/** A stored neighbourhood as a record (float8 arrays may come back as strings from the embedded build). */
function neighbourhood(x: StoredNeighbourhood): NeighbourhoodRecord {
  return {
    item_uid: x.item_uid,
    neighbours: x.neighbours,
    distances: x.distances.map(Number),
    pairs: x.pairs,
    horizon: x.horizon === null || x.horizon_uid === null ? null : { uid: x.horizon_uid, distance: Number(x.horizon) },
  };
}

export async function insertNeighbourhoods(q: Queryable, runId: string, model: string, rows: NeighbourhoodRecord[]): Promise<void> {
  if (!rows.length) return;
  await q.query(
    `INSERT INTO run_neighbours (run_id, item_uid, model, neighbours, distances, pairs, horizon, horizon_uid)
     SELECT $1, x.item_uid, $2, ARRAY(SELECT jsonb_array_elements_text(x.neighbours)),
            ARRAY(SELECT (jsonb_array_elements_text(x.distances))::float8), ARRAY(SELECT jsonb_array_elements_text(x.pairs)),
            (x.horizon->>'distance')::float8, x.horizon->>'uid'
       FROM jsonb_to_recordset($3::jsonb) AS x(item_uid text, neighbours jsonb, distances jsonb, pairs jsonb, horizon jsonb)
     ON CONFLICT (run_id, item_uid) DO NOTHING`,
    [runId, model, JSON.stringify(rows)],
  );
}

/**
 * The confirmed copy pairs of the run's neighbourhoods after item `after`, `limit` neighbourhoods at a time (most
 * hold none; on a backlog of look-alike items nearly all do, so they are read in pages, not all at once).
 */
export async function confirmedPairsPage(q: Queryable, runId: string, after: string, limit: number): Promise<{ last: string | null; pairs: [string, string][] }> {
  const r = await q.query<{ item_uid: string; pairs: string }>(
    `SELECT item_uid, array_to_string(pairs, ' ') AS pairs FROM run_neighbours
      WHERE run_id = $1 AND item_uid > $2 AND cardinality(pairs) > 0 ORDER BY item_uid LIMIT $3`,
    [runId, after, limit],
  );
  const out: [string, string][] = [];
  for (const row of r.rows) {
    const flat = row.pairs.split(' ');
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  }
  return { last: r.rows.at(-1)?.item_uid ?? null, pairs: out };
}

export interface DuplicateVerdict {
  item_uid: string;
  score: ItemScore;
  stop: unknown;
}

/** What the stop pass reads of a copy's duplicate verdict. */
export interface VerdictView {
  score: Pick<ItemScore, 'objective_id' | 'kr_id' | 'execution_health' | 'flags'>;
  stop: unknown;
}

/**
 * Gives copies the duplicate verdict `previousRunId` gave them, where it cannot differ: the copy's score in this run
 * is reused from the same computation as there (same content, parent and children, strategy and scorer, no
 * staleness line crossed), it was a copy of the same kept item (caller's id) there, and that item's content is
 * unchanged. `copies`: (copy uid, kept uid, kept item's id). Returns what the stop pass reads, by copy uid.
 */
export async function reuseDuplicateVerdicts(
  db: Db,
  p: { runId: string; previousRunId: string; copies: { copy: string; keep: string; keep_id: string }[] },
): Promise<Map<string, VerdictView>> {
  if (!p.copies.length) return new Map();
  const r = await hashJoins(db, (q) => q.query<{ item_uid: string; objective_id: string | null; kr_id: string | null; execution_health: boolean; flags: ItemScore['flags']; stop: unknown }>(
    // The copies' earlier verdicts by primary-key probes (LATERAL … OFFSET 0, scalar sub-selects), then one hash join
    // with this run's rows: on the stale statistics of a run's fresh rows (estimated at one), the planner otherwise
    // nests the whole sub-select inside a scan of the run (seconds at 10k items).
    `UPDATE item_scores r SET alignment = v.alignment, flags = v.flags, objective_id = v.objective_id, kr_id = v.kr_id,
            execution_health = v.execution_health, non_goal_id = v.non_goal_id, duplicate_of = v.duplicate_of,
            rationale = v.rationale, evidence = v.evidence, stop_candidate = v.stop_candidate
       FROM (SELECT x.copy, v.* FROM jsonb_to_recordset($3::jsonb) AS x(copy text, keep text, keep_id text)
              CROSS JOIN LATERAL (SELECT v.alignment, v.flags, v.objective_id, v.kr_id, v.execution_health, v.non_goal_id,
                                         v.duplicate_of, v.rationale, v.evidence, v.stop_candidate,
                                         COALESCE(v.reused_from_run, v.run_id) AS origin
                                    FROM item_scores v WHERE v.run_id = $2 AND v.item_uid = x.copy OFFSET 0) v
             WHERE v.duplicate_of = x.keep_id
               AND (SELECT k.content_hash FROM item_scores k WHERE k.run_id = $2 AND k.item_uid = x.keep)
                 = (SELECT k.content_hash FROM item_scores k WHERE k.run_id = $1 AND k.item_uid = x.keep)
             OFFSET 0) v
      WHERE r.run_id = $1 AND r.item_uid = v.copy AND r.reused_from_run = v.origin
     RETURNING r.item_uid, r.objective_id, r.kr_id, r.execution_health, r.flags,
               ${stopOrNull('r.stop_candidate')} AS stop`,
    [p.runId, p.previousRunId, JSON.stringify(p.copies)],
  ));
  return new Map(r.rows.map(({ item_uid, stop, ...score }) => [item_uid, { score, stop }]));
}

/** Writes the duplicate re-decisions of a run in one statement. */
export async function setDuplicateVerdicts(q: Queryable, runId: string, rows: DuplicateVerdict[]): Promise<void> {
  if (!rows.length) return;
  await q.query(
    `UPDATE item_scores s SET alignment = b.alignment, flags = COALESCE(b.flags, '{}'), objective_id = b.objective_id, kr_id = b.kr_id,
            execution_health = b.execution_health, non_goal_id = b.non_goal_id, duplicate_of = b.duplicate_of,
            rationale = b.rationale, evidence = b.evidence, stop_candidate = ${stopOrNull('x.stop')}
       FROM jsonb_to_recordset($2::jsonb) AS x(item_uid text, score jsonb, stop jsonb)
       CROSS JOIN LATERAL ${scoreFields('x.score', 'b')}
      WHERE s.run_id = $1 AND s.item_uid = x.item_uid`,
    [runId, JSON.stringify(rows)],
  );
}

/** A stored stop candidate, SQL NULL when there is none (written as JSON null by a verdict without one). */
const stopOrNull = (col: string) => `NULLIF(${col}, 'null'::jsonb)`;

export interface PassRow {
  item_uid: string;
  content_hash: string;
  team: string | null;
  points: number | null;
  objective_id: string | null;
  kr_id: string | null;
  execution_health: boolean;
  flags: ItemScore['flags'];
  /** The stop candidate without its reasons (ranking does not read them; suggestions copy them in SQL). */
  stop: Record<string, unknown> | null;
}

/** A page of the run's final scores, only the columns the portfolio and the stop ranking read, in item order. */
export async function passPage(q: Queryable, runId: string, afterUid: string, limit: number): Promise<PassRow[]> {
  const r = await q.query<PassRow>(
    `SELECT item_uid, content_hash, team, points, objective_id, kr_id, execution_health, flags,
            ${stopOrNull('stop_candidate')} - 'reasons' AS stop
       FROM item_scores WHERE run_id = $1 AND item_uid > $2 ORDER BY item_uid LIMIT $3`,
    [runId, afterUid, limit],
  );
  return r.rows;
}

export interface RankedSuggestion {
  id: string;
  item_uid: string;
  rank: number;
  action: string;
  capacity_points: number | null;
  confidence: number;
  item_content_hash: string;
  team: string | null;
}

/** Writes ranked suggestions; their reasons are copied from the stop candidate of the item's score row. */
export async function insertRankedSuggestions(q: Queryable, runId: string, workspaceId: string, strategyVersion: number, rows: RankedSuggestion[]): Promise<void> {
  if (!rows.length) return;
  await q.query(
    `INSERT INTO stop_suggestions (id, run_id, workspace_id, item_uid, rank, action, reasons, capacity_points, confidence,
                                   item_content_hash, strategy_version, team)
     SELECT x.id, $1, $2, x.item_uid, x.rank, x.action, COALESCE(s.stop_candidate->'reasons', '[]'::jsonb), x.capacity_points,
            x.confidence, x.item_content_hash, $3, x.team
       FROM jsonb_to_recordset($4::jsonb) AS x(id text, item_uid text, rank int, action text, capacity_points float8,
            confidence float8, item_content_hash text, team text)
       JOIN item_scores s ON s.run_id = $1 AND s.item_uid = x.item_uid
     ON CONFLICT (run_id, item_uid) DO NOTHING`,
    [runId, workspaceId, strategyVersion, JSON.stringify(rows)],
  );
}

/** The tables finalize reads, each with the columns its queries filter and join on (what analyzeIfStale samples). */
const STATS_COLUMNS = {
  item_scores: 'run_id, item_uid, workspace_id, content_hash, reused_from_run, strategy_version, scorer',
  items: 'uid, workspace_id, external_id, parent_id, deleted_at',
  embeddings: 'workspace_id, owner_kind, owner_id, model, dims, content_hash',
  run_neighbours: 'run_id, item_uid, model',
} as const;
export type StatsTable = keyof typeof STATS_COLUMNS;
export const STATS_TABLES: readonly StatsTable[] = Object.keys(STATS_COLUMNS) as StatsTable[];
/**
 * What a run after an earlier one refreshes once it has finished instead of first: the score rows, which only runs
 * add to (a run's worth each), which its queries reach by run and item whatever the estimates, and whose ANALYZE
 * reads wide rows (~150 ms at 60k rows). The neighbourhoods are cheap to refresh (~10 ms) and the second run reads
 * the first run's right after they were written, so they stay first.
 */
export const ANALYZE_AFTER_RUN: readonly StatsTable[] = ['item_scores'];

/**
 * Refreshes planner statistics of the tables finalize reads, only where they are badly stale — never analyzed, or
 * the table grown more than fourfold since (a bulk ingest, a first run) — and only on the columns its queries filter
 * and join on. A full ANALYZE of the score rows reads their wide JSON and took ~0.4 s at 20k rows; a nightly run adds
 * a run's worth of rows to tables that already hold one or more (the second run doubles them), which needs no new
 * statistics: its queries probe by run and item (see OFFSET 0 in unsearchedPage), whatever the estimates. Sizes come
 * from the files, not from the statistics views (the embedded build updates those late). `tables`: only these.
 */
export async function analyzeIfStale(db: Db, tables: readonly StatsTable[] = STATS_TABLES): Promise<string[]> {
  if (!tables.length) return [];
  const r = await db.query<{ relname: StatsTable }>(
    `SELECT c.relname FROM pg_class c
      WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
        AND (c.reltuples < 0 OR pg_relation_size(c.oid) > 4 * greatest(c.relpages, 8)::bigint * current_setting('block_size')::bigint)`,
    [tables],
  );
  const stale = r.rows.map((x) => x.relname);
  for (const t of stale) await db.query(`ANALYZE ${t} (${STATS_COLUMNS[t]})`);
  return stale;
}
