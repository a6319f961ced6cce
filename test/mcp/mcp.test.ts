// The MCP server at /mcp, called through the MCP SDK's own client over streamable HTTP against the app served on a
// port: the tools with good and bad arguments, and the key's workspace as the only one a client can reach.
import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { ITEMS, runToEnd, seed } from '../fixtures/api/logistics.ts';
import { expectValidCitations } from '../fixtures/ask/helpers.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let http: ServerType;
let url: URL;
let owner: TestClient;
let stranger: TestClient;
const clients: Client[] = [];

async function connect(key: string | null): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(url, key === null ? {} : { requestInit: { headers: { authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'bearing-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolResult;
const textOf = (r: ToolResult) => r.content.map((x) => x.text).join('\n');

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  owner = await env.clientFor(uniqueName('mcp'));
  stranger = await env.clientFor(uniqueName('mcp-stranger'));
  await seed(owner);
  await seed(stranger, [{ id: 'S-1', title: 'Stranger item about live tracking links for consignees' }]);
  await runToEnd(owner, env.settle);
  http = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: env.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await new Promise<void>((ok) => http.close(() => ok()));
  await env.close();
});

describe('MCP tools through an MCP client', () => {
  it('lists the five tools with their input schemas', async () => {
    const client = await connect(owner.key);
    expect(client.getServerVersion()?.name).toBe('bearing');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['portfolio', 'score_items', 'search_items', 'stop_suggestions', 'why_does_this_matter']);
    const score = tools.find((t) => t.name === 'score_items')!;
    expect(score.inputSchema).toMatchObject({ type: 'object', required: ['items'] });
  });

  it('why_does_this_matter: a cited answer about an item, stored in no thread', async () => {
    const client = await connect(owner.key);
    const r = await call(client, 'why_does_this_matter', { item_id: 'LF-6' });
    expect(r.isError).toBeFalsy();
    const a = r.structuredContent;
    expect(textOf(r).startsWith(a.answer)).toBe(true);
    expect(a).toMatchObject({ intent: 'item', item: { id: 'LF-6' }, mode: 'deterministic', thread_id: null });
    expect(a.citations.map((x: any) => x.ref)).toContain('ng:NG2');
    await expectValidCitations(env.db, owner.workspace.id, a);
    const threads = (await (await owner.request('GET', '/v1/threads')).json()) as { threads: unknown[] };
    expect(threads.threads).toEqual([]);
  });

  it('stop_suggestions and portfolio: what GET /v1/suggestions/stop and /v1/portfolio say', async () => {
    const client = await connect(owner.key);
    const stop = await call(client, 'stop_suggestions', { team: 'Marketing', limit: 5 });
    const rest = (await (await owner.request('GET', '/v1/suggestions/stop?team=Marketing&limit=5')).json()) as { suggestions: unknown[] };
    expect(stop.structuredContent.suggestions).toEqual(rest.suggestions);
    const p = await call(client, 'portfolio', {});
    expect(p.structuredContent).toEqual(await (await owner.request('GET', '/v1/portfolio')).json());
  });

  it('search_items: items about a topic, best first, with their latest score', async () => {
    const client = await connect(owner.key);
    const r = await call(client, 'search_items', { query: 'tracking link for the consignee', limit: 3 });
    const found = r.structuredContent;
    expect(found.method).toBe('vector');
    expect(found.items).toHaveLength(3);
    expect(found.items.map((i: any) => i.id)).toContain('LF-4');
    expect(found.items[0].similarity).toBeGreaterThanOrEqual(found.items[1].similarity);
    const lf4 = found.items.find((i: any) => i.id === 'LF-4');
    expect(lf4.score).toMatchObject({ kr_id: 'L2.KR1' });
    const byTeam = await call(client, 'search_items', { query: 'tracking link', team: 'Marketing', limit: 5 });
    expect(byTeam.structuredContent.items.every((i: any) => i.team === 'Marketing')).toBe(true);
  });

  it('score_items: ad-hoc items against the active strategy, nothing stored', async () => {
    const client = await connect(owner.key);
    const before = await env.db.query('SELECT count(*)::int AS n FROM items WHERE workspace_id = $1', [owner.workspace.id]);
    const r = await call(client, 'score_items', {
      items: [
        { id: 'NEW-1', title: 'Send consignees a live tracking link by SMS', estimate_points: 3 },
        { id: 'NEW-2', title: 'Lease branded last-mile vans for our own final mile deliveries', estimate_points: 8 },
        { id: 7, title: 'Improve stuff' },
      ],
      now: '2026-11-01T00:00:00Z',
    });
    expect(r.isError).toBeFalsy();
    const report = r.structuredContent;
    expect(report.strategy_version).toBe(1);
    expect(report.items.map((i: any) => i.id)).toEqual(['NEW-1', 'NEW-2', '7']);
    expect(report.items[0]).toMatchObject({ kr_id: 'L2.KR1' });
    expect(report.items[1]).toMatchObject({ non_goal_id: 'NG2' });
    expect(report.stop.map((s: any) => s.id)).toContain('NEW-2');
    const after = await env.db.query('SELECT count(*)::int AS n FROM items WHERE workspace_id = $1', [owner.workspace.id]);
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});

describe('bad arguments come back as tool errors the assistant can read', () => {
  it('invalid arguments', async () => {
    const client = await connect(owner.key);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['score_items', { items: 'not a list' }, /items/],
      ['score_items', { items: [] }, /items/],
      ['score_items', { items: [{ title: 'no id' }] }, /id/],
      ['why_does_this_matter', {}, /item_id/],
      ['search_items', { query: '' }, /query/],
      ['stop_suggestions', { min_confidence: 2 }, /min_confidence/],
      ['why_does_this_matter', { item_id: 'LF-1\u0000' }, /NUL[\s\S]*\bitem_id\b/],
      ['why_does_this_matter', { item_id: 'LF-1', question: 'Why\u0000?' }, /NUL[\s\S]*\bquestion\b/],
      ['search_items', { query: 'tracking\u0000' }, /NUL[\s\S]*\bquery\b/],
      ['search_items', { query: 'tracking', status: 'todo\u0000' }, /NUL[\s\S]*\bstatus\b/],
      ['stop_suggestions', { team: 'Dispatch\u0000' }, /NUL[\s\S]*\bteam\b/],
    ];
    for (const [name, args, mentions] of cases) {
      const r = await call(client, name, args);
      expect(r.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(textOf(r), textOf(r)).toMatch(mentions);
    }
  });

  it('an unknown item, duplicate ids, an unknown tool', async () => {
    const client = await connect(owner.key);
    const missing = await call(client, 'why_does_this_matter', { item_id: 'NOPE-1' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^not_found: no item "NOPE-1".*body\.item_id/);
    const twice = await call(client, 'score_items', { items: [{ id: 'A', title: 'x' }, { id: 'A', title: 'y' }] });
    expect(textOf(twice)).toMatch(/items\[1\]\.id/);
    await expect(client.callTool({ name: 'drop_tables', arguments: {} })).resolves.toMatchObject({ isError: true });
  });
});

describe('keys and workspaces', () => {
  it("another workspace's key sees only its own workspace", async () => {
    const client = await connect(stranger.key);
    const why = await call(client, 'why_does_this_matter', { item_id: 'LF-4' });
    expect(why.isError).toBe(true);
    expect(textOf(why)).toMatch(/not_found/);
    const found = await call(client, 'search_items', { query: 'live tracking link consignee', limit: 10 });
    expect(found.structuredContent.items.map((i: any) => i.id)).toEqual(['S-1']);
    const stop = await call(client, 'stop_suggestions', {});
    expect(stop.isError).toBe(true);
    expect(textOf(stop)).toMatch(/no finished scoring run/);
  });

  it('a workspace without a strategy cannot score', async () => {
    const empty = await env.clientFor(uniqueName('mcp-empty'));
    const scored = await call(await connect(empty.key), 'score_items', { items: [ITEMS[0]] });
    expect(scored.isError).toBe(true);
    expect(textOf(scored)).toMatch(/no strategy/);
  });

  it('no key, an unknown key: refused before any tool runs', async () => {
    await expect(connect(null)).rejects.toThrow(/401|nauthori/);
    await expect(connect('bk_not_a_real_key')).rejects.toThrow(/401|nauthori/);
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('GET and DELETE answer 405: the server is stateless', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await fetch(url, { method, headers: { authorization: `Bearer ${owner.key}`, accept: 'text/event-stream' } });
      expect(r.status).toBe(405);
    }
  });
});
