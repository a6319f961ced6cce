// Stop suggestions of a finished run, and what people said about them.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { feedbackSummary, giveFeedback, LATEST_FEEDBACK, stopSuggestionsJson } from '../../pipeline/suggestions.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { FeedbackCountsSchema, FeedbackSchema, problemResponses, StopSuggestionSchema } from '../schemas.ts';

/** Characters a feedback note may hold: a reason, not a document. */
export const MAX_NOTE_CHARS = 2_000;

const listRoute = createRoute({
  method: 'get',
  path: '/v1/suggestions/stop',
  tags: ['suggestions'],
  summary: 'Ranked suggestions of what to stop, merge, pause or reframe',
  description:
    "From the latest finished run (dry runs aside), or the run in `run_id`. Pages follow the rank; a page's cursor stays in " +
    'its run even when a newer run finishes meanwhile. A suggestion rejected (or snoozed) through POST /v1/suggestions/{id}/feedback ' +
    'is not made again by later runs until the item or the strategy changes. 404 when no run has finished yet.',
  middleware: [requireScope('read')] as const,
  request: {
    query: z.object({
      run_id: z.string().min(1).max(128).optional().openapi({ description: 'a finished run; default: the latest' }),
      team: z.string().max(256).optional().openapi({ description: "only this team's items (the team at scoring time)" }),
      action: z.enum(['stop', 'merge', 'pause', 'reframe']).optional(),
      min_confidence: z.coerce.number().min(0).max(1).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(500).optional().openapi({ description: 'next_cursor of the previous page' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of suggestions, best first, and the workspace feedback counts',
      content: {
        'application/json': {
          schema: z.object({ run_id: z.string(), suggestions: z.array(StopSuggestionSchema), next_cursor: z.string().nullable(), feedback: FeedbackCountsSchema }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const feedbackRoute = createRoute({
  method: 'post',
  path: '/v1/suggestions/{id}/feedback',
  tags: ['suggestions'],
  summary: 'Accept, reject or snooze a suggestion',
  description:
    '`{id}` is the `suggestion_id` of an entry of GET /v1/suggestions/stop. `rejected` hides the suggestion from later runs until ' +
    'the item or the strategy changes; `snoozed` does the same for 30 days; `accepted` only records the decision.',
  middleware: [requireScope('write'), accepts('application/json')] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' }, description: 'suggestion_id' }) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ verdict: z.enum(['accepted', 'rejected', 'snoozed']), note: z.string().max(MAX_NOTE_CHARS).optional().openapi({ description: 'why (optional)' }) })
            .openapi('FeedbackRequest'),
        },
      },
    },
  },
  responses: { 201: { description: 'The stored feedback', content: { 'application/json': { schema: FeedbackSchema } } }, ...problemResponses(400, 401, 403, 404, 413, 415) },
});

const summaryRoute = createRoute({
  method: 'get',
  path: '/v1/suggestions/feedback',
  tags: ['suggestions'],
  summary: `Feedback counts per verdict and the latest ${LATEST_FEEDBACK} entries`,
  middleware: [requireScope('read')] as const,
  responses: {
    200: {
      description: 'Counts for the whole workspace, latest entries first',
      content: {
        'application/json': {
          schema: z.object({
            counts: FeedbackCountsSchema,
            latest: z.array(FeedbackSchema.extend({ source: z.string().nullable(), title: z.string(), action: z.string(), run_id: z.string() })),
          }),
        },
      },
    },
    ...problemResponses(401, 403),
  },
});

export function registerSuggestionRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(listRoute, async (c) => {
    // Already the response schema's JSON (built in the database, test/http/suggestions.test.ts reads it back):
    // sent as it is, so the typed c.json() is bypassed.
    const body = await stopSuggestionsJson(deps.db, authOf(c).workspaceId, c.req.valid('query'));
    return c.body(body, 200, { 'content-type': 'application/json' }) as never;
  });

  app.openapi(feedbackRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const stored = await giveFeedback(deps.db, {
      workspaceId: auth.workspaceId,
      suggestionId: c.req.valid('param').id,
      verdict: body.verdict,
      note: body.note,
      actor: auth.keyId,
      requestId: c.get('requestId' as never),
    });
    return c.json(stored, 201);
  });

  app.openapi(summaryRoute, async (c) => {
    return c.json(await feedbackSummary(deps.db, authOf(c).workspaceId), 200);
  });
}
