// Scoring runs: start one (all live items, or some), follow its progress, list past runs.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getRunView, listRunViews, startRun } from '../../pipeline/run-views.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { PageQuery, problemResponses, RunSchema } from '../schemas.ts';

/** Items one run request may name: larger subsets are better served by a full run. */
export const MAX_RUN_ITEM_IDS = 10_000;

const StartBody = z
  .object({
    item_ids: z
      .array(z.string().min(1).max(256))
      .max(MAX_RUN_ITEM_IDS)
      .optional()
      .openapi({ description: `Score only these items (your ids, at most ${MAX_RUN_ITEM_IDS}); all live items when absent. An unknown id is a 400.` }),
    dry_run: z.boolean().optional().openapi({ description: 'Only count what a run would score and reuse; writes no scores' }),
  })
  .openapi('RunRequest');

const runResponse = (description: string) => ({
  description,
  headers: { Location: { schema: { type: 'string' as const }, description: '/v1/runs/{id}: poll it for progress' } },
  content: { 'application/json': { schema: RunSchema } },
});

const startRoute = createRoute({
  method: 'post',
  path: '/v1/runs',
  tags: ['runs'],
  summary: 'Start a scoring run against the active strategy',
  description:
    'Scores every live item (or `item_ids`) in the background and answers at once with 202 and the queued run; ' +
    'poll `Location` until `status` is `finished`. Items unchanged since their last finished run (same content, parent, ' +
    'strategy version and scorer) reuse that score instead of being scored again (`progress.reused`). ' +
    'Sending the same request while an identical run is still queued or running returns that run instead of a second one. ' +
    'Send `{}` for a full run. Needs a strategy (409 otherwise).',
  middleware: [requireScope('write'), accepts('application/json')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: StartBody } } } },
  responses: { 202: runResponse('The run (new, or the identical one already under way)'), ...problemResponses(400, 401, 403, 409, 413, 415, 503) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/runs',
  tags: ['runs'],
  summary: 'Scoring runs, newest first',
  middleware: [requireScope('read')] as const,
  request: {
    query: PageQuery,
  },
  responses: {
    200: { description: 'A page of runs', content: { 'application/json': { schema: z.object({ runs: z.array(RunSchema), next_cursor: z.string().nullable() }) } } },
    ...problemResponses(400, 401, 403),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{id}',
  tags: ['runs'],
  summary: 'One run: status, progress, counts, timings and failures',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: { description: 'The run', content: { 'application/json': { schema: RunSchema } } }, ...problemResponses(401, 403, 404) },
});

export function registerRunRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(startRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const { run } = await startRun(deps, {
      workspaceId: auth.workspaceId,
      itemIds: body.item_ids,
      dryRun: body.dry_run,
      actor: auth.keyId,
      requestId: c.get('requestId' as never),
    });
    c.header('location', `/v1/runs/${run.id}`);
    return c.json(run, 202);
  });

  app.openapi(listRoute, async (c) => {
    return c.json(await listRunViews(deps.db, authOf(c).workspaceId, c.req.valid('query')), 200);
  });

  app.openapi(getRoute, async (c) => {
    return c.json(await getRunView(deps.db, authOf(c).workspaceId, c.req.valid('param').id), 200);
  });
}
