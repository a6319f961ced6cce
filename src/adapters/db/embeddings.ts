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
