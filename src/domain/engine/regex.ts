// One fast "does any of these patterns match?" test. The cue lists of the heuristics are long alternations
// of words, most starting at a word boundary (`\b(?:security|vulnerab\w*|…)\b`). Written as one flat
// alternation, V8 tries every alternative at every word boundary of the text; grouped under their first
// letter (`\b(?:s(?:ecurity|ql injection)|v(?:ulnerab\w*)|…)`) it tries one letter first and only the
// alternatives that start with it. The test answers exactly as `patterns.some((re) => re.test(text))`.

/**
 * Walks the structural characters of a regex source (not escaped, not inside a character class), giving each
 * with its position and the group depth before it. Stops early when `visit` returns false.
 */
function walk(source: string, visit: (c: string, at: number, depth: number) => boolean | void): void {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (visit(c, i, depth) === false) return;
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
  }
}

/** Splits a regex source at its top-level `|` (outside groups and character classes). */
export function topLevelAlternatives(source: string): string[] {
  const out: string[] = [];
  let start = 0;
  walk(source, (c, at, depth) => { if (c === '|' && depth === 0) { out.push(source.slice(start, at)); start = at + 1; } });
  out.push(source.slice(start));
  return out;
}

/** The body X of a source that is exactly `\b(?:X)\b` (the group spanning all of X), else null. */
function wordGroupBody(source: string): string | null {
  if (!source.startsWith('\\b(?:') || !source.endsWith(')\\b')) return null;
  const body = source.slice(5, -3);
  // The group must close only at the end: no `)` of the body may close it early.
  let spans = true;
  walk(body, (c, _at, depth) => (c === ')' && depth === 0 ? (spans = false) : true));
  return spans ? body : null;
}

/** Opening a leading group multiplies the alternatives; past this many the pattern is left as it is. */
const MAX_OPENED = 24;

/**
 * `(?:x|y)REST` → [`xREST`, `yREST`] (the same language: concatenation distributes over alternation), again
 * while the first alternative still opens with a group, so that every result starts with its first letter.
 * A group followed by a quantifier, or one that would open into too many alternatives, is kept whole.
 */
