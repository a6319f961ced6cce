// An item's score (the latest, and its history across finished runs), with its provenance on request, and the
// scores of a run where the LLM judge and the engine disagreed, flagged for review.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getItemScore, getItemScoreHistory } from '../../pipeline/run-views.ts';
import { getItemScoreHistoryWithProvenance, getItemScoreWithProvenance, listDisagreements } from '../../pipeline/score-reviews.ts';
import { authOf, requireScope } from '../auth.ts';
import { ItemScoreSchema, problemResponses } from '../schemas.ts';

const ItemParams = z.object({ id: z.string().min(1).max(256).openapi({ param: { name: 'id', in: 'path' }, description: 'the item id as sent' }) });
const source = z.string().optional().openapi({ description: 'disambiguates items with the same id from different sources' });
/** Opt-in, so the default score keeps exactly the contract's fields plus run metadata. */
const include = z
  .enum(['provenance'])
  .optional()
  .openapi({ description: '`provenance`: add how each score was produced (scorer, judge prompt version, fallback reason, the engine’s reading) and `review` (judge vs engine disagreement)' });

const Reading = z.object({ objective_id: z.string().nullable(), kr_id: z.string().nullable(), alignment: z.number() });

const ReviewSchema = z
  .object({
    reasons: z.array(z.enum(['objective', 'alignment'])).openapi({ description: 'a different objective, or alignments more than 0.3 apart' }),
    engine: Reading,
    judge: Reading,
  })
  .openapi('ScoreReview');

const ProvenanceSchema = z
  .object({
    scorer: z.string().openapi({ description: '`llm:<model>` or `heuristic@<version>`' }),
    prompt_version: z.string().optional().openapi({ description: 'the judge prompt version (LLM scores)' }),
    judge: z.string().optional().openapi({ description: 'the configured judge, when this item fell back to the engine' }),
    fallback: z
      .string()
      .optional()
      .openapi({
        description:
          'why the engine scored it although a judge is configured: rate_limited, provider_error, timeout, unreachable, malformed_response, ' +
          'invalid_output, unknown_ids, missing_from_reply, breaker_open, budget_exhausted, judge_error',
      }),
    fallback_detail: z.string().optional(),
    cached: z.boolean().optional().openapi({ description: 'the judgement came from the cache (no provider call)' }),
    clamped: z.array(z.string()).optional().openapi({ description: 'limits applied to the judge, e.g. instruction_like (the item tried to instruct the scorer)' }),
    retrieval: z.enum(['pgvector', 'engine']).optional(),
    embedding_model: z.string().optional(),
    engine: Reading.extend({ scorer: z.string() }).optional().openapi({ description: "the engine's reading (the judge's prior)" }),
  })
  .passthrough()
  .openapi('ScoreProvenance');

const ScoredSchema = ItemScoreSchema.extend({
  provenance: ProvenanceSchema.optional().openapi({ description: 'with include=provenance' }),
  review: ReviewSchema.nullable().optional().openapi({ description: 'with include=provenance: set when judge and engine disagreed, both readings, for review' }),
}).openapi('ItemScoreWithProvenance');

const latestRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}/score',
  tags: ['scores'],
  summary: "The item's score in the latest finished run that scored it",
  description: 'Dry runs and runs still under way are not looked at. 404 when no finished run has scored the item yet.',
  middleware: [requireScope('read')] as const,
  request: { params: ItemParams, query: z.object({ source, include }) },
  responses: { 200: { description: 'The score', content: { 'application/json': { schema: ScoredSchema } } }, ...problemResponses(400, 401, 403, 404, 409) },
});

const cursor = z.string().max(500).optional().openapi({ description: 'next_cursor of the previous page' });

const historyRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}/scores',
  tags: ['scores'],
  summary: "The item's scores across finished runs, newest first",
  middleware: [requireScope('read')] as const,
  request: { params: ItemParams, query: z.object({ source, include, limit: z.coerce.number().int().min(1).max(100).default(20), cursor }) },
  responses: {
    200: {
      description: 'A page of scores (empty when the item was never scored)',
      content: { 'application/json': { schema: z.object({ id: z.string(), scores: z.array(ScoredSchema), next_cursor: z.string().nullable() }) } },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const DisagreementSchema = z
  .object({
    id: z.string().openapi({ description: 'the item id as sent' }),
    source: z.string().nullable(),
    title: z.string(),
    team: z.string().nullable(),
    scorer: z.string(),
    alignment: z.number().openapi({ description: 'the stored (judged and clamped) alignment' }),
    objective_id: z.string().nullable(),
    kr_id: z.string().nullable(),
    rationale: z.string(),
    review: ReviewSchema,
  })
  .openapi('Disagreement');

const disagreementsRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{id}/disagreements',
  tags: ['runs'],
  summary: 'Scores of a run where the LLM judge and the engine disagreed, for review',
  description:
    'An item is listed when the judge chose a different objective than the engine, or their alignments are more than 0.3 apart. ' +
    'The count per run is in GET /v1/runs/{id} → scoring.disagreements. Items in id order; `reason` narrows to one kind.',
  middleware: [requireScope('read')] as const,
  request: {
    params: z.object({ id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' } }) }),
    query: z.object({ reason: z.enum(['objective', 'alignment']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), cursor }),
  },
  responses: {
    200: {
      description: 'A page of disagreements',
      content: { 'application/json': { schema: z.object({ run_id: z.string(), disagreements: z.array(DisagreementSchema), next_cursor: z.string().nullable() }) } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerScoreRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(latestRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const ws = authOf(c).workspaceId;
    return c.json(q.include ? await getItemScoreWithProvenance(deps.db, ws, id, q.source) : await getItemScore(deps.db, ws, id, q.source), 200);
  });

  app.openapi(historyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const ws = authOf(c).workspaceId;
    return c.json(q.include ? await getItemScoreHistoryWithProvenance(deps.db, ws, id, q) : await getItemScoreHistory(deps.db, ws, id, q), 200);
  });

  app.openapi(disagreementsRoute, async (c) => {
    return c.json(await listDisagreements(deps.db, authOf(c).workspaceId, c.req.valid('param').id, c.req.valid('query')), 200);
  });
}
