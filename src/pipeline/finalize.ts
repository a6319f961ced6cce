// The `finalize` job, after every `score` job of a run: duplicates (pgvector nearest neighbours within the run,
// confirmed by the engine's own duplicate rule — never all pairs), stop suggestions ranked across the whole run,
// and the portfolio snapshot.
//
// Duplicates: each item's candidates are its K nearest items (pgvector) similar enough; the engine's duplicate rule
// decides each candidate pair alone (isDuplicatePair: what `bearing score` decides for the pairs it proposes), from
// the items' stored profiles and a snapshot of the backlog's term statistics (how rare each word is). Confirmed
// pairs are joined into groups, and each group keeps one copy.
//
// Incremental: each item's neighbourhood (its nearest items, a few more than the K looked at, down to a horizon, and
// the copies confirmed among the K) is stored per run. A run that follows a finished run of the same strategy version
// and scorer carries the neighbourhoods that cannot have changed — the item and all its neighbours unchanged, and no
// changed item now at least as close as its horizon — patches those a moved item left or a changed item entered
// without searching them again (patchNeighbourhood), and searches and decides only the rest, under the same
// statistics snapshot, so its duplicates equal those of a run that searched every item under that snapshot. A new
// snapshot is taken (and every item searched) when more than a quarter of the items changed since the last one.
// Independent steps overlap (the database reads while the engine analyses or decides). Memory stays flat: the run is
// streamed in pages; only the confirmed copy pairs, their clusters, the duplicate verdicts and the stop candidates
// (without their text) are held.
import {
  ANALYZE_AFTER_RUN,
  analyzeIfStale,
  carryNeighbourhoods,
  changedVectors,
  confirmedPairsPage,
  hasNeighbourhoods,
  insertNeighbourhoods,
  insertRankedSuggestions,
  nearestNeighbours,
  neighbourhoodsWith,
  passPage,
  pruneNeighbourhoods,
  reachedNeighbourhoods,
  reuseDuplicateVerdicts,
  setDuplicateVerdicts,
  STATS_TABLES,
  unsearchedAll,
  unsearchedPage,
  type DuplicateVerdict,
  type NeighbourhoodRecord,
  type RankedSuggestion,
  type ReachedRow,
  type VerdictView,
} from '../adapters/db/finalize-reads.ts';
import { createTermStats, loadKeepKeys, loadProfiles, loadTermStats, missingProfilesAll, missingProfilesPage, runStatsState, setRunStats, upsertProfiles } from '../adapters/db/duplicate-profiles.ts';
import { finishedRuns, markFinished } from '../adapters/db/runs.ts';
import { clearSuggestions, insertPortfolio, suppressedItems } from '../adapters/db/scores.ts';
import type { Deps } from '../deps.ts';
import type { ItemScore } from '../domain/contracts.ts';
import {
  analyzeItem,
  createPortfolioAccumulator,
  duplicatePairRule,
  duplicateProfile,
  rankStops,
  resolveGroups,
  scoreAsDuplicate,
  type DuplicateProfile,
  type StopCandidate,
  type StrategyIndex,
  type TermStats,
} from '../domain/engine/index.ts';
import { newId } from '../lib/crypto.ts';
import { requireRun } from './runs.ts';
import { loadItems, loadRelatives } from './score.ts';
import { strategyIndexFor } from './strategy-index-cache.ts';
import { setBounded } from '../lib/bounded.ts';

/** Items searched per neighbour query (and decided per batch): small enough that searching the next page overlaps
 * deciding this one even on a nightly run's few hundred. */
const SEARCH_PAGE = 250;
/** Items analysed per page for their duplicate profiles. */
const PROFILE_PAGE = 1_000;
/** Score rows per page of the portfolio / stop pass: narrow rows, so large pages cost little memory. */
const PASS_PAGE = 5_000;
/** Neighbours looked at per item: copies are an item's closest texts, and a few more cost little. */
export const NEIGHBOURS = 5;
/**
 * Nearest items kept per neighbourhood: the K looked at and a few more, so that when some of them change or go, the
 * next run still has the K nearest without searching again (see patchNeighbourhood).
 */
export const NEIGHBOUR_DEPTH = NEIGHBOURS + 3;
/**
 * Cosine similarity (deterministic 100-d sentence vectors) below which two items are not even considered as copies.
 * Deliberately loose: it only prunes the candidate list; the engine's own rule decides.
 */
