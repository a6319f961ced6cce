// `npm install` / `npm ci` hook: converts the word vectors once. It never fails the install: if anything
// goes wrong the file is simply built on first use instead (see cache.ts).
import { ensureVectorFile } from './cache.ts';

try {
  const t0 = Date.now();
  const path = ensureVectorFile();
  console.log(`bearing: word vectors ready at ${path} (${Date.now() - t0} ms)`);
} catch (err) {
  console.warn(`bearing: could not prepare word vectors now (${String(err)}); they will be built on first use`);
}
