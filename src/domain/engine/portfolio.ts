// Portfolio summary: where the points go (by objective, execution health, unaligned), which key results
// have no work at all, and which items are copies of each other. Built incrementally (one item score at a
// time), so a queue worker can fold in batch after batch without holding every item score.
import type { ItemScore, Portfolio, Strategy } from '../contracts.ts';

export interface PortfolioAccumulator {
  /**
   * Adds one item's final score (after its duplicate decision: copies do not cover a key result) and its
   * estimate (`estimate_points`, null when unestimated). Call once per item; the order only matters for
   * the rounding of fractional points.
   */
  add(score: ItemScore, points: number | null): void;
  /** The portfolio of everything added so far, with the backlog's duplicate clusters. */
  result(clusters: string[][]): Portfolio;
}

export function createPortfolioAccumulator(strategy: Strategy): PortfolioAccumulator {
  const byObj = new Map(strategy.objectives.map((o) => [o.id, { objective_id: o.id, items: 0, points: 0 }]));
  const krCount = new Map<string, number>();
  for (const o of strategy.objectives) for (const k of o.key_results) krCount.set(k.id, 0);
  const health = { items: 0, points: 0 };
  const unaligned = { items: 0, points: 0 };
  let total = 0;
  return {
    add(s, points) {
      const p = points ?? 0;
      total += p;
      if (s.objective_id) {
        const o = byObj.get(s.objective_id);
        if (o) { o.items++; o.points += p; }
      }
      if (s.kr_id && krCount.has(s.kr_id) && !s.flags.includes('duplicate')) krCount.set(s.kr_id, krCount.get(s.kr_id)! + 1);
      if (s.execution_health) { health.items++; health.points += p; }
      if (!s.objective_id && !s.execution_health) { unaligned.items++; unaligned.points += p; }
    },
    result(clusters) {
      return {
        by_objective: [...byObj.values()].map((o) => ({ ...o })),
        execution_health: { ...health },
        unaligned: { ...unaligned, share_of_points: total > 0 ? Math.round((unaligned.points / total) * 1000) / 1000 : 0 },
        coverage_gaps: [...krCount].filter(([, n]) => n === 0).map(([kr_id, items]) => ({ kr_id, items })),
        duplicate_clusters: clusters.map((c) => [...c]),
      };
    },
  };
}
