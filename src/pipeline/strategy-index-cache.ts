// Prepared strategies (the engine's per-strategy index) cached per process: a worker scoring many batches of the
// same run prepares the strategy once.
import { strategyVersion } from '../adapters/db/strategies.ts';
import type { Deps } from '../deps.ts';
import { prepareStrategy, type StrategyIndex } from '../domain/engine/index.ts';
import { Problem } from '../lib/problem.ts';
import { memoBounded } from '../lib/bounded.ts';

/** A few workspaces' active strategies; an evicted one is rebuilt in milliseconds. */
const MAX_CACHED = 16;
const cache = new Map<string, Promise<StrategyIndex>>();

export function strategyIndexFor(deps: Pick<Deps, 'db' | 'wordVectors'>, workspaceId: string, version: number): Promise<StrategyIndex> {
  const key = `${workspaceId}:${version}`;
  return memoBounded(cache, key, MAX_CACHED, async () => {
    const row = await strategyVersion(deps.db, workspaceId, version);
    if (!row) throw new Problem('not_found', `no strategy version ${version}`);
    return prepareStrategy(row.parsed, deps.wordVectors);
  });
}
