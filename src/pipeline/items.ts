// Reading and deleting backlog items (the write side is ingest-items.ts). Ids are the caller's own ids; an id used
// by two sources needs the source to pick one.
import { insertAudit } from '../adapters/db/audit.ts';
import { findItems, listItems, softDeleteItem, type ItemFilter, type ItemRow } from '../adapters/db/items.ts';
import type { Db } from '../deps.ts';
import { Problem } from '../lib/problem.ts';

const encodeCursor = (uid: string) => btoa(uid).replace(/=+$/, '');

function decodeCursor(cursor: string): string {
  try {
    const uid = atob(cursor);
    if (/^itm_[0-9a-z]+$/.test(uid)) return uid;
  } catch {
    /* not base64: fall through */
  }
  throw new Problem('validation_failed', 'invalid cursor', [{ location: 'query.cursor', message: 'not a cursor returned by this API' }]);
}

export async function listItemPage(
  db: Db,
  workspaceId: string,
  q: Omit<ItemFilter, 'after_uid'> & { cursor?: string },
): Promise<{ items: ItemRow[]; next_cursor: string | null }> {
  const { cursor, limit, ...filters } = q;
  const rows = await listItems(db, workspaceId, {
    ...filters,
    after_uid: cursor === undefined ? undefined : decodeCursor(cursor),
    limit: limit + 1, // one extra row tells whether another page exists
  });
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.uid) : null };
}

export async function getItem(db: Db, workspaceId: string, id: string, source?: string): Promise<ItemRow> {
  const rows = await findItems(db, workspaceId, id, source);
  if (rows.length === 0) throw new Problem('not_found', `no item with id "${id}"${source !== undefined ? ` from source "${source}"` : ''}`);
  if (rows.length > 1) {
    throw new Problem('conflict', `several items have id "${id}"; add ?source= (one of: ${rows.map((r) => r.source || '(none)').join(', ')})`);
  }
  return rows[0]!;
}

export async function deleteItem(db: Db, input: { workspaceId: string; id: string; source?: string; actor: string; requestId?: string }): Promise<void> {
  const row = await getItem(db, input.workspaceId, input.id, input.source);
  await db.transaction(async (tx) => {
    await softDeleteItem(tx, input.workspaceId, row.uid);
    await insertAudit(tx, { workspace_id: input.workspaceId, actor: input.actor, action: 'item.delete', target: row.uid, request_id: input.requestId });
  });
}
