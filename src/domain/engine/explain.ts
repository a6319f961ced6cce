// Explanations: a rationale a PM reads in five seconds and evidence quotes that are verbatim substrings
// of the strategy or the item (never paraphrases), so a reader can find them with Ctrl-F.
import type { Evidence } from '../contracts.ts';
import type { AnalyzedItem } from './analyze.ts';
import type { GoalUnit, SourceField, StrategyIndex, UnitSource } from './strategy-index.ts';

/** Finds `needle` in `raw` ignoring case and returns the original-case substring, or null. */
export function verbatim(raw: string, needle: string, rawLower = raw.toLowerCase()): string | null {
  if (!needle) return null;
  const n = needle.toLowerCase();
  const at = rawLower.indexOf(n);
  if (at < 0) return null;
  const q = raw.slice(at, at + needle.length);
  return q.toLowerCase() === n ? q : null;
}

/**
 * Matched stems counted per source and per sentence of a unit, in one pass over the matched stems (see
 * UnitParts.places). `all` counts every matched stem, `fromObjective` only those the key result's own text
 * does not contain.
 */
interface Counts { all: Int32Array; fromObjective: Int32Array; fromObjectiveTotal: number }

/** The sentence of a source that shares the most matched stems (verbatim), or the whole text. */
function bestSentence(p: UnitParts, src: UnitSource, counts: Int32Array): string {
  let best = src.sentences[0]?.text ?? src.text;
  let most = 0;
  const at = p.sentenceAt.get(src)!;
  for (let k = 0; k < src.sentences.length; k++) {
    const n = counts[at + k]!;
    if (n > most) { most = n; best = src.sentences[k]!.text; }
  }
  return best;
}

/** The source among `sources` that shares the most matched stems (the first listed on a tie), or null. */
function bestSource(p: UnitParts, sources: readonly UnitSource[], counts: Int32Array): UnitSource | null {
  let best: UnitSource | null = null;
  let most = -1;
  for (const src of sources) {
    const n = counts[p.sourceAt.get(src)!]!;
    if (n > most) { most = n; best = src; }
  }
  return best;
}

/** countMatched's lists, reused (zeroed over the unit's places) by each call: one explanation at a time. */
let scratchAll = new Int32Array(64);
let scratchFromObjective = new Int32Array(64);

function countMatched(p: UnitParts, matched: readonly string[]): Counts {
  if (scratchAll.length < p.places) { scratchAll = new Int32Array(p.places); scratchFromObjective = new Int32Array(p.places); }
  const all = scratchAll;
  const fromObjective = scratchFromObjective;
  all.fill(0, 0, p.places);
  fromObjective.fill(0, 0, p.places);
  let fromObjectiveTotal = 0;
  for (const m of matched) {
    const inKr = p.krStems.has(m);
    if (!inKr) fromObjectiveTotal++;
    const where = p.stemPlaces.get(m);
    if (!where) continue;
    for (let k = 0; k < where.length; k++) {
      all[where[k]!]!++;
      if (!inKr) fromObjective[where[k]!]!++;
    }
  }
  return { all, fromObjective, fromObjectiveTotal };
}

/** What explaining a unit needs that does not depend on the item, computed once per unit. */
interface UnitParts {
  /** The key result's own title and metric (key-result units), in that order. */
  kr: UnitSource[];
  /** All stems of `kr`. */
  krStems: Set<string>;
  /** The objective's title and description, in that order. */
  objective: UnitSource[];
  krTitle: string;
  label: string;
  /** Places where matched stems are counted: each source of `kr` and `objective`, then each of their sentences. */
  places: number;
  sourceAt: Map<UnitSource, number>;
  /** Place of a source's first sentence (the others follow it). */
  sentenceAt: Map<UnitSource, number>;
  /** Stem → the places whose text contains it. */
  stemPlaces: Map<string, Int32Array>;
}
const partsCache = new WeakMap<GoalUnit, UnitParts>();

function partsOf(index: StrategyIndex, unit: GoalUnit): UnitParts {
  let p = partsCache.get(unit);
  if (p) return p;
  const objTitle = index.strategy.objectives.find((o) => o.id === unit.objectiveId)?.title ?? unit.objectiveId;
  const byField = (f: SourceField) => unit.sources.filter((x) => x.field === f && (f.startsWith('kr_') ? x.ownerId === unit.krId : true));
  const kr = unit.kind === 'key_result' ? [...byField('kr_title'), ...byField('kr_metric')] : [];
  const krTitle = kr.find((x) => x.field === 'kr_title')?.text ?? unit.id;
  const objective = [...byField('objective_title'), ...byField('objective_description')];
  const sourceAt = new Map<UnitSource, number>();
  const sentenceAt = new Map<UnitSource, number>();
  const placeStems: ReadonlySet<string>[] = [];
  for (const src of [...kr, ...objective]) { sourceAt.set(src, placeStems.length); placeStems.push(src.stems); }
  for (const src of [...kr, ...objective]) { sentenceAt.set(src, placeStems.length); for (const x of src.sentences) placeStems.push(x.stems); }
  const lists = new Map<string, number[]>();
  placeStems.forEach((stems, at) => { for (const st of stems) (lists.get(st) ?? lists.set(st, []).get(st)!).push(at); });
  p = {
    kr,
    krStems: new Set(kr.flatMap((x) => [...x.stems])),
    objective,
    krTitle,
    places: placeStems.length,
    sourceAt,
    sentenceAt,
    stemPlaces: new Map([...lists].map(([st, at]) => [st, Int32Array.from(at)])),
    label: unit.kind === 'key_result'
      ? `${unit.id} "${clip(krTitle, 70)}" (objective ${unit.objectiveId} "${clip(objTitle, 70)}")`
      : `objective ${unit.id} "${clip(objTitle, 80)}"`,
  };
  partsCache.set(unit, p);
  return p;
}

