// One backlog item → everything the heuristics need, computed once: cleaned text, weighted terms, a
// sentence vector, status/type classes and text features. Per-item and pure, so a queue worker can
// analyse items in any batch size and the results combine the same way.
import type { BacklogItem } from '../contracts.ts';
import { cleanText, emptyFeatures, type TextFeatures } from './clean.ts';
import { stripInstructions } from './injection.ts';
import { mayContainCue } from './health.ts';
import { sentenceVectorOfRefs } from './semantic.ts';
import { float64Array } from './slab.ts';
import { detectItemLanguage, internGeneration, scanWords, ScratchList, tokenizeEntries, trimCaches, WordList, type Interned, type Token } from './tokens.ts';
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
  /**
   * The item's distinct stems in first-seen order (title, then labels, then description), as interned
   * records (`.text` is the stem). The title's stems come first: the first `titleStemCount` of them.
   */
  termRefs: readonly Interned[];
  /** Weight of each stem of termRefs: title and label occurrences add their weight, description 1 + log tf. */
  termWeights: Float64Array;
  /** A surface word for each stem of termRefs (the first token that had it), for word-vector lookups. */
  termWords: readonly string[];
  /** Sum of termWeights in order: the document length for BM25. */
  termsLength: number;
  /** How many of termRefs come from the title. */
  titleStemCount: number;
  /** Generation of the interning tables termRefs come from (see internGeneration): within one, a record per stem. */
  generation: number;
  /** stem → weight (a Map view of the lists, built on first use). */
  readonly terms: ReadonlyMap<string, number>;
  /** stem → surface word (a Map view of the lists, built on first use). */
  readonly stemWords: ReadonlyMap<string, string>;
  /** The title's stems (a Set view of the first titleStemCount stems, built on first use). */
  readonly titleStems: ReadonlySet<string>;
  /** Stems of the labels' words (in order, repeats kept). */
  labelStems: string[];
  /** Content tokens in the title / description (after stop words). */
  titleTokens: number;
  descTokens: number;
  labels: string[];
  features: TextFeatures;
  /** Instruction-like text was found (and removed before matching). */
  injection: boolean;
  /** Some word of the cleaned text may start an execution-health cue (false: assessHealth skips the search). */
  mayHaveCue: boolean;
  vector: Float32Array | null;
}

