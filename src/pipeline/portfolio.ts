// The portfolio of the latest finished run, and how it drifted since the finished run before it.
import { alignmentDrops, latestPortfolios } from '../adapters/db/run-reads.ts';
import type { Db } from '../deps.ts';
import type { Portfolio } from '../domain/contracts.ts';
import { Problem } from '../lib/problem.ts';
import { memoBounded } from '../lib/bounded.ts';

/** An item counts as having lost alignment when its score fell by at least this much (a tenth of the scale). */
export const ALIGNMENT_DROP = 0.1;
/** Drops listed at most, largest first: enough for a review, small enough to read. */
export const MAX_DROPS = 50;
/** Float tolerance: stored alignments are rounded, so 0.5 → 0.4 must count as a drop of 0.1. */
const EPSILON = 1e-9;

export interface Drift {
  previous_run_id: string;
  alignment_fell: { id: string; before: number; after: number }[];
  unaligned_share: { before: number; now: number };
  new_coverage_gaps: string[];
}

export interface PortfolioView extends Portfolio {
  run_id: string;
  generated_at: string;
  drift: Drift | null;
}

/**
 * Finished runs never change, so the alignment drops between two of them are computed once per process (the query
 * reads every score of both runs) and served from memory after that.
 */
const DROPS_CACHE_MAX = 256;
const dropsCache = new Map<string, ReturnType<typeof alignmentDrops>>();
function cachedDrops(db: Db, workspaceId: string, previousId: string, latestId: string): ReturnType<typeof alignmentDrops> {
  const key = `${workspaceId}:${previousId}:${latestId}`;
  return memoBounded(dropsCache, key, DROPS_CACHE_MAX, () => alignmentDrops(db, workspaceId, previousId, latestId, ALIGNMENT_DROP - EPSILON, MAX_DROPS));
}

export async function getPortfolio(db: Db, workspaceId: string): Promise<PortfolioView> {
  const { latest, previous } = await latestPortfolios(db, workspaceId);
  if (!latest) throw new Problem('not_found', 'no finished scoring run yet: POST /v1/runs starts one');
  let drift: Drift | null = null;
  if (previous?.portfolio) {
    const before = previous.portfolio;
    const drops = await cachedDrops(db, workspaceId, previous.run_id, latest.run_id);
    const gapsBefore = new Set(before.coverage_gaps.map((g) => g.kr_id));
    drift = {
      previous_run_id: previous.run_id,
      alignment_fell: drops.map((d) => ({ id: d.external_id, before: d.before, after: d.after })),
      unaligned_share: { before: before.unaligned.share_of_points, now: latest.portfolio.unaligned.share_of_points },
      new_coverage_gaps: latest.portfolio.coverage_gaps.map((g) => g.kr_id).filter((kr) => !gapsBefore.has(kr)),
    };
  }
  return { ...latest.portfolio, run_id: latest.run_id, generated_at: latest.created_at.toISOString(), drift };
}
