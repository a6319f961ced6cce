// createApp(deps): the one Hono app, shared by every runtime (Node, Cloudflare Workers, tests). It never listens
// and never reads the environment: entry files build the deps and hand them in.
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import type { Deps } from './deps.ts';
import { authenticate } from './http/auth.ts';
import { registerMcp } from './http/mcp.ts';
import { limitBody, requestId } from './http/middleware.ts';
import { Problem, problemResponse, type FieldError } from './http/problem.ts';
import { registerAskRoutes } from './http/routes/ask.ts';
import { registerItemRoutes } from './http/routes/items.ts';
import { registerKeyRoutes } from './http/routes/keys.ts';
import { registerPortfolioRoutes } from './http/routes/portfolio.ts';
import { registerRunRoutes } from './http/routes/runs.ts';
import { registerScheduleRoutes } from './http/routes/schedules.ts';
import { registerScoreRoutes } from './http/routes/scores.ts';
import { registerStrategyRoutes } from './http/routes/strategy.ts';
import { registerSuggestionRoutes } from './http/routes/suggestions.ts';
import { registerThreadRoutes } from './http/routes/threads.ts';

export const API_VERSION = '0.1.0';

function zodErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.map((i) => ({
    location: [target === 'json' ? 'body' : target, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

export function createApp(deps: Deps): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = zodErrors(result.error as ZodError, result.target);
        throw new Problem('validation_failed', errors.map((e) => `${e.location}: ${e.message}`).join('; '), errors);
      }
    },
  });

  app.use('*', requestId);
  app.use('*', limitBody(deps.limits.maxBodyBytes));

  app.onError((err, c) => {
    if (err instanceof Problem) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      const status = err.status;
      if (status === 400) return problemResponse(c, new Problem('malformed_body', err.message || 'malformed request body', [{ location: 'body', message: err.message }]));
      if (status === 413) return problemResponse(c, new Problem('payload_too_large', err.message));
      if (status === 401) return problemResponse(c, new Problem('unauthorized', err.message));
    }
    deps.logger.error('unhandled error', { requestId: c.get('requestId' as never), path: c.req.path, error: String((err as Error)?.stack ?? err) });
    return problemResponse(c, new Problem('internal', 'an unexpected error occurred; quote the request id when reporting it'));
  });
  app.notFound((c) => problemResponse(c, new Problem('not_found', `no route for ${c.req.method} ${c.req.path}`)));

  // --- public: health, readiness, API description and docs
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await deps.readiness().catch((e: unknown) => ({ ok: false, checks: { database: { ok: false, detail: String(e) } } }));
    return c.json({ status: r.ok ? 'ready' : 'not_ready', checks: r.checks }, r.ok ? 200 : 503);
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Bearing API',
      version: API_VERSION,
      description: 'Scores backlog items against the strategy, flags noise and suggests what to stop. Errors are RFC 9457 problem+json.',
    },
    security: [{ apiKey: [] }],
  });
  const docsScript = deps.docsScript;
  if (docsScript) {
    app.get('/docs/scalar.js', async (c) =>
      c.body(await docsScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }),
    );
  }
  app.get('/docs', Scalar({ url: '/openapi.json', cdn: docsScript ? '/docs/scalar.js' : '/standalone.js', pageTitle: 'Bearing API' }));

  // --- everything under /v1 needs a key; each route states its scope
  app.use('/v1/*', authenticate(deps.db));
  registerStrategyRoutes(app, deps);
  registerItemRoutes(app, deps);
  registerKeyRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerScoreRoutes(app, deps);
  registerSuggestionRoutes(app, deps);
  registerPortfolioRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerAskRoutes(app, deps);
  registerThreadRoutes(app, deps);

  // --- MCP for chat assistants: the same keys, bound to the key's workspace
  registerMcp(app, deps, API_VERSION);
  return app;
}