export const DUPLICATE_CANDIDATE_MIN_COSINE = 0.6;
/** Rejected or snoozed suggestions stay hidden this long unless the item or strategy changes. */
export const SNOOZE_DAYS = 30;

/**
 * Up to this many items, neighbours are found exactly (every vector of the run compared, ties to the smaller uid):
 * deterministic, and cheap at this size. Above it, the HNSW index answers approximately in ~O(log n).
 */
export const EXACT_NEIGHBOURS_MAX = 2_000;
/**
 * Above EXACT_NEIGHBOURS_MAX, a changed item's this many nearest items are checked for whether it entered their
 * neighbourhood (an item is listed by about NEIGHBOUR_DEPTH others on average; ~6x that covers dense spots).
 */
export const REVERSE_NEIGHBOURS = 50;
/**
 * When more than this share of a run's vectors changed since the previous run, carrying neighbourhoods saves little:
 * every item is searched again.
 */
export const CARRY_MAX_CHANGED_SHARE = 0.25;

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

interface RunRef {
  id: string;
  workspace_id: string;
  total: number;
  previousRunId: string | null;
}

/** Statistics snapshots are never changed once taken: the last few read stay in memory (a nightly run reads the
 * snapshot of the runs before it, ~15 ms to parse at 10k items). */
const statsCache = new Map<string, TermStats>();
async function termStats(deps: Deps, id: string): Promise<TermStats | null> {
  const hit = statsCache.get(id);
  if (hit) return hit;
  const stats = await loadTermStats(deps.db, id);
  if (!stats) return null;
  setBounded(statsCache, id, stats, 2);
  return stats;
}

/** The term statistics a run decides its pairs under (see the header). */
interface StatsChoice {
  id: string;
  stats: TermStats;
  changedSince: number;
}

/**
 * Analyses the run's items that have no profile of their current content, a page at a time: every item on a first
 * run, the changed ones on a nightly run (listed at once after an earlier run: normally few).
 */
async function ensureProfiles(deps: Deps, run: RunRef): Promise<number> {
  const missing = run.previousRunId ? await missingProfilesAll(deps.db, { workspaceId: run.workspace_id, runId: run.id }) : null;
  let analysed = 0;
  for (let after = '', offset = 0; ; offset += PROFILE_PAGE) {
    const uids = missing
      ? missing.slice(offset, offset + PROFILE_PAGE)
      : await missingProfilesPage(deps.db, { workspaceId: run.workspace_id, runId: run.id, after, limit: PROFILE_PAGE });
    if (!uids.length) return analysed;
    after = uids[uids.length - 1]!;
    const items = await loadItems(deps.db, run.workspace_id, uids);
    const rows = items.map((i, k) => ({ uid: i.uid, content_hash: i.content_hash, profile: duplicateProfile(analyzeItem(i.item, k, deps.wordVectors)) }));
    await upsertProfiles(deps.db, run.workspace_id, rows);
    analysed += rows.length;
    if (uids.length < PROFILE_PAGE) return analysed; // the last page: no need to scan the run once more
  }
}

interface Neighbour {
  uid: string;
  distance: number;
}

/** Whether a neighbour is similar enough for the duplicate rule to be asked. */
const candidate = (n: Neighbour) => 1 - n.distance >= DUPLICATE_CANDIDATE_MIN_COSINE;

/** Nearest first, ties by uid: the order of a neighbour list however the index returned it. */
const nearestFirst = (a: Neighbour, b: Neighbour) => a.distance - b.distance || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

/**
 * An unchanged item's neighbourhood, patched instead of searched again: its previous list without the `moved` items
 * (changed or gone), joined by the changed items that now come at least as close as its horizon (`entered`, with
 * their new distances; those further stay out). Every other item is unchanged and was further than the horizon, so
 * the patched list is what a search would list up to the horizon, and its first K are the K nearest as long as it
 * still holds K items (or had no horizon: every item was listed). When moved items left fewer than K, an unlisted
 * item may be among the K nearest: there is no patch (null). The list keeps at most `depth` items; cut, its horizon
 * moves in to the last one kept.
 */
