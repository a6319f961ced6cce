// Retrieval for answers: the active strategy's passages ranked for a question (and an item) by pgvector similarity
// within one embedding model — or by shared words when no vectors of the model exist — and everything Bearing knows
// about an item: its latest score and evidence, its parent epic, its near-duplicates and the latest run's suggestion.
import { liveItemsByIds, nearestItems, passageSimilarities, suggestionFor, type ItemSuggestion } from '../adapters/db/ask-reads.ts';
import type { ItemRow } from '../adapters/db/items.ts';
import { itemScoresPage, portfolioOf, type StoredScoreRow } from '../adapters/db/run-reads.ts';
import { finishedRuns, type RunRow } from '../adapters/db/runs.ts';
import type { Deps } from '../deps.ts';
import type { ItemScore } from '../domain/contracts.ts';
import { findDuplicates, scoreBatch } from '../domain/engine/index.ts';
import { stripInstructions } from '../domain/engine/injection.ts';
import { tokenize } from '../domain/engine/tokens.ts';
import type { StrategyPassage } from '../domain/strategy-chunks.ts';
import { itemEmbeddingText } from './embed.ts';
import { DUPLICATE_CANDIDATE_MIN_COSINE } from './finalize.ts';
import { loadItems, loadRelatives } from './score.ts';
import { strategyIndexFor } from './strategy-index-cache.ts';

/** With an item, how much its own vector counts against the question's when ranking passages: the item decides. */
export const ITEM_WEIGHT = 0.6;
/** Neighbours of an item checked for being copies of it (the engine's duplicate rule decides). */
export const DUPLICATE_NEIGHBOURS = 5;

export interface RankedPassage {
  passage: StrategyPassage;
  /** Combined relevance: cosine similarity (vector) or a shared-word score (lexical); higher is closer. */
  score: number;
  /** Similarity to the item alone (vector) or the item's shared words with the passage (lexical); null without item. */
  itemScore: number | null;
  /** Content words (stems) the passage shares with the question and item text. */
  shared: string[];
}

export interface Ranking {
  method: 'vector' | 'lexical';
  passages: RankedPassage[];
}

/** Text an answer may read from a user or an item, with instruction-like sentences removed. */
export const neutral = (text: string) => stripInstructions(text).text;

/** Content-word stems and, for each, the first surface word seen (to show which words two texts share). */
function wordsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tokenize(text)) if (!out.has(t.stem)) out.set(t.stem, t.word);
  return out;
}

/** Surface words of `a` whose stems `b` also has, in `a`'s order. */
export function sharedWords(a: string, b: string): string[] {
  const bs = wordsOf(b);
  return [...wordsOf(a)].filter(([stem]) => bs.has(stem)).map(([, word]) => word);
}

const byScore = (x: RankedPassage, y: RankedPassage) => y.score - x.score || (x.passage.id < y.passage.id ? -1 : x.passage.id > y.passage.id ? 1 : 0);

function lexicalRanking(passages: StrategyPassage[], question: string, itemText: string | null): Ranking {
  const ranked = passages.map((p): RankedPassage => {
    const q = sharedWords(question, p.text);
    const i = itemText === null ? null : sharedWords(itemText, p.text);
    // Shared words, damped by passage length so a long objective does not win on size alone.
    const damp = Math.log2(2 + wordsOf(p.text).size);
    const qs = q.length / damp;
    const is = i === null ? null : i.length / damp;
    return { passage: p, score: is === null ? qs : ITEM_WEIGHT * is + (1 - ITEM_WEIGHT) * qs, itemScore: is, shared: [...new Set([...(i ?? []), ...q])] };
  });
  return { method: 'lexical', passages: ranked.sort(byScore) };
}

/**
 * How long a question (or search query) may wait for its vector before it is ranked by shared words instead: an
 * answer's first event waits for retrieval, and a slow or hanging provider must not hold it (its own timeout and
 * retries can take a minute and more).
 */
export const QUERY_EMBED_MS = 500;

/**
 * One text's vector from the configured embedder, or null (no embedder, empty text, a failed or all-zero answer, or no
 * answer by `deadline`, a `Date.now()` time). A late answer is left to finish on its own and ignored.
 */
