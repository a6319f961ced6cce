// The portfolio: where the effort goes, per the latest finished run, and how that changed since the run before.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getPortfolio } from '../../pipeline/portfolio.ts';
import { authOf, requireScope } from '../auth.ts';
import { PortfolioSchema, problemResponses } from '../schemas.ts';

const getRoute = createRoute({
  method: 'get',
  path: '/v1/portfolio',
  tags: ['portfolio'],
  summary: 'Items and points per objective, unaligned share, coverage gaps and duplicates — with drift',
  description:
    'The portfolio of the latest finished run (dry runs aside). `drift` compares it with the finished run before: items that ' +
    'lost alignment, the unaligned share then and now, and key results that lost their last item. 404 when no run has finished yet.',
  middleware: [requireScope('read')] as const,
  responses: { 200: { description: 'The portfolio', content: { 'application/json': { schema: PortfolioSchema } } }, ...problemResponses(401, 403, 404) },
});

export function registerPortfolioRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(getRoute, async (c) => c.json(await getPortfolio(deps.db, authOf(c).workspaceId), 200));
}