export function patchNeighbourhood(
  previous: { neighbours: string[]; distances: number[]; horizon: Neighbour | null },
  moved: Set<string>,
  entered: Neighbour[],
  k: number,
  depth: number,
): { list: Neighbour[]; horizon: Neighbour | null } | null {
  const h = previous.horizon;
  const kept = previous.neighbours.flatMap((uid, i) => (moved.has(uid) ? [] : [{ uid, distance: previous.distances[i]! }]));
  const list = [...kept, ...(h ? entered.filter((n) => nearestFirst(n, h) <= 0) : entered)].sort(nearestFirst);
  if (h && list.length < k) return null;
  return list.length > depth ? { list: list.slice(0, depth), horizon: list[depth - 1]! } : { list, horizon: h };
}

/** The stored form of a neighbourhood's list (nearest first), with the copies confirmed among its first K. */
const neighbourhoodRecord = (uid: string, list: Neighbour[], pairs: string[], horizon: Neighbour | null): NeighbourhoodRecord => ({
  item_uid: uid,
  neighbours: list.map((n) => n.uid),
  distances: list.map((n) => n.distance),
  pairs,
  horizon,
});

/** What a run carries from the previous run (see planCarry). */
interface CarryPlan {
  previousRunId: string;
  /** The run's items whose vector is new or changed since the previous run. */
  changed: string[];
  /** How many of the run's items have a vector: carried, patched and searched, they all have a neighbourhood. */
  withVector: number;
  /** Changed, or in the previous run and not in this one. */
  moved: Set<string>;
  /** The previous run's term statistics, which carried and patched neighbourhoods were decided under. */
  stats: StatsChoice;
  /** The previous neighbourhoods a moved item left or a changed item entered: read as soon as the changes are known,
   * while the changed items' profiles are analysed. */
  touched: Promise<[ReachedRow[], NeighbourhoodRecord[]]>;
}

/**
 * Whether the run can carry the previous run's neighbourhoods (see the header), and what changed since: not when
 * the previous run kept no neighbourhoods or statistics, or when more than CARRY_MAX_CHANGED_SHARE of the items
 * changed since either (the run then takes a new snapshot and searches every item).
 */
async function planCarry(deps: Deps, run: RunRef, exact: boolean, timings: Record<string, number>): Promise<CarryPlan | null> {
  const embedder = deps.embedder!;
  const model = embedder.model;
  if (!run.previousRunId || !(await hasNeighbourhoods(deps.db, run.previousRunId, model))) return null;
  const previous = await runStatsState(deps.db, run.previousRunId);
  if (!previous.termStatsId) return null;
  let t = performance.now();
  const { changed, gone, withVector } = await changedVectors(deps.db, { workspaceId: run.workspace_id, runId: run.id, previousRunId: run.previousRunId, model });
  timings.ms_carry_changed = Math.round(performance.now() - t);
  const moved = changed.length + gone.length;
  if (moved > CARRY_MAX_CHANGED_SHARE * withVector) return null;
  t = performance.now();
  const stats = await termStats(deps, previous.termStatsId);
  timings.ms_carry_stats = Math.round(performance.now() - t);
  const changedSince = previous.changedSinceStats + moved;
  if (!stats || changedSince > CARRY_MAX_CHANGED_SHARE * stats.n) return null;
  const movedSet = new Set([...changed, ...gone]);
  const ref = { workspaceId: run.workspace_id, previousRunId: run.previousRunId, model };
  t = performance.now();
  const touched = Promise.all([
    reachedNeighbourhoods(deps.db, { ...ref, dims: embedder.dimensions, changed, exact, reach: REVERSE_NEIGHBOURS }),
    neighbourhoodsWith(deps.db, { runId: run.previousRunId, model, uids: [...movedSet] }),
  ]).then((v) => ((timings.ms_carry_touched = Math.round(performance.now() - t)), v));
  touched.catch(() => undefined); // awaited by carryAndSearch
  return { previousRunId: run.previousRunId, changed, withVector, moved: movedSet, stats: { id: previous.termStatsId, stats, changedSince }, touched };
}

/**
 * Carries the neighbourhoods that cannot have changed, patches those a moved item left or a changed item entered
 * (patchNeighbourhood: only pairs with a changed item are decided again), and searches the rest: the changed items
 * themselves, and the neighbourhoods that cannot be patched. Independent steps go to the database side by side.
 */
