// Prebuilt bundle of `bearing score`: one plain ES module (engine, word-vector loader, zod, …) so the CLI
// starts without tsx transpiling ~40 TypeScript files on every run (~0.4 s of a ~1.1 s run).
// Plain JavaScript on purpose: bin.mjs loads it before (and instead of) registering the tsx loader.
//
// The bundle lives in node_modules/.cache/bearing/ next to the word vectors: three directories below the
// project root, like src/adapters/embeddings/cache.ts, whose project-root lookup therefore holds in both.
// It is built by `postinstall` and rebuilt by bin.mjs when a source file changed (the manifest records the
// modification time of every project file it was built from, and npm's lockfile for the packages).
// Anything unexpected (no esbuild, read-only node_modules, …) returns null and bin.mjs falls back to tsx.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = join(root, 'node_modules', '.cache', 'bearing');
const bundlePath = join(dir, 'score.mjs');
const manifestPath = join(dir, 'score.json');
const entry = join(root, 'src', 'entry', 'score-command.ts');
/** npm rewrites this file on every install: it stands for all bundled packages. */
const lockfile = join('node_modules', '.package-lock.json');
/** Bump when the build options change, so existing bundles are rebuilt. */
const BUNDLE_FORMAT = 1;

function mtimeOf(rel) {
  try {
    return statSync(join(root, rel)).mtimeMs;
  } catch {
    return null;
  }
}

/** True when the bundle exists and none of its inputs changed since it was built. */
export function scoreBundleIsFresh() {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.format !== BUNDLE_FORMAT) return false;
    for (const [rel, mtime] of Object.entries(manifest.inputs)) if (mtimeOf(rel) !== mtime) return false;
    statSync(bundlePath);
    return true;
  } catch {
    return false;
  }
}

/** Builds the bundle (atomically: temp files, then rename). Returns the bundle path, or null if it cannot. */
export async function buildScoreBundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild'); // installed with tsx
  } catch {
    return null;
  }
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = {};
  for (const rel of Object.keys(result.metafile.inputs)) {
    if (rel.split(/[\\/]/).includes('node_modules')) continue;
    const mtime = mtimeOf(rel);
    // A file saved while we were building: the bundle may hold the old text, so do not vouch for it.
    if (mtime === null || mtime > started) return null;
    inputs[rel] = mtime;
  }
  inputs[lockfile] = mtimeOf(lockfile);
  mkdirSync(dir, { recursive: true });
  const tmp = `${bundlePath}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0].contents);
  renameSync(tmp, bundlePath);
  const tmpManifest = `${manifestPath}.${process.pid}.tmp`;
  writeFileSync(tmpManifest, JSON.stringify({ format: BUNDLE_FORMAT, entry: `src${sep}entry${sep}score-command.ts`, inputs }, null, 1));
  renameSync(tmpManifest, manifestPath);
  return bundlePath;
}

/** The bundled score-command module (built or rebuilt first when needed), or null when it is unavailable. */
export async function loadScoreBundle() {
  try {
    if (!scoreBundleIsFresh() && !(await buildScoreBundle())) return null;
    return await import(pathToFileURL(bundlePath).href);
  } catch {
    return null;
  }
}