export async function embedQuery(deps: Pick<Deps, 'embedder' | 'logger'>, text: string, deadline: number): Promise<number[] | null> {
  if (!deps.embedder || !text.trim()) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((ok) => {
    timer = setTimeout(() => ok('late'), Math.max(0, deadline - Date.now()));
  });
  const answer = deps.embedder.embed([text]).then(([v]) => v, (e: unknown) => new Error(String(e)));
  try {
    const v = await Promise.race([answer, late]);
    if (v === 'late') {
      deps.logger.warn('query embedding timed out; ranking by shared words', { timeout_ms: QUERY_EMBED_MS });
      return null;
    }
    if (v instanceof Error) {
      deps.logger.warn('query embedding failed; ranking by shared words', { error: v.message });
      return null;
    }
    return v && v.some((x) => x !== 0) ? v : null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The version's passages, closest first. Vector ranking when the passages have vectors of the configured embedder's
 * model (the item's stored vector of that model counts too); otherwise ranking by shared words.
 */
export async function rankPassages(
  deps: Pick<Deps, 'db' | 'embedder' | 'logger'>,
  workspaceId: string,
  version: number,
  passages: StrategyPassage[],
  query: { question: string; item: { uid: string; text: string } | null },
): Promise<Ranking> {
  const question = neutral(query.question);
  const stripped = query.item ? stripInstructions(query.item.text) : null;
  const itemText = stripped ? stripped.text : null;
  if (!deps.embedder || !passages.length) return lexicalRanking(passages, question, itemText);
  const model = { model: deps.embedder.model, dims: deps.embedder.dimensions };
  // One deadline for every vector this ranking asks the provider for: the question's and the item's are asked at once.
  const deadline = Date.now() + QUERY_EMBED_MS;
  const embedItem = () => (itemText !== null ? embedQuery(deps, itemText, deadline) : Promise.resolve(null));
  // An item whose text carries instructions is compared by its text without them, not by its stored vector.
  const [qv, ownVector] = await Promise.all([embedQuery(deps, question, deadline), stripped?.found ? embedItem() : null]);
  // Without the question's vector (provider failing or slow) the question counts by its words.
  if (!qv) return lexicalRanking(passages, question, itemText);
  const itemRef = query.item ? (ownVector ? { vector: ownVector } : stripped?.found ? null : { uid: query.item.uid }) : null;
  let sims = await passageSimilarities(deps.db, workspaceId, model, version, { vector: qv, item: itemRef });
  if (!sims.length) return lexicalRanking(passages, question, itemText);
  if (itemRef && 'uid' in itemRef && sims.every((s) => s.item === null)) {
    // The item has no vector of this model yet (ingested after the last embedding pass): embed its text now.
    const iv = await embedItem();
    if (iv) sims = await passageSimilarities(deps.db, workspaceId, model, version, { vector: qv, item: { vector: iv } });
  }
  const byId = new Map(passages.map((p) => [p.id, p]));
  const ranked: RankedPassage[] = [];
  for (const s of sims) {
    const p = byId.get(s.passage_id);
    if (!p) continue;
    const is = itemText === null ? null : s.item;
    const qs = s.question;
    const score = is !== null && qs !== null ? ITEM_WEIGHT * is + (1 - ITEM_WEIGHT) * qs : (is ?? qs ?? 0);
    ranked.push({ passage: p, score, itemScore: is, shared: [...new Set([...(itemText ? sharedWords(itemText, p.text) : []), ...sharedWords(question, p.text)])] });
  }
  return { method: 'vector', passages: ranked.sort(byScore) };
}

// ---------------------------------------------------------------- an item and what Bearing knows about it

/** An item's score as answers read it: from its latest finished run, or estimated now (run_id and scored_at null). */
export type ItemScoreFacts = Omit<ItemScore, 'id'> & { strategy_version: number; run_id: string | null; scored_at: Date | null };

export interface RelatedItem {
  id: string;
  title: string;
  /** keep: the copy to keep (this item is the duplicate); copy: a duplicate of this item; similar: confirmed by the engine now. */
  relation: 'keep' | 'copy' | 'similar';
}

export interface ItemFacts {
  row: ItemRow;
  score: ItemScoreFacts | null;
  /** The item changed after the score was computed. */
  changedSinceScored: boolean;
  parent: ItemRow | null;
  duplicates: RelatedItem[];
  /** The latest finished run's stop suggestion for the item. */
  suggestion: ItemSuggestion | null;
  run: RunRow | null;
}

function fromStored(s: StoredScoreRow): ItemScoreFacts {
  const { external_id: _id, reused_from_run: _reused, scorer: _scorer, created_at, ...score } = s;
  return { ...score, scored_at: created_at };
}

/** The engine's verdict on the item as it is now, against the active strategy (nothing stored). */
async function estimate(deps: Deps, workspaceId: string, row: ItemRow, version: number): Promise<ItemScoreFacts | null> {
  const [loaded] = await loadItems(deps.db, workspaceId, [row.uid]);
  if (!loaded) return null;
  const { parents, children } = await loadRelatives(deps.db, workspaceId, [loaded]);
  const index = await strategyIndexFor(deps, workspaceId, version);
  const [r] = scoreBatch(index, [loaded.item], [...parents, ...children].map((x) => x.item), { now: deps.clock.now() });
  if (!r) return null;
  const { id: _id, ...score } = r.score;
  return { ...score, strategy_version: version, run_id: null, scored_at: null };
}

/** Copies of the item among its nearest neighbours (same model), as the engine's duplicate rule decides them now. */
async function similarItems(deps: Deps, workspaceId: string, row: ItemRow): Promise<RelatedItem[]> {
  if (!deps.embedder) return [];
  const model = { model: deps.embedder.model, dims: deps.embedder.dimensions };
  const near = (await nearestItems(deps.db, workspaceId, model, { itemUid: row.uid }, DUPLICATE_NEIGHBOURS)).filter((n) => n.similarity >= DUPLICATE_CANDIDATE_MIN_COSINE);
  if (!near.length) return [];
  const items = await loadItems(deps.db, workspaceId, [row.uid, ...near.map((n) => n.uid)]);
  const self = items.find((i) => i.uid === row.uid);
  if (!self) return [];
  const { duplicateOf } = findDuplicates(items.map((i) => i.item), deps.wordVectors);
  const out: RelatedItem[] = [];
  for (const i of items) {
    if (i.uid === row.uid) continue;
    const pairs = duplicateOf.get(i.item.id) === self.item.id || duplicateOf.get(self.item.id) === i.item.id;
    if (pairs) out.push({ id: i.item.id, title: i.item.title, relation: 'similar' });
  }
  return out;
}

export async function itemFacts(deps: Deps, workspaceId: string, row: ItemRow, activeVersion: number): Promise<ItemFacts> {
  const [[stored], [run]] = await Promise.all([itemScoresPage(deps.db, workspaceId, row.uid, 1), finishedRuns(deps.db, workspaceId, 1)]);
  const [score, suggestion, snapshot] = await Promise.all([
    stored ? fromStored(stored) : estimate(deps, workspaceId, row, activeVersion),
    run ? suggestionFor(deps.db, workspaceId, run.id, row.uid) : null,
    run ? portfolioOf(deps.db, workspaceId, run.id) : null,
  ]);
  const changedSinceScored = !!stored && row.changed_at.getTime() > stored.created_at.getTime();
  const parentId = row.parent_id && row.parent_id !== row.external_id ? row.parent_id : null;
  const cluster = snapshot?.portfolio.duplicate_clusters.find((c) => c.includes(row.external_id) && c[0] === row.external_id);
  const copyIds = cluster?.slice(1) ?? [];
  // The epic, the copy to keep and the copies, looked up together (the first source's item when sources share an id).
  const related = new Map<string, ItemRow>();
  for (const r of await liveItemsByIds(deps.db, workspaceId, [...(parentId ? [parentId] : []), ...(score?.duplicate_of ? [score.duplicate_of] : []), ...copyIds])) {
    if (!related.has(r.external_id)) related.set(r.external_id, r);
  }
  const parent = parentId ? (related.get(parentId) ?? null) : null;

  const duplicates: RelatedItem[] = [];
  const add = (d: RelatedItem) => {
    if (d.id !== row.external_id && !duplicates.some((x) => x.id === d.id)) duplicates.push(d);
  };
  const keep = score?.duplicate_of ? related.get(score.duplicate_of) : undefined;
  if (keep) add({ id: keep.external_id, title: keep.title, relation: 'keep' });
  for (const id of copyIds) {
    const copy = related.get(id);
    if (copy) add({ id: copy.external_id, title: copy.title, relation: 'copy' });
  }
  for (const d of await similarItems(deps, workspaceId, row)) add(d);
  return { row, score, changedSinceScored, parent, duplicates, suggestion, run: run ?? null };
}

/** The item's text as answers read it (title and description, like its embedding). */
export const itemText = (row: Pick<ItemRow, 'title' | 'description'>) => itemEmbeddingText(row);
