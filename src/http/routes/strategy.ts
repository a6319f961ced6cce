// Strategy documents: each upload is a new version (JSON per the contract, or Markdown); the latest is active.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { StrategyInput } from '../../domain/contracts.ts';
import { getStrategyVersion, ingestStrategy, listVersions, type StrategyVersionView } from '../../pipeline/strategy.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { contractSchema, problemResponses, StrategyVersionSchema } from '../schemas.ts';

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

function view({ row, passages }: StrategyVersionView): z.infer<typeof StrategyVersionSchema> {
  return {
    version: row.version,
    format: row.format,
    created_at: row.created_at.toISOString(),
    content_hash: row.content_hash,
    strategy: row.parsed as unknown as Record<string, unknown>,
    warnings: row.warnings,
    passages,
  };
}

export function registerStrategyRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openAPIRegistry.registerComponent('schemas', 'StrategyInput', contractSchema(StrategyInput));

  app.openapi(putRoute, async (c) => {
    const auth = authOf(c);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const text = await c.req.text();
    const { created, version } = await ingestStrategy({
      db: deps.db,
      jobs: deps.jobs,
      input: { workspaceId: auth.workspaceId, text, format: type === 'application/json' ? 'json' : 'markdown', actor: auth.keyId, requestId: c.get('requestId' as never) },
    });
    if (created) c.header('location', `/v1/strategy/versions/${version.version}`);
    return c.json(view(await getStrategyVersion(deps.db, auth.workspaceId, version.version)), created ? 201 : 200);
  });

  app.openapi(getRoute, async (c) => {
    return c.json(view(await getStrategyVersion(deps.db, authOf(c).workspaceId)), 200);
  });

  app.openapi(listRoute, async (c) => {
    const auth = authOf(c);
    const rows = await listVersions(deps.db, auth.workspaceId);
    return c.json(
      { versions: rows.map((r, i) => ({ version: r.version, format: r.format, content_hash: r.content_hash, created_at: r.created_at.toISOString(), objectives: Number(r.objectives), active: i === 0 })) },
      200,
    );
  });

  app.openapi(versionRoute, async (c) => {
    return c.json(view(await getStrategyVersion(deps.db, authOf(c).workspaceId, c.req.valid('param').n)), 200);
  });
}
