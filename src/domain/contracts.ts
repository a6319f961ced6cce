// The v1 data contracts (shared/contracts/README.md) as zod schemas: the one definition used by the
// CLI, the HTTP API (OpenAPI is generated from these) and the engine. Unknown input fields are ignored
// (zod objects strip them), ids are strings echoed back exactly as given.
import { z } from 'zod';

/** Ids are strings; a number in the input is accepted and echoed back as its decimal string. */
export const Id = z.union([z.string().min(1).max(256), z.number().finite()]).transform((v) => String(v));

const optText = z.string().max(100_000).nullish();
/** Source timestamps: anything Date.parse understands (ISO-8601 in practice); an unparseable one is an error. */
const timestamp = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date-time, e.g. 2026-03-01T10:00:00Z');

// ---------------------------------------------------------------- strategy input

export const KeyResultInput = z.object({
  id: Id,
  title: z.string().min(1).max(2_000),
  metric: optText,
  baseline: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v))),
  target: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v))),
  current: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v))),
  due: z.string().max(64).nullish(),
});

export const ObjectiveInput = z.object({
  id: Id,
  title: z.string().min(1).max(2_000),
  description: optText,
  key_results: z.array(KeyResultInput).max(200).nullish().transform((v) => v ?? []),
});

export const NonGoalInput = z.object({ id: Id, text: z.string().min(1).max(10_000) });

export const StrategyInput = z.object({
  north_star: z
    .object({ name: z.string().min(1).max(2_000), definition: optText })
    .passthrough()
    .nullish()
    .transform((v) => v ?? null),
  objectives: z.array(ObjectiveInput).min(1).max(200),
  non_goals: z.array(NonGoalInput).max(500).nullish().transform((v) => v ?? []),
  principles: z.array(z.string().max(10_000)).max(500).nullish().transform((v) => v ?? []),
});

export type KeyResult = z.output<typeof KeyResultInput>;
export type Objective = z.output<typeof ObjectiveInput>;
export type NonGoal = z.output<typeof NonGoalInput>;
/** A strategy as Bearing understood it; `warnings` lists what a Markdown parse could not place. */
export type Strategy = z.output<typeof StrategyInput> & { warnings?: string[] };

// ---------------------------------------------------------------- backlog input

export const BacklogItemInput = z.object({
  id: Id,
  source: z.string().max(64).nullish(),
  title: z.string().max(2_000),
  description: z.string().max(200_000).nullish(),
  type: z.string().max(64).nullish(),
  status: z.string().max(64).nullish(),
  team: z.string().max(256).nullish(),
  assignee: z.string().max(256).nullish(),
  estimate_points: z.number().finite().min(0).max(10_000).nullish(),
  labels: z.array(z.string().max(256)).max(200).nullish(),
  parent_id: Id.nullish(),
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
});
export type BacklogItem = z.output<typeof BacklogItemInput>;

export const BacklogInput = z.union([
  z.array(BacklogItemInput),
  z.object({ items: z.array(BacklogItemInput) }).transform((v) => v.items),
]);

// ---------------------------------------------------------------- score report

export const FLAGS = ['unlinked', 'duplicate', 'vague', 'busywork', 'stale', 'contradicts_non_goal'] as const;
export type Flag = (typeof FLAGS)[number];

export const Evidence = z.object({
  kind: z.enum(['objective', 'key_result', 'non_goal', 'item']),
  id: z.string(),
  quote: z.string(),
});
export type Evidence = z.output<typeof Evidence>;

export const ItemScore = z.object({
  id: z.string(),
  alignment: z.number().min(0).max(1),
  objective_id: z.string().nullable(),
  kr_id: z.string().nullable(),
  execution_health: z.boolean(),
  flags: z.array(z.enum(FLAGS)),
  duplicate_of: z.string().nullable(),
  non_goal_id: z.string().nullable(),
  rationale: z.string(),
  evidence: z.array(Evidence),
});
export type ItemScore = z.output<typeof ItemScore>;

export const StopSuggestion = z.object({
  id: z.string(),
  rank: z.number().int().min(1),
  action: z.enum(['stop', 'merge', 'pause', 'reframe']),
  reasons: z.array(z.string()),
  capacity_points: z.number().nullable(),
  confidence: z.number().min(0).max(1),
});
export type StopSuggestion = z.output<typeof StopSuggestion>;

export const Portfolio = z.object({
  by_objective: z.array(z.object({ objective_id: z.string(), items: z.number(), points: z.number() })),
  execution_health: z.object({ items: z.number(), points: z.number() }),
  unaligned: z.object({ items: z.number(), points: z.number(), share_of_points: z.number() }),
  coverage_gaps: z.array(z.object({ kr_id: z.string(), items: z.number() })),
  duplicate_clusters: z.array(z.array(z.string())),
});
export type Portfolio = z.output<typeof Portfolio>;

export const ScoreReport = z.object({
  schema: z.literal('bearing.score-report/v1'),
  generated_at: z.string(),
  scorer: z.object({ name: z.string(), version: z.string() }),
  strategy: z.object({
    north_star: z.object({ name: z.string() }).passthrough().nullable(),
    objectives: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        key_results: z.array(z.object({ id: z.string(), title: z.string() })),
      }),
    ),
    non_goals: z.array(z.object({ id: z.string(), text: z.string() })),
    warnings: z.array(z.string()),
  }),
  items: z.array(ItemScore),
  stop: z.array(StopSuggestion),
  portfolio: Portfolio,
});
export type ScoreReport = z.output<typeof ScoreReport>;

/** Formats zod issues as one line per problem: `path: message`. Used by the CLI and the API alike. */
export function describeIssues(error: z.ZodError, prefix = ''): { location: string; message: string }[] {
  return error.issues.map((i) => ({
    location: prefix + (i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)'),
    message: i.message,
  }));
}