const STATUS_PATTERNS: readonly [StatusClass, RegExp][] = [
  ['done', /^(?:done|closed|resolved|complete|completed|shipped|merged|released|fixed|cancel+ed|won'?t\s*(?:do|fix)|rejected|archived|duplicate|obsolete)$/],
  ['in_progress', /^(?:in[\s_-]*progress|doing|started|active|wip|in[\s_-]*review|review|code[\s_-]*review|qa|testing|in[\s_-]*qa|in[\s_-]*development|implementing)$/],
  ['blocked', /^(?:blocked|on[\s_-]*hold|waiting|paused|stalled|parked)$/],
];

/** Status strings repeat across a backlog: each distinct one is classified once (bounded, cleared when full). */
const statusCache = new Map<string, StatusClass>();
const STATUS_CACHE_MAX = 1_000;

export function statusClass(status: string | null | undefined): StatusClass {
  const key = status ?? '';
  let cls = statusCache.get(key);
  if (cls === undefined) {
    const s = key.trim().toLowerCase();
    cls = STATUS_PATTERNS.find(([, re]) => re.test(s))?.[0] ?? 'todo';
    if (statusCache.size >= STATUS_CACHE_MAX) statusCache.clear();
    statusCache.set(key, cls);
  }
  return cls;
}

export function parseTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = s.length === 20 ? utcSeconds(s) : NaN; // the usual export form, read without Date.parse
  const u = Number.isNaN(t) ? Date.parse(s) : t;
  return Number.isFinite(u) ? u : null;
}

/** The decimal digit at s[i], or NaN. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * "YYYY-MM-DDTHH:MM:SSZ" (years 1000–9999, fields in range) as Date.parse reads it, or NaN for anything
 * else (then Date.parse decides). Date.UTC rolls a day past the month's end over as Date.parse does.
 */
function utcSeconds(s: string): number {
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== 'Z') return NaN;
  const year = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
  const month = digitAt(s, 5) * 10 + digitAt(s, 6);
  const day = digitAt(s, 8) * 10 + digitAt(s, 9);
  const hour = digitAt(s, 11) * 10 + digitAt(s, 12);
  const minute = digitAt(s, 14) * 10 + digitAt(s, 15);
  const second = digitAt(s, 17) * 10 + digitAt(s, 18);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Number of the current tally. The per-item sums of analyzeItem live on the interned stem/word records
 * (tokens.ts), stamped with this number, instead of in per-item Maps; a new item takes a new number.
 */
let tally = 0;

/** Adds title or label tokens: each occurrence adds `weight` to its stem and its word. */
function tallyFlat(tokens: readonly Token[], count: number, weight: number, t: number, stems: ScratchList<Interned>, ws: ScratchList<Interned>): void {
  for (let i = 0; i < count; i++) {
    const tok = tokens[i]!;
    const s = tok.stemRef;
    if (s.mark !== t) { s.mark = t; s.sum = 0; s.count = 0; s.first = tok.word; stems.push(s); }
    s.sum = Math.max(s.sum, 0) + weight;
    tallyWord(tok, weight, t, ws);
  }
}

function tallyWord(tok: Token, weight: number, t: number, ws: ScratchList<Interned>): void {
  const w = tok.wordRef;
  if (w.mark !== t) { w.mark = t; w.sum = 0; ws.push(w); }
  w.sum += weight;
}

/** Counts description tokens per stem (weighted by log tf afterwards); each occurrence adds `weight` to its word. */
function tallyCounted(tokens: readonly Token[], count: number, weight: number, t: number, stems: ScratchList<Interned>, ws: ScratchList<Interned>): void {
  for (let i = 0; i < count; i++) {
    const tok = tokens[i]!;
    const s = tok.stemRef;
    if (s.mark !== t) { s.mark = t; s.sum = 0; s.count = 0; s.first = tok.word; stems.push(s); }
    s.count++;
    tallyWord(tok, weight, t, ws);
  }
}

/** Runs of white space as one space, trimmed; text whose only white space is single spaces is just trimmed. */
function collapseSpaces(s: string): string {
  return / {2}|[^\S ]/.test(s) ? s.replace(/\s+/g, ' ').trim() : s.trim();
}

/** Lists analyzeItem fills and reads for one item only (it is not re-entrant, so one set serves every call). */
const scratch = {
  titleWords: new WordList(), descWords: new WordList(),
  titleTok: new ScratchList<Token>(), descTok: new ScratchList<Token>(),
  labelWords: new WordList(), labelTok: new ScratchList<Token>(),
  stems: new ScratchList<Interned>(), words: new ScratchList<Interned>(), weights: [] as number[],
};

export function analyzeItem(item: BacklogItem, index: number, vectors?: WordVectors): AnalyzedItem {
  trimCaches(); // between items only: all tokens of this item must come from the same interning tables
  const features = emptyFeatures();
  const rawTitle = stripInstructions(item.title ?? '');
  const rawDesc = stripInstructions(item.description ?? '');
  const title = collapseSpaces(cleanText(rawTitle.text, emptyFeatures()));
  const desc = cleanText(rawDesc.text, features);
  // Scratch lists, reused from item to item (nothing below keeps them).
  const titleWords = scanWords(title, scratch.titleWords);
  const descWords = scanWords(desc, scratch.descWords);
  const lang = detectItemLanguage(titleWords, descWords, LANGUAGE_SAMPLE_WORDS);
  const titleTok = tokenizeEntries(titleWords, lang, Infinity, scratch.titleTok);
  const descTok = tokenizeEntries(descWords, lang, MAX_DESC_TOKENS, scratch.descTok);
  // Labels that reference goal ids ("okr-o3", "kr2") are claims, not topics: they are often stale or wrong,
  // so they are not read as words (the text decides the link).
  const labels = (item.labels ?? []).map((l) => l.trim()).filter((l) => l && !GOAL_REF_LABEL_RE.test(l));
  const labelTok = labels.length ? tokenizeEntries(scanWords(labels.join(' '), scratch.labelWords), 'en', Infinity, scratch.labelTok) : scratch.labelTok.reset();
  // Weighted terms: title and label occurrences add their weight; description stems add 1 + log(tf).
  // The stem order (first seen: title, labels, description) is the Map order the old Map-based tally had.
  const t = ++tally;
  const stems = scratch.stems.reset();
  const ws = scratch.words.reset();
  tallyFlat(titleTok.items, titleTok.length, TITLE_WEIGHT, t, stems, ws);
  const titleStemCount = stems.length; // the title's distinct stems are the first ones tallied
  tallyFlat(labelTok.items, labelTok.length, LABEL_WEIGHT, t, stems, ws);
  tallyCounted(descTok.items, descTok.length, DESC_WEIGHT, t, stems, ws);
  const n = stems.length;
  const termRefs = stems.items.slice(0, n);
  const termWeights = float64Array(n);
  const termWords = new Array<string>(n);
  let termsLength = 0;
  for (let i = 0; i < n; i++) {
    const s = termRefs[i]!;
    // log(1) is 0: a stem seen once in the description (the usual case) needs no logarithm.
    const w = s.count === 0 ? s.sum : s.sum + DESC_WEIGHT * (s.count === 1 ? 1 : 1 + Math.log(s.count));
    termWeights[i] = w;
    termWords[i] = s.first;
    termsLength += w;
  }
  let vector: Float32Array | null = null;
  if (vectors) {
    const weights = scratch.weights;
    for (let i = 0; i < ws.length; i++) weights[i] = ws.items[i]!.sum;
    vector = sentenceVectorOfRefs(vectors, ws.items, weights, ws.length);
  }
  const labelStems = new Array<string>(labelTok.length);
  for (let i = 0; i < labelTok.length; i++) labelStems[i] = labelTok.items[i]!.stem;
  return new Analyzed(
    item, index, statusClass(item.status), parseTime(item.created_at), parseTime(item.updated_at), title,
    `${title}\n${desc}`.toLowerCase(), termRefs, termWeights, termWords, termsLength, titleStemCount, labelStems,
    titleTok.length, descTok.length, labels, features, rawTitle.found || rawDesc.found, mayContainCue([titleWords, descWords]), vector,
  );
}

/** AnalyzedItem with its Map and Set views built on first use (most of the engine reads the lists). */
class Analyzed implements AnalyzedItem {
  readonly id: string;
  readonly type: string;
  readonly points: number | null;
  readonly parentId: string | null;
  readonly generation = internGeneration();
  private termMap: Map<string, number> | null = null;
  private wordMap: Map<string, string> | null = null;
  private titleSet: Set<string> | null = null;

  constructor(
    readonly item: BacklogItem,
    readonly index: number,
    readonly status: StatusClass,
    readonly createdMs: number | null,
    readonly updatedMs: number | null,
    readonly title: string,
    readonly text: string,
    readonly termRefs: readonly Interned[],
    readonly termWeights: Float64Array,
    readonly termWords: readonly string[],
    readonly termsLength: number,
    readonly titleStemCount: number,
    readonly labelStems: string[],
    readonly titleTokens: number,
    readonly descTokens: number,
    readonly labels: string[],
    readonly features: TextFeatures,
    readonly injection: boolean,
    readonly mayHaveCue: boolean,
    readonly vector: Float32Array | null,
  ) {
    this.id = item.id;
    this.type = (item.type ?? '').trim().toLowerCase();
    this.points = typeof item.estimate_points === 'number' ? item.estimate_points : null;
    this.parentId = item.parent_id ?? null;
  }

  get terms(): ReadonlyMap<string, number> {
    if (!this.termMap) {
      this.termMap = new Map();
      for (let i = 0; i < this.termRefs.length; i++) this.termMap.set(this.termRefs[i]!.text, this.termWeights[i]!);
    }
    return this.termMap;
  }

  get stemWords(): ReadonlyMap<string, string> {
    if (!this.wordMap) {
      this.wordMap = new Map();
      for (let i = 0; i < this.termRefs.length; i++) this.wordMap.set(this.termRefs[i]!.text, this.termWords[i]!);
    }
    return this.wordMap;
  }

  get titleStems(): ReadonlySet<string> {
    if (!this.titleSet) {
      this.titleSet = new Set();
      for (let i = 0; i < this.titleStemCount; i++) this.titleSet.add(this.termRefs[i]!.text);
    }
    return this.titleSet;
  }
}
