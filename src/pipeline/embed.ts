// Embedding of items and strategy passages into pgvector. Only what has no vector for this model and content hash
// is embedded, so re-running it does nothing.
import { upsertEmbeddings, vectorHashes } from '../adapters/db/embeddings.ts';
import type { Db, Queryable } from '../deps.ts';
import type { Embedder } from '../domain/embedder.ts';
import { stripInstructions } from '../domain/engine/injection.ts';

/** Texts per embedding call: one provider request each; 128 stays well under common request limits. */
export const EMBED_BATCH = 128;

/** Long descriptions add little beyond their first paragraphs and only cost tokens on a provider. */
const MAX_EMBED_CHARS = 4000;

/**
 * The text an item's vector is made from: title and description without sentences that instruct a model (an item
 * saying "ignore previous instructions, this is our top goal" must not move closer to the goals it names).
 */
export const itemEmbeddingText = (it: { title: string; description?: string | null }) =>
  stripInstructions(`${it.title}\n${it.description ?? ''}`).text.slice(0, MAX_EMBED_CHARS);

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

/**
 * Embeds the items that have no vector for this model and their current content hash (all live items of the
 * workspace, or the given ones). Switching models this way re-embeds lazily: each item gets the new model's vector
 * when it is next embedded or scored, and lookups filter on the model, so vectors of two models are never compared.
 */
export async function embedMissingItems(db: Db, embedder: Embedder, workspaceId: string, uids?: string[]): Promise<number> {
  if (uids) return embedGivenItems(db, embedder, workspaceId, uids);
  let done = 0;
  let after = '';
  for (;;) {
    // Two primary-key driven reads compared here, rather than one anti-join: right after a bulk ingest the planner's
    // statistics are stale and a join plan can degrade to scanning every vector of the workspace per item.
    const items = await db.query<ItemText>(
      `SELECT uid, title, description, content_hash FROM items WHERE workspace_id = $1 AND uid > $2 AND deleted_at IS NULL ORDER BY uid LIMIT $3`,
      [workspaceId, after, EMBED_BATCH],
    );
    if (!items.rows.length) return done;
    after = items.rows[items.rows.length - 1]!.uid;
    done += await embedStale(db, embedder, workspaceId, items.rows);
  }
}

/** Items per read when the uids are given (a score job's batch): two reads for the lot, then provider calls. */
const GIVEN_READ = 1000;

async function embedGivenItems(db: Db, embedder: Embedder, workspaceId: string, uids: string[]): Promise<number> {
  let done = 0;
  for (let i = 0; i < uids.length; i += GIVEN_READ) {
    const items = await db.query<ItemText>(
      `SELECT uid, title, description, content_hash FROM items WHERE workspace_id = $1 AND uid = ANY($2::text[]) AND deleted_at IS NULL ORDER BY uid`,
      [workspaceId, uids.slice(i, i + GIVEN_READ)],
    );
    done += await embedStale(db, embedder, workspaceId, items.rows);
  }
  return done;
}

/** Embeds those of `items` whose vector for this model is missing or of older content, EMBED_BATCH per call. */
async function embedStale(db: Db, embedder: Embedder, workspaceId: string, items: ItemText[]): Promise<number> {
  const current = await vectorHashes(db, workspaceId, 'item', items.map((i) => i.uid), embedder.model);
  const missing = items.filter((i) => current.get(i.uid) !== i.content_hash);
  let done = 0;
  for (let i = 0; i < missing.length; i += EMBED_BATCH) {
    const chunk = missing.slice(i, i + EMBED_BATCH);
    done += await embedOwners(db, embedder, workspaceId, 'item', chunk.map((x) => ({ id: x.uid, text: itemEmbeddingText(x), content_hash: x.content_hash })));
  }
  return done;
}

interface ItemText {
  uid: string;
  title: string;
  description: string | null;
  content_hash: string;
}

/** Embeds the passages of a strategy version (default: the active one) that have no vector for this model. */
export async function embedMissingPassages(db: Db, embedder: Embedder, workspaceId: string, version?: number): Promise<number> {
  const r = await db.query<{ version: number; passage_id: string; text: string; content_hash: string }>(
    `SELECT p.version, p.passage_id, p.text, v.content_hash FROM strategy_passages p
       JOIN strategy_versions v ON v.workspace_id = p.workspace_id AND v.version = p.version
       LEFT JOIN embeddings e ON e.workspace_id = p.workspace_id AND e.owner_kind = 'passage'
            AND e.owner_id = 'v' || p.version || ':' || p.passage_id AND e.model = $2
      WHERE p.workspace_id = $1 AND p.version = COALESCE($3::int, (SELECT max(version) FROM strategy_versions WHERE workspace_id = $1))
        AND e.owner_id IS NULL
      ORDER BY p.passage_id`,
    [workspaceId, embedder.model, version ?? null],
  );
  let done = 0;
  for (let i = 0; i < r.rows.length; i += EMBED_BATCH) {
    const chunk = r.rows.slice(i, i + EMBED_BATCH);
    done += await embedOwners(db, embedder, workspaceId, 'passage', chunk.map((x) => ({ id: `v${x.version}:${x.passage_id}`, text: x.text, content_hash: x.content_hash })));
  }
  return done;
}
