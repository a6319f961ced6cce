// Conversation threads: each question and its answer are stored as two messages of a thread of the workspace, so a
// follow-up with the thread's id keeps the item and the earlier turns. Listed newest activity first; deletable.
import { insertAudit } from '../adapters/db/audit.ts';
import { appendMessages, deleteThread, getThread, insertThread, lockThread, threadMessages, threadsPage, type MessageRow, type ThreadRow } from '../adapters/db/threads.ts';
import type { Db } from '../deps.ts';
import { newId } from '../lib/crypto.ts';
import { Problem } from '../lib/problem.ts';
import { plain } from './ask-answer.ts';
import { rejectNul } from './ask-input.ts';
import { decodeCursor, encodeCursor } from './run-views.ts';

/** Characters of the first question kept as the thread's title. */
export const TITLE_CHARS = 80;

export interface ThreadView {
  id: string;
  title: string;
  item_id: string | null;
  messages: number;
  created_at: string;
  updated_at: string;
}

export interface MessageView {
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  citations: unknown[];
  meta: Record<string, unknown>;
  created_at: string;
}

const threadView = (t: ThreadRow): ThreadView => ({
  id: t.id,
  title: t.title,
  item_id: t.item_external_id,
  messages: t.messages,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

const messageView = (m: MessageRow): MessageView => ({
  seq: m.seq,
  role: m.role,
  content: m.content,
  citations: m.citations,
  meta: m.meta,
  created_at: m.created_at.toISOString(),
});

/** The thread, or a 404 naming the field that held its id (another workspace's thread is never found). */
export async function requireThread(db: Db, workspaceId: string, id: string, location: string): Promise<ThreadRow> {
  rejectNul(id, location);
  const t = await getThread(db, workspaceId, id);
  if (!t) throw new Problem('not_found', `no thread "${id}"`, [{ location, message: 'no thread with this id in this workspace' }]);
  return t;
}

export async function listThreads(db: Db, workspaceId: string, q: { limit: number; cursor?: string }): Promise<{ threads: ThreadView[]; next_cursor: string | null }> {
  // [updated_us, id] of the last thread listed: where it stood then, not where it stands now.
  const at = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (p): p is [string, string] => p.length === 2 && typeof p[0] === 'string' && /^\d{1,18}$/.test(p[0]) && typeof p[1] === 'string');
  rejectNul(at?.[1], 'query.cursor');
  const rows = await threadsPage(db, workspaceId, q.limit + 1, at && { updatedUs: at[0], id: at[1] });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { threads: page.map(threadView), next_cursor: rows.length > q.limit && last ? encodeCursor([last.updated_us, last.id]) : null };
}

export async function getThreadWithMessages(db: Db, workspaceId: string, id: string): Promise<ThreadView & { messages_list: MessageView[] }> {
  const t = await requireThread(db, workspaceId, id, 'path.id');
  return { ...threadView(t), messages_list: (await threadMessages(db, workspaceId, t.id)).map(messageView) };
}

export async function removeThread(db: Db, input: { workspaceId: string; id: string; actor: string; requestId?: string }): Promise<void> {
  rejectNul(input.id, 'path.id');
  await db.transaction(async (tx) => {
    if (!(await deleteThread(tx, input.workspaceId, input.id))) {
      throw new Problem('not_found', `no thread "${input.id}"`, [{ location: 'path.id', message: 'no thread with this id in this workspace' }]);
    }
    await insertAudit(tx, { workspace_id: input.workspaceId, actor: input.actor, action: 'thread.delete', target: input.id, request_id: input.requestId });
  });
}

/** The latest messages of a thread, oldest first (what a model is shown of the conversation). */
export async function recentTurns(db: Db, workspaceId: string, threadId: string, n: number): Promise<{ role: 'user' | 'assistant'; content: string }[]> {
  return (await threadMessages(db, workspaceId, threadId, n)).map((m) => ({ role: m.role, content: m.content }));
}

export interface Turn {
  question: string;
  answer: string;
  itemUid: string | null;
  citations: unknown[];
  meta: Record<string, unknown>;
}

/**
 * Stores a question and its answer: in the given thread, or in a new one titled after the question. Returns the
 * thread's id, or null when the given thread was deleted while the answer was being made.
 */
export async function saveTurn(db: Db, workspaceId: string, threadId: string | null, turn: Turn): Promise<string | null> {
  return db.transaction(async (tx) => {
    let id = threadId;
    if (id === null) {
      id = newId('thr');
      await insertThread(tx, workspaceId, { id, title: plain(turn.question, TITLE_CHARS), item_uid: turn.itemUid });
    } else if (!(await lockThread(tx, workspaceId, id))) return null;
    await appendMessages(tx, workspaceId, id, turn.itemUid, [
      { role: 'user', content: turn.question, item_uid: turn.itemUid },
      { role: 'assistant', content: turn.answer, item_uid: turn.itemUid, citations: turn.citations, meta: turn.meta },
    ]);
    return id;
  });
}
