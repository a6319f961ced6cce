// Bad input gets a clear 4xx problem+json naming the field, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp();
  c = await env.clientFor(uniqueName('bad-input'));
});
afterAll(() => env.close());

const good = (id: string) => ({ id, title: `item ${id}` });

async function itemCount(): Promise<number> {
  const r = (await (await c.request('GET', '/v1/items?limit=500')).json()) as { items: unknown[] };
  return r.items.length;
}

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return (await res.json()) as { code: string; detail: string; errors?: { location: string; message: string }[] };
}

const raw = (body: RequestInit["body"], type = 'application/json') => ({ raw: body, headers: { 'content-type': type } });

describe('items:batch rejects bad input and writes nothing', () => {
  const cases: [string, () => Promise<Response>, number, (p: Awaited<ReturnType<typeof problem>>) => void][] = [
    ['malformed JSON', () => c.request('POST', '/v1/items:batch', raw('{"items": [')), 400, (p) => expect(p.code).toBe('malformed_body')],
    [
      'wrong types',
      () => c.request('POST', '/v1/items:batch', { body: { items: [good('A1'), { id: 'A2', title: 'x', estimate_points: 'five' }] } }),
      400,
      (p) => {
        expect(p.errors![0]!.location).toBe('body.items[1].estimate_points');
        expect(p.errors![0]!.message).toContain('item "A2"');
      },
    ],
    [
      'missing title',
      () => c.request('POST', '/v1/items:batch', { body: { items: [good('B1'), { id: 'B2' }] } }),
      400,
      (p) => expect(p.errors!.map((e) => e.location)).toEqual(['body.items[1].title']),
    ],
    [
      'missing id',
      () => c.request('POST', '/v1/items:batch', { body: { items: [{ title: 'no id' }] } }),
      400,
      (p) => {
        expect(p.errors![0]!.location).toBe('body.items[0].id');
        expect(p.errors![0]!.message).toContain('item at index 0');
      },
    ],
    [
      'missing items',
      () => c.request('POST', '/v1/items:batch', { body: { things: [] } }),
      400,
      (p) => expect(p.errors![0]).toEqual({ location: 'body', message: 'expected { "items": [ ... ] } or an array of items' }),
    ],
    [
      '1,001 items',
      () => c.request('POST', '/v1/items:batch', { body: { items: Array.from({ length: 1001 }, (_, i) => good(`C${i}`)) } }),
      400,
      (p) => expect(p.errors![0]!.message).toContain('at most 1000'),
    ],
    [
      'duplicate ids in one batch',
      () => c.request('POST', '/v1/items:batch', { body: { items: [good('D1'), good('D2'), good('D1')] } }),
      400,
      (p) => expect(p.errors![0]).toEqual({ location: 'body.items[2].id', message: 'item "D1": duplicate of items[0] (same source and id) in this batch' }),
    ],
    [
      'invalid date',
      () => c.request('POST', '/v1/items:batch', { body: { items: [{ ...good('E1'), updated_at: 'last tuesday' }] } }),
      400,
      (p) => expect(p.errors![0]!.location).toBe('body.items[0].updated_at'),
    ],
    [
      'NUL character',
      () => c.request('POST', '/v1/items:batch', { body: { items: [{ ...good('F1'), description: 'a\u0000b' }] } }),
      400,
      (p) => expect(p.errors![0]!.location).toBe('body.items[0].description'),
    ],
    ['wrong content type', () => c.request('POST', '/v1/items:batch', raw('id,title\n1,x', 'text/csv')), 415, (p) => expect(p.code).toBe('unsupported_media_type')],
    ['no content type', () => c.request('POST', '/v1/items:batch', { raw: JSON.stringify({ items: [good('G1')] }) }), 415, (p) => expect(p.code).toBe('unsupported_media_type')],
    [
      'invalid UTF-8',
      () => c.request('POST', '/v1/items:batch', raw(new Uint8Array([...new TextEncoder().encode('{"items":[{"id":"H1","title":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}]}')]))),
      400,
      (p) => expect(p.detail).toContain('UTF-8'),
    ],
    [
      'oversized body',
      () => c.request('POST', '/v1/items:batch', { body: { items: [{ ...good('I1'), description: 'x'.repeat(3 * 1024 * 1024) }] } }),
      413,
      (p) => expect(p.code).toBe('payload_too_large'),
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, check) => {
    const before = await itemCount();
    check(await problem(await send(), status));
    expect(await itemCount()).toBe(before);
  });
});

describe('other routes', () => {
  it('unknown route is a problem+json 404', async () => {
    const p = await problem(await c.request('GET', '/v1/nope'), 404);
    expect(p.code).toBe('not_found');
  });
  it('strategy without objectives is a 400 naming the field', async () => {
    const p = await problem(await c.request('PUT', '/v1/strategy', { body: { objectives: [] } }), 400);
    expect(p.errors![0]!.location).toContain('objectives');
  });
  it('strategy as unsupported type is a 415', async () => {
    await problem(await c.request('PUT', '/v1/strategy', raw('<xml/>', 'application/xml')), 415);
  });
  it('strategy version must be a positive integer', async () => {
    const p = await problem(await c.request('GET', '/v1/strategy/versions/abc'), 400);
    expect(p.errors![0]!.location).toBe('param.n');
  });
  it('key creation with an unknown scope names the field', async () => {
    const p = await problem(await c.request('POST', '/v1/keys', { body: { scopes: ['root'] } }), 400);
    expect(p.errors![0]!.location).toBe('body.scopes.0');
  });
});
