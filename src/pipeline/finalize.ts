// The `finalize` job, after every `score` job of a run: duplicates (pgvector nearest neighbours within the run,
// confirmed by the engine's own duplicate rule — never all pairs), stop suggestions ranked across the whole run,
// and the portfolio snapshot. Streams the run in pages; only duplicate clusters and stop candidates are held.
import { finishedRuns, markFinished } from '../adapters/db/runs.ts';
import {
  carriedDuplicatePairs,
  clearSuggestions,
  insertPortfolio,
  insertSuggestions,
  runScoresPage,
  setDuplicateVerdict,
  suppressedItems,
  type SuggestionRecord,
} from '../adapters/db/scores.ts';
import type { Db, Deps } from '../deps.ts';
import { createPortfolioAccumulator, findDuplicates, rankStops, scoreAsDuplicate, type StopCandidate } from '../domain/engine/index.ts';
import { newId } from '../lib/crypto.ts';
import { requireRun } from './runs.ts';
import { loadItems, loadRelatives } from './score.ts';
import { strategyIndexFor } from './strategy-index-cache.ts';

const PAGE = 500;
/** Neighbours looked at per item: copies are an item's closest texts, and a few more cost little. */
const NEIGHBOURS = 5;
/**
 * Cosine similarity (deterministic 100-d sentence vectors) below which two items are not even considered as copies.
 * Deliberately loose: it only prunes the candidate list; the engine's own rule decides.
 */
export const DUPLICATE_CANDIDATE_MIN_COSINE = 0.6;
/** Rejected or snoozed suggestions stay hidden this long unless the item or strategy changes. */
export const SNOOZE_DAYS = 30;

/**
 * Up to this many items, neighbours are found exactly (the workspace's vectors through the primary key, then a
 * sort): deterministic, and cheap at this size. Above it, the HNSW index answers approximately in ~O(log n).
 */
export const EXACT_NEIGHBOURS_MAX = 2_000;

/** Candidate pairs among the run's items: each item's nearest neighbours among the run's items, same model. */
async function candidatePairs(db: Db, run: { id: string; workspace_id: string; total: number }, model: string, dims: number, uids: string[]): Promise<[string, string][]> {
  if (!Number.isInteger(dims) || dims <= 0) return [];
  const exact = run.total <= EXACT_NEIGHBOURS_MAX;
  const distance = `e.embedding::vector(${dims}) <=> a.embedding::vector(${dims})`;
  return db.transaction(async (tx) => {
    if (!exact) {
      // The HNSW index spans every workspace and model: filtering after the index scan could leave fewer than
      // NEIGHBOURS rows, so let the scan continue until enough rows pass the filter (pgvector >= 0.8).
      await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      // Right after a bulk ingest the statistics are stale and the planner may prefer the exact plan (quadratic over
      // a large run). The nearest-neighbour sort is the only sort here: disabling sorts leaves the HNSW index.
      await tx.query(`SET LOCAL enable_sort = off`);
    }
    // `+ 0` hides the distance from the index, so small runs get the exact plan whatever the statistics say.
    const order = exact ? `(${distance}) + 0, e.owner_id` : distance;
    const r = await tx.query<{ a: string; b: string }>(
      `SELECT a.owner_id AS a, n.owner_id AS b
         FROM embeddings a
         CROSS JOIN LATERAL (
           SELECT e.owner_id, e.embedding FROM embeddings e
            WHERE e.workspace_id = a.workspace_id AND e.owner_kind = 'item' AND e.model = a.model AND e.dims = ${dims}
              AND e.owner_id <> a.owner_id
              AND EXISTS (SELECT 1 FROM item_scores s WHERE s.run_id = $4 AND s.item_uid = e.owner_id)
            ORDER BY ${order} LIMIT ${NEIGHBOURS}) n
        WHERE a.workspace_id = $1 AND a.owner_kind = 'item' AND a.model = $2 AND a.dims = ${dims} AND a.owner_id = ANY($3::text[])
          AND 1 - (n.embedding::vector(${dims}) <=> a.embedding::vector(${dims})) >= ${DUPLICATE_CANDIDATE_MIN_COSINE}`,
      [run.workspace_id, model, uids, run.id],
    );
    return r.rows.map((x): [string, string] => [x.a, x.b]);
  });
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    while (p !== (this.parent.get(p) ?? p)) p = this.parent.get(p)!;
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string) {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  groups(): string[][] {
    const out = new Map<string, string[]>();
    for (const x of this.parent.keys()) (out.get(this.find(x)) ?? out.set(this.find(x), []).get(this.find(x))!).push(x);
    return [...out.values()].filter((g) => g.length > 1).map((g) => g.sort());
  }
}

/**
 * Runs the engine's duplicate rule on the neighbourhood of every item scored afresh in this run, carries over the
 * previous run's verdicts between unchanged items, then applies the rule once more to each resulting cluster.
 * A nightly run where 1% changed so searches neighbours for 1% of the items.
 */