async function carryAndSearch(deps: Deps, run: RunRef, plan: CarryPlan, exact: boolean, pairs: PairDecider, timings: Record<string, number>): Promise<{ carried: number; patched: number; searched: number }> {
  const embedder = deps.embedder!;
  const background = <T>(p: Promise<T>) => (p.catch(() => undefined), p); // each awaited below
  const searchChanged = background(searchNeighbourhoods(deps, run, exact, pairs, plan.changed));
  let t = performance.now();
  // The unchanged items whose previous neighbourhood a moved item left or a changed item entered, with that
  // neighbourhood and the changed items that entered it.
  const [reached, left] = await plan.touched;
  const touched = new Map<string, { before: NeighbourhoodRecord; entered: Neighbour[] }>();
  for (const before of left) if (!plan.moved.has(before.item_uid)) touched.set(before.item_uid, { before, entered: [] });
  for (const r of reached) {
    if (plan.moved.has(r.item_uid)) continue;
    (touched.get(r.item_uid) ?? touched.set(r.item_uid, { before: r, entered: [] }).get(r.item_uid)!).entered.push({ uid: r.changed_uid, distance: r.distance });
  }
  timings.ms_carry_touched_wait = Math.round(performance.now() - t);
  t = performance.now();
  // Every other neighbourhood is unchanged: neither the item nor a neighbour moved, and no changed item came closer.
  const carry = background(carryNeighbourhoods(deps.db, { runId: run.id, previousRunId: plan.previousRunId, model: embedder.model, exclude: [...plan.moved, ...touched.keys()] }));
  const patches = new Map<string, Patch>();
  for (const [uid, { before, entered }] of touched) {
    const patch = patchNeighbourhood(before, plan.moved, entered, NEIGHBOURS, NEIGHBOUR_DEPTH);
    if (patch) patches.set(uid, { ...patch, decidedBefore: new Set(before.neighbours.slice(0, NEIGHBOURS)), pairsBefore: new Set(before.pairs.filter((_, i) => i % 2 === 1)) });
  }
  const searchRest = background(searchNeighbourhoods(deps, run, exact, pairs, [...touched.keys()].filter((u) => !patches.has(u))));
  await writePatches(deps, run, patches, plan.moved, pairs);
  timings.ms_carry_patch = Math.round(performance.now() - t);
  t = performance.now();
  const [carried, searchedRest, searchedChanged] = await Promise.all([carry, searchRest, searchChanged]);
  timings.ms_carry_copy_search = Math.round(performance.now() - t);
  return { carried, patched: patches.size, searched: searchedRest + searchedChanged };
}

/** A patched neighbourhood (patchNeighbourhood), with what the previous run decided among its K nearest. */
interface Patch {
  list: Neighbour[];
  horizon: Neighbour | null;
  /** The previous run's K nearest, whose pairs it decided, and those of them it confirmed as copies. */
  decidedBefore: Set<string>;
  pairsBefore: Set<string>;
}

/**
 * Writes patched neighbourhoods. A pair of two unchanged items that the previous run decided keeps its verdict (same
 * profiles, same statistics); a pair with a changed item, or with an item that has only now come among the K nearest,
 * is decided by the duplicate rule.
 */
async function writePatches(deps: Deps, run: RunRef, patches: Map<string, Patch>, moved: Set<string>, pairs: PairDecider): Promise<void> {
  const undecided = (n: Neighbour, p: Patch) => moved.has(n.uid) || !p.decidedBefore.has(n.uid);
  const toDecide = new Set<string>();
  for (const [uid, p] of patches) {
    for (const n of p.list.slice(0, NEIGHBOURS)) if (candidate(n) && undecided(n, p)) toDecide.add(uid).add(n.uid);
  }
  const profiles = await pairs.profiles(toDecide);
  const records: NeighbourhoodRecord[] = [];
  for (const [uid, p] of patches) {
    const confirmed: string[] = [];
    for (const n of p.list.slice(0, NEIGHBOURS)) {
      if (!candidate(n)) continue;
      if (undecided(n, p) ? pairs.isPair(profiles, uid, n.uid) : p.pairsBefore.has(n.uid)) confirmed.push(uid, n.uid);
    }
    records.push(neighbourhoodRecord(uid, p.list, confirmed, p.horizon));
  }
  await insertNeighbourhoods(deps.db, run.id, deps.embedder!.model, records);
}

/** Profiles a finalize keeps between its searches (a nightly run's changed items are read by several). */
const PROFILE_CACHE = 5_000;

/**
 * The duplicate rule under one statistics snapshot, for one finalize: the rule keeps what it derives from a profile
 * (signature, weights) per profile object, and recent profiles are kept (up to PROFILE_CACHE), so an item met by
 * several searches is read and prepared once.
 */
