// One shared table of every authenticated route, checked for: no key, malformed header, unknown key, revoked key,
// insufficient scope, and another workspace's key (which must look exactly like "not found", never "forbidden").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

type Route = { method: string; path: string; scope: 'read' | 'write' | 'admin'; body?: unknown; ownedPath?: (ids: Owned) => string };
interface Owned {
  itemId: string;
  keyId: string;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/v1/strategy', scope: 'read' },
  { method: 'PUT', path: '/v1/strategy', scope: 'write', body: { objectives: [{ id: 'A', title: 'x' }] } },
  { method: 'GET', path: '/v1/strategy/versions', scope: 'read' },
  { method: 'GET', path: '/v1/strategy/versions/1', scope: 'read' },
  { method: 'POST', path: '/v1/items:batch', scope: 'write', body: { items: [] } },
  { method: 'GET', path: '/v1/items', scope: 'read' },
  { method: 'GET', path: '/v1/items/X', scope: 'read', ownedPath: (o) => `/v1/items/${o.itemId}` },
  { method: 'DELETE', path: '/v1/items/X', scope: 'write', ownedPath: (o) => `/v1/items/${o.itemId}` },
  { method: 'GET', path: '/v1/keys', scope: 'admin' },
  { method: 'POST', path: '/v1/keys', scope: 'admin', body: { scopes: ['read'] } },
  { method: 'DELETE', path: '/v1/keys/key_x', scope: 'admin', ownedPath: (o) => `/v1/keys/${o.keyId}` },
  // Scoring runs and their results (the owner's run, score and suggestion are written in the second beforeAll).
  { method: 'POST', path: '/v1/runs', scope: 'write', body: {} },
  { method: 'GET', path: '/v1/runs', scope: 'read' },
  { method: 'GET', path: '/v1/runs/run_x', scope: 'read', ownedPath: () => `/v1/runs/${scored.runId}` },
  { method: 'GET', path: '/v1/items/X/score', scope: 'read', ownedPath: (o) => `/v1/items/${o.itemId}/score` },
  { method: 'GET', path: '/v1/items/X/scores', scope: 'read', ownedPath: (o) => `/v1/items/${o.itemId}/scores` },
  { method: 'GET', path: '/v1/suggestions/stop', scope: 'read' },
  { method: 'GET', path: '/v1/suggestions/stop?run_id=run_x', scope: 'read', ownedPath: () => `/v1/suggestions/stop?run_id=${scored.runId}` },
  { method: 'POST', path: '/v1/suggestions/sug_x/feedback', scope: 'write', body: { verdict: 'accepted' }, ownedPath: () => `/v1/suggestions/${scored.suggestionId}/feedback` },
  { method: 'GET', path: '/v1/suggestions/feedback', scope: 'read' },
  { method: 'GET', path: '/v1/portfolio', scope: 'read' },
  { method: 'PUT', path: '/v1/schedules', scope: 'write', body: { cron: '0 3 * * *', timezone: 'UTC' } },
  { method: 'GET', path: '/v1/schedules', scope: 'read' },
  { method: 'DELETE', path: '/v1/schedules', scope: 'write' },
  { method: 'GET', path: '/v1/runs/run_x/disagreements', scope: 'read', ownedPath: () => `/v1/runs/${scored.runId}/disagreements` },
  // Questions and their threads (the owner's thread is started in the third beforeAll).
  { method: 'POST', path: '/v1/ask', scope: 'read', body: { question: 'why does this matter?' } },
  { method: 'GET', path: '/v1/threads', scope: 'read' },
  { method: 'GET', path: '/v1/threads/thr_x', scope: 'read', ownedPath: () => `/v1/threads/${scored.threadId}` },
  { method: 'DELETE', path: '/v1/threads/thr_x', scope: 'write', ownedPath: () => `/v1/threads/${scored.threadId}` },
  { method: 'POST', path: '/mcp', scope: 'read', body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } },
];
/** The owner's finished run with a score and a stop suggestion for OWN-1 (written directly: no job runner here). */
const scored = { runId: '', suggestionId: '', threadId: '' };

let env: Awaited<ReturnType<typeof setupApp>>;
let owner: TestClient;
let owned: Owned;

