// Non-goals ("Not doing" lists): each becomes a scope (what is ruled out) and exceptions the text itself
// grants ("security fixes only", "existing X are maintained"). An item contradicts a non-goal when it is
// clearly about the scope and not covered by an exception: either several scope words, one of them in its
// title or labels, or its title names the SUBJECT of the ban ("No new in-person card terminals" → the
// terminals) — every distinctive subject word, exactly or through a near-synonym (thesaurus, word vectors).
import type { AnalyzedItem } from './analyze.ts';
import { foldDiacritics } from './lang.ts';
import type { SoftMatcher } from './soft-match.ts';
import { STOP_WORDS } from './stopwords.ts';
import { relatedStems } from './thesaurus.ts';
import { stemEnglish, tokenize, type Interned } from './tokens.ts';
import { informativeness, type WordVectors } from './vectors.ts';

/** Words that express the prohibition itself, not its topic ("stop building", "sunset", "no new features"). */
const CUE_WORDS = new Set(
  ('stop stopping sunset sunsetting avoid no not never drop deprecate deprecated stay out build building built new feature features ' +
   'support supported more longer even go goes end life eol until any kind anymore instead jan feb mar apr may jun jul aug sep sept oct nov dec ' +
   'january february march april june july august september october november december work').split(' '),
);
/** Clauses that grant an exception rather than extend the ban. */
const EXCEPTION_RE = /\b(?:only|except|unless|other than|apart from|excluding|exempt|maintained|allowed|permitted|still supported|continue to (?:support|maintain)|keep (?:supporting|maintaining)|(?:limited|restricted|confined) to)\b/i;
/**
 * Inside an exception clause, the words before these markers are what is banned and the words after them
 * the exception: "hardware work is limited to security fixes", "no new integrations except the CRM".
 */
