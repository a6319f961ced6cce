// Strategy documents: each upload is a new version (JSON per the contract, or Markdown); the latest is active.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { latestStrategy, listPassages, listStrategyVersions, strategyVersion, type StrategyVersionRow } from '../../adapters/db/strategies.ts';
import type { Deps } from '../../deps.ts';
import { StrategyInput } from '../../domain/contracts.ts';
import { ingestStrategy } from '../../pipeline/ingest-strategy.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { Problem } from '../problem.ts';
import { problemResponses, StrategyVersionSchema } from '../schemas.ts';

const MARKDOWN_TYPES = ['text/markdown', 'text/x-markdown', 'text/plain'];

const versionResponse = { description: 'A strategy version as Bearing understood it', content: { 'application/json': { schema: StrategyVersionSchema } } };

const putRoute = createRoute({
  method: 'put',
  path: '/v1/strategy',
  tags: ['strategy'],
  summary: 'Upload the strategy (JSON or Markdown); creates a new active version',
  description:
    'Send the contract JSON with `Content-Type: application/json`, or a Markdown document with `Content-Type: text/markdown`. ' +
    'Markdown is parsed into the same structure; what could not be placed comes back in `warnings`. ' +
    'Sending the active version again returns it unchanged (200) instead of creating a new version (201).',
  middleware: [requireScope('write'), accepts('application/json', ...MARKDOWN_TYPES)] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/StrategyInput' } },
        'text/markdown': { schema: { type: 'string' } },
      },
    },
  },
  responses: { 200: versionResponse, 201: versionResponse, ...problemResponses(400, 401, 403, 413, 415) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/strategy',
  tags: ['strategy'],
  summary: 'The active (latest) strategy version',
  middleware: [requireScope('read')] as const,
  responses: { 200: versionResponse, ...problemResponses(401, 403, 404) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/strategy/versions',
  tags: ['strategy'],
  summary: 'All strategy versions, newest first',
  middleware: [requireScope('read')] as const,
  responses: {
    200: {
      description: 'Versions',
      content: {
        'application/json': {
          schema: z.object({
            versions: z.array(z.object({ version: z.number().int(), format: z.string(), content_hash: z.string(), created_at: z.string(), objectives: z.number().int(), active: z.boolean() })),
          }),
        },
      },
    },
    ...problemResponses(401, 403),
  },
});

const versionRoute = createRoute({
  method: 'get',
  path: '/v1/strategy/versions/{n}',
  tags: ['strategy'],
  summary: 'One strategy version',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ n: z.coerce.number().int().min(1).openapi({ param: { name: 'n', in: 'path' } }) }) },
  responses: { 200: versionResponse, ...problemResponses(400, 401, 403, 404) },
});

async function view(deps: Deps, workspaceId: string, v: StrategyVersionRow): Promise<z.infer<typeof StrategyVersionSchema>> {
  const passages = await listPassages(deps.db, workspaceId, v.version);
  return {
    version: v.version,
    format: v.format,
    created_at: v.created_at.toISOString(),
    content_hash: v.content_hash,
    strategy: v.parsed as unknown as Record<string, unknown>,
    warnings: v.warnings,
    passages: passages.length,
  };
}

export function registerStrategyRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openAPIRegistry.register('StrategyInput', StrategyInput);

  app.openapi(putRoute, async (c) => {
    const auth = authOf(c);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const text = await c.req.text();
    const { created, version } = await ingestStrategy({
      db: deps.db,
      input: { workspaceId: auth.workspaceId, text, format: type === 'application/json' ? 'json' : 'markdown', actor: auth.keyId, requestId: c.get('requestId' as never) },
    });
    if (created) c.header('location', `/v1/strategy/versions/${version.version}`);
    return c.json(await view(deps, auth.workspaceId, version), created ? 201 : 200);
  });

  app.openapi(getRoute, async (c) => {
    const auth = authOf(c);
    const v = await latestStrategy(deps.db, auth.workspaceId);
    if (!v) throw new Problem('not_found', 'no strategy yet: PUT /v1/strategy first');
    return c.json(await view(deps, auth.workspaceId, v), 200);
  });

  app.openapi(listRoute, async (c) => {
    const auth = authOf(c);
    const rows = await listStrategyVersions(deps.db, auth.workspaceId);
    return c.json(
      { versions: rows.map((r, i) => ({ version: r.version, format: r.format, content_hash: r.content_hash, created_at: r.created_at.toISOString(), objectives: Number(r.objectives), active: i === 0 })) },
      200,
    );
  });

  app.openapi(versionRoute, async (c) => {
    const auth = authOf(c);
    const v = await strategyVersion(deps.db, auth.workspaceId, c.req.valid('param').n);
    if (!v) throw new Problem('not_found', `no strategy version ${c.req.valid('param').n}`);
    return c.json(await view(deps, auth.workspaceId, v), 200);
  });
}
