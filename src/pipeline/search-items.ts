// Finding backlog items by what they are about (MCP `search_items`): nearest item vectors to the query's (same
// embedding model), or title words when no vectors exist; each with its score in the latest finished run.
import { itemsByTitleWords, nearestItems, runScoresOf, type RunItemScore } from '../adapters/db/ask-reads.ts';
import { finishedRuns } from '../adapters/db/runs.ts';
import type { Deps } from '../deps.ts';
import { words } from '../domain/engine/tokens.ts';
import { STOP_WORDS } from '../domain/engine/stopwords.ts';
import { embedQuery, neutral, QUERY_EMBED_MS } from './ask-retrieval.ts';
import { loadItems } from './score.ts';

/** Results per search at most. */
export const MAX_SEARCH_RESULTS = 50;
/** Title words a search without vectors requires (the longest of the query's content words). */
const LEXICAL_WORDS = 3;

export interface SearchHit {
  id: string;
  source: string | null;
  title: string;
  type: string | null;
  status: string | null;
  team: string | null;
  /** Cosine similarity to the query (vector search); null when found by title words. */
  similarity: number | null;
  score: Omit<RunItemScore, 'item_uid'> | null;
}

export interface SearchQuery {
  query: string;
  limit: number;
  team?: string;
  status?: string;
}

async function vectorSearch(deps: Deps, workspaceId: string, q: SearchQuery, text: string): Promise<{ uid: string; similarity: number | null }[] | null> {
  if (!deps.embedder) return null;
  const vector = await embedQuery(deps, text, Date.now() + QUERY_EMBED_MS);
  if (!vector) return null;
  const near = await nearestItems(deps.db, workspaceId, { model: deps.embedder.model, dims: deps.embedder.dimensions }, { vector }, q.limit, q);
  return near.length ? near : null;
}

async function titleSearch(deps: Deps, workspaceId: string, q: SearchQuery, text: string): Promise<{ uid: string; similarity: null }[]> {
  const content = [...new Set(words(text).filter((w) => w.length >= 3 && !STOP_WORDS.has(w)))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  for (let n = Math.min(LEXICAL_WORDS, content.length); n >= 1; n--) {
    const uids = await itemsByTitleWords(deps.db, workspaceId, content.slice(0, n), q.limit, q);
    if (uids.length) return uids.map((uid) => ({ uid, similarity: null }));
  }
  return [];
}

export async function searchItems(deps: Deps, workspaceId: string, q: SearchQuery): Promise<{ method: 'vector' | 'title'; run_id: string | null; items: SearchHit[] }> {
  const limit = Math.max(1, Math.min(MAX_SEARCH_RESULTS, q.limit));
  const text = neutral(q.query);
  const query = { ...q, limit };
  const byVector = await vectorSearch(deps, workspaceId, query, text);
  const found = byVector ?? (await titleSearch(deps, workspaceId, query, text));
  const uids = found.map((f) => f.uid);
  const [items, [run]] = await Promise.all([loadItems(deps.db, workspaceId, uids), finishedRuns(deps.db, workspaceId, 1)]);
  const scores = new Map(run ? (await runScoresOf(deps.db, workspaceId, run.id, uids)).map((s) => [s.item_uid, s]) : []);
  const byUid = new Map(items.map((i) => [i.uid, i]));
  const hits = found.flatMap((f): SearchHit[] => {
    const i = byUid.get(f.uid);
    if (!i) return [];
    const s = scores.get(f.uid);
    return [{
      id: i.item.id,
      source: i.item.source ?? null,
      title: i.item.title,
      type: i.item.type ?? null,
      status: i.item.status ?? null,
      team: i.team,
      similarity: f.similarity === null ? null : Math.round(f.similarity * 1000) / 1000,
      score: s ? { alignment: s.alignment, objective_id: s.objective_id, kr_id: s.kr_id, execution_health: s.execution_health, flags: s.flags, non_goal_id: s.non_goal_id, duplicate_of: s.duplicate_of } : null,
    }];
  });
  return { method: byVector ? 'vector' : 'title', run_id: run?.id ?? null, items: hits };
}