const RESTRICT_RE = /\b(?:(?:is|are|stays?|remains?|will be|must be|to be)\s+)?(?:limited|restricted|confined)\s+to\b|\bexcept(?:\s+for)?\b|\bexcluding\b|\bother than\b|\bapart from\b|\bunless\b/i;
/** Clauses that open with the ban itself: their first noun phrase is the banned thing (the subject). */
const BAN_START_RE = /^(?:no|not|never|nothing|stop(?:ping)?|sunset(?:ting)?|avoid|drop|retire|freeze|deprecate|stay (?:out of|away from)|(?:we )?(?:do not|don'?t|won'?t|will not|are not|aren'?t))\b/i;
/**
 * Prepositions after the subject that narrow it ("connectors FOR legacy systems", "reports FOR individual
 * customers"): then an item must also share a word of that qualifier. Words that only end the subject
 * (time: "this half", "in 2027"; verbs: "is", "go to") do not narrow it.
 */
const QUALIFIER_WORDS = new Set('for of with from by on to about into using via without beyond outside across between'.split(' '));
const SUBJECT_END_WORDS = new Set('in at this that these those next last during until before after while as is are was were be been will should must can may go goes which who where when whose'.split(' '));
/**
 * A subject word is distinctive when it is not a goal word and not among the ~1,300 most frequent English
 * words (informativeness ≥ 0.7): "terminals", "payouts", "desktop" name a thing, "system", "person", "data"
 * or "report" name too much to carry a ban alone. Without vectors every word counts (informativeness 0.8).
 */
export const DISTINCTIVE_MIN = 0.7;
/** Redirects name where the work should go instead ("… go to the export API", "everyone else uses CSV"):
 *  the words after the redirect are the sanctioned alternative, not the ban. */
const REDIRECT_RE = /\b(?:go(?:es)? to|should (?:use|go to)|uses?|instead|handled (?:by|in)|belongs? (?:to|in)|moves? to|are served by|is served by)\b/i;
/** "not even just for X" widens the ban: it is not an exception. */
const ANTI_EXCEPTION_RE = /\bnot even\b/i;

/** Weight of a scope word that also appears in the goals: shared vocabulary is weak evidence of the ban. */
export const SHARED_WITH_GOALS = 0.4;
/** Plain scope words count 0.6 × informativeness; named things (capitalised: products, vendors) count 1. */
const PLAIN_WORD = 0.6;
const NAMED_WORD = 1.0;
/** Scope words found in the title or labels count 1.5×: the item is about them, not mentioning them. */
const TITLE_BOOST = 1.5;
/**
 * Evidence needed: two distinct scope words whose weights sum to ≥ 1.2 — e.g. one named system plus one
 * plain word, or two plain informative words seen in the title. One shared word ("performance") never suffices.
 */
export const NG_MIN_WEIGHT = 1.2;
export const NG_MIN_TERMS = 2;
/** An exception applies when the item covers at least half of its words, or names a thing it names. */
export const EXCEPTION_MIN_COVERAGE = 0.5;

export interface NonGoalSubject {
  /** The subject's distinctive words: all must be in the item's title or labels (or near-synonyms of them). */
  distinctive: { stem: string; word: string }[];
  /** All its content stems (distinctive or not). */
  stems: string[];
  /** Stems of the qualifier that narrows it ("for legacy systems"); when present, the item must share one. */
  qualifier: Set<string>;
  /** Index of its clause in `clauses`. */
  clause: number;
}

export interface NonGoalSpec {
  id: string;
  text: string;
  scope: Map<string, number>;
  /** Scope clauses verbatim (for evidence quotes), with their stems. */
  clauses: { text: string; stems: Set<string> }[];
  exceptions: { text: string; stems: Set<string>; named: Set<string> }[];
  subjects: NonGoalSubject[];
}

function namedStems(clause: string): Set<string> {
  const out = new Set<string>();
  // Capitalised words not at the start of the clause, and acronyms: names of systems, vendors, products.
  // Compound names ("JavaScript") count as one name: their parts ("java") are other words.
  const re = /(?<=[\s(/,])([A-Z][A-Za-z0-9]+)/g;
  for (let m = re.exec(clause); m; m = re.exec(clause)) {
    const w = foldDiacritics(m[1]!.toLowerCase());
    if (w.length >= 2 && !STOP_WORDS.has(w)) out.add(stemEnglish(w));
  }
  return out;
}

/** True when `word` only occurs inside a capitalised compound of the clause ("script" in "JavaScript"). */
function isCompoundPart(clause: string, word: string): boolean {
  const re = new RegExp(`(?:^|[^\\p{L}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:$|[^\\p{L}])`, 'iu');
  return !re.test(foldDiacritics(clause));
}

const RAW_WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}'’+.-]*[\p{L}\p{N}]|[\p{L}\p{N}]|[,;:()[\]/"“”]/gu;
const LIST_SEPARATORS = new Set([',', '/', 'and', 'or', 'nor', '&']);

/**
 * The noun phrases a ban clause names first ("No new in-person card terminals" → [person, terminals];
 * "No review cycles, ratings or tracking for employees" → three subjects narrowed by "for employees").
 * `afterBan`: the clause opens with the ban cue (otherwise `text` is the subject part of a restriction).
 */
function parseSubjects(text: string, afterBan: boolean, goalStems: ReadonlySet<string>, vectors: WordVectors | undefined, clause: number): NonGoalSubject[] {
  const raw = text.match(RAW_WORD_RE) ?? [];
  const phrases: { stem: string; word: string }[][] = [];
  let current: { stem: string; word: string }[] = [];
  let qualifier = new Set<string>();
  // Skip the ban cue itself ("no", "stay out of", "we do not").
  const cue = afterBan ? BAN_START_RE.exec(text.trim()) : null;
  let i = cue ? (cue[0].match(RAW_WORD_RE) ?? []).length : 0;
  const flush = () => { if (current.length) phrases.push(current); current = []; };
  for (; i < raw.length; i++) {
    const w = raw[i]!;
    const lower = w.toLowerCase();
    if (w === '"' || w === '“' || w === '”') continue; // quoted words ("utility" types) stay in the phrase
    if (w === '(' || w === '[' || w === ';' || w === ':') { if (phrases.length || current.length) break; continue; }
    if (LIST_SEPARATORS.has(lower) || w === ')' || w === ']') { flush(); continue; }
    if (QUALIFIER_WORDS.has(lower) && (current.length || phrases.length)) {
      const rest = raw.slice(i + 1).join(' ');
      qualifier = new Set(tokenize(rest, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem)).map((t) => t.stem));
      break;
    }
    if (SUBJECT_END_WORDS.has(lower) && (current.length || phrases.length)) break;
    if (STOP_WORDS.has(lower) || CUE_WORDS.has(lower)) continue;
    for (const t of tokenize(w, 'en')) {
      if (CUE_WORDS.has(t.word) || CUE_WORDS.has(t.stem)) continue;
      current.push({ stem: t.stem, word: t.word });
    }
  }
  flush();
  const out: NonGoalSubject[] = [];
  for (const p of phrases) {
    const distinctive = p.filter((t) => !goalStems.has(t.stem) && informativeness(vectors, t.word) >= DISTINCTIVE_MIN);
    if (!distinctive.length) continue;
    out.push({ distinctive, stems: p.map((t) => t.stem), qualifier, clause });
  }
  return out;
}

function contentStems(text: string): Set<string> {
  return new Set(tokenize(text, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem)).map((t) => t.stem));
}

