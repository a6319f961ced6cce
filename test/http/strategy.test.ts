import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const STRATEGY = readFileSync(new URL('../fixtures/api/strategy.json', import.meta.url), 'utf8');
const MARKDOWN = `# Strategy 2027

North Star: Monthly Repeat Diners

## Objective: Make rebooking effortless
Guests forget to come back.

- KR1: One-tap rebooking used by 30% of returning guests
- KR2: Median booking time from 95 s to 40 s

## Not doing
- No loyalty points programme this year
`;

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp();
  c = await env.clientFor(uniqueName('strategy'));
});
afterAll(() => env.close());
const json = async (r: Response) => (await r.json()) as any;

describe('strategy versions', () => {
  it('404 before any upload', async () => {
    expect((await c.request('GET', '/v1/strategy')).status).toBe(404);
  });

  it('JSON upload creates version 1, ids echoed, passages chunked', async () => {
    const r = await c.request('PUT', '/v1/strategy', { raw: STRATEGY, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/v1/strategy/versions/1');
    const v = await json(r);
    expect(v.version).toBe(1);
    expect(v.format).toBe('json');
    expect(v.strategy.objectives.map((o: any) => o.id)).toEqual(['G1', 'G2']);
    expect(v.strategy.objectives[0].key_results.map((k: any) => k.id)).toEqual(['G1.KR1', 'G1.KR2']);
    expect(v.strategy.non_goals).toEqual([{ id: 'NG1', text: 'No loyalty points programme this year' }]);
    expect(v.passages).toBeGreaterThanOrEqual(5);
  });

  it('re-sending the active document is idempotent (200, same version)', async () => {
    const r = await c.request('PUT', '/v1/strategy', { raw: STRATEGY, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect((await json(r)).version).toBe(1);
  });

  it('Markdown upload becomes version 2 and is active; version 1 stays readable', async () => {
    const r = await c.request('PUT', '/v1/strategy', { raw: MARKDOWN, headers: { 'content-type': 'text/markdown; charset=utf-8' } });
    expect(r.status).toBe(201);
    const v = await json(r);
    expect(v.version).toBe(2);
    expect(v.format).toBe('markdown');
    expect(v.strategy.objectives[0].title).toContain('rebooking');
    expect(v.strategy.objectives[0].key_results).toHaveLength(2);
    expect(v.strategy.non_goals[0].text).toContain('loyalty');
    expect((await json(await c.request('GET', '/v1/strategy'))).version).toBe(2);
    const v1 = await json(await c.request('GET', '/v1/strategy/versions/1'));
    expect(v1.strategy.objectives[0].id).toBe('G1');
    const list = await json(await c.request('GET', '/v1/strategy/versions'));
    expect(list.versions.map((x: any) => [x.version, x.active])).toEqual([[2, true], [1, false]]);
    expect((await c.request('GET', '/v1/strategy/versions/9')).status).toBe(404);
  });

  it('invalid JSON strategy: 400 with the field, no new version', async () => {
    const r = await c.request('PUT', '/v1/strategy', { body: { objectives: [{ id: 'X' }] } });
    expect(r.status).toBe(400);
    const p = await json(r);
    expect(p.errors.some((e: any) => e.location.includes('objectives') && e.location.includes('title'))).toBe(true);
    expect((await json(await c.request('GET', '/v1/strategy'))).version).toBe(2);
  });

  it('Markdown with no objectives: 400, warnings reported', async () => {
    const r = await c.request('PUT', '/v1/strategy', { raw: 'just some prose without any structure', headers: { 'content-type': 'text/markdown' } });
    expect(r.status).toBe(400);
    expect((await json(await c.request('GET', '/v1/strategy'))).version).toBe(2);
  });

  it("another workspace sees none of it", async () => {
    const other = await env.clientFor(uniqueName('other'));
    expect((await other.request('GET', '/v1/strategy')).status).toBe(404);
    expect((await other.request('GET', '/v1/strategy/versions/1')).status).toBe(404);
  });
});
