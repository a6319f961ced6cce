// Embedding of items and strategy passages into pgvector. Only what has no vector for this model and content hash
// is embedded, so re-running it does nothing.
import { upsertEmbeddings } from '../adapters/db/embeddings.ts';
import type { Db, Queryable } from '../deps.ts';
import type { Embedder } from '../domain/embedder.ts';

/** Texts per embedding call: one provider request each; 128 stays well under common request limits. */
export const EMBED_BATCH = 128;

/** Long descriptions add little beyond their first paragraphs and only cost tokens on a provider. */
const MAX_EMBED_CHARS = 4000;

export const itemEmbeddingText = (it: { title: string; description?: string | null }) =>
  `${it.title}\n${it.description ?? ''}`.slice(0, MAX_EMBED_CHARS);

export async function embedOwners(
  q: Queryable,
  embedder: Embedder,
  workspaceId: string,
  kind: 'item' | 'passage',
  owners: { id: string; text: string; content_hash: string }[],
): Promise<number> {
  if (!owners.length) return 0;
  const vectors = await embedder.embed(owners.map((o) => o.text));
  return upsertEmbeddings(
    q,
    workspaceId,
    embedder.model,
    embedder.dimensions,
    owners.map((o, i) => ({ owner_kind: kind, owner_id: o.id, content_hash: o.content_hash, embedding: vectors[i]! })),
  );
}

/** Embeds the given items that have no vector for this model and their current content hash. */
export async function embedMissingItems(db: Db, embedder: Embedder, workspaceId: string, uids?: string[]): Promise<number> {
  let done = 0;
  let after = '';
  for (let page = 0; ; page++) {
    // Two primary-key driven reads compared here, rather than one anti-join: right after a bulk ingest the planner's
    // statistics are stale and a join plan can degrade to scanning every vector of the workspace per item.
    const items = uids
      ? await db.query<ItemText>(
          `SELECT uid, title, description, content_hash FROM items WHERE workspace_id = $1 AND uid = ANY($2::text[]) AND deleted_at IS NULL ORDER BY uid`,
          [workspaceId, uids.slice(page * EMBED_BATCH, (page + 1) * EMBED_BATCH)],
        )
      : await db.query<ItemText>(
          `SELECT uid, title, description, content_hash FROM items WHERE workspace_id = $1 AND uid > $2 AND deleted_at IS NULL ORDER BY uid LIMIT $3`,
          [workspaceId, after, EMBED_BATCH],
        );
    if (!items.rows.length && (!uids || page * EMBED_BATCH >= uids.length)) return done;
    if (!items.rows.length) continue;
    after = items.rows[items.rows.length - 1]!.uid;
    const have = await db.query<{ owner_id: string; content_hash: string }>(
      `SELECT owner_id, content_hash FROM embeddings WHERE workspace_id = $1 AND owner_kind = 'item' AND owner_id = ANY($2::text[]) AND model = $3`,
      [workspaceId, items.rows.map((i) => i.uid), embedder.model],
    );
    const current = new Map(have.rows.map((h) => [h.owner_id, h.content_hash]));
    const missing = items.rows.filter((i) => current.get(i.uid) !== i.content_hash);
    done += await embedOwners(db, embedder, workspaceId, 'item', missing.map((x) => ({ id: x.uid, text: itemEmbeddingText(x), content_hash: x.content_hash })));
  }
}

interface ItemText {
  uid: string;
  title: string;
  description: string | null;
  content_hash: string;
}

/** Embeds the passages of the workspace's active strategy version that have no vector for this model. */
export async function embedMissingPassages(db: Db, embedder: Embedder, workspaceId: string): Promise<number> {
  const r = await db.query<{ version: number; passage_id: string; text: string; content_hash: string }>(
    `SELECT p.version, p.passage_id, p.text, v.content_hash FROM strategy_passages p
       JOIN strategy_versions v ON v.workspace_id = p.workspace_id AND v.version = p.version
       LEFT JOIN embeddings e ON e.workspace_id = p.workspace_id AND e.owner_kind = 'passage'
            AND e.owner_id = 'v' || p.version || ':' || p.passage_id AND e.model = $2
      WHERE p.workspace_id = $1 AND p.version = (SELECT max(version) FROM strategy_versions WHERE workspace_id = $1)
        AND e.owner_id IS NULL
      ORDER BY p.passage_id`,
    [workspaceId, embedder.model],
  );
  let done = 0;
  for (let i = 0; i < r.rows.length; i += EMBED_BATCH) {
    const chunk = r.rows.slice(i, i + EMBED_BATCH);
    done += await embedOwners(db, embedder, workspaceId, 'passage', chunk.map((x) => ({ id: `v${x.version}:${x.passage_id}`, text: x.text, content_hash: x.content_hash })));
  }
  return done;
}
