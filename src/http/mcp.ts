// MCP server at /mcp (streamable HTTP, stateless): chat assistants call Bearing's tools with the same API keys as the
// REST API. Every request gets its own server whose tools are bound to the key's workspace, so one workspace's
// tools can never reach another's data. Each POST carries JSON-RPC and gets JSON back; there are no sessions, so GET
// (a server-to-client stream) and DELETE (ending a session) answer 405.
import { StreamableHTTPTransport } from '@hono/mcp';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { BacklogItemInput } from '../domain/contracts.ts';
import { Problem } from '../lib/problem.ts';
import { MAX_ADHOC_ITEMS, scoreAdHoc } from '../pipeline/adhoc-score.ts';
import { ask, MAX_QUESTION_CHARS } from '../pipeline/ask.ts';
import { hasNul, NUL_MESSAGE } from '../pipeline/ask-input.ts';
import { getPortfolio } from '../pipeline/portfolio.ts';
import { MAX_SEARCH_RESULTS, searchItems } from '../pipeline/search-items.ts';
import { listStopSuggestions } from '../pipeline/suggestions.ts';
import { authenticate, authOf, requireScope, type Auth } from './auth.ts';

export const MCP_PATH = '/mcp';

const INSTRUCTIONS =
  'Bearing scores backlog items against the team strategy. Use why_does_this_matter to explain an item (answers cite the ' +
  'strategy), stop_suggestions and portfolio for what the latest scoring run found, search_items to find items by topic, ' +
  'and score_items to check items that are not in the backlog yet. Bearing suggests; people decide.';

function text(data: unknown, summary?: string): CallToolResult {
  const json = JSON.stringify(data, null, 2);
  return {
    content: [{ type: 'text', text: summary ? `${summary}\n\n${json}` : json }],
    ...(data && typeof data === 'object' && !Array.isArray(data) ? { structuredContent: data as Record<string, unknown> } : {}),
  };
}

/** Runs a tool: Problems become tool errors the assistant can read (and correct); anything else is logged, not shown. */
async function tool(deps: Deps, name: string, fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Problem) {
      const fields = e.errors.length ? ` (${e.errors.map((x) => `${x.location}: ${x.message}`).join('; ')})` : '';
      return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.detail}${fields}` }] };
    }
    deps.logger.error('MCP tool failed', { tool: name, error: String((e as Error)?.stack ?? e) });
    return { isError: true, content: [{ type: 'text', text: 'internal error: the tool failed unexpectedly' }] };
  }
}

/** A text argument that reaches PostgreSQL: NUL characters are refused as a readable argument error. */
const str = () => z.string().refine((v) => !hasNul(v), NUL_MESSAGE);

export function buildMcpServer(deps: Deps, auth: Auth, version: string): McpServer {
  const ws = auth.workspaceId;
  const server = new McpServer({ name: 'bearing', version }, { instructions: INSTRUCTIONS });

  server.registerTool(
    'score_items',
    {
      title: 'Score items against the strategy',
      description: `Scores 1–${MAX_ADHOC_ITEMS} items (not necessarily in the backlog) against the active strategy: goal, alignment, flags, rationale with evidence, a stop list and a portfolio summary. Nothing is stored.`,
      inputSchema: {
        items: z.array(BacklogItemInput).min(1).max(MAX_ADHOC_ITEMS).describe('items as in the backlog contract: id and title required'),
        now: z.iso.datetime({ offset: true }).optional().describe('"today" for staleness (default: now)'),
      },
    },
    async ({ items, now }) => tool(deps, 'score_items', async () => text(await scoreAdHoc(deps, ws, items, now))),
  );

  server.registerTool(
    'why_does_this_matter',
    {
      title: 'Why does this item matter?',
      description: 'A short answer citing the strategy: which goal the item serves and why (or that it serves none, and the closest goal), its epic, copies and any stop suggestion.',
      inputSchema: {
        item_id: str().min(1).max(256).describe('the item id as in the backlog'),
        source: str().max(64).optional().describe('when two sources use the same id'),
        question: str().max(MAX_QUESTION_CHARS).optional().describe('a more specific question about the item (default: why does it matter?)'),
      },
    },
    async ({ item_id, source, question }) =>
      tool(deps, 'why_does_this_matter', async () => {
        const r = await ask(deps, { workspaceId: ws, question: question?.trim() || 'Why does this matter?', itemId: item_id, source, persist: false });
        return text(r, r.answer);
      }),
  );

  server.registerTool(
    'stop_suggestions',
    {
      title: 'What to stop',
      description: "Ranked suggestions (stop, merge, pause, reframe) from the latest finished scoring run, with reasons, capacity freed and confidence.",
      inputSchema: {
        team: str().max(256).optional(),
        action: z.enum(['stop', 'merge', 'pause', 'reframe']).optional(),
        min_confidence: z.number().min(0).max(1).optional(),
        limit: z.number().int().min(1).max(200).optional().describe('default 20'),
      },
    },
    async (a) => tool(deps, 'stop_suggestions', async () => text(await listStopSuggestions(deps.db, ws, { team: a.team, action: a.action, min_confidence: a.min_confidence, limit: a.limit ?? 20 }))),
  );

  server.registerTool(
    'portfolio',
    {
      title: 'Portfolio',
      description: 'Where the effort goes in the latest finished run: items and points per objective, reliability work, unaligned share, key results with no work, duplicate clusters, and drift since the run before.',
      inputSchema: {},
    },
    async () => tool(deps, 'portfolio', async () => text(await getPortfolio(deps.db, ws))),
  );

  server.registerTool(
    'search_items',
    {
      title: 'Search backlog items',
      description: 'Backlog items about a topic (semantic search over item embeddings; title words when none exist), each with its latest score.',
      inputSchema: {
        query: str().trim().min(1).max(1_000),
        limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).optional().describe('default 10'),
        team: str().max(256).optional(),
        status: str().max(64).optional(),
      },
    },
    async (a) => tool(deps, 'search_items', async () => text(await searchItems(deps, ws, { query: a.query, limit: a.limit ?? 10, team: a.team, status: a.status }))),
  );

  return server;
}

const jsonRpcError = (message: string) => ({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

export function registerMcp(app: OpenAPIHono, deps: Deps, version: string): void {
  app.use(MCP_PATH, authenticate(deps.db), requireScope('read'));
  app.all(MCP_PATH, async (c) => {
    if (c.req.method !== 'POST') {
      return c.json(jsonRpcError('Method not allowed: this MCP server is stateless; send JSON-RPC with POST'), 405, { allow: 'POST' });
    }
    const server = buildMcpServer(deps, authOf(c), version);
    const transport = new StreamableHTTPTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return (await transport.handleRequest(c)) ?? c.body(null, 202);
    } finally {
      // The JSON response is complete once handleRequest resolves; the per-request server has nothing left to do.
      await server.close();
    }
  });
}
