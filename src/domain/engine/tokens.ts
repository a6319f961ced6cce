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

/** Splits code identifiers: camelCase, PascalCase, snake_case, kebab-case, dotted.paths. */
function splitIdentifiers(text: string): string {
  if (!/[\p{Lu}_./\\:-]/u.test(text)) return text;
  return text
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(?<=[\p{L}\p{N}])[_./\\:-]+(?=[\p{L}\p{N}])/gu, ' ');
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

const tokenCaches: Record<Language, Map<string, Token | null>> = { en: new Map(), de: new Map(), es: new Map() };

function toToken(raw: string, lang: Language): Token | null {
  const tokenCache = tokenCaches[lang];
  const key = raw;
  const hit = tokenCache.get(key);
  if (hit !== undefined) return hit;
  let result: Token | null = null;
  const folded = foldDiacritics(raw.replace(/['’]s$/, '').replace(/['’]/g, ''));
  if (folded.length >= 2 && !STOP_WORDS.has(folded) && !STOP_WORDS.has(raw)) {
    const en = translateWord(folded);
    if (en) result = { word: en, stem: stemEnglish(en) };
    else if (lang === 'de') result = { word: folded, stem: stemGerman(folded) };
    else if (lang === 'es') result = { word: folded, stem: stemSpanish(folded) };
    else result = { word: folded, stem: stemEnglish(folded) };
    if (result.stem.length < 2) result = null;
  }
  if (tokenCache.size >= STEM_CACHE_MAX) tokenCache.clear();
  tokenCache.set(key, result);
  return result;
}

export function tokenize(text: string, lang?: Language): Token[] {
  return tokenizeWords(words(text), lang);
}

/** Tokens of already split words (lets callers split once and detect the language from the same words). */
export function tokenizeWords(ws: readonly string[], lang?: Language): Token[] {
  const l = lang ?? detectLanguage(ws);
  const out: Token[] = [];
  for (const w of ws) {
    const t = toToken(w, l);
    if (t) out.push(t);
  }
  return out;
}
