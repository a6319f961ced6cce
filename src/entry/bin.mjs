#!/usr/bin/env node
// `bearing` executable: runs the TypeScript CLI through tsx's loader, so `npx bearing …` works right after
// `npm install` with no build step. `bearing score` first tries the prebuilt bundle of the score command
// (see src/adapters/embeddings/score-bundle.mjs): the same code, without transpiling it on every run.
// BEARING_NO_BUNDLE=1 always takes the tsx path.
const [command, ...rest] = process.argv.slice(2);
if (command === 'worker' && !heapCapped()) {
  // Workers run with a capped old generation (BEARING_WORKER_HEAP_MB, default 256; 0 for none): uncapped, V8 lets a
  // 100k-item finalize grow to ~650 MiB of uncollected garbage around a ~120 MiB live heap. The flag must be given
  // at start, so the worker runs as a child process with it; its exit code is ours. It has its own process group, so
  // a terminal's Ctrl-C reaches it once, passed on from here like any other signal (a second one forces an exit).
  const raw = process.env.BEARING_WORKER_HEAP_MB ?? '256';
  if (!/^\d+$/.test(raw)) {
    console.error(`BEARING_WORKER_HEAP_MB: expected a whole number of MiB (0: no cap), got "${raw}"`);
    process.exit(2);
  }
  const mb = Number(raw);
  if (mb > 0) {
    const [{ spawn }, { constants }] = await Promise.all([import('node:child_process'), import('node:os')]);
    const args = [...process.execArgv, `--max-old-space-size=${mb}`, ...process.argv.slice(1)];
    const child = spawn(process.execPath, args, { stdio: 'inherit', detached: true });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0)); // killed by a signal: as a shell reports it
  }
}
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

/** Whether this process was started with a cap on V8's old generation (a flag or NODE_OPTIONS). */
function heapCapped() {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-old-space-size'));
}