export function buildNonGoal(id: string, text: string, goalStems: ReadonlySet<string>, vectors?: WordVectors): NonGoalSpec {
  const parts = text.split(/(?<=[.;:!?])\s+|\s+[—–-]\s+|\n+/).map((s) => s.trim()).filter(Boolean);
  const scope = new Map<string, number>();
  const clauses: NonGoalSpec['clauses'] = [];
  const exceptions: NonGoalSpec['exceptions'] = [];
  const subjects: NonGoalSubject[] = [];
  const addScope = (part: string, scopeText: string, scopeToks: ReturnType<typeof tokenize>, subjectText: string | null, afterBan: boolean) => {
    clauses.push({ text: part, stems: new Set(scopeToks.map((t) => t.stem)) });
    if (subjectText !== null) subjects.push(...parseSubjects(subjectText, afterBan, goalStems, vectors, clauses.length - 1));
    const namedHere = namedStems(scopeText);
    for (const n of namedHere) scope.set(n, Math.max(scope.get(n) ?? 0, goalStems.has(n) ? NAMED_WORD * SHARED_WITH_GOALS : NAMED_WORD));
    for (const t of scopeToks) {
      if (namedHere.has(t.stem)) continue;
      if (isCompoundPart(scopeText, t.word)) continue;
      let w = PLAIN_WORD * informativeness(vectors, t.word);
      if (goalStems.has(t.stem)) w *= SHARED_WITH_GOALS;
      scope.set(t.stem, Math.max(scope.get(t.stem) ?? 0, w));
    }
  };
  for (const part of parts) {
    const toks = tokenize(part, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem));
    const named = namedStems(part);
    const stems = new Set(toks.map((t) => t.stem));
    if (EXCEPTION_RE.test(part) && !ANTI_EXCEPTION_RE.test(part)) {
      // "X is limited to Y": X stays banned (a subject), Y is the exception.
      const r = RESTRICT_RE.exec(part);
      const before = r ? part.slice(0, r.index) : '';
      const beforeToks = before ? tokenize(before, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem)) : [];
      if (r && beforeToks.length) {
        const after = part.slice(r.index + r[0].length);
        exceptions.push({ text: after, stems: contentStems(after), named: namedStems(after) });
        addScope(part, before, beforeToks, before.trim(), BAN_START_RE.test(before.trim()));
      } else exceptions.push({ text: part, stems, named });
      continue;
    }
    const redirect = REDIRECT_RE.exec(part);
    const scopeText = redirect ? part.slice(0, redirect.index) : part;
    if (redirect) {
      // The sanctioned alternative works like an exception: work that goes that way is fine.
      const alt = part.slice(redirect.index + redirect[0].length);
      const altStems = new Set(tokenize(alt, 'en').filter((t) => !CUE_WORDS.has(t.word)).map((t) => t.stem));
      if (altStems.size) exceptions.push({ text: alt, stems: altStems, named: new Set() });
    }
    const scopeToks = redirect ? tokenize(scopeText, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem)) : toks;
    if (!scopeToks.length) continue;
    const ban = BAN_START_RE.test(scopeText.trim());
    addScope(part, scopeText, scopeToks, ban ? scopeText.trim() : null, true);
  }
  return { id, text, scope, clauses, exceptions, subjects };
}

export interface NonGoalHit {
  id: string;
  weight: number;
  matched: string[];
  /** The scope clause with the most matched words (verbatim from the strategy). */
  quote: string;
}