function pairDecider(deps: Deps, workspaceId: string, stats: TermStats) {
  const isCopy = duplicatePairRule(stats);
  const cache = new Map<string, DuplicateProfile>();
  return {
    /** The profiles of `uids` that exist (each caller keeps its own map: the cache may drop entries meanwhile). */
    async profiles(uids: Iterable<string>): Promise<Map<string, DuplicateProfile>> {
      const out = new Map<string, DuplicateProfile>();
      const missing: string[] = [];
      for (const uid of uids) {
        const p = cache.get(uid);
        if (p) out.set(uid, p);
        else missing.push(uid);
      }
      for (const [uid, p] of await loadProfiles(deps.db, workspaceId, missing)) {
        out.set(uid, p);
        setBounded(cache, uid, p, PROFILE_CACHE);
      }
      return out;
    },
    /** Whether the duplicate rule confirms two items as copies (false when either has no profile). */
    isPair(profiles: Map<string, DuplicateProfile>, a: string, b: string): boolean {
      const pa = profiles.get(a);
      const pb = profiles.get(b);
      return !!pa && !!pb && isCopy(pa, pb);
    },
  };
}
type PairDecider = ReturnType<typeof pairDecider>;

/**
 * Searches the neighbourhoods of `only` (items of the run with a vector), or else of every item of the run that has
 * a vector and no neighbourhood yet: its NEIGHBOUR_DEPTH nearest items, and which of the K nearest similar enough to
 * be candidates the duplicate rule confirms as copies.
 */
async function searchNeighbourhoods(deps: Deps, run: RunRef, exact: boolean, pairs: PairDecider, only?: string[]): Promise<number> {
  const embedder = deps.embedder!;
  const ref = { workspaceId: run.workspace_id, runId: run.id, model: embedder.model };
  const list = only ? [...only].sort() : null;
  /** The next page to search and its neighbour query, started at once: the database searches page k+1 while the
   * engine decides page k (keyset pages: page k+1 starts after page k's last item, written or not). */
  const fetch = async (after: string) => {
    const uids = list ? list.filter((u) => u > after).slice(0, SEARCH_PAGE) : await unsearchedPage(deps.db, { ...ref, after, limit: SEARCH_PAGE });
    const rows = uids.length ? nearestNeighbours(deps.db, { ...ref, dims: embedder.dimensions, uids, k: NEIGHBOUR_DEPTH, exact }) : Promise.resolve([]);
    rows.catch(() => undefined); // awaited in turn below
    return { uids, rows };
  };
  let searched = 0;
  let next = await fetch('');
  while (next.uids.length) {
    const { uids } = next;
    const rows = await next.rows;
    next = uids.length < SEARCH_PAGE ? { uids: [], rows: Promise.resolve([]) } : await fetch(uids[uids.length - 1]!); // a short page is the last
    const near = new Map<string, Neighbour[]>(uids.map((u) => [u, []]));
    for (const r of rows) near.get(r.item_uid)?.push({ uid: r.neighbour, distance: r.distance });
    for (const list of near.values()) list.sort(nearestFirst);
    const members = new Set<string>();
    for (const [uid, list] of near) {
      for (const n of list.slice(0, NEIGHBOURS)) {
        if (!candidate(n)) continue;
        members.add(uid);
        members.add(n.uid);
      }
    }
    const profiles = await pairs.profiles(members);
    const records: NeighbourhoodRecord[] = [];
    for (const [uid, list] of near) {
      const confirmed: string[] = [];
      for (const n of list.slice(0, NEIGHBOURS)) {
        if (candidate(n) && pairs.isPair(profiles, uid, n.uid)) confirmed.push(uid, n.uid);
      }
      // A full list ends at its horizon; a shorter one holds every other item of the run.
      const horizon = list.length === NEIGHBOUR_DEPTH ? list[NEIGHBOUR_DEPTH - 1]! : null;
      records.push(neighbourhoodRecord(uid, list, confirmed, horizon));
    }
    await insertNeighbourhoods(deps.db, run.id, embedder.model, records);
    searched += uids.length;
  }
  return searched;
}

/**
 * The term statistics the run decides its pairs under, and what it carries from the previous run. A retried
 * finalize keeps the statistics its first attempt chose (pairs may already be decided under them), and carries
 * again only if that attempt carried (carrying is idempotent). Null statistics: the run takes a new snapshot.
 */
