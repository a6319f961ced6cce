// Conversation threads of POST /v1/ask: a follow-up with thread_id keeps the item and the conversation; threads are
// listed newest activity first, read with their messages, deleted; another workspace's thread is a 404 everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { runToEnd, seed } from '../fixtures/api/logistics.ts';
import type { AnswerJson } from '../fixtures/ask/helpers.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
let other: TestClient;

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;

async function ask(body: Record<string, unknown>, client = c): Promise<AnswerJson> {
  const r = await client.request('POST', '/v1/ask', { body });
  expect(r.status, await r.clone().text()).toBe(200);
  return json<AnswerJson>(r);
}

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('threads'));
  other = await env.clientFor(uniqueName('threads-other'));
  await seed(c);
  await runToEnd(c, env.settle);
});
afterAll(() => env.close());

describe('follow-ups', () => {
  it('a follow-up without item_id stays on the thread’s item and is stored in order', async () => {
    const first = await ask({ question: 'Why does this matter?', item_id: 'CARE-12' });
    expect(first.thread_id).toMatch(/^thr_/);
    const second = await ask({ question: 'Is it a duplicate of something?', thread_id: first.thread_id });
    expect(second.thread_id).toBe(first.thread_id);
    expect(second.item?.id).toBe('CARE-12');
    expect(second.citations.map((x) => x.ref)).toContain('item:LF-11');
    // A portfolio question in the same thread is about the portfolio; the item stays for later follow-ups.
    const third = await ask({ question: 'Which key results have no work?', thread_id: first.thread_id });
    expect(third.intent).toBe('coverage');
    const fourth = await ask({ question: 'Should we stop it?', thread_id: first.thread_id });
    expect(fourth.item?.id).toBe('CARE-12');

    const t = await json(await c.request('GET', `/v1/threads/${first.thread_id}`));
    expect(t).toMatchObject({ id: first.thread_id, title: 'Why does this matter?', item_id: 'CARE-12', messages: 8 });
    expect(t.messages_list.map((m: any) => `${m.seq}:${m.role}`)).toEqual(['1:user', '2:assistant', '3:user', '4:assistant', '5:user', '6:assistant', '7:user', '8:assistant']);
    expect(t.messages_list[2].content).toBe('Is it a duplicate of something?');
    expect(t.messages_list[3]).toMatchObject({ content: second.answer, citations: second.citations, meta: { mode: 'deterministic', intent: 'item', item_id: 'CARE-12' } });
  });

  it('a new item in the thread becomes the thread’s item', async () => {
    const first = await ask({ question: 'Why does this matter?', item_id: 'LF-1' });
    await ask({ question: 'And this one?', item_id: 'LF-2', thread_id: first.thread_id });
    const next = await ask({ question: 'Which epic is it part of?', thread_id: first.thread_id });
    expect(next.item?.id).toBe('LF-2');
    expect(next.answer).toMatch(/^LF-2 .*belongs to epic LF-1/);
  });
});

