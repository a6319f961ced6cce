// API-level schemas (beyond the data contracts): what the routes return. OpenAPI is generated from these.
import { z } from '@hono/zod-openapi';
import { FLAGS } from '../domain/contracts.ts';
import { z as zod } from 'zod';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string(),
    requestId: z.string().nullable(),
    errors: z.array(z.object({ location: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  );

export const ItemSchema = z
  .object({
    id: z.string(),
    source: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    type: z.string().nullable(),
    status: z.string().nullable(),
    team: z.string().nullable(),
    assignee: z.string().nullable(),
    estimate_points: z.number().nullable(),
    labels: z.array(z.string()),
    parent_id: z.string().nullable(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
    bearing: z.object({
      revision: z.number().int(),
      content_hash: z.string(),
      ingested_at: z.string(),
      changed_at: z.string(),
    }),
  })
  .openapi('Item');

export const StrategyVersionSchema = z
  .object({
    version: z.number().int(),
    format: z.enum(['json', 'markdown']),
    created_at: z.string(),
    content_hash: z.string(),
    strategy: z.record(z.string(), z.unknown()),
    warnings: z.array(z.string()),
    passages: z.number().int(),
  })
  .openapi('StrategyVersion');

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A data-contract schema (plain zod, defined in the domain) as an OpenAPI component: its input side as JSON Schema.
 * Converting here keeps the domain free of OpenAPI metadata and independent of import order.
 */
export function contractSchema(schema: zod.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = zod.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

// ---------------------------------------------------------------- scoring runs and their results

export const RunSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['manual', 'nightly']),
    status: z.enum(['queued', 'running', 'finished', 'failed', 'cancelled']).openapi({ description: 'queued → running → finished (or failed)' }),
    dry_run: z.boolean(),
    strategy_version: z.number().int().openapi({ description: 'the strategy version the run scores against' }),
    scorer: z.string().openapi({ description: 'the deterministic scorer and its version (e.g. heuristic@1.1.0): it scores every item without a provider and is the fallback with one; `scoring.by_scorer` says which scorer (`llm:<model>` or the engine) scored how many items' }),
    progress: z
      .object({
        total: z.number().int().openapi({ description: 'items in the run (0 until it is planned)' }),
        scored: z.number().int().openapi({ description: 'items scored afresh so far' }),
        reused: z.number().int().openapi({ description: 'unchanged items whose earlier score was reused so far' }),
        done: z.number().int().openapi({ description: 'scored + reused (a dry run: total once its preview finished)' }),
        percent: z.number().int().min(0).max(100),
      })
      .openapi({ description: 'Live progress, counted from the scores written so far; poll GET /v1/runs/{id}' }),
    counts: z.record(z.string(), z.number()).openapi({
      description:
        'total, scored, reused, duplicates and suggestions (once finished). A dry run reports would_score / would_reuse: what a real run would do.',
      example: { total: 120, scored: 3, reused: 117, duplicates: 2, suggestions: 9 },
    }),
    timings: z.object({
      created_at: z.string(),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
      duration_ms: z.number().int().nullable().openapi({ description: 'from start (or creation) to finish; null while not finished' }),
    }),
    failures: z
      .array(z.object({ job: z.string(), error: z.string(), at: z.string() }))
      .openapi({ description: 'failed job attempts; a run fails once a job has used up its retries' }),
    scoring: z
      .object({
        by_scorer: z.record(z.string(), z.number().int()).openapi({ description: 'items per scorer: `llm:<model>` or `heuristic@<version>`', example: { 'llm:gpt-4o-mini': 117, 'heuristic@1.1.0': 3 } }),
        fallbacks: z.record(z.string(), z.number().int()).openapi({ description: 'items the engine scored although a judge was configured, by reason (timeout, breaker_open, budget_exhausted …)' }),
        disagreements: z.number().int().openapi({ description: 'items where judge and engine disagree: GET /v1/runs/{id}/disagreements' }),
        provider: z
          .object({
            calls: z.number().int(),
            failed_calls: z.number().int(),
            prompt_tokens: z.number().int(),
            completion_tokens: z.number().int(),
            cache_hits: z.number().int(),
            breaker: z.object({ open: z.boolean(), reason: z.string().nullable(), opened_at: z.string().nullable() }),
            budget_exhausted_at: z.string().nullable(),
          })
          .nullable()
          .openapi({ description: "the run's provider use; null when no judge took part" }),
      })
      .optional()
      .openapi({ description: 'GET /v1/runs/{id} only: who scored the items and what the provider did' }),
  })
  .openapi('Run');

const EvidenceSchema = z.object({ kind: z.enum(['objective', 'key_result', 'non_goal', 'item']), id: z.string(), quote: z.string() });

export const ItemScoreSchema = z
  .object({
    id: z.string().openapi({ description: 'the item id as sent' }),
    alignment: z.number().min(0).max(1),
    objective_id: z.string().nullable(),
    kr_id: z.string().nullable(),
    execution_health: z.boolean(),
    flags: z.array(z.enum(FLAGS)),
    duplicate_of: z.string().nullable().openapi({ description: 'id of the copy to keep, when this item is a redundant copy' }),
    non_goal_id: z.string().nullable(),
    rationale: z.string(),
    evidence: z.array(EvidenceSchema),
    run_id: z.string(),
    scored_at: z.string().openapi({ description: 'when the run recorded this score' }),
    reused_from_run: z.string().nullable().openapi({ description: 'the run that computed the score, when this run reused it because nothing had changed' }),
    scorer: z.string(),
    strategy_version: z.number().int(),
  })
  .openapi('ItemScore');

export const StopSuggestionSchema = z
  .object({
    id: z.string().openapi({ description: "the item's own id" }),
    rank: z.number().int().min(1).openapi({ description: '1 = the best thing to stop' }),
    action: z.enum(['stop', 'merge', 'pause', 'reframe']),
    reasons: z.array(z.string()),
    capacity_points: z.number().nullable().openapi({ description: 'estimate it frees; null when unestimated' }),
    confidence: z.number().min(0).max(1),
    suggestion_id: z.string().openapi({ description: 'use it for POST /v1/suggestions/{id}/feedback' }),
    team: z.string().nullable(),
    title: z.string(),
    run_id: z.string(),
  })
  .openapi('StopSuggestion');

export const FeedbackCountsSchema = z
  .object({ accepted: z.number().int(), rejected: z.number().int(), snoozed: z.number().int() })
  .openapi('FeedbackCounts');

export const FeedbackSchema = z
  .object({
    id: z.string(),
    suggestion_id: z.string(),
    item_id: z.string(),
    verdict: z.enum(['accepted', 'rejected', 'snoozed']),
    note: z.string().nullable(),
    strategy_version: z.number().int(),
    created_at: z.string(),
  })
  .openapi('Feedback');

export const PortfolioSchema = z
  .object({
    by_objective: z.array(z.object({ objective_id: z.string(), items: z.number(), points: z.number() })),
    execution_health: z.object({ items: z.number(), points: z.number() }),
    unaligned: z.object({ items: z.number(), points: z.number(), share_of_points: z.number() }),
    coverage_gaps: z.array(z.object({ kr_id: z.string(), items: z.number() })),
    duplicate_clusters: z.array(z.array(z.string())),
    run_id: z.string(),
    generated_at: z.string(),
    drift: z
      .object({
        previous_run_id: z.string(),
        alignment_fell: z
          .array(z.object({ id: z.string(), before: z.number(), after: z.number() }))
          .openapi({ description: 'items whose alignment fell by 0.1 or more, largest drops first (at most 50)' }),
        unaligned_share: z.object({ before: z.number(), now: z.number() }).openapi({ description: 'share of points on unaligned work' }),
        new_coverage_gaps: z.array(z.string()).openapi({ description: 'key results no item serves now that some item served before' }),
      })
      .nullable()
      .openapi({ description: 'change since the previous finished run; null when there is none' }),
  })
  .openapi('Portfolio');

export const ScheduleSchema = z
  .object({ cron: z.string(), timezone: z.string(), updated_at: z.string() })
  .openapi('Schedule');

/** `limit` + `cursor` of every paged list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor of the previous page' }),
});
