// An item's score: the latest, and its history across finished runs.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getItemScore, getItemScoreHistory } from '../../pipeline/run-views.ts';
import { authOf, requireScope } from '../auth.ts';
import { ItemScoreSchema, problemResponses } from '../schemas.ts';

const ItemParams = z.object({ id: z.string().min(1).max(256).openapi({ param: { name: 'id', in: 'path' }, description: 'the item id as sent' }) });
const source = z.string().optional().openapi({ description: 'disambiguates items with the same id from different sources' });

const latestRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}/score',
  tags: ['scores'],
  summary: "The item's score in the latest finished run that scored it",
  description: 'Dry runs and runs still under way are not looked at. 404 when no finished run has scored the item yet.',
  middleware: [requireScope('read')] as const,
  request: { params: ItemParams, query: z.object({ source }) },
  responses: { 200: { description: 'The score', content: { 'application/json': { schema: ItemScoreSchema } } }, ...problemResponses(401, 403, 404, 409) },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}/scores',
  tags: ['scores'],
  summary: "The item's scores across finished runs, newest first",
  middleware: [requireScope('read')] as const,
  request: {
    params: ItemParams,
    query: z.object({
      source,
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(500).optional().openapi({ description: 'next_cursor of the previous page' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of scores (empty when the item was never scored)',
      content: { 'application/json': { schema: z.object({ id: z.string(), scores: z.array(ItemScoreSchema), next_cursor: z.string().nullable() }) } },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function registerScoreRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(latestRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getItemScore(deps.db, authOf(c).workspaceId, id, c.req.valid('query').source), 200);
  });

  app.openapi(historyRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getItemScoreHistory(deps.db, authOf(c).workspaceId, id, c.req.valid('query')), 200);
  });
}
