// `npm run bench`: every benchmark, printing figures and their ratio to a trivial baseline measured in the same run.
// Pass names to run a subset: `npm run bench -- engine`.
import os from 'node:os';
import { benchEngine } from './engine.ts';

const BENCHES: Record<string, () => Promise<void>> = {
  engine: benchEngine,
  pipeline: async () => (await import('./pipeline.ts')).benchPipeline(),
  ai: async () => (await import('./ai.ts')).benchAi(),
  ask: async () => (await import('./ask.ts')).benchAsk(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (have: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${new Date().toISOString()}`);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n## ${name}`);
  await BENCHES[name]!();
}