/**
 * Which of the non-goals' words one item has: anywhere in its terms, and in its title or labels. The words
 * are fixed by the strategy; each stem of the item is looked up once (the id is cached on its interned
 * record), so no Map or Set is built per item. `load` prepares the answers for one item.
 */
class NonGoalProbe {
  private readonly ids = new Map<string, number>();
  private readonly inItem: Uint32Array;
  private readonly inTitle: Uint32Array;
  private stamp = 0;
  /** Each non-goal's scope (in its Map order) with the probe ids of its stems. */
  readonly scopes: { stems: string[]; weights: number[]; ids: Int32Array }[];

  constructor(specs: readonly NonGoalSpec[]) {
    const add = (stem: string) => { if (!this.ids.has(stem)) this.ids.set(stem, this.ids.size); };
    for (const g of specs) {
      for (const stem of g.scope.keys()) add(stem);
      for (const e of g.exceptions) { for (const stem of e.named) add(stem); for (const stem of e.stems) add(stem); }
      for (const sub of g.subjects) {
        for (const stem of sub.stems) add(stem);
        for (const d of sub.distinctive) add(d.stem);
        for (const stem of sub.qualifier) add(stem);
      }
    }
    this.inItem = new Uint32Array(this.ids.size);
    this.inTitle = new Uint32Array(this.ids.size);
    this.scopes = specs.map((g) => ({ stems: [...g.scope.keys()], weights: [...g.scope.values()], ids: Int32Array.from(g.scope.keys(), (st) => this.ids.get(st)!) }));
  }

  private idOf(ref: Interned): number {
    if (ref.nonGoalOf !== this) { ref.nonGoalOf = this; ref.nonGoal = this.ids.get(ref.text) ?? -1; }
    return ref.nonGoal;
  }

  load(a: AnalyzedItem): void {
    if (++this.stamp === 0xffffffff) { this.inItem.fill(0); this.inTitle.fill(0); this.stamp = 1; }
    const stamp = this.stamp;
    for (let k = 0; k < a.termRefs.length; k++) {
      const id = this.idOf(a.termRefs[k]!);
      if (id < 0) continue;
      this.inItem[id] = stamp;
      if (k < a.titleStemCount) this.inTitle[id] = stamp;
    }
    for (const stem of a.labelStems) { const id = this.ids.get(stem); if (id !== undefined) this.inTitle[id] = stamp; }
  }

  /** The loaded item has `stem` among its terms. */
  has(stem: string): boolean {
    const id = this.ids.get(stem);
    return id !== undefined && this.inItem[id] === this.stamp;
  }

  /** The loaded item has `stem` in its title or labels. */
  inTitleOrLabels(stem: string): boolean {
    const id = this.ids.get(stem);
    return id !== undefined && this.inTitle[id] === this.stamp;
  }

  /** has / inTitleOrLabels by probe id. */
  hasId(id: number): boolean {
    return this.inItem[id] === this.stamp;
  }
  inTitleId(id: number): boolean {
    return this.inTitle[id] === this.stamp;
  }
}

const probes = new WeakMap<readonly NonGoalSpec[], NonGoalProbe>();
function probeFor(specs: readonly NonGoalSpec[]): NonGoalProbe {
  let p = probes.get(specs);
  if (!p) probes.set(specs, (p = new NonGoalProbe(specs)));
  return p;
}

/** The stems of an item's title and labels, in that order (built only when near-synonyms are needed). */
function titleStemsOf(a: AnalyzedItem): Set<string> {
  const s = new Set(a.titleStems);
  for (const stem of a.labelStems) s.add(stem); // the labels' tokens, as analyze.ts found them
  return s;
}

/**
 * Reliability work on something a non-goal rules out still contradicts it (a bug fix on a product being
 * sunset), but only when the title itself names the ruled-out thing with two of its words.
 */
export const HEALTH_MIN_TITLE_TERMS = 2;

/**
 * Scope words the item's title or labels name through a near-synonym: a thesaurus relation, or a word-vector
 * neighbour (the same similarity bar as goal linking's soft matches). Scope stem → the item's stem.
 */