async function chooseStats(deps: Deps, run: RunRef, exact: boolean, timings: Record<string, number>): Promise<{ choice: StatsChoice | null; carry: CarryPlan | null }> {
  const own = await runStatsState(deps.db, run.id);
  const ownStats = own.termStatsId ? await termStats(deps, own.termStatsId) : null;
  if (!ownStats) {
    const carry = await planCarry(deps, run, exact, timings);
    return { choice: carry?.stats ?? null, carry };
  }
  const choice = { id: own.termStatsId!, stats: ownStats, changedSince: own.changedSinceStats };
  const previous = run.previousRunId ? await runStatsState(deps.db, run.previousRunId) : null;
  return { choice, carry: previous?.termStatsId === own.termStatsId ? await planCarry(deps, run, exact, timings) : null };
}

/**
 * The run's duplicates: the copy pairs confirmed in its neighbourhoods joined into groups; each group keeps one
 * copy (keepFirst: furthest along, then oldest, then smallest id). Only items in a pair are held in memory.
 */
async function decideDuplicates(deps: Deps, run: RunRef, timings: Record<string, number>): Promise<{ clusters: string[][]; duplicates: Map<string, string>; searched: number; carried: number; patched: number; analysed: number }> {
  const duplicates = new Map<string, string>(); // uid → uid to keep
  if (!deps.embedder) return { clusters: [], duplicates, searched: 0, carried: 0, patched: 0, analysed: 0 };
  const exact = run.total <= EXACT_NEIGHBOURS_MAX;
  let t = performance.now();
  // Profiles of the changed items are analysed while the database works out what changed since the previous run.
  const tProfiles = t;
  const profiled = ensureProfiles(deps, run).then((n) => ((timings.ms_profiles = Math.round(performance.now() - tProfiles)), n));
  const [analysed, { choice: chosen, carry }] = await Promise.all([profiled, chooseStats(deps, run, exact, timings)]);
  let choice = chosen;
  if (!choice) {
    const id = newId('terms');
    await createTermStats(deps.db, { id, workspaceId: run.workspace_id, runId: run.id });
    choice = { id, stats: (await termStats(deps, id))!, changedSince: 0 };
  }
  await setRunStats(deps.db, run.id, choice.id, choice.changedSince);
  const pairs = pairDecider(deps, run.workspace_id, choice.stats);
  const { carried, patched, searched: searchedNear } = carry ? await carryAndSearch(deps, run, carry, exact, pairs, timings) : { carried: 0, patched: 0, searched: 0 };
  timings.ms_carry = Math.round(performance.now() - t);
  t = performance.now();
  // Every item left without a neighbourhood: all of them on a first run (in pages), normally none after carrying.
  // Carried, patched and searched are disjoint sets of the run's items with a vector; when they add up to all of
  // them (a carry that found rows already written, on a retry, counts fewer), none is left and the look is skipped.
  // (Carried and patched items have a vector because an item's vector row is never deleted, only updated.)
  const covered = carry && carried + patched + searchedNear === carry.withVector;
  const left = carry ? (covered ? [] : await unsearchedAll(deps.db, { workspaceId: run.workspace_id, runId: run.id, model: deps.embedder.model })) : undefined;
  if (carry) timings.unsearched_looked_up = covered ? 0 : 1;
  const searched = searchedNear + (await searchNeighbourhoods(deps, run, exact, pairs, left));
  timings.ms_search = Math.round(performance.now() - t);
  t = performance.now();
  const confirmed = new UnionFind();
  for (let after = ''; ; ) {
    const page = await confirmedPairsPage(deps.db, run.id, after, PASS_PAGE);
    for (const [a, b] of page.pairs) confirmed.union(a, b);
    if (page.last === null) break;
    after = page.last;
  }
  // Groups in batches of about PASS_PAGE items, one query each for what keepFirst reads.
  const clusters: string[][] = [];
  let batch: string[][] = [];
  let size = 0;
  const decide = async () => {
    const keys = await loadKeepKeys(deps.db, run.workspace_id, batch.flat());
    const resolved = resolveGroups(batch.map((group) => group.flatMap((uid) => (keys.has(uid) ? [{ ...keys.get(uid)!, uid }] : []))));
    for (const { keep, copies } of resolved.kept) for (const c of copies) duplicates.set(c.uid, keep.uid);
    clusters.push(...resolved.clusters);
    batch = [];
    size = 0;
  };
  for (const group of confirmed.groups()) {
    if (size && size + group.length > PASS_PAGE) await decide();
    batch.push(group);
    size += group.length;
  }
  if (size) await decide();
  timings.ms_groups = Math.round(performance.now() - t);
  return { clusters: clusters.sort((a, b) => (a[0]! < b[0]! ? -1 : 1)), duplicates, searched, carried, patched, analysed };
}

