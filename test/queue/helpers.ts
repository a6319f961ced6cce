// Shared pieces of the queue suites: processors that record what ran, and a poll-until helper.
import type { Processor, ProcessorJob, Processors } from '../../src/deps.ts';

export interface Recorder {
  runs: { queue: string; id: string; name: string; data: unknown; attemptsMade: number }[];
  processors: Processors;
}

/** Processors for every queue; `handlers` override by `queue.name`; the default one returns `ok-<jobId>`. */
export function recordingProcessors(handlers: Record<string, Processor> = {}): Recorder {
  const runs: Recorder['runs'] = [];
  const make = (queue: string) =>
    new Proxy({} as Record<string, Processor>, {
      get: (_t, name) =>
        typeof name !== 'string'
          ? undefined
          : async (job: ProcessorJob) => {
              runs.push({ queue, id: job.id, name: job.name, data: job.data, attemptsMade: job.attemptsMade });
              const handler = handlers[`${queue}.${name}`];
              return handler ? handler(job) : `ok-${job.id}`;
            },
    });
  return { runs, processors: { embed: make('embed'), score: make('score'), nightly: make('nightly') } };
}

export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
