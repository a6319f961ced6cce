import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const ITEMS = JSON.parse(readFileSync(new URL('../fixtures/api/items.json', import.meta.url), 'utf8')) as Record<string, unknown>[];

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp();
  c = await env.clientFor(uniqueName('items'));
});
afterAll(() => env.close());

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;

describe('POST /v1/items:batch', () => {
  it('creates, then re-sending unchanged items changes nothing', async () => {
    const first = await json(await c.request('POST', '/v1/items:batch', { body: { items: ITEMS } }));
    expect(first).toMatchObject({ received: 4, created: 4, updated: 0, unchanged: 0 });
    const before = await json(await c.request('GET', '/v1/items/TBL-1'));
    const again = await json(await c.request('POST', '/v1/items:batch', { body: ITEMS.length ? { items: ITEMS } : {} }));
    expect(again).toMatchObject({ received: 4, created: 0, updated: 0, unchanged: 4 });
    const after = await json(await c.request('GET', '/v1/items/TBL-1'));
    expect(after.bearing).toEqual(before.bearing); // same revision, hash and change time
  });

  it('updates only the item whose content changed and bumps its revision', async () => {
    const changed = ITEMS.map((it) => (it.id === 'TBL-2' ? { ...it, status: 'in_progress' } : it));
    const r = await json(await c.request('POST', '/v1/items:batch', { body: { items: changed } }));
    expect(r).toMatchObject({ created: 0, updated: 1, unchanged: 3 });
    expect(r.items.find((i: any) => i.id === 'TBL-2').result).toBe('updated');
    const item = await json(await c.request('GET', '/v1/items/TBL-2'));
    expect(item.status).toBe('in_progress');
    expect(item.bearing.revision).toBe(2);
  });

  it('echoes ids exactly, numeric ids as strings, and keeps any Unicode and large descriptions', async () => {
    const big = 'Ünïcødé 🚀 — 日本語 — '.repeat(2500); // ~50 kB
    const r = await c.request('POST', '/v1/items:batch', {
      body: { items: [{ id: 7, title: '🎉', description: big, unknown_field: { ignored: true } }, { id: 'EMPTY', title: '', description: '' }] },
    });
    expect(r.status).toBe(200);
    const seven = await json(await c.request('GET', '/v1/items/7'));
    expect(seven.id).toBe('7');
    expect(seven.title).toBe('🎉');
    expect(seven.description).toBe(big);
    expect(seven).not.toHaveProperty('unknown_field');
    const empty = await json(await c.request('GET', '/v1/items/EMPTY'));
    expect(empty.title).toBe('');
  });

  it('accepts a bare array of items, as the contract allows', async () => {
    const r = await c.request('POST', '/v1/items:batch', { body: [{ id: 'ARR-1', title: 'sent as a bare array' }] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).created).toBe(1);
  });

  it('keeps items with the same id from different sources apart', async () => {
    await c.request('POST', '/v1/items:batch', { body: { items: [{ id: 'SAME', source: 'jira', title: 'a' }, { id: 'SAME', source: 'asana', title: 'b' }] } });
    const ambiguous = await c.request('GET', '/v1/items/SAME');
    expect(ambiguous.status).toBe(409);
    expect((await json(ambiguous)).detail).toContain('?source=');
    const a = await json(await c.request('GET', '/v1/items/SAME?source=asana'));
    expect(a.title).toBe('b');
  });
});

describe('GET /v1/items', () => {
  it('filters by team, status, type and source', async () => {
    const team = await json(await c.request('GET', '/v1/items?team=Guests'));
    expect(team.items.map((i: any) => i.id).sort()).toEqual(['TBL-1', 'TBL-3']);
    const typed = await json(await c.request('GET', '/v1/items?type=epic&source=linear'));
    expect(typed.items.map((i: any) => i.id)).toEqual(['TBL-3']);
    const status = await json(await c.request('GET', '/v1/items?status=in_progress&team=Venues'));
    expect(status.items.map((i: any) => i.id)).toEqual(['TBL-2']);
  });

  it('filters by updated_since on the items own timestamp', async () => {
    const r = await json(await c.request('GET', '/v1/items?updated_since=2026-09-01T00:00:00Z'));
    expect(r.items.map((i: any) => i.id)).toEqual(['TBL-1']);
  });

  it('pages with a cursor through every item exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await json(await c.request('GET', `/v1/items?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      seen.push(...page.items.map((i: any) => `${i.source}:${i.id}`));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    const all = await json(await c.request('GET', '/v1/items?limit=500'));
    expect(seen).toEqual(all.items.map((i: any) => `${i.source}:${i.id}`));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThan(2);
  });

  it('rejects a bad cursor and a bad limit with the field named', async () => {
    const r = await c.request('GET', '/v1/items?cursor=zzz');
    expect(r.status).toBe(400);
    expect((await json(r)).errors[0].location).toBe('query.cursor');
    const l = await c.request('GET', '/v1/items?limit=0');
    expect(l.status).toBe(400);
    expect((await json(l)).errors[0].location).toBe('query.limit');
  });

  it("does not list another workspace's items", async () => {
    const other = await env.clientFor(uniqueName('other'));
    const r = await json(await other.request('GET', '/v1/items'));
    expect(r.items).toEqual([]);
  });
});

describe('DELETE /v1/items/{id}', () => {
  it('soft-deletes: gone from reads, restored by sending it again', async () => {
    expect((await c.request('DELETE', '/v1/items/42')).status).toBe(204);
    expect((await c.request('GET', '/v1/items/42')).status).toBe(404);
    expect((await json(await c.request('GET', '/v1/items?limit=500'))).items.some((i: any) => i.id === '42')).toBe(false);
    const again = await json(await c.request('POST', '/v1/items:batch', { body: { items: [ITEMS[3]] } }));
    expect(again.updated).toBe(1);
    expect((await c.request('GET', '/v1/items/42')).status).toBe(200);
  });
});