/**
 * Decides and writes the duplicate verdict of each copy (the copy to keep is left as scored): the engine scores it
 * as a duplicate of the kept item, in the context of its parent and children. A copy whose verdict cannot have
 * changed since the previous run (reuseDuplicateVerdicts) keeps that run's verdict without being scored again.
 */
async function decideVerdicts(
  deps: Deps,
  run: { id: string; workspace_id: string; now: Date },
  previousRunId: string | null,
  index: StrategyIndex,
  duplicates: Map<string, string>,
  counts: Record<string, number>,
): Promise<Map<string, VerdictView>> {
  if (!duplicates.size) return new Map();
  const loaded = new Map((await loadItems(deps.db, run.workspace_id, [...new Set([...duplicates.keys(), ...duplicates.values()])])).map((i) => [i.uid, i]));
  const copies = [...duplicates].flatMap(([copy, keep]) => (loaded.has(copy) && loaded.has(keep) ? [{ copy, keep, keep_id: loaded.get(keep)!.item.id }] : []));
  const kept = previousRunId ? await reuseDuplicateVerdicts(deps.db, { runId: run.id, previousRunId, copies }) : new Map<string, VerdictView>();
  const dupItems = copies.filter((c) => !kept.has(c.copy)).map((c) => loaded.get(c.copy)!);
  const { parents, children } = await loadRelatives(deps.db, run.workspace_id, dupItems);
  const context = [...parents, ...children].map((p) => p.item);
  const verdicts: DuplicateVerdict[] = dupItems.map((d) => {
    const keep = loaded.get(duplicates.get(d.uid)!)!.item;
    const r = scoreAsDuplicate(index, d.item, context, { id: keep.id, title: keep.title }, { now: run.now });
    return { item_uid: d.uid, score: r.score, stop: r.stop };
  });
  await setDuplicateVerdicts(deps.db, run.id, verdicts);
  counts.verdicts_reused = kept.size;
  counts.verdicts_decided = verdicts.length;
  return new Map([...kept, ...verdicts.map((v): [string, VerdictView] => [v.item_uid, v])]);
}

