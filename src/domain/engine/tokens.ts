// Tokenising cleaned text: code identifiers are split into words (`offerAccepted`, `offer_accepted` →
// offer, accepted), diacritics folded, German/Spanish glossary words mapped to English, stop words dropped,
// and each word stemmed (Porter for English, light stemmers for German/Spanish) behind a Map cache.
import { stemmer } from 'stemmer';
import { foldDiacritics, stemGerman, stemSpanish, translateWord } from './lang.ts';
import { LANGUAGE_MARKERS, STOP_WORDS } from './stopwords.ts';

export type Language = 'en' | 'de' | 'es';

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
  constructor(readonly text: string) {}
}

/** Interning tables; cleared together with the token caches (see trimCaches) so no two records share a string. */
const internedStems = new Map<string, Interned>();
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
  const out: string[] = [...(splitIdentifiers(text).toLowerCase().match(WORD_RE) ?? [])];
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
export function detectItemLanguage(title: readonly string[], desc: readonly string[], sample: number): Language {
  let de = 0;
  let es = 0;
  const n = Math.min(sample, desc.length);
  for (let i = 0; i < title.length + n; i++) {
    const m = MARKER_BITS.get(i < title.length ? title[i]! : desc[i - title.length]!);
    if (m === undefined) continue;
    if (m & DE_BIT) de++;
    if (m & ES_BIT) es++;
  }
  const min = Math.max(2, (title.length + n) * 0.06);
  if (de >= min && de > es) return 'de';
  if (es >= min && es > de) return 'es';
  return 'en';
}

const tokenCaches: Record<Language, Map<string, Token | null>> = { en: new Map(), de: new Map(), es: new Map() };

function makeToken(word: string, stem: string): Token | null {
  if (stem.length < 2) return null;
  return { word, stem, wordRef: intern(internedWords, word), stemRef: intern(internedStems, stem) };
}

function toToken(raw: string, lang: Language): Token | null {
  const tokenCache = tokenCaches[lang];
  const key = raw;
  const hit = tokenCache.get(key);
  if (hit !== undefined) return hit;
  let result: Token | null = null;
  const folded = foldDiacritics(raw.replace(/['’]s$/, '').replace(/['’]/g, ''));
  if (folded.length >= 2 && !STOP_WORDS.has(folded) && !STOP_WORDS.has(raw)) {
    const en = translateWord(folded);
    if (en) result = makeToken(en, stemEnglish(en));
    else if (lang === 'de') result = makeToken(folded, stemGerman(folded));
    else if (lang === 'es') result = makeToken(folded, stemSpanish(folded));
    else result = makeToken(folded, stemEnglish(folded));
  }
  // Full token caches are cleared by trimCaches, between items (never in the middle of one: see Interned).
  tokenCache.set(key, result);
  return result;
}

/**
 * Bounds the caches of a long-running process: beyond STEM_CACHE_MAX entries the token caches and the
 * interning tables are cleared together. Called before an item (or a stand-alone text) is tokenised, so
 * every token of one item refers to records from the same table.
 */
export function trimCaches(): void {
  if (internedStems.size < STEM_CACHE_MAX && internedWords.size < STEM_CACHE_MAX &&
      tokenCaches.en.size < STEM_CACHE_MAX && tokenCaches.de.size < STEM_CACHE_MAX && tokenCaches.es.size < STEM_CACHE_MAX) return;
  internedStems.clear();
  internedWords.clear();
  tokenCaches.en.clear();
  tokenCaches.de.clear();
  tokenCaches.es.clear();
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
    const t = toToken(ws[i]!, l);
    if (t) out.push(t);
  }
  return out;
}