async function decideDuplicates(
  deps: Deps,
  run: { id: string; workspace_id: string; total: number; previousRunId: string | null },
): Promise<{ clusters: string[][]; duplicates: Map<string, string> }> {
  const duplicates = new Map<string, string>(); // uid → uid to keep
  if (!deps.embedder) return { clusters: [], duplicates };
  const confirmed = new UnionFind();
  if (run.previousRunId) for (const [dup, keep] of await carriedDuplicatePairs(deps.db, run.workspace_id, run.previousRunId, run.id)) confirmed.union(dup, keep);
  let after = '';
  for (;;) {
    // Re-used scores belong to unchanged items whose neighbours, if they changed, search from their own side.
    const fresh = await runScoresPage(deps.db, run.id, after, PAGE, { freshOnly: run.previousRunId !== null });
    if (!fresh.length) break;
    after = fresh[fresh.length - 1]!.item_uid;
    const pairs = await candidatePairs(deps.db, run, deps.embedder.model, deps.embedder.dimensions, fresh.map((p) => p.item_uid));
    const hoods = new Map<string, Set<string>>();
    for (const [a, b] of pairs) (hoods.get(a) ?? hoods.set(a, new Set([a])).get(a)!).add(b);
    if (!hoods.size) continue;
    // One query for every item of every neighbourhood of this page.
    const members = new Set<string>();
    for (const hood of hoods.values()) for (const uid of hood) members.add(uid);
    const loaded = new Map((await loadItems(deps.db, run.workspace_id, [...members])).map((i) => [i.uid, i]));
    for (const hood of hoods.values()) {
      const items = [...hood].map((uid) => loaded.get(uid)).filter((i): i is NonNullable<typeof i> => !!i);
      const byId = new Map(items.map((i) => [i.item.id, i.uid]));
      for (const [dup, keep] of findDuplicates(items.map((i) => i.item), deps.wordVectors).duplicateOf) confirmed.union(byId.get(dup)!, byId.get(keep)!);
    }
  }
  const clusters: string[][] = [];
  for (const group of confirmed.groups()) {
    const items = await loadItems(deps.db, run.workspace_id, group);
    const uidOf = new Map(items.map((i) => [i.item.id, i.uid]));
    const verdict = findDuplicates(items.map((i) => i.item), deps.wordVectors);
    for (const [dup, keep] of verdict.duplicateOf) duplicates.set(uidOf.get(dup)!, uidOf.get(keep)!);
    clusters.push(...verdict.clusters);
  }
  return { clusters: clusters.sort((a, b) => (a[0]! < b[0]! ? -1 : 1)), duplicates };
}

export async function finalizeRun(deps: Deps, payload: { workspace_id: string; run_id: string }): Promise<{ duplicates: number; suggestions: number }> {
  const run = await requireRun(deps.db, payload.workspace_id, payload.run_id);
  if (run.status !== 'running') return { duplicates: run.counts.duplicates ?? 0, suggestions: run.counts.suggestions ?? 0 };
  const index = await strategyIndexFor(deps, run.workspace_id, run.strategy_version);

  // 1. Duplicates: re-decide the redundant copies (the copy to keep is left as scored).
  // Statistics go stale after a bulk ingest and a run's inserts; the page and neighbour queries below need them.
  await deps.db.query('ANALYZE item_scores, items, embeddings').catch(() => undefined);
  const [previous] = (await finishedRuns(deps.db, run.workspace_id, 1)).filter((r) => r.strategy_version === run.strategy_version && r.scorer === run.scorer);
  const { clusters, duplicates } = await decideDuplicates(deps, {
    id: run.id,
    workspace_id: run.workspace_id,
    total: run.counts.total ?? 0,
    previousRunId: previous?.id ?? null,
  });
  if (duplicates.size) {
    const dupItems = await loadItems(deps.db, run.workspace_id, [...duplicates.keys()]);
    const keepItems = new Map((await loadItems(deps.db, run.workspace_id, [...new Set(duplicates.values())])).map((k) => [k.uid, k.item]));
    const { parents, children } = await loadRelatives(deps.db, run.workspace_id, dupItems);
    const context = [...parents, ...children].map((p) => p.item);
    for (const d of dupItems) {
      const keep = keepItems.get(duplicates.get(d.uid)!)!;
      const r = scoreAsDuplicate(index, d.item, context, { id: keep.id, title: keep.title }, { now: run.now });
      await setDuplicateVerdict(deps.db, run.id, d.uid, r.score, r.stop);
    }
  }

  // 2. Stop suggestions across the run, and 3. the portfolio, in one pass over the run's scores.
  const suppressed = await suppressedItems(deps.db, run.workspace_id, run.strategy_version, SNOOZE_DAYS);
  const candidates: StopCandidate[] = [];
  // By the caller's id; a list, because two sources may use the same id (each keeps its own suggestion).
  const meta = new Map<string, { uid: string; hash: string; team: string | null }[]>();
  const portfolio = createPortfolioAccumulator(index.strategy);
  let after = '';
  for (;;) {
    const page = await runScoresPage(deps.db, run.id, after, PAGE);
    if (!page.length) break;
    after = page[page.length - 1]!.item_uid;
    for (const row of page) {
      portfolio.add(row.score, row.points);
      if (row.stop && suppressed.get(row.item_uid) !== row.content_hash) {
        candidates.push(row.stop as StopCandidate);
        (meta.get(row.external_id) ?? meta.set(row.external_id, []).get(row.external_id)!).push({ uid: row.item_uid, hash: row.content_hash, team: row.team });
      }
    }
  }
  const ranked = rankStops(candidates);
  const suggestions: SuggestionRecord[] = ranked.map((s) => {
    const m = meta.get(s.id)!.shift()!;
    return { id: newId('sug'), item_uid: m.uid, rank: s.rank, action: s.action, reasons: s.reasons, capacity_points: s.capacity_points, confidence: s.confidence, item_content_hash: m.hash, team: m.team };
  });
  await deps.db.transaction(async (tx) => {
    await clearSuggestions(tx, run.id);
    await insertSuggestions(tx, run.id, run.workspace_id, run.strategy_version, suggestions);
    await insertPortfolio(tx, run.id, run.workspace_id, portfolio.result(clusters));
    await markFinished(tx, run.id, { duplicates: duplicates.size, suggestions: suggestions.length });
  });
  return { duplicates: duplicates.size, suggestions: suggestions.length };
}
