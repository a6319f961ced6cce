// Tokenising cleaned text: code identifiers are split into words (`offerAccepted`, `offer_accepted` →
// offer, accepted), diacritics folded, German/Spanish glossary words mapped to English, stop words dropped,
// and each word stemmed (Porter for English, light stemmers for German/Spanish) behind a Map cache.
import { stemmer } from 'stemmer';
import { foldDiacritics, stemGerman, stemSpanish, translateWord } from './lang.ts';
import { LANGUAGE_MARKERS, STOP_WORDS } from './stopwords.ts';

export type Language = 'en' | 'de' | 'es';

/**
 * A list reused from item to item: `items` keeps its storage, `length` says how much of it is in use
 * (setting an array's length to 0 would give its storage back, and the next pushes would allocate again).
 */
export class ScratchList<T> {
  items: T[] = [];
  length = 0;
  reset(): this {
    this.length = 0;
    return this;
  }
  push(x: T): void {
    this.items[this.length++] = x;
  }
}

export interface Token {
  /** Lower-case, folded surface word (after glossary translation): what word vectors are looked up by. */
  word: string;
  /** Stem used for lexical matching. */
  stem: string;
  /** The interned records of `word` and `stem` (one object per distinct string): see Interned. */
  wordRef: Interned;
  stemRef: Interned;
}

/**
 * One object per distinct stem (or word) string. Per-item tallies (analyze.ts) are kept on these objects,
 * marked with the number of the tally they belong to, instead of in fresh Maps keyed by the string: this
 * is the hot path of analysing an item, and a field access is far cheaper than a Map lookup. Stems and
 * words are interned in separate tables, so a string that is both has two records.
 */
export class Interned {
  /** Number of the tally that last touched this record (see analyze.ts). */
  mark = 0;
  /** Tally scratch: summed weight, occurrence count, first surface word (stems only). */
  sum = 0;
  count = 0;
  first = '';
  /** Cached SIF-weighted word vector for `vectorsOf` (words only; semantic.ts). */
  vectorsOf: object | null = null;
  vector: Float32Array | null = null;
  /** Cached lexical-index entry of this stem for the index `lexicalOf` (stems only; lexical.ts). */
  lexicalOf: object | null = null;
  lexical: unknown = null;
  /** Cached id of this stem among the non-goal words of `nonGoalOf` (stems only; non-goals.ts). */
  nonGoalOf: object | null = null;
  nonGoal = -1;
  /** Id of this stem within one duplicate search `duplicatesOf` (stems only; duplicates.ts). */
  duplicatesOf: object | null = null;
  duplicatesId = -1;
  constructor(readonly text: string) {}
}

/** Interning tables; cleared together with the token caches (see trimCaches) so no two records share a string. */
const internedStems = new Map<string, Interned>();
/** Counts the clearings of the interning tables: records of one generation are one per string. */
let generation = 0;
export function internGeneration(): number {
  return generation;
}
const internedWords = new Map<string, Interned>();
function intern(table: Map<string, Interned>, text: string): Interned {
  let r = table.get(text);
  if (!r) table.set(text, (r = new Interned(text)));
  return r;
}