function softCover(a: AnalyzedItem, titleStems: ReadonlySet<string>, soft: SoftMatcher | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of titleStems) {
    for (const r of relatedStems(t)) if (!out.has(r)) out.set(r, t);
    const word = soft && a.stemWords.get(t);
    if (word) for (const [g] of soft.neighbours(t, word)) if (!out.has(g)) out.set(g, t);
  }
  return out;
}

/** One item's title words, and their near-synonym cover computed on first need (most items never need it). */
interface TitleView {
  a: AnalyzedItem;
  probe: NonGoalProbe;
  soft: SoftMatcher | undefined;
  cover: Map<string, string> | null;
}

/**
 * The subject a title names: every distinctive subject word in the title or labels (exactly or through a
 * near-synonym), at least one subject word exactly, and a word of the qualifier anywhere when there is one.
 * Returns the item stems that named it, or null.
 */
function namesSubject(sub: NonGoalSubject, view: TitleView): string[] | null {
  const probe = view.probe;
  let named = false;
  for (const st of sub.stems) if (probe.inTitleOrLabels(st)) { named = true; break; }
  if (!named) return null;
  const via: string[] = [];
  for (const d of sub.distinctive) {
    if (probe.inTitleOrLabels(d.stem)) { via.push(d.stem); continue; }
    view.cover ??= softCover(view.a, titleStemsOf(view.a), view.soft);
    const v = view.cover.get(d.stem);
    if (!v) return null;
    via.push(v);
  }
  for (const st of sub.stems) if (probe.inTitleOrLabels(st) && !via.includes(st)) via.push(st);
  if (sub.qualifier.size && ![...sub.qualifier].some((q) => probe.has(q))) return null;
  return via;
}

export function matchNonGoals(specs: readonly NonGoalSpec[], a: AnalyzedItem, isHealth = false, soft?: SoftMatcher): NonGoalHit | null {
  if (!specs.length) return null;
  let best: NonGoalHit | null = null;
  const probe = probeFor(specs);
  probe.load(a);
  const view: TitleView = { a, probe, soft, cover: null };
  for (let gi = 0; gi < specs.length; gi++) {
    const g = specs[gi]!;
    const scope = probe.scopes[gi]!;
    let weight = 0;
    let inTitle = false;
    let titleTerms = 0;
    let matched: string[] | null = null; // allocated on the first scope word found (most items have none)
    for (let k = 0; k < scope.ids.length; k++) {
      const id = scope.ids[k]!;
      if (!probe.hasId(id)) continue;
      const t = probe.inTitleId(id);
      inTitle ||= t;
      if (t) titleTerms++;
      const w = scope.weights[k]!;
      weight += t ? w * TITLE_BOOST : w;
      (matched ??= []).push(scope.stems[k]!);
    }
    let quoteClause = -1;
    if (!matched || matched.length < NG_MIN_TERMS || weight < NG_MIN_WEIGHT || !inTitle) {
      // Not enough scope words: the title may still name the ban's subject.
      let named: string[] | null = null;
      for (const sub of g.subjects) {
        named = namesSubject(sub, view);
        if (named) { quoteClause = sub.clause; break; }
      }
      if (!named) continue;
      if (isHealth && named.length < HEALTH_MIN_TITLE_TERMS) continue;
      weight = Math.max(weight, NG_MIN_WEIGHT);
      if (matched) for (const m of matched) if (!named.includes(m)) named.push(m);
      matched = named;
    } else if (isHealth && titleTerms < HEALTH_MIN_TITLE_TERMS) continue;
    const exempt = g.exceptions.some((e) => {
      if ([...e.named].some((s) => probe.has(s))) return true;
      if (!e.stems.size) return false;
      let hit = 0;
      for (const s of e.stems) if (probe.has(s)) hit++;
      return hit / e.stems.size >= EXCEPTION_MIN_COVERAGE;
    });
    if (exempt) continue;
    if (best && (weight < best.weight || (weight === best.weight && g.id >= best.id))) continue;
    let quote = g.clauses[quoteClause]?.text ?? g.clauses[0]?.text ?? g.text;
    if (quoteClause < 0) {
      let most = -1;
      for (const c of g.clauses) {
        const n = matched.filter((m) => c.stems.has(m)).length;
        if (n > most) { most = n; quote = c.text; }
      }
    }
    best = { id: g.id, weight, matched, quote };
  }
  return best;
}
