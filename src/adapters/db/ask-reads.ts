// Read-side SQL for answering questions: pgvector similarities of strategy passages and items to a question or an
// item, items found by text, and an item's place in a finished run. Vectors are only ever compared within one
// embedding model (and its dimensions); every query filters on the workspace.
import type { Db, Queryable } from '../../deps.ts';
import type { Flag } from '../../domain/contracts.ts';
import { passageOwnerId } from './embeddings.ts';
import type { ItemRow } from './items.ts';

export interface VectorModel {
  model: string;
  dims: number;
}

/** Dimensions are inlined into casts (the HNSW indexes are per dimension): only a positive integer is accepted. */
function dimsOf(m: VectorModel): number {
  if (!Number.isInteger(m.dims) || m.dims <= 0 || m.dims > 16_000) throw new Error(`invalid embedding dimensions ${m.dims}`);
  return m.dims;
}

const finite = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x);

export interface PassageSimilarity {
  passage_id: string;
  /** Cosine similarity to the question (null: no usable question vector). */
  question: number | null;
  /** Cosine similarity to the item's stored vector (null: no item, or it has no vector of this model). */
  item: number | null;
}

/**
 * Cosine similarities of every passage of a strategy version to the question vector and to the item — its stored
 * vector (`uid`) or one given — all of the same model. Passages without a vector of this model are absent (not
 * embedded yet).
 */
export async function passageSimilarities(
  q: Queryable,
  workspaceId: string,
  m: VectorModel,
  version: number,
  query: { vector: number[] | null; item: { uid: string } | { vector: number[] } | null },
): Promise<PassageSimilarity[]> {
  const d = dimsOf(m);
  const prefix = passageOwnerId(version, '');
  const itemUid = query.item && 'uid' in query.item ? query.item.uid : null;
  const itemVector = query.item && 'vector' in query.item ? JSON.stringify(query.item.vector) : null;
  const r = await q.query<PassageSimilarity>(
    `SELECT substr(p.owner_id, $4::int) AS passage_id,
            CASE WHEN $5::text IS NULL THEN NULL ELSE 1 - (p.embedding::vector(${d}) <=> $5::vector(${d})) END AS question,
            CASE WHEN $7::text IS NOT NULL THEN 1 - (p.embedding::vector(${d}) <=> $7::vector(${d}))
                 ELSE (SELECT 1 - (p.embedding::vector(${d}) <=> i.embedding::vector(${d})) FROM embeddings i
                        WHERE i.workspace_id = $1 AND i.owner_kind = 'item' AND i.owner_id = $6 AND i.model = $2 AND i.dims = ${d}) END AS item
       FROM embeddings p
      WHERE p.workspace_id = $1 AND p.owner_kind = 'passage' AND p.model = $2 AND p.dims = ${d} AND starts_with(p.owner_id, $3)
      ORDER BY p.owner_id`,
    [workspaceId, m.model, prefix, prefix.length + 1, query.vector ? JSON.stringify(query.vector) : null, itemUid, itemVector],
  );
  return r.rows.map((x) => ({ passage_id: x.passage_id, question: finite(x.question), item: finite(x.item) }));
}

export interface NearItem {
  uid: string;
  similarity: number;
}

/**
 * The live items nearest to a vector (or to an item's own stored vector), same model, best first. Uses the HNSW
 * index where the planner picks it; the scan goes on past rows other workspaces or models hold (pgvector >= 0.8).
 */
export async function nearestItems(
  db: Db,
  workspaceId: string,
  m: VectorModel,
  target: { vector: number[] } | { itemUid: string },
  k: number,
  filter: { team?: string; status?: string } = {},
): Promise<NearItem[]> {
  const d = dimsOf(m);
  const excluded = 'itemUid' in target ? target.itemUid : null;
  const vector =
    'vector' in target
      ? `$3::vector(${d})`
      : `(SELECT t.embedding::vector(${d}) FROM embeddings t WHERE t.workspace_id = $1 AND t.owner_kind = 'item' AND t.owner_id = $3 AND t.model = $2 AND t.dims = ${d})`;
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
    const r = await tx.query<NearItem>(
      `SELECT n.uid, n.similarity FROM (
         SELECT e.owner_id AS uid, 1 - (e.embedding::vector(${d}) <=> ${vector}) AS similarity
           FROM embeddings e JOIN items i ON i.uid = e.owner_id AND i.workspace_id = $1 AND i.deleted_at IS NULL
          WHERE e.workspace_id = $1 AND e.owner_kind = 'item' AND e.model = $2 AND e.dims = ${d}
            AND ($4::text IS NULL OR e.owner_id <> $4) AND ($5::text IS NULL OR i.team = $5) AND ($6::text IS NULL OR i.status = $6)
          ORDER BY e.embedding::vector(${d}) <=> ${vector} LIMIT $7) n
        ORDER BY n.similarity DESC, n.uid`,
      [workspaceId, m.model, 'vector' in target ? JSON.stringify(target.vector) : target.itemUid, excluded, filter.team ?? null, filter.status ?? null, k],
    );
    return r.rows.filter((x) => Number.isFinite(x.similarity));
  });
}

