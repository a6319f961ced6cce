// Job payload schemas and thin processors: validate, call one use-case, return a small result. The same processors
// run in BullMQ workers (`bearing worker`) and in the in-process runner of the embedded default.
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { JOB_ATTEMPTS } from '../src/adapters/queue/defaults.ts';
import type { Deps, Processor, ProcessorJob, Processors } from '../src/deps.ts';
import { embedMissingItems, embedMissingPassages } from '../src/pipeline/embed.ts';
import { finalizeRun } from '../src/pipeline/finalize.ts';
import { createRun, failRun, planRun } from '../src/pipeline/runs.ts';
import type { JudgeSettings } from '../src/pipeline/judge.ts';
import { scoreRunBatch } from '../src/pipeline/score.ts';

const RunRef = z.object({ workspace_id: z.string().min(1), run_id: z.string().min(1) });
export const PAYLOADS = {
  plan: RunRef,
  score: RunRef.extend({ uids: z.array(z.string().min(1)).min(1).max(5000), settle: z.boolean().optional() }),
  finalize: RunRef,
  embed: z.object({ workspace_id: z.string().min(1), uids: z.array(z.string()).optional() }),
  nightly: z.object({ workspace_id: z.string().min(1) }),
} as const;

function parse<T extends z.ZodType>(schema: T, job: ProcessorJob): z.output<T> {
  const r = schema.safeParse(job.data);
  if (!r.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * Wraps a run's job: a failure is recorded on the run (visible in GET /v1/runs/{id}); a bad payload or the last
 * attempt fails the run, earlier attempts are retried by the queue.
 */
function runJob(deps: Deps, fn: (job: ProcessorJob) => Promise<unknown>): Processor {
  return async (job) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      const result = await fn(job);
      // Process CPU over the job's time (other jobs running alongside in this process count too).
      const used = process.cpuUsage(cpu);
      deps.logger.debug('job done', { job: job.name, id: job.id, ms: Math.round(performance.now() - started), cpu_ms: Math.round((used.user + used.system) / 1000) });
      return result;
    } catch (err) {
      const runId = (job.data as { run_id?: unknown } | null)?.run_id;
      if (typeof runId === 'string') {
        const fatal = err instanceof UnrecoverableError || job.attemptsMade + 1 >= JOB_ATTEMPTS;
        await failRun(deps.db, runId, `${job.name} ${job.id}`, err instanceof Error ? err.message : String(err), fatal).catch(() => undefined);
      }
      throw err;
    }
  };
}

/** The calendar day of `at` in `timezone`, e.g. 2026-11-21: one nightly run per workspace and local day. */
export function localDay(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export interface ProcessorOptions {
  timezoneOf?: (workspaceId: string) => Promise<string>;
  /** LLM judge settings (from the configuration); the documented defaults when absent. */
  judge?: JudgeSettings;
}

export function createProcessors(deps: Deps, opts: ProcessorOptions = {}): Processors {
  return {
    score: {
      plan: runJob(deps, (job) => planRun(deps, parse(PAYLOADS.plan, job))),
      score: runJob(deps, (job) => scoreRunBatch(deps, parse(PAYLOADS.score, job), { judge: opts.judge })),
      finalize: runJob(deps, (job) => finalizeRun(deps, parse(PAYLOADS.finalize, job))),
    },
    embed: {
      embed: async (job) => {
        const p = parse(PAYLOADS.embed, job);
        if (!deps.embedder) return { items: 0, passages: 0 };
        const passages = await embedMissingPassages(deps.db, deps.embedder, p.workspace_id);
        return { items: await embedMissingItems(deps.db, deps.embedder, p.workspace_id, p.uids), passages };
      },
    },
    nightly: {
      nightly: async (job) => {
        const p = parse(PAYLOADS.nightly, job);
        const tz = (await opts.timezoneOf?.(p.workspace_id)) ?? 'UTC';
        const day = localDay(deps.clock.now(), tz);
        const { run, created } = await createRun(deps, { workspaceId: p.workspace_id, kind: 'nightly', dedupeKey: `nightly-${day}`, actor: 'scheduler' });
        return { run_id: run.id, created };
      },
    },
  };
}