export async function finalizeRun(deps: Deps, payload: { workspace_id: string; run_id: string }): Promise<{ duplicates: number; suggestions: number }> {
  const run = await requireRun(deps.db, payload.workspace_id, payload.run_id);
  if (run.status !== 'running') return { duplicates: run.counts.duplicates ?? 0, suggestions: run.counts.suggestions ?? 0 };
  const started = performance.now();
  const index = await strategyIndexFor(deps, run.workspace_id, run.strategy_version);

  // 1. Duplicates: which items are redundant copies, and of which item.
  // Statistics go stale after a bulk ingest and a run's inserts; the queries below need them. After an earlier run,
  // the score rows are refreshed once this run has finished instead (ANALYZE_AFTER_RUN): refreshing them (~0.15 s
  // every few runs, as they pass 4x the size last analysed) would only delay the run.
  const tAnalyze = performance.now();
  const [previous] = (await finishedRuns(deps.db, run.workspace_id, 1)).filter((r) => r.strategy_version === run.strategy_version && r.scorer === run.scorer);
  const analyzeLater = previous ? ANALYZE_AFTER_RUN : [];
  const analyzed = await analyzeIfStale(deps.db, STATS_TABLES.filter((t) => !analyzeLater.includes(t)));
  const timings: Record<string, number> = { ms_strategy: Math.round(tAnalyze - started), ms_analyze: Math.round(performance.now() - tAnalyze) };
  const { clusters, duplicates, searched, carried, patched, analysed } = await decideDuplicates(
    deps,
    { id: run.id, workspace_id: run.workspace_id, total: run.counts.total ?? 0, previousRunId: previous?.id ?? null },
    timings,
  );
  const afterDuplicates = performance.now();
  // The copies' duplicate verdicts are decided and written while the pass below reads the run's rows.
  const verdictsWritten = decideVerdicts(deps, run, previous?.id ?? null, index, duplicates, timings).then((v) => ((timings.ms_verdicts = Math.round(performance.now() - afterDuplicates)), v));
  verdictsWritten.catch(() => undefined); // awaited below

  // 2. Stop suggestions across the run, and 3. the portfolio, in one pass over the run's final scores (narrow rows;
  // the candidates are held without their reasons, which the suggestions copy from the score rows in SQL). A copy's
  // row may be read before or after its verdict is written: the pass takes the verdict itself.
  const suppressed = await suppressedItems(deps.db, run.workspace_id, run.strategy_version, SNOOZE_DAYS);
  const candidates: StopCandidate[] = [];
  // By the caller's id; a list, because two sources may use the same id (each keeps its own suggestion).
  const meta = new Map<string, { uid: string; hash: string; team: string | null }[]>();
  const portfolio = createPortfolioAccumulator(index.strategy);
  const fetch = (after: string) => {
    const page = passPage(deps.db, run.id, after, PASS_PAGE);
    page.catch(() => undefined); // awaited in turn below
    return page;
  };
  for (let next = fetch(''); ; ) {
    const page = await next;
    if (!page.length) break;
    next = fetch(page[page.length - 1]!.item_uid);
    for (const row of page) {
      const verdict = duplicates.has(row.item_uid) ? (await verdictsWritten).get(row.item_uid) : undefined;
      const { objective_id, kr_id, execution_health, flags } = verdict?.score ?? row;
      portfolio.add({ objective_id, kr_id, execution_health, flags } as ItemScore, row.points);
      const stop = verdict ? verdict.stop : row.stop;
      if (stop && suppressed.get(row.item_uid) !== row.content_hash) {
        const c = { ...stop, reasons: [] } as unknown as StopCandidate;
        candidates.push(c);
        (meta.get(c.id) ?? meta.set(c.id, []).get(c.id)!).push({ uid: row.item_uid, hash: row.content_hash, team: row.team });
      }
    }
  }
  await verdictsWritten; // the suggestions copy their reasons from the written rows
  const afterPass = performance.now();
  const ranked = rankStops(candidates);
  candidates.length = 0;
  const suggestions: RankedSuggestion[] = ranked.map((s) => {
    const m = meta.get(s.id)!.shift()!;
    return { id: newId('sug'), item_uid: m.uid, rank: s.rank, action: s.action, capacity_points: s.capacity_points, confidence: s.confidence, item_content_hash: m.hash, team: m.team };
  });
  await deps.db.transaction(async (tx) => {
    await clearSuggestions(tx, run.id);
    for (let i = 0; i < suggestions.length; i += PASS_PAGE) await insertRankedSuggestions(tx, run.id, run.workspace_id, run.strategy_version, suggestions.slice(i, i + PASS_PAGE));
    await insertPortfolio(tx, run.id, run.workspace_id, portfolio.result(clusters));
    await markFinished(tx, run.id, { duplicates: duplicates.size, suggestions: suggestions.length });
  });
  // Only the latest finished run's neighbourhoods are read again (by the next run): the earlier ones go. (A run
  // finalizing meanwhile from an earlier run's neighbourhoods loses nothing: it searches any item left without one.)
  const tPrune = performance.now();
  const pruned = await pruneNeighbourhoods(deps.db, run.workspace_id, run.id);
  timings.ms_prune_after_finish = Math.round(performance.now() - tPrune);
  // The run is finished: a failed refresh is only logged (the next run's refresh, after it finishes, catches up).
  const tAnalyzeAfter = performance.now();
  const analyzedAfterFinish = await analyzeIfStale(deps.db, analyzeLater).catch((err: unknown) => {
    deps.logger.warn('statistics not refreshed after the run', { run: run.id, error: err instanceof Error ? err.message : String(err) });
    return [] as string[];
  });
  timings.ms_analyze_after_finish = Math.round(performance.now() - tAnalyzeAfter);
  deps.logger.debug('run finalized', {
    run: run.id,
    analyzed,
    analyzed_after_finish: analyzedAfterFinish,
    profiles_analysed: analysed,
    neighbourhoods_carried: carried,
    neighbourhoods_patched: patched,
    neighbourhoods_pruned: pruned,
    neighbourhoods_searched: searched,
    duplicates: duplicates.size,
    suggestions: suggestions.length,
    ...timings,
    ms_duplicates: Math.round(afterDuplicates - started),
    ms_verdicts_pass: Math.round(afterPass - afterDuplicates),
    ms_rank_write: Math.round(performance.now() - afterPass),
    ms_total: Math.round(performance.now() - started),
  });
  return { duplicates: duplicates.size, suggestions: suggestions.length };
}
