// API-level schemas (beyond the data contracts): what the routes return. OpenAPI is generated from these.
import { z } from '@hono/zod-openapi';
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
