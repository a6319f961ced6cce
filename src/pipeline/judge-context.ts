// What the judge needs of a strategy version, built once per process and version (versions never change): the
// outline shown in every prompt, the ids a reply may use, and the passages it may cite.
import { listPassages, strategyVersion } from '../adapters/db/strategies.ts';
import type { Db } from '../deps.ts';
import { Problem } from '../lib/problem.ts';
import type { JudgeStrategy } from '../../prompts/judge.ts';
import type { StrategyIds } from './judge-verdict.ts';
import { memoBounded } from '../lib/bounded.ts';

export interface JudgeContext {
  outline: JudgeStrategy;
  ids: StrategyIds;
  objectiveIds: string[];
  keyResultIds: string[];
  nonGoalIds: string[];
  /** Each objective's first passage: shown when retrieval found nothing for a whole batch. */
  objectivePassageIds: string[];
}

const MAX_CACHED = 16;
const cache = new Map<string, Promise<JudgeContext>>();

export function judgeContextFor(db: Db, workspaceId: string, version: number): Promise<JudgeContext> {
  const key = `${workspaceId}:${version}`;
  return memoBounded(cache, key, MAX_CACHED, () => build(db, workspaceId, version));
}

async function build(db: Db, workspaceId: string, version: number): Promise<JudgeContext> {
  const [row, passages] = await Promise.all([strategyVersion(db, workspaceId, version), listPassages(db, workspaceId, version)]);
  if (!row) throw new Problem('not_found', `no strategy version ${version}`);
  const s = row.parsed;
  const krObjective = new Map<string, string>();
  for (const o of s.objectives) for (const kr of o.key_results) krObjective.set(kr.id, o.id);
  const outline: JudgeStrategy = {
    north_star: s.north_star ? { name: s.north_star.name, definition: s.north_star.definition ?? null } : null,
    objectives: s.objectives.map((o) => ({ id: o.id, title: o.title, key_results: o.key_results.map((k) => ({ id: k.id, title: k.title })) })),
    non_goals: (s.non_goals ?? []).map((g) => ({ id: g.id, text: g.text })),
  };
  const byId = new Map(passages.map((p) => [p.id, p]));
  return {
    outline,
    ids: { objectives: new Set(s.objectives.map((o) => o.id)), krObjective, nonGoals: new Set(outline.non_goals.map((g) => g.id)), passages: byId },
    objectiveIds: outline.objectives.map((o) => o.id),
    keyResultIds: [...krObjective.keys()],
    nonGoalIds: outline.non_goals.map((g) => g.id),
    objectivePassageIds: outline.objectives.map((o) => `obj:${o.id}#1`).filter((id) => byId.has(id)),
  };
}
