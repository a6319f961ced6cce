#!/usr/bin/env node
// `bearing` executable: runs the TypeScript CLI through tsx's loader, so `npx bearing …` works right after
// `npm install` with no build step. `bearing score` first tries the prebuilt bundle of the score command
// (see src/adapters/embeddings/score-bundle.mjs): the same code, without transpiling it on every run.
// BEARING_NO_BUNDLE=1 always takes the tsx path.
const [command, ...rest] = process.argv.slice(2);
let bundle = null;
if (command === 'score' && process.env.BEARING_NO_BUNDLE !== '1') {
  const { loadScoreBundle } = await import('../adapters/embeddings/score-bundle.mjs');
  bundle = await loadScoreBundle();
}
if (bundle) {
  // The same I/O and exit codes as cli.ts gives the command.
  try {
    process.exitCode = await bundle.scoreCommand(rest, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) });
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