function leadingGroupsOpened(src: string): string[] {
  if (!src.startsWith('(?:')) return [src];
  let close = -1;
  walk(src, (c, at, depth) => (c === ')' && depth === 1 ? ((close = at), false) : true));
  if (close < 0 || /[?*+{]/.test(src[close + 1] ?? '')) return [src];
  const rest = src.slice(close + 1);
  const opened = topLevelAlternatives(src.slice(3, close)).flatMap((alt) => leadingGroupsOpened(alt + rest));
  return opened.length <= MAX_OPENED ? opened : [src];
}

/** A plain letter or digit that is matched as itself (no quantifier after it, no escape). */
const PLAIN_FIRST = /^[a-z0-9](?![?*+{])/i;

/**
 * A regex that matches a text exactly when one of `patterns` does (for `test` only: the match it finds and
 * its capture groups are not those of the patterns). Patterns must share their flags, have no capture
 * groups or back-references, and not be global or sticky.
 */
export function anyOf(patterns: readonly RegExp[]): RegExp {
  const flags = patterns[0]?.flags ?? '';
  const alternatives: string[] = [];
  for (const re of patterns) {
    if (re.flags !== flags) throw new Error(`anyOf: mixed flags (${re.flags} vs ${flags})`);
    if (/[gy]/.test(re.flags)) throw new Error('anyOf: global or sticky pattern');
    if (/\((?!\?)|\(\?<(?![=!])|\\[1-9]|\\k</.test(re.source.replace(/\\\\|\\\(|\[(?:\\.|[^\]])*\]/g, ''))) throw new Error(`anyOf: capture group in /${re.source}/`);
    const body = wordGroupBody(re.source);
    // \b(?:x|y)\b is \bx\b|\by\b: the word-boundary alternatives can then be grouped with the others.
    if (body !== null) for (const alt of topLevelAlternatives(body)) alternatives.push(`\\b${alt}\\b`);
    else alternatives.push(...topLevelAlternatives(re.source));
  }
  // Alternatives after \b grouped by their first character (in first-seen order); the rest kept as they are.
  const byFirst = new Map<string, string[]>();
  const others: string[] = [];
  for (const alt of alternatives) {
    if (!alt.startsWith('\\b')) { others.push(alt); continue; }
    for (const rest of leadingGroupsOpened(alt.slice(2))) {
      if (!PLAIN_FIRST.test(rest)) { others.push(`\\b${rest}`); continue; }
      const key = rest[0]!;
      (byFirst.get(key) ?? byFirst.set(key, []).get(key)!).push(rest.slice(1));
    }
  }
  const grouped = [...byFirst].map(([c, rests]) => (rests.length === 1 ? `${c}${rests[0]}` : `${c}(?:${rests.join('|')})`));
  const parts = grouped.length ? [`\\b(?:${grouped.join('|')})`, ...others] : others;
  return new RegExp(parts.join('|'), flags);
}

/** A literal start of a pattern's matches: a word that starts with `text`, or (whole) is exactly `text`. */
export interface WordStart {
  text: string;
  whole: boolean;
}

/** Largest character class expanded into its members (beyond it the start before the class is kept). */
const MAX_CLASS = 10;

/**
 * What every match of `patterns` starts with, when each of their alternatives starts at a word boundary
 * with literal text: one WordStart per alternative, lower-cased. Letters and digits are read up to the first
 * other character; one made optional by a quantifier is left out; a small class of letters or digits
 * (`p[01]`) gives one start per member; when a non-word character that must follow comes next (`n\+1`,
 * `sql injection`), the word there is exactly the text read. Null when some alternative starts otherwise
 * (then no such list exists).
 */
export function literalWordStarts(patterns: readonly RegExp[]): WordStart[] | null {
  const out: WordStart[] = [];
  for (const re of patterns) {
    const body = wordGroupBody(re.source);
    const alternatives = body !== null ? topLevelAlternatives(body).map((alt) => `\\b${alt}\\b`) : topLevelAlternatives(re.source);
    for (const alt of alternatives) {
      if (!alt.startsWith('\\b')) return null;
      for (const rest of leadingGroupsOpened(alt.slice(2))) {
        const starts = startsOf(rest);
        if (!starts) return null;
        out.push(...starts);
      }
    }
  }
  return out;
}

const QUANTIFIER = /^[?*+{]/;

function startsOf(src: string): WordStart[] | null {
  let end = 0;
  while (end < src.length && /[a-z0-9]/i.test(src[end]!)) end++;
  if (QUANTIFIER.test(src.slice(end))) end--;
  const text = src.slice(0, end).toLowerCase();
  const next = src.slice(end);
  const cls = /^\[((?:[a-z0-9](?:-[a-z0-9])?)+)\]/i.exec(next);
  if (cls && !QUANTIFIER.test(next.slice(cls[0].length))) {
    const members: string[] = [];
    for (const m of cls[1]!.matchAll(/([a-z0-9])(?:-([a-z0-9]))?/gi)) {
      for (let c = m[1]!.charCodeAt(0); c <= (m[2] ?? m[1]!).charCodeAt(0); c++) members.push(String.fromCharCode(c).toLowerCase());
    }
    if (members.length <= MAX_CLASS) return [...new Set(members)].map((c) => ({ text: text + c, whole: false }));
  }
  if (!text) return null;
  // A non-word character that must come next ends the word: an escaped one, or a plain space or punctuation.
  const after = /^(?:\\[^\w\s]|[^\w\\()[\]|.^$?*+{}])/.exec(next);
  const whole = !!after && !QUANTIFIER.test(next.slice(after[0].length));
  return [{ text, whole }];
}
