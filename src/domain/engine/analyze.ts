// One backlog item → everything the heuristics need, computed once: cleaned text, weighted terms, a
// sentence vector, status/type classes and text features. Per-item and pure, so a queue worker can
// analyse items in any batch size and the results combine the same way.
import type { BacklogItem } from '../contracts.ts';
import { cleanText, emptyFeatures, type TextFeatures } from './clean.ts';
import { stripInstructions } from './injection.ts';
import { sentenceVectorOf } from './semantic.ts';
import { detectLanguage, tokenize, tokenizeWords, words, type Token } from './tokens.ts';
import type { WordVectors } from './vectors.ts';

const GOAL_REF_LABEL_RE = /^(?:okr|kr|obj|objective|goal|o)[-_ .:]?\w*\d\w*$/i;

export type StatusClass = 'todo' | 'in_progress' | 'blocked' | 'done';

/** Title words weigh most: the title is the item's own one-line summary; descriptions wander. */
export const TITLE_WEIGHT = 3;
/** Labels are curated topic words, but terse and sometimes stale. */
export const LABEL_WEIGHT = 1.5;
/** Description words count once each plus log(tf): repetition adds little evidence. */
export const DESC_WEIGHT = 1;
/** Long descriptions (pasted specs, logs) are cut after this many tokens: enough to state the topic. */
const MAX_DESC_TOKENS = 600;

export interface AnalyzedItem {
  id: string;
  /** Position in the input. */
  index: number;
  item: BacklogItem;
  type: string;
  status: StatusClass;
  points: number | null;
  parentId: string | null;
  createdMs: number | null;
  updatedMs: number | null;
  title: string;
  /** Cleaned title + description, lower-case, for cue patterns (no code, logs or templates). */
  text: string;
  terms: Map<string, number>;
  /** A surface word for each stem in `terms` (for word-vector lookups). */
  stemWords: Map<string, string>;
  titleStems: Set<string>;
  /** Content tokens in the title / description (after stop words). */
  titleTokens: number;
  descTokens: number;
  labels: string[];
  features: TextFeatures;
  /** Instruction-like text was found (and removed before matching). */
  injection: boolean;
  vector: Float32Array | null;
}

const STATUS_PATTERNS: readonly [StatusClass, RegExp][] = [
  ['done', /^(?:done|closed|resolved|complete|completed|shipped|merged|released|fixed|cancel+ed|won'?t\s*(?:do|fix)|rejected|archived|duplicate|obsolete)$/],
  ['in_progress', /^(?:in[\s_-]*progress|doing|started|active|wip|in[\s_-]*review|review|code[\s_-]*review|qa|testing|in[\s_-]*qa|in[\s_-]*development|implementing)$/],
  ['blocked', /^(?:blocked|on[\s_-]*hold|waiting|paused|stalled|parked)$/],
];

export function statusClass(status: string | null | undefined): StatusClass {
  const s = (status ?? '').trim().toLowerCase();
  for (const [cls, re] of STATUS_PATTERNS) if (re.test(s)) return cls;
  return 'todo';
}

export function parseTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

function addTokens(terms: Map<string, number>, tokens: readonly Token[], weight: number, logTf: boolean): void {
  if (!logTf) {
    for (const t of tokens) terms.set(t.stem, Math.max(terms.get(t.stem) ?? 0, 0) + weight);
    return;
  }
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t.stem, (tf.get(t.stem) ?? 0) + 1);
  for (const [s, n] of tf) terms.set(s, (terms.get(s) ?? 0) + weight * (1 + Math.log(n)));
}

export function analyzeItem(item: BacklogItem, index: number, vectors?: WordVectors): AnalyzedItem {
  const features = emptyFeatures();
  const rawTitle = stripInstructions(item.title ?? '');
  const rawDesc = stripInstructions(item.description ?? '');
  const title = cleanText(rawTitle.text, emptyFeatures()).replace(/\s+/g, ' ').trim();
  const desc = cleanText(rawDesc.text, features);
  const titleWords = words(title);
  const descWords = words(desc);
  const lang = detectLanguage(descWords.length ? [...titleWords, ...descWords.slice(0, 300)] : titleWords);
  const titleTok = tokenizeWords(titleWords, lang);
  const descTok = tokenizeWords(descWords, lang).slice(0, MAX_DESC_TOKENS);
  // Labels that reference goal ids ("okr-o3", "kr2") are claims, not topics: they are often stale or wrong,
  // so they are not read as words (the text decides the link).
  const labels = (item.labels ?? []).map((l) => l.trim()).filter((l) => l && !GOAL_REF_LABEL_RE.test(l));
  const labelTok = labels.length ? tokenize(labels.join(' '), 'en') : [];
  const terms = new Map<string, number>();
  addTokens(terms, titleTok, TITLE_WEIGHT, false);
  addTokens(terms, labelTok, LABEL_WEIGHT, false);
  addTokens(terms, descTok, DESC_WEIGHT, true);
  const stemWords = new Map<string, string>();
  const byWord = new Map<string, number>();
  const note = (toks: readonly Token[], weight: number) => {
    for (const t of toks) {
      if (!stemWords.has(t.stem)) stemWords.set(t.stem, t.word);
      byWord.set(t.word, (byWord.get(t.word) ?? 0) + weight);
    }
  };
  note(titleTok, TITLE_WEIGHT);
  note(labelTok, LABEL_WEIGHT);
  note(descTok, DESC_WEIGHT);
  const vector = vectors ? sentenceVectorOf(vectors, byWord) : null;
  return {
    id: item.id,
    index,
    item,
    type: (item.type ?? '').trim().toLowerCase(),
    status: statusClass(item.status),
    points: typeof item.estimate_points === 'number' ? item.estimate_points : null,
    parentId: item.parent_id ?? null,
    createdMs: parseTime(item.created_at),
    updatedMs: parseTime(item.updated_at),
    title,
    text: `${title}\n${desc}`.toLowerCase(),
    terms,
    stemWords,
    titleStems: new Set(titleTok.map((t) => t.stem)),
    titleTokens: titleTok.length,
    descTokens: descTok.length,
    labels,
    features,
    injection: rawTitle.found || rawDesc.found,
    vector,
  };
}