/** Live items whose title contains every given word (case-insensitive), for search without vectors. */
export async function itemsByTitleWords(q: Queryable, workspaceId: string, words: string[], k: number, filter: { team?: string; status?: string } = {}): Promise<string[]> {
  if (!words.length) return [];
  const patterns = words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const r = await q.query<{ uid: string }>(
    `SELECT uid FROM items
      WHERE workspace_id = $1 AND deleted_at IS NULL AND title ILIKE ALL($2::text[])
        AND ($3::text IS NULL OR team = $3) AND ($4::text IS NULL OR status = $4)
      ORDER BY external_id, uid LIMIT $5`,
    [workspaceId, patterns, filter.team ?? null, filter.status ?? null, k],
  );
  return r.rows.map((x) => x.uid);
}

export interface RunItemScore {
  item_uid: string;
  alignment: number;
  objective_id: string | null;
  kr_id: string | null;
  execution_health: boolean;
  flags: Flag[];
  non_goal_id: string | null;
  duplicate_of: string | null;
}

/** The scores a finished run gave to these items (items it did not score are absent). */
export async function runScoresOf(q: Queryable, workspaceId: string, runId: string, uids: string[]): Promise<RunItemScore[]> {
  if (!uids.length) return [];
  const r = await q.query<RunItemScore>(
    `SELECT item_uid, alignment, objective_id, kr_id, execution_health, flags, non_goal_id, duplicate_of FROM item_scores
      WHERE workspace_id = $1 AND run_id = $2 AND item_uid = ANY($3::text[])`,
    [workspaceId, runId, uids],
  );
  return r.rows;
}

export interface ItemSuggestion {
  rank: number;
  action: 'stop' | 'merge' | 'pause' | 'reframe';
  reasons: string[];
  capacity_points: number | null;
  confidence: number;
}

/** The run's stop suggestion for the item, if it made one. */
export async function suggestionFor(q: Queryable, workspaceId: string, runId: string, uid: string): Promise<ItemSuggestion | null> {
  const r = await q.query<ItemSuggestion>(
    `SELECT rank, action, reasons, capacity_points, confidence FROM stop_suggestions WHERE workspace_id = $1 AND run_id = $2 AND item_uid = $3`,
    [workspaceId, runId, uid],
  );
  return r.rows[0] ?? null;
}

/** Teams that live items belong to, in name order. */
export async function workspaceTeams(q: Queryable, workspaceId: string): Promise<string[]> {
  const r = await q.query<{ team: string }>(
    `SELECT DISTINCT team FROM items WHERE workspace_id = $1 AND deleted_at IS NULL AND team IS NOT NULL ORDER BY team`,
    [workspaceId],
  );
  return r.rows.map((x) => x.team);
}

/** Titles of live items by the caller's ids (the first source's when two sources share an id). */
export async function titlesOf(q: Queryable, workspaceId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (!externalIds.length) return new Map();
  const r = await q.query<{ external_id: string; title: string }>(
    `SELECT DISTINCT ON (external_id) external_id, title FROM items
      WHERE workspace_id = $1 AND external_id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY external_id, source`,
    [workspaceId, externalIds],
  );
  return new Map(r.rows.map((x) => [x.external_id, x.title]));
}

/** Live items with any of these external ids, in one query: by id, then source (as findItems orders one id's items). */
export async function liveItemsByIds(q: Queryable, workspaceId: string, externalIds: string[]): Promise<ItemRow[]> {
  if (!externalIds.length) return [];
  const r = await q.query<ItemRow>(
    `SELECT uid, source, external_id, title, description, type, status, team, assignee, estimate_points, labels, parent_id,
            src_created_at, src_updated_at, content_hash, revision, ingested_at, changed_at, deleted_at
       FROM items WHERE workspace_id = $1 AND external_id = ANY($2::text[]) AND deleted_at IS NULL ORDER BY external_id, source`,
    [workspaceId, [...new Set(externalIds)]],
  );
  return r.rows;
}
