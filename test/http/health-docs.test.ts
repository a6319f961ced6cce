import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp } from '../helpers/harness.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
beforeAll(async () => {
  env = await setupApp();
});
afterAll(() => env.close());

describe('public endpoints', () => {
  it('healthz and readyz need no key', async () => {
    expect((await env.app.request('/healthz')).status).toBe(200);
    const ready = await env.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).checks.migrations.ok).toBe(true);
  });

  it('readyz is 503 when the database fails', async () => {
    const { createApp } = await import('../../src/app.ts');
    const { testDeps } = await import('../helpers/harness.ts');
    const broken = createApp(testDeps(env.db, { readiness: () => Promise.reject(new Error('connection refused')) }));
    const r = await broken.request('/readyz');
    expect(r.status).toBe(503);
    expect(((await r.json()) as any).status).toBe('not_ready');
  });

  it('an unexpected failure is a 500 problem+json with a request id, and no internals', async () => {
    const { createApp } = await import('../../src/app.ts');
    const { testDeps } = await import('../helpers/harness.ts');
    const failing = { ...env.db, query: () => Promise.reject(new Error('secret internal detail')) };
    const app = createApp(testDeps(failing));
    const r = await app.request('/v1/items', { headers: { authorization: 'Bearer brg_anything' } });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const body = (await r.json()) as any;
    expect(body.code).toBe('internal');
    expect(body.requestId).toBe(r.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
  });

  it('serves an OpenAPI 3.1 document covering every route', async () => {
    const doc = (await (await env.app.request('/openapi.json')).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/strategy', '/v1/strategy/versions/{n}', '/v1/items:batch', '/v1/items', '/v1/items/{id}', '/v1/keys', '/v1/keys/{id}']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.components.securitySchemes.apiKey.scheme).toBe('bearer');
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it('docs page loads its script from this server, not a CDN', async () => {
    const html = await (await env.app.request('/docs')).text();
    expect(html).toContain('/docs/scalar.js');
    expect(html).not.toMatch(/https?:\/\/cdn\./);
    expect((await env.app.request('/docs/scalar.js')).status).toBe(200);
  });

  it('echoes a sane request id and generates one otherwise', async () => {
    const r = await env.app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    const g = await env.app.request('/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(g.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