export interface UnitExplanation {
  /** Verbatim quotes: the key result's own text for a KR, and the objective text when that is what matched. */
  evidence: Evidence[];
  /** How the rationale names the unit: `KR1.2 "Median time to pay" (objective O1 "Checkout converts …")`. */
  label: string;
}

/**
 * Evidence for a goal link. A key result is quoted by its own title (or metric, when that is what the item
 * matched), never by its objective's text; when the matched words sit in the objective's title or
 * description instead, that sentence is quoted separately as the objective's evidence.
 */
export function explainUnit(index: StrategyIndex, unit: GoalUnit, matched: readonly string[]): UnitExplanation {
  const p = partsOf(index, unit);
  const counts = countMatched(p, matched);
  const objSrc = bestSource(p, p.objective, counts.all);
  if (unit.kind === 'key_result') {
    const krSrc = bestSource(p, p.kr, counts.all);
    const evidence: Evidence[] = [{ kind: 'key_result', id: unit.id, quote: shorten(krSrc ? bestSentence(p, krSrc, counts.all) : p.krTitle) }];
    // Matched words the key result's own text does not contain came from its objective: quote where.
    if (objSrc && counts.fromObjectiveTotal && counts.fromObjective[p.sourceAt.get(objSrc)!]! > 0) {
      evidence.push({ kind: 'objective', id: unit.objectiveId, quote: shorten(bestSentence(p, objSrc, counts.fromObjective)) });
    }
    return { evidence, label: p.label };
  }
  const objTitle = p.objective.find((x) => x.field === 'objective_title')?.text ?? unit.objectiveId;
  return { evidence: [{ kind: 'objective', id: unit.id, quote: shorten(objSrc ? bestSentence(p, objSrc, counts.all) : objTitle) }], label: p.label };
}

/** Evidence quotes stay verbatim: long ones are cut to a prefix ending at a word boundary (no ellipsis added). */
export function shorten(text: string, max = 160): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const sp = cut.lastIndexOf(' ');
  return (sp > max / 2 ? cut.slice(0, sp) : cut).replace(/[\s,;:(\u2013\u2014-]+$/, '');
}

/**
 * Quotes inside prose (rationales, stop reasons): short enough to read in a sentence. A long text is cut at
 * a clause or sentence end when one falls in the last 40% of the room, otherwise at the last word
 * boundary, and an ellipsis marks the cut. The text before the ellipsis is verbatim.
 */
export function clip(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t.replace(/[,;:]$/, '');
  const room = t.slice(0, max);
  let end = -1;
  // A clause end (punctuation before a space) or the start of a parenthesis, late enough to keep most of the text.
  for (const m of room.matchAll(/[,;:.!?)\u2013\u2014](?=\s)|\s(?=\()/g)) {
    const at = m[0].trim() ? m.index! + 1 : m.index!;
    if (at >= max * 0.6) end = at;
  }
  if (end < 0) {
    // The last word boundary, however early: a quote in prose never ends in half a word (unless it is one word).
    const sp = t.slice(0, max + 1).lastIndexOf(' ');
    end = sp > 0 ? sp : max;
  }
  return `${t.slice(0, end).replace(/[\s,;:.!?(\u2013\u2014-]+$/, '')}\u2026`;
}

/** Surface words (from the item's own text) for matched stems, for the rationale. */
export function matchedWords(a: AnalyzedItem, matched: readonly string[], max = 3): string[] {
  return firstWords(matched.map((m) => a.stemWords.get(m)), max);
}

/** The first `max` distinct words of a list in which stems without an item word are null or undefined. */
export function firstWords(words: readonly (string | null | undefined)[], max = 3): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (w && !out.includes(w)) out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * The item last quoted, with its title in lower case and (once needed) its description in lower case: an
 * item is quoted a few times in a row.
 */
let quoted: { item: AnalyzedItem['item']; title: string; titleLower: string; desc: string; descLower: string | null } | null = null;

/**
 * verbatim(`${title}\n${description}`, needle), without building and lower-casing that whole text: lower
 * case maps the joined text to the joined lower-cased parts (the line break is no letter, so no mapping
 * that depends on the next or previous letter changes), and a needle without a line break that occurs in
 * the title occurs there first. Offsets are those of the joined lower-cased text, as verbatim's are.
 */
function quoteFromItem(item: AnalyzedItem['item'], needle: string): string | null {
  if (quoted?.item !== item) {
    const title = item.title;
    quoted = { item, title, titleLower: title.toLowerCase(), desc: item.description ?? '', descLower: null };
  }
  const { title, titleLower, desc } = quoted;
  const n = needle.toLowerCase();
  if (n.includes('\n')) return verbatim(`${title}\n${desc}`, needle);
  let at = titleLower.indexOf(n);
  if (at < 0) {
    const inDesc = (quoted.descLower ??= desc.toLowerCase()).indexOf(n);
    if (inDesc < 0) return null;
    at = titleLower.length + 1 + inDesc;
  }
  // The joined raw text is only needed when the quote runs past the title into the description.
  const q = at + needle.length <= title.length ? title.slice(at, at + needle.length)
    : at > title.length ? desc.slice(at - title.length - 1, at - title.length - 1 + needle.length)
    : `${title}\n${desc}`.slice(at, at + needle.length);
  return q.toLowerCase() === n ? q : null;
}

export function itemEvidence(a: AnalyzedItem, needle?: string | null): Evidence {
  const q = needle ? quoteFromItem(a.item, needle) : null;
  return { kind: 'item', id: a.id, quote: q ?? shorten(a.item.title || a.id) };
}

export function quoteList(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(', ');
}

export function isoDay(ms: number | null): string {
  return ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 10);
}