beforeAll(async () => {
  env = await setupApp();
  owner = await env.clientFor(uniqueName('owner'));
  const res = await owner.request('POST', '/v1/items:batch', { body: { items: [{ id: 'OWN-1', title: 'private item' }] } });
  expect(res.status).toBe(200);
  const other = await env.clientFor(owner.workspace.name, ['read']);
  const keys = (await (await owner.request('GET', '/v1/keys')).json()) as { keys: { id: string; prefix: string }[] };
  owned = { itemId: 'OWN-1', keyId: keys.keys.find((k) => other.key.startsWith(k.prefix))!.id };
});
beforeAll(async () => {
  scored.runId = `run_owned${Date.now().toString(36)}`;
  scored.suggestionId = `sug_owned${Date.now().toString(36)}`;
  const ws = owner.workspace.id;
  const uid = (await env.db.query<{ uid: string }>('SELECT uid FROM items WHERE workspace_id = $1 AND external_id = $2', [ws, owned.itemId])).rows[0]!.uid;
  await env.db.query(
    `INSERT INTO scoring_runs (id, workspace_id, kind, status, strategy_version, scorer, finished_at) VALUES ($1, $2, 'manual', 'finished', 1, 'test', now())`,
    [scored.runId, ws],
  );
  await env.db.query(
    `INSERT INTO item_scores (run_id, item_uid, workspace_id, content_hash, strategy_version, scorer, alignment, execution_health, rationale)
     VALUES ($1, $2, $3, 'h', 1, 'test', 0.1, false, 'test')`,
    [scored.runId, uid, ws],
  );
  await env.db.query(
    `INSERT INTO stop_suggestions (id, run_id, workspace_id, item_uid, rank, action, reasons, confidence) VALUES ($1, $2, $3, $4, 1, 'stop', '[]', 0.5)`,
    [scored.suggestionId, scored.runId, ws, uid],
  );
  expect((await owner.request('GET', `/v1/items/${owned.itemId}/score`)).status).toBe(200);
});
beforeAll(async () => {
  expect((await owner.request('PUT', '/v1/strategy', { body: { objectives: [{ id: 'O1', title: 'Faster invoice approval' }] } })).status).toBeLessThan(300);
  const res = await owner.request('POST', '/v1/ask', { body: { question: 'why does this matter?', item_id: owned.itemId } });
  expect(res.status).toBe(200);
  scored.threadId = ((await res.json()) as { thread_id: string }).thread_id;
});
afterAll(() => env.close());

async function call(route: Route, headers: Record<string, string>, path = route.path) {
  const init: RequestInit = { method: route.method, headers: { accept: 'application/json, text/event-stream', ...headers } };
  if (route.body !== undefined) {
    init.body = JSON.stringify(route.body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return env.app.request(path, init);
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as { code: string; status: number; requestId: string; detail: string };
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.requestId).toMatch(/^req_/);
  expect(body.detail.length).toBeGreaterThan(0);
  return body as typeof body & { title: string };
}

describe.each(ROUTES)('$method $path', (route) => {
  it('refuses a request without a key', async () => {
    await expectProblem(await call(route, {}), 401, 'unauthorized');
  });
  it('refuses a malformed Authorization header', async () => {
    await expectProblem(await call(route, { authorization: 'Basic abc' }), 401, 'unauthorized');
  });
  it('refuses an unknown key', async () => {
    await expectProblem(await call(route, { authorization: 'Bearer brg_not_a_real_key' }), 401, 'unauthorized');
  });
  it('refuses a revoked key', async () => {
    const c = await env.clientFor(uniqueName('revoked'), ['admin']);
    const keys = (await (await c.request('GET', '/v1/keys')).json()) as { keys: { id: string }[] };
    expect((await c.request('DELETE', `/v1/keys/${keys.keys[0]!.id}`)).status).toBe(200);
    await expectProblem(await call(route, { authorization: `Bearer ${c.key}` }), 401, 'unauthorized');
  });
  it('refuses a key without the needed scope', async () => {
    const lower = route.scope === 'admin' ? 'write' : route.scope === 'write' ? 'read' : null;
    if (!lower) return; // read is the lowest scope: every key has it
    const c = await env.clientFor(uniqueName('scoped'), [lower]);
    await expectProblem(await call(route, { authorization: `Bearer ${c.key}` }), 403, 'forbidden');
  });
  it("never shows another workspace's data", async () => {
    if (!route.ownedPath) return;
    const stranger = await env.clientFor(uniqueName('stranger'), ['admin']);
    const theirs = await call(route, { authorization: `Bearer ${stranger.key}` }, route.ownedPath(owned));
    const missing = await call(route, { authorization: `Bearer ${stranger.key}` }, route.path);
    // Indistinguishable from an id that exists nowhere (apart from the id itself in the text).
    const a = await expectProblem(theirs, 404, 'not_found');
    const b = await expectProblem(missing, 404, 'not_found');
    expect(a.title).toBe(b.title);
    // And the owner still has it.
    expect((await owner.request('GET', `/v1/items/${owned.itemId}`)).status).toBe(200);
  });
});
