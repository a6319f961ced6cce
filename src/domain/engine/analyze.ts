// One backlog item → everything the heuristics need, computed once: cleaned text, weighted terms, a
// sentence vector, status/type classes and text features. Per-item and pure, so a queue worker can
// analyse items in any batch size and the results combine the same way.
import type { BacklogItem } from '../contracts.ts';
import { cleanText, emptyFeatures, type TextFeatures } from './clean.ts';
import { stripInstructions } from './injection.ts';
import { sentenceVectorOfRefs } from './semantic.ts';
import { detectItemLanguage, tokenizeWords, trimCaches, words, type Interned, type Token } from './tokens.ts';
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
/** Language detection reads the title and the first 300 description words: plenty of function words. */
const LANGUAGE_SAMPLE_WORDS = 300;

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
  /** Stems of the labels' words (in order, repeats kept). */
  labelStems: string[];
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

/**
 * Number of the current tally. The per-item sums of analyzeItem live on the interned stem/word records
 * (tokens.ts), stamped with this number, instead of in per-item Maps; a new item takes a new number.
 */
let tally = 0;

/** Adds title or label tokens: each occurrence adds `weight` to its stem and its word. */
function tallyFlat(tokens: readonly Token[], weight: number, t: number, stems: Interned[], ws: Interned[]): void {
  for (const tok of tokens) {
    const s = tok.stemRef;
    if (s.mark !== t) { s.mark = t; s.sum = 0; s.count = 0; s.first = tok.word; stems.push(s); }
    s.sum = Math.max(s.sum, 0) + weight;
    tallyWord(tok, weight, t, ws);
  }
}

function tallyWord(tok: Token, weight: number, t: number, ws: Interned[]): void {
  const w = tok.wordRef;
  if (w.mark !== t) { w.mark = t; w.sum = 0; ws.push(w); }
  w.sum += weight;
}

/** Counts description tokens per stem (weighted by log tf afterwards); each occurrence adds `weight` to its word. */
function tallyCounted(tokens: readonly Token[], weight: number, t: number, stems: Interned[], ws: Interned[]): void {
  for (const tok of tokens) {
    const s = tok.stemRef;
    if (s.mark !== t) { s.mark = t; s.sum = 0; s.count = 0; s.first = tok.word; stems.push(s); }
    s.count++;
    tallyWord(tok, weight, t, ws);
  }
}

export function analyzeItem(item: BacklogItem, index: number, vectors?: WordVectors): AnalyzedItem {
  trimCaches(); // between items only: all tokens of this item must come from the same interning tables
  const features = emptyFeatures();
  const rawTitle = stripInstructions(item.title ?? '');
  const rawDesc = stripInstructions(item.description ?? '');
  const title = cleanText(rawTitle.text, emptyFeatures()).replace(/\s+/g, ' ').trim();
  const desc = cleanText(rawDesc.text, features);
  const titleWords = words(title);
  const descWords = words(desc);
  const lang = detectItemLanguage(titleWords, descWords, LANGUAGE_SAMPLE_WORDS);
  const titleTok = tokenizeWords(titleWords, lang);
  const descTok = tokenizeWords(descWords, lang, MAX_DESC_TOKENS);
  // Labels that reference goal ids ("okr-o3", "kr2") are claims, not topics: they are often stale or wrong,
  // so they are not read as words (the text decides the link).
  const labels = (item.labels ?? []).map((l) => l.trim()).filter((l) => l && !GOAL_REF_LABEL_RE.test(l));
  const labelTok = labels.length ? tokenizeWords(words(labels.join(' ')), 'en') : [];
  // Weighted terms: title and label occurrences add their weight; description stems add 1 + log(tf).
  // The stem order (first seen: title, labels, description) is the Map order the old Map-based tally had.
  const t = ++tally;
  const stems: Interned[] = [];
  const ws: Interned[] = [];
  tallyFlat(titleTok, TITLE_WEIGHT, t, stems, ws);
  tallyFlat(labelTok, LABEL_WEIGHT, t, stems, ws);
  tallyCounted(descTok, DESC_WEIGHT, t, stems, ws);
  const terms = new Map<string, number>();
  /** A surface word for each stem: the first token that had it. */
  const stemWords = new Map<string, string>();
  for (const s of stems) {
    terms.set(s.text, s.count > 0 ? s.sum + DESC_WEIGHT * (1 + Math.log(s.count)) : s.sum);
    stemWords.set(s.text, s.first);
  }
  let vector: Float32Array | null = null;
  if (vectors) {
    const weights = new Array<number>(ws.length);
    for (let i = 0; i < ws.length; i++) weights[i] = ws[i]!.sum;
    vector = sentenceVectorOfRefs(vectors, ws, weights, ws.length);
  }
  const titleStems = new Set<string>();
  for (const tok of titleTok) titleStems.add(tok.stem);
  const labelStems = labelTok.map((tok) => tok.stem);
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
    titleStems,
    labelStems,
    titleTokens: titleTok.length,
    descTokens: descTok.length,
    labels,
    features,
    injection: rawTitle.found || rawDesc.found,
    vector,
  };
}
