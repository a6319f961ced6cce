// SQL for backlog items. A whole batch is sent as one JSON parameter and upserted in one statement; an item whose
// content hash is unchanged (and that is not deleted) is left untouched, so re-sending it changes nothing.
import type { Queryable } from '../../deps.ts';
import type { BacklogItem } from '../../domain/contracts.ts';

export interface ItemRecord {
  uid: string;
  source: string;
  external_id: string;
  title: string;
  description: string | null;
  type: string | null;
  status: string | null;
  team: string | null;
  assignee: string | null;
  estimate_points: number | null;
  labels: string[];
  parent_id: string | null;
  src_created_at: string | null;
  src_updated_at: string | null;
  content_hash: string;
}

export interface ItemRow extends Omit<ItemRecord, 'src_created_at' | 'src_updated_at'> {
  src_created_at: Date | null;
  src_updated_at: Date | null;
  revision: number;
  ingested_at: Date;
  changed_at: Date;
  deleted_at: Date | null;
}

const COLS = `uid, source, external_id, title, description, type, status, team, assignee, estimate_points, labels, parent_id,
  src_created_at, src_updated_at, content_hash, revision, ingested_at, changed_at, deleted_at`;

export async function upsertItems(
  q: Queryable,
  workspaceId: string,
  records: ItemRecord[],
): Promise<{ external_id: string; source: string; uid: string; created: boolean }[]> {
  const r = await q.query<{ external_id: string; source: string; uid: string; created: boolean }>(
    `INSERT INTO items AS i (uid, workspace_id, source, external_id, title, description, type, status, team, assignee,
                             estimate_points, labels, parent_id, src_created_at, src_updated_at, content_hash)
     SELECT x.uid, $1, x.source, x.external_id, x.title, x.description, x.type, x.status, x.team, x.assignee,
            x.estimate_points, ARRAY(SELECT jsonb_array_elements_text(x.labels)), x.parent_id,
            x.src_created_at, x.src_updated_at, x.content_hash
       FROM jsonb_to_recordset($2::jsonb) AS x(uid text, source text, external_id text, title text, description text,
            type text, status text, team text, assignee text, estimate_points double precision, labels jsonb,
            parent_id text, src_created_at timestamptz, src_updated_at timestamptz, content_hash text)
     ON CONFLICT (workspace_id, source, external_id) DO UPDATE SET
       title = EXCLUDED.title, description = EXCLUDED.description, type = EXCLUDED.type, status = EXCLUDED.status,
       team = EXCLUDED.team, assignee = EXCLUDED.assignee, estimate_points = EXCLUDED.estimate_points,
       labels = EXCLUDED.labels, parent_id = EXCLUDED.parent_id, src_created_at = EXCLUDED.src_created_at,
       src_updated_at = EXCLUDED.src_updated_at, content_hash = EXCLUDED.content_hash,
       revision = i.revision + 1, changed_at = now(), deleted_at = NULL
     WHERE i.content_hash <> EXCLUDED.content_hash OR i.deleted_at IS NOT NULL
     RETURNING i.external_id, i.source, i.uid, (i.revision = 1) AS created`,
    [workspaceId, JSON.stringify(records)],
  );
  return r.rows;
}

export interface ItemFilter {
  team?: string;
  status?: string;
  type?: string;
  source?: string;
  updated_since?: string;
  changed_since?: string;
  after_uid?: string;
  limit: number;
}

export async function listItems(q: Queryable, workspaceId: string, f: ItemFilter): Promise<ItemRow[]> {
  const where = ['workspace_id = $1', 'deleted_at IS NULL'];
  const params: unknown[] = [workspaceId];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.team !== undefined) add('team = ?', f.team);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.type !== undefined) add('type = ?', f.type);
  if (f.source !== undefined) add('source = ?', f.source);
  if (f.updated_since !== undefined) add('src_updated_at >= ?', f.updated_since);
  if (f.changed_since !== undefined) add('changed_at >= ?', f.changed_since);
  if (f.after_uid !== undefined) add('uid > ?', f.after_uid);
  params.push(f.limit);
  const r = await q.query<ItemRow>(
    `SELECT ${COLS} FROM items WHERE ${where.join(' AND ')} ORDER BY uid LIMIT $${params.length}`,
    params,
  );
  return r.rows;
}

/** Live items with this external id (one per source). */
export async function findItems(q: Queryable, workspaceId: string, externalId: string, source?: string): Promise<ItemRow[]> {
  const r = await q.query<ItemRow>(
    `SELECT ${COLS} FROM items WHERE workspace_id = $1 AND external_id = $2 AND deleted_at IS NULL
        AND ($3::text IS NULL OR source = $3) ORDER BY source`,
    [workspaceId, externalId, source ?? null],
  );
  return r.rows;
}

export async function softDeleteItem(q: Queryable, workspaceId: string, uid: string): Promise<void> {
  await q.query(`UPDATE items SET deleted_at = now(), changed_at = now() WHERE workspace_id = $1 AND uid = $2`, [workspaceId, uid]);
}

/** A stored item in the contract's shape, as the caller sent it (no source → null, timestamps as ISO-8601). */
export function toBacklogItem(r: Pick<ItemRow, 'external_id' | 'source' | 'title' | 'description' | 'type' | 'status' | 'team' | 'assignee' | 'estimate_points' | 'labels' | 'parent_id'> & { src_created_at: Date | string | null; src_updated_at: Date | string | null }): BacklogItem {
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: r.external_id,
    source: r.source || null,
    title: r.title,
    description: r.description,
    type: r.type,
    status: r.status,
    team: r.team,
    assignee: r.assignee,
    estimate_points: r.estimate_points,
    labels: r.labels,
    parent_id: r.parent_id,
    created_at: iso(r.src_created_at),
    updated_at: iso(r.src_updated_at),
  };
}
