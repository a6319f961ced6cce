// `npm install` / `npm ci` hook: converts the word vectors once and prebuilds the `bearing score` bundle.
// It never fails the install: if anything goes wrong the file is simply built on first use instead
// (see cache.ts and score-bundle.mjs).
import { ensureVectorFile } from './cache.ts';
import { buildScoreBundle } from './score-bundle.mjs';

try {
  const t0 = Date.now();
  const path = ensureVectorFile();
  console.log(`bearing: word vectors ready at ${path} (${Date.now() - t0} ms)`);
} catch (err) {
  console.warn(`bearing: could not prepare word vectors now (${String(err)}); they will be built on first use`);
}

try {
  const t0 = Date.now();
  const path = await buildScoreBundle();
  if (path) console.log(`bearing: score command bundled at ${path} (${Date.now() - t0} ms)`);
  else console.warn('bearing: score command not bundled (esbuild unavailable); `bearing score` runs through tsx');
} catch (err) {
  console.warn(`bearing: could not bundle the score command (${String(err)}); \`bearing score\` runs through tsx`);
}
