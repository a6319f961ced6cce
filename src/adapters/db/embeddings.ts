// SQL for embeddings. Rows record model and dimensions; lookups always filter on the model, so vectors of different
// models are never compared.
import type { Queryable } from '../../deps.ts';

export interface EmbeddingRow {
  owner_kind: 'item' | 'passage';
  owner_id: string;
  content_hash: string;
  embedding: number[];
}

export async function upsertEmbeddings(q: Queryable, workspaceId: string, model: string, dims: number, rows: EmbeddingRow[]): Promise<number> {
  if (!rows.length) return 0;
  const r = await q.query(
    `INSERT INTO embeddings (workspace_id, owner_kind, owner_id, model, dims, content_hash, embedding)
     SELECT $1, x.owner_kind, x.owner_id, $2, $3, x.content_hash, (x.embedding::text)::vector
       FROM jsonb_to_recordset($4::jsonb) AS x(owner_kind text, owner_id text, content_hash text, embedding jsonb)
     ON CONFLICT (workspace_id, owner_kind, owner_id, model) DO UPDATE
       SET content_hash = EXCLUDED.content_hash, embedding = EXCLUDED.embedding, dims = EXCLUDED.dims, created_at = now()
       WHERE embeddings.content_hash <> EXCLUDED.content_hash`,
    [workspaceId, model, dims, JSON.stringify(rows)],
  );
  return r.rowCount ?? 0;
}

/** Content hashes of the owners' vectors for this model (owners without one are absent). */
export async function vectorHashes(q: Queryable, workspaceId: string, kind: 'item' | 'passage', ownerIds: string[], model: string): Promise<Map<string, string>> {
  if (!ownerIds.length) return new Map();
  const r = await q.query<{ owner_id: string; content_hash: string }>(
    `SELECT owner_id, content_hash FROM embeddings WHERE workspace_id = $1 AND owner_kind = $2 AND owner_id = ANY($3::text[]) AND model = $4`,
    [workspaceId, kind, ownerIds, model],
  );
  return new Map(r.rows.map((h) => [h.owner_id, h.content_hash]));
}

/** Passage embeddings are stored under `v<version>:<passage id>`. */
export const passageOwnerId = (version: number, passageId: string) => `v${version}:${passageId}`;

/**
 * The query (dimension and k are validated integers, inlined: the partial indexes match on the literal `dims`).
 * Parameters: workspace, model, item uids, passage owner prefix (`v<version>:`), prefix length + 1.
 */
export function nearestPassagesSql(dims: number, k: number): string {
  const distance = `e.embedding::vector(${dims}) <=> a.embedding::vector(${dims})`;
  return `SELECT a.owner_id AS item_uid, n.passage_id, n.distance
     FROM embeddings a
     CROSS JOIN LATERAL (
       SELECT substr(e.owner_id, $5::int) AS passage_id, ${distance} AS distance FROM embeddings e
        WHERE e.dims = ${dims} AND e.owner_kind = 'passage' AND e.workspace_id = a.workspace_id AND e.model = a.model
          AND starts_with(e.owner_id, $4::text)
        ORDER BY ${distance} LIMIT ${k}) n
    WHERE a.workspace_id = $1 AND a.owner_kind = 'item' AND a.model = $2 AND a.dims = ${dims} AND a.owner_id = ANY($3::text[])`;
}

export interface PassageHit {
  passage_id: string;
  /** Cosine distance (0 = same direction). */
  distance: number;
}

/**
 * The `k` strategy passages (of one strategy version) nearest to each item, by cosine distance between vectors of
 * the same model: an item without a vector of this model gets no entry, never a comparison with another model's.
 * Served by the passage HNSW index of the model's dimension when there is one (384, 768, 1024, 1536; both sides are
 * cast so the index applies), exactly otherwise. With the index, the scan continues past rows of other workspaces
 * and versions until `k` rows pass the filter (pgvector ≥ 0.8 iterative scan).
 */
export async function nearestPassages(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  o: { workspaceId: string; version: number; model: string; dims: number; itemUids: string[]; k: number },
): Promise<Map<string, PassageHit[]>> {
  if (!o.itemUids.length || !Number.isInteger(o.dims) || o.dims <= 0 || !Number.isInteger(o.k) || o.k <= 0) return new Map();
  const prefix = passageOwnerId(o.version, '');
  const rows = await db.transaction(async (tx) => {
    await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
    const r = await tx.query<{ item_uid: string; passage_id: string; distance: number }>(nearestPassagesSql(o.dims, o.k), [
      o.workspaceId,
      o.model,
      o.itemUids,
      prefix,
      prefix.length + 1,
    ]);
    return r.rows;
  });
  const out = new Map<string, PassageHit[]>();
  for (const x of rows) (out.get(x.item_uid) ?? out.set(x.item_uid, []).get(x.item_uid)!).push({ passage_id: x.passage_id, distance: Number(x.distance) });
  // relaxed_order may return neighbours slightly out of order: sort (ties by id, for stable prompts).
  for (const hits of out.values()) hits.sort((x, y) => x.distance - y.distance || (x.passage_id < y.passage_id ? -1 : 1));
  return out;
}