describe('list and delete', () => {
  it('lists threads newest activity first, with cursor pagination', async () => {
    const a = await ask({ question: 'Where is our effort going?' });
    const b = await ask({ question: 'What should we stop?' });
    await ask({ question: 'And for the Ops team?', thread_id: a.thread_id, team: 'Ops' });
    const page1 = await json(await c.request('GET', '/v1/threads?limit=2'));
    expect(page1.threads.map((t: any) => t.id)).toEqual([a.thread_id, b.thread_id]);
    expect(page1.threads[0]).toMatchObject({ title: 'Where is our effort going?', item_id: null, messages: 4 });
    const page2 = await json(await c.request('GET', `/v1/threads?limit=2&cursor=${page1.next_cursor}`));
    const ids = page2.threads.map((t: any) => t.id);
    expect(ids).not.toContain(a.thread_id);
    expect(ids).not.toContain(b.thread_id);
    expect((await c.request('GET', '/v1/threads?cursor=garbage')).status).toBe(400);
  });

  it('a cursor keeps its place when the thread it ends on gets a follow-up or is deleted between pages', async () => {
    for (const change of ['follow-up', 'delete'] as const) {
      const ws = await env.clientFor(uniqueName(`threads-paging-${change}`));
      await seed(ws);
      const ids: string[] = [];
      for (const question of ['Where is our effort going?', 'What should we stop?', 'Which key results have no work?']) ids.push((await ask({ question }, ws)).thread_id!);
      const page1 = await json(await ws.request('GET', '/v1/threads?limit=2'));
      expect(page1.threads.map((t: any) => t.id)).toEqual([ids[2], ids[1]]);
      if (change === 'follow-up') await ask({ question: 'And what about LF-1?', thread_id: ids[1] }, ws);
      else expect((await ws.request('DELETE', `/v1/threads/${ids[1]}`)).status).toBe(204);
      const page2 = await json(await ws.request('GET', `/v1/threads?limit=2&cursor=${page1.next_cursor}`));
      expect(page2.threads.map((t: any) => t.id), change).toEqual([ids[0]]);
      expect(page2.next_cursor).toBeNull();
    }
  });

  it('deletes a thread and its messages (write scope); it is gone afterwards', async () => {
    const a = await ask({ question: 'Why does this matter?', item_id: 'LF-9' });
    const reader = await env.clientFor(c.workspace.name, ['read']);
    expect((await reader.request('DELETE', `/v1/threads/${a.thread_id}`)).status).toBe(403);
    expect((await c.request('DELETE', `/v1/threads/${a.thread_id}`)).status).toBe(204);
    expect((await c.request('GET', `/v1/threads/${a.thread_id}`)).status).toBe(404);
    expect((await c.request('DELETE', `/v1/threads/${a.thread_id}`)).status).toBe(404);
    const left = await env.db.query('SELECT 1 FROM ask_messages WHERE thread_id = $1', [a.thread_id]);
    expect(left.rows).toHaveLength(0);
    const r = await c.request('POST', '/v1/ask', { body: { question: 'and now?', thread_id: a.thread_id } });
    expect(r.status).toBe(404);
    expect((await json(r)).errors).toEqual([{ location: 'body.thread_id', message: expect.any(String) }]);
  });
});

describe('bad ids and cursors', () => {
  it('a NUL character in a thread id or a cursor is a 400 naming the field', async () => {
    for (const [method, path, location] of [
      ['GET', '/v1/threads/%00', 'path.id'],
      ['GET', '/v1/threads/thr_a%00b', 'path.id'],
      ['DELETE', '/v1/threads/%00', 'path.id'],
      ['GET', `/v1/threads?cursor=${btoa(JSON.stringify(['1700000000000000', 'thr_\u0000']))}`, 'query.cursor'],
    ] as const) {
      const r = await c.request(method, path);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(r)).errors, `${method} ${path}`).toEqual([{ location, message: expect.stringMatching(/NUL/) }]);
    }
  });
});

describe('another workspace', () => {
  it('its thread does not exist here: 404 to read, delete and follow up, absent from the list', async () => {
    await seed(other, [{ id: 'O-1', title: 'Their item' }]);
    const theirs = await ask({ question: 'What does the strategy say about depots?' }, other);
    expect((await c.request('GET', `/v1/threads/${theirs.thread_id}`)).status).toBe(404);
    expect((await c.request('DELETE', `/v1/threads/${theirs.thread_id}`)).status).toBe(404);
    const r = await c.request('POST', '/v1/ask', { body: { question: 'Tell me more', thread_id: theirs.thread_id } });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(r)).errors[0].location).toBe('body.thread_id');
    const mine = await json(await c.request('GET', '/v1/threads?limit=100'));
    expect(mine.threads.map((t: any) => t.id)).not.toContain(theirs.thread_id);
    // Still there for its owner.
    expect((await other.request('GET', `/v1/threads/${theirs.thread_id}`)).status).toBe(200);
  });
});
