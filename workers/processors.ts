// The processor types live in src/deps.ts (the in-process adapter runs the same processors without this folder);
// re-exported here so worker code imports them from next door. Each processor: parse its payload (zod), throw
// UnrecoverableError for a bad one, call one use-case, return a small JSON-able result.
export type { Processor, ProcessorJob, Processors } from '../src/deps.ts';