const WORD_RE = /\p{L}[\p{L}\p{N}]*(?:['’]\p{L}+)?/gu;
/** Cache size cap: a long-running worker sees an open vocabulary; beyond this the cache is cleared. */
const STEM_CACHE_MAX = 200_000;
const stemCache = new Map<string, string>();

export function stemEnglish(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/**
 * Splits code identifiers at case changes: camelCase, PascalCase ("HTMLParser" → HTML Parser).
 * snake_case, kebab-case and dotted.paths need no splitting: "_", "-", "." and the like are not word
 * characters of WORD_RE, so the words on either side come out separately anyway.
 */
function splitIdentifiers(text: string): string {
  if (!/\p{Lu}/u.test(text)) return text;
  return text
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2');
}

/** Raw lower-case words of a text, stop words included (used for language detection and phrases). */
export function words(text: string): string[] {
  const out: string[] = splitIdentifiers(text).toLowerCase().match(WORD_RE) ?? [];
  // Capitalised compounds ("GitHub", "JavaScript") also count whole: as names they mean more than their parts.
  const compounds = /\p{Lu}\p{Ll}+\p{Lu}/u.test(text) && text.match(/\b\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)+\b/gu);
  if (compounds) for (const c of compounds) out.push(c.toLowerCase());
  return out;
}

/**
 * Guesses German or Spanish from function words: at least 2 marker hits making up 6%+ of the words.
 * Both numbers keep a single borrowed word ("die", "con") in an English sentence from flipping the language.
 */
export function detectLanguage(ws: readonly string[]): Language {
  let de = 0;
  let es = 0;
  for (const w of ws) {
    if (LANGUAGE_MARKERS.de.has(w)) de++;
    if (LANGUAGE_MARKERS.es.has(w)) es++;
  }
  const min = Math.max(2, ws.length * 0.06);
  if (de >= min && de > es) return 'de';
  if (es >= min && es > de) return 'es';
  return 'en';
}

/** LANGUAGE_MARKERS as one lookup per word: bit 1 = German marker, bit 2 = Spanish marker. */
const DE_BIT = 1;
const ES_BIT = 2;
const MARKER_BITS = new Map<string, number>();
for (const w of LANGUAGE_MARKERS.de) MARKER_BITS.set(w, (MARKER_BITS.get(w) ?? 0) | DE_BIT);
for (const w of LANGUAGE_MARKERS.es) MARKER_BITS.set(w, (MARKER_BITS.get(w) ?? 0) | ES_BIT);

/**
 * detectLanguage over the title words followed by the first `sample` description words (or over the
 * title alone when there is no description), without building that list.
 */
export function detectItemLanguage(title: WordList, desc: WordList, sample: number): Language {
  let de = 0;
  let es = 0;
  const n = Math.min(sample, desc.length);
  for (let i = 0; i < title.length + n; i++) {
    const m = (i < title.length ? title.items[i]! : desc.items[i - title.length]!).markers;
    if (m & DE_BIT) de++;
    if (m & ES_BIT) es++;
  }
  const min = Math.max(2, (title.length + n) * 0.06);
  if (de >= min && de > es) return 'de';
  if (es >= min && es > de) return 'es';
  return 'en';
}

/**
 * What the tokeniser knows about one lower-case word: its language-marker bits (MARKER_BITS) and its token
 * in each language, computed on first need (undefined: not yet; null: no token, e.g. a stop word).
 */
export class WordEntry {
  en: Token | null | undefined = undefined;
  de: Token | null | undefined = undefined;
  es: Token | null | undefined = undefined;
  /** Whether the word may start an execution-health cue (health.ts): 0 not known yet, 1 no, 2 yes. */
  healthCue = 0;
  readonly markers: number;
  constructor(readonly word: string, readonly hash: number) {
    this.markers = MARKER_BITS.get(word) ?? 0;
  }
}

/**
 * All word entries (cleared with the interning tables, see trimCaches), by word, and indexed a second time
 * by a hash of their characters in an open-addressing table: the ASCII scanner (wordEntriesOf) finds a
 * word's entry from the characters of the text, without making a string for every word it reads.
 */
const entries = new Map<string, WordEntry>();
let slots: (WordEntry | undefined)[] = new Array(1 << 12);
let slotMask = (1 << 12) - 1;

/** FNV-1a over UTF-16 code units (the scanner computes the same hash as it reads, see wordEntriesOf). */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
function hashOf(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h;
}

function place(e: WordEntry): void {
  let at = e.hash & slotMask;
  while (slots[at] !== undefined) at = (at + 1) & slotMask;
  slots[at] = e;
}

function entryOf(word: string): WordEntry {
  let e = entries.get(word);
  if (e) return e;
  e = new WordEntry(word, hashOf(word));
  entries.set(word, e);
  // Keep the index at most half full (doubling it when needed), so probe runs stay short.
  if (entries.size * 2 > slots.length) {
    const old = slots;
    slots = new Array(old.length * 2);
    slotMask = slots.length - 1;
    for (const x of old) if (x) place(x);
  }
  place(e);
  return e;
}

function makeToken(word: string, stem: string): Token | null {
  if (stem.length < 2) return null;
  return { word, stem, wordRef: intern(internedWords, word), stemRef: intern(internedStems, stem) };
}

/** The token of a word in a language, cached on its entry. */
function tokenOf(e: WordEntry, lang: Language): Token | null {
  const hit = e[lang];
  if (hit !== undefined) return hit;
  const raw = e.word;
  let result: Token | null = null;
  const folded = foldDiacritics(raw.replace(/['’]s$/, '').replace(/['’]/g, ''));
  if (folded.length >= 2 && !STOP_WORDS.has(folded) && !STOP_WORDS.has(raw)) {
    const en = translateWord(folded);
    if (en) result = makeToken(en, stemEnglish(en));
    else if (lang === 'de') result = makeToken(folded, stemGerman(folded));
    else if (lang === 'es') result = makeToken(folded, stemSpanish(folded));
    else result = makeToken(folded, stemEnglish(folded));
  }
  // Entries are cleared by trimCaches, between items (never in the middle of one: see Interned).
  e[lang] = result;
  return result;
}

/**
 * Bounds the caches of a long-running process: beyond STEM_CACHE_MAX entries the word entries and the
 * interning tables are cleared together. Called before an item (or a stand-alone text) is tokenised, so
 * every token of one item refers to records from the same table.
 */
export function trimCaches(): void {
  if (internedStems.size < STEM_CACHE_MAX && internedWords.size < STEM_CACHE_MAX && entries.size < STEM_CACHE_MAX) return;
  internedStems.clear();
  internedWords.clear();
  entries.clear();
  generation++;
  slots = new Array(1 << 12);
  slotMask = (1 << 12) - 1;
}

export function tokenize(text: string, lang?: Language): Token[] {
  trimCaches();
  return tokenizeWords(words(text), lang);
}

/**
 * Tokens of already split words (lets callers split once and detect the language from the same words).
 * At most `limit` tokens are returned (the rest of the words are not looked at).
 */
export function tokenizeWords(ws: readonly string[], lang?: Language, limit = Infinity): Token[] {
  const l = lang ?? detectLanguage(ws);
  const out: Token[] = [];
  for (let i = 0; i < ws.length && out.length < limit; i++) {
    const t = tokenOf(entryOf(ws[i]!), l);
    if (t) out.push(t);
  }
  return out;
}

/** tokenizeWords over word entries (see scanWords), into `out` (reset first). */
export function tokenizeEntries(es: WordList, lang: Language, limit: number, out: ScratchList<Token>): ScratchList<Token> {
  out.reset();
  for (let i = 0; i < es.length && out.length < limit; i++) {
    const t = tokenOf(es.items[i]!, lang);
    if (t) out.push(t);
  }
  return out;
}

const ASCII_COMPOUND_TEST_RE = /[A-Z][a-z]+[A-Z]/;
const ASCII_COMPOUND_RE = /\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b/g;

/** ASCII character classes for the scanner, one table lookup per character. */
const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const APOSTROPHE = 4;
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
CLASS[39] = APOSTROPHE;
/** Lower case of an ASCII letter (other characters unchanged). */
const LOWER_OF = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/**
 * The entries of `words(text)`, in the same order. Pure-ASCII text (most tickets) is read in one pass over
 * its characters: identifier splitting, lower-casing and the word pattern are applied as the characters
 * come, and each word's entry is found by its hash, so no string is made for a word seen before. Other
 * text goes through words().
 *
 * For ASCII the rules of words() are: a word starts at a letter and runs over letters and digits, then may
 * take an apostrophe followed by letters; it also ends where splitIdentifiers would put a space — between
 * a lower-case and an upper-case letter ("offerAccepted"), and before the last capital of a run of
 * capitals followed by a lower-case letter ("HTMLParser"). Capitalised compounds follow at the end.
 */
export function wordEntriesOf(text: string): WordEntry[] {
  const out = scanWords(text, new WordList());
  return out.items.slice(0, out.length);
}

/** The words of one text (a reused list, see ScratchList), with what the scanner saw of its characters. */
export class WordList {
  items: WordEntry[] = [];
  length = 0;
  /** The text was pure ASCII (read by the scanner, not by words()). */
  ascii = true;
  /** It has a digit (known for ASCII text only). */
  digits = false;
  reset(): this {
    this.length = 0;
    this.ascii = true;
    this.digits = false;
    return this;
  }
  push(x: WordEntry): void {
    this.items[this.length++] = x;
  }
}

/** wordEntriesOf into a reused list (reset first). */
export function scanWords(text: string, out: WordList): WordList {
  out.reset();
  let digits = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const first = text.charCodeAt(i);
    if (first > 127) return generalEntries(text, out);
    const firstClass = CLASS[first]!;
    if (firstClass !== LOWER && firstClass !== UPPER) { if (firstClass === DIGIT) digits = true; i++; continue; }
    const start = i;
    let h = Math.imul(FNV_OFFSET ^ LOWER_OF[first]!, FNV_PRIME);
    let prevClass = firstClass;
    i++;
    let inApostrophe = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 127) return generalEntries(text, out);
      const cls = CLASS[c]!;
      if (cls === UPPER) {
        // splitIdentifiers' spaces: lower → Upper, and Upper|Upper followed by lower.
        if (prevClass === LOWER || (prevClass === UPPER && i + 1 < n && CLASS[text.charCodeAt(i + 1)] === LOWER)) break;
      } else if (cls === DIGIT) {
        digits = true;
        if (inApostrophe) break;
      } else if (cls === APOSTROPHE) {
        const next = i + 1 < n ? CLASS[text.charCodeAt(i + 1)] : OTHER;
        if (inApostrophe || (next !== LOWER && next !== UPPER)) break;
        inApostrophe = true;
      } else if (cls !== LOWER) break;
      h = Math.imul(h ^ LOWER_OF[c]!, FNV_PRIME);
      prevClass = cls;
    }
    out.push(findEntry(text, start, i, h));
  }
  out.digits = digits;
  if (ASCII_COMPOUND_TEST_RE.test(text)) for (const c of text.match(ASCII_COMPOUND_RE) ?? []) out.push(entryOf(c.toLowerCase()));
  return out;
}

/** Text with a non-ASCII character: the entries of words(text) replace what the scanner appended. */
function generalEntries(text: string, out: WordList): WordList {
  out.reset();
  out.ascii = false;
  for (const w of words(text)) out.push(entryOf(w));
  return out;
}

/** The entry of the lower-cased ASCII word text[start, end) whose hash is h (created when new). */
function findEntry(text: string, start: number, end: number, h: number): WordEntry {
  const len = end - start;
  for (let at = h & slotMask; ; at = (at + 1) & slotMask) {
    const e = slots[at];
    if (e === undefined) break;
    if (e.hash !== h || e.word.length !== len) continue;
    const w = e.word;
    let k = 0;
    while (k < len && LOWER_OF[text.charCodeAt(start + k)] === w.charCodeAt(k)) k++;
    if (k === len) return e;
  }
  return entryOf(text.slice(start, end).toLowerCase());
}
