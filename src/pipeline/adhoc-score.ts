// Ad-hoc scoring for chat assistants (MCP `score_items`): items that are not in the backlog, scored against the
// workspace's active strategy by the same engine as runs — duplicates among them, stop list and portfolio included.
// Nothing is stored.
import { latestStrategy } from '../adapters/db/strategies.ts';
import type { Deps } from '../deps.ts';
import type { BacklogItem, ItemScore, Portfolio, StopSuggestion } from '../domain/contracts.ts';
import { finalizeReport, scoreItems } from '../domain/engine/index.ts';
import { Problem } from '../lib/problem.ts';
import { HEURISTIC_SCORER } from './runs.ts';
import { strategyIndexFor } from './strategy-index-cache.ts';

/** Items per call: what a conversation can paste; a backlog goes through POST /v1/items:batch and runs. */
export const MAX_ADHOC_ITEMS = 200;

export interface AdHocReport {
  strategy_version: number;
  scorer: string;
  items: ItemScore[];
  stop: StopSuggestion[];
  portfolio: Portfolio;
}

export async function scoreAdHoc(deps: Deps, workspaceId: string, items: BacklogItem[], now?: string): Promise<AdHocReport> {
  if (!items.length || items.length > MAX_ADHOC_ITEMS) {
    throw new Problem('validation_failed', `send 1 to ${MAX_ADHOC_ITEMS} items`, [{ location: 'items', message: `1 to ${MAX_ADHOC_ITEMS} items` }]);
  }
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.id)) throw new Problem('validation_failed', `item id "${it.id}" appears twice`, [{ location: `items[${i}].id`, message: 'ids must be unique' }]);
    seen.add(it.id);
  });
  const active = await latestStrategy(deps.db, workspaceId);
  if (!active) throw new Problem('conflict', 'this workspace has no strategy yet: PUT /v1/strategy first');
  const index = await strategyIndexFor(deps, workspaceId, active.version);
  const report = finalizeReport(index, scoreItems(index, items), { now: now ?? deps.clock.now() });
  return { strategy_version: active.version, scorer: HEURISTIC_SCORER, items: report.items, stop: report.stop, portfolio: report.portfolio };
}
