// The strategy passages shown to the judge for each item: its nearest passages by cosine distance between the
// item's and the passages' vectors of the configured embedding model (pgvector HNSW), plus the passage of the
// engine's own reading. Items without a vector of that model (the provider could not embed them) get the engine's
// passages instead: retrieval degrades, it never fails the job.
import { nearestPassages } from '../adapters/db/embeddings.ts';
import type { Deps } from '../deps.ts';
import type { ItemScore } from '../domain/contracts.ts';
import type { JudgeContext } from './judge-context.ts';

/**
 * Nearest passages per item: the key result it most likely serves, its objective and two alternatives are enough for
 * the judge to choose between neighbours; more mostly repeats the outline every prompt already carries.
 */
export const PASSAGES_PER_ITEM = 4;

export interface Retrieved {
  /** The embedding model whose vectors were compared (null without an embedder). */
  model: string | null;
  /** `ids`: shown to the judge (nearest, then the engine's); `near`: found by vector search alone (may back a raise). */
  byItem: Map<string, { ids: string[]; near: string[]; source: 'pgvector' | 'engine' }>;
}

/** The passages behind the engine's reading: its key result (or objective) and the non-goal it matched. */
export function enginePassages(score: ItemScore, ctx: JudgeContext): string[] {
  const ids = [score.kr_id ? `kr:${score.kr_id}` : null, score.objective_id ? `obj:${score.objective_id}#1` : null, score.non_goal_id ? `ng:${score.non_goal_id}` : null];
  return ids.filter((id): id is string => id !== null && ctx.ids.passages.has(id));
}

export async function retrievePassages(
  deps: Pick<Deps, 'db' | 'embedder' | 'logger'>,
  run: { workspace_id: string; strategy_version: number },
  ctx: JudgeContext,
  targets: { uid: string; engine: { score: ItemScore } }[],
): Promise<Retrieved> {
  let hits = new Map<string, { passage_id: string }[]>();
  const embedder = deps.embedder;
  if (embedder) {
    try {
      hits = await nearestPassages(deps.db, {
        workspaceId: run.workspace_id,
        version: run.strategy_version,
        model: embedder.model,
        dims: embedder.dimensions,
        itemUids: targets.map((t) => t.uid),
        k: PASSAGES_PER_ITEM,
      });
    } catch (err) {
      deps.logger.warn('passage retrieval failed: the judge sees the engine’s passages', { error: String((err as Error)?.message ?? err) });
    }
  }
  const byItem: Retrieved['byItem'] = new Map();
  for (const t of targets) {
    const near = (hits.get(t.uid) ?? []).map((h) => h.passage_id).filter((id) => ctx.ids.passages.has(id));
    const prior = enginePassages(t.engine.score, ctx);
    byItem.set(t.uid, near.length ? { ids: [...new Set([...near, ...prior])], near, source: 'pgvector' } : { ids: prior, near: [], source: 'engine' });
  }
  return { model: embedder?.model ?? null, byItem };
}
