// SQL for conversation threads and their messages. Every query filters on the workspace: another workspace's
// thread is never found.
import type { Queryable } from '../../deps.ts';

export interface ThreadRow {
  id: string;
  title: string;
  item_uid: string | null;
  /** The caller's id of the thread's item (null when it has none or the item was deleted). */
  item_external_id: string | null;
  messages: number;
  created_at: Date;
  updated_at: Date;
  /** updated_at in microseconds since the epoch (exact, unlike a Date): the position of the thread in a listing. */
  updated_us: string;
}

export interface MessageRow {
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  item_uid: string | null;
  citations: unknown[];
  meta: Record<string, unknown>;
  created_at: Date;
}

const THREAD_COLS = `t.id, t.title, t.item_uid, i.external_id AS item_external_id,
  (SELECT count(*)::int FROM ask_messages m WHERE m.thread_id = t.id) AS messages, t.created_at, t.updated_at,
  (extract(epoch FROM t.updated_at) * 1000000)::bigint::text AS updated_us`;
const THREAD_FROM = `ask_threads t LEFT JOIN items i ON i.uid = t.item_uid AND i.deleted_at IS NULL`;

export async function getThread(q: Queryable, workspaceId: string, id: string): Promise<ThreadRow | null> {
  const r = await q.query<ThreadRow>(`SELECT ${THREAD_COLS} FROM ${THREAD_FROM} WHERE t.workspace_id = $1 AND t.id = $2`, [workspaceId, id]);
  return r.rows[0] ?? null;
}

/**
 * Threads most recently active first; `after`: where the last thread of the previous page stood when it was listed
 * (its updated_us and id), so a thread that moved or went away since neither repeats a page nor ends the listing.
 */
export async function threadsPage(q: Queryable, workspaceId: string, limit: number, after?: { updatedUs: string; id: string }): Promise<ThreadRow[]> {
  const r = await q.query<ThreadRow>(
    `SELECT ${THREAD_COLS} FROM ${THREAD_FROM}
      WHERE t.workspace_id = $1
        AND ($2::bigint IS NULL OR (t.updated_at, t.id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::text))
      ORDER BY t.updated_at DESC, t.id DESC LIMIT $4`,
    [workspaceId, after?.updatedUs ?? null, after?.id ?? null, limit],
  );
  return r.rows;
}

/** The thread's messages in order; `lastN` keeps only the latest ones (still in order). */
export async function threadMessages(q: Queryable, workspaceId: string, threadId: string, lastN?: number): Promise<MessageRow[]> {
  const r = await q.query<MessageRow>(
    `SELECT seq, role, content, item_uid, citations, meta, created_at FROM (
       SELECT seq, role, content, item_uid, citations, meta, created_at FROM ask_messages
        WHERE workspace_id = $1 AND thread_id = $2 ORDER BY seq DESC LIMIT $3) m
      ORDER BY seq`,
    [workspaceId, threadId, lastN ?? null],
  );
  return r.rows;
}

export async function insertThread(q: Queryable, workspaceId: string, t: { id: string; title: string; item_uid: string | null }): Promise<void> {
  await q.query(`INSERT INTO ask_threads (id, workspace_id, title, item_uid) VALUES ($1, $2, $3, $4)`, [t.id, workspaceId, t.title, t.item_uid]);
}

/** Locks the thread for appending; false when it no longer exists (deleted meanwhile). */
export async function lockThread(q: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const r = await q.query(`SELECT id FROM ask_threads WHERE workspace_id = $1 AND id = $2 FOR UPDATE`, [workspaceId, id]);
  return (r.rowCount ?? r.rows.length) > 0;
}

export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  item_uid: string | null;
  citations?: unknown[];
  meta?: Record<string, unknown>;
}

/** Appends messages after the thread's last one and moves the thread's item and activity time forward. */
export async function appendMessages(q: Queryable, workspaceId: string, threadId: string, itemUid: string | null, messages: NewMessage[]): Promise<number[]> {
  const r = await q.query<{ seq: number }>(
    `INSERT INTO ask_messages (thread_id, seq, workspace_id, role, content, item_uid, citations, meta)
     SELECT $1, base.n + x.ord, $2, x.role, x.content, x.item_uid, COALESCE(x.citations, '[]'), COALESCE(x.meta, '{}')
       FROM jsonb_to_recordset($3::jsonb) AS x(ord int, role text, content text, item_uid text, citations jsonb, meta jsonb),
            (SELECT COALESCE(max(seq), 0) AS n FROM ask_messages WHERE thread_id = $1) base
     RETURNING seq`,
    [threadId, workspaceId, JSON.stringify(messages.map((m, i) => ({ ord: i + 1, ...m })))],
  );
  await q.query(`UPDATE ask_threads SET updated_at = now(), item_uid = COALESCE($3, item_uid) WHERE workspace_id = $1 AND id = $2`, [workspaceId, threadId, itemUid]);
  return r.rows.map((x) => x.seq).sort((a, b) => a - b);
}

export async function deleteThread(q: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const r = await q.query(`DELETE FROM ask_threads WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return (r.rowCount ?? 0) > 0;
}
