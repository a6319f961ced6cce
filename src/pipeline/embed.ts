// Embedding of items and strategy passages into pgvector. Only what has no vector for this model and content hash
// is embedded, so re-running it does nothing.
import { upsertEmbeddings } from '../adapters/db/embeddings.ts';
import type { Queryable } from '../deps.ts';
import type { Embedder } from '../domain/embedder.ts';

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
