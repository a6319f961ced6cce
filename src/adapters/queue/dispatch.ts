// Shared by both queue adapters: find a job's processor and classify errors the same way BullMQ does.
import { UnrecoverableError } from 'bullmq';
import type { Processor, Processors, QueueName } from '../../deps.ts';

/** The processor for queue/name; an unknown name can never succeed, so it fails at once instead of retrying. */
export function resolveProcessor(processors: Processors, queue: QueueName, name: string): Processor {
  const processor = processors[queue]?.[name];
  if (!processor) throw new UnrecoverableError(`no processor for job "${name}" on queue "${queue}"`);
  return processor;
}

/** BullMQ stops retrying only for UnrecoverableError and its subclasses; the in-process runner follows the same rule. */
export function isUnrecoverable(err: unknown): boolean {
  return err instanceof UnrecoverableError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Rejects with `what timed out` when promise has not settled after ms (the promise itself keeps running). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
