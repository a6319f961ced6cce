// Non-goals ("Not doing" lists): each becomes a scope (what is ruled out) and exceptions the text itself
// grants ("security fixes only", "existing X are maintained"). An item contradicts a non-goal when it is
// clearly about the scope — several scope words, one of them in its title or labels — and not covered by
// an exception.
import type { AnalyzedItem } from './analyze.ts';
import { foldDiacritics } from './lang.ts';
import { STOP_WORDS } from './stopwords.ts';
import { stemEnglish, tokenize } from './tokens.ts';
import { informativeness, type WordVectors } from './vectors.ts';

/** Words that express the prohibition itself, not its topic ("stop building", "sunset", "no new features"). */
const CUE_WORDS = new Set(
  ('stop stopping sunset sunsetting avoid no not never drop deprecate deprecated stay out build building built new feature features ' +
   'support supported more longer even go goes end life eol until any kind anymore instead jan feb mar apr may jun jul aug sep sept oct nov dec ' +
   'january february march april june july august september october november december work').split(' '),
);
/** Clauses that grant an exception rather than extend the ban. */
const EXCEPTION_RE = /\b(?:only|except|unless|other than|apart from|excluding|exempt|maintained|allowed|permitted|still supported|continue to (?:support|maintain)|keep (?:supporting|maintaining))\b/i;
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

export interface NonGoalSpec {
  id: string;
  text: string;
  scope: Map<string, number>;
  /** Scope clauses verbatim (for evidence quotes), with their stems. */
  clauses: { text: string; stems: Set<string> }[];
  exceptions: { text: string; stems: Set<string>; named: Set<string> }[];
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

export function buildNonGoal(id: string, text: string, goalStems: ReadonlySet<string>, vectors?: WordVectors): NonGoalSpec {
  const parts = text.split(/(?<=[.;:!?])\s+|\s+[—–-]\s+|\n+/).map((s) => s.trim()).filter(Boolean);
  const scope = new Map<string, number>();
  const clauses: NonGoalSpec['clauses'] = [];
  const exceptions: NonGoalSpec['exceptions'] = [];
  for (const part of parts) {
    const toks = tokenize(part, 'en').filter((t) => !CUE_WORDS.has(t.word) && !CUE_WORDS.has(t.stem));
    const named = namedStems(part);
    const stems = new Set(toks.map((t) => t.stem));
    if (EXCEPTION_RE.test(part) && !ANTI_EXCEPTION_RE.test(part)) {
      exceptions.push({ text: part, stems, named });
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
    clauses.push({ text: part, stems: new Set(scopeToks.map((t) => t.stem)) });
    const namedHere = namedStems(scopeText);
    for (const n of namedHere) scope.set(n, Math.max(scope.get(n) ?? 0, goalStems.has(n) ? NAMED_WORD * SHARED_WITH_GOALS : NAMED_WORD));
    for (const t of scopeToks) {
      if (namedHere.has(t.stem)) continue;
      if (isCompoundPart(scopeText, t.word)) continue;
      let w = PLAIN_WORD * informativeness(vectors, t.word);
      if (goalStems.has(t.stem)) w *= SHARED_WITH_GOALS;
      scope.set(t.stem, Math.max(scope.get(t.stem) ?? 0, w));
    }
  }
  return { id, text, scope, clauses, exceptions };
}

export interface NonGoalHit {
  id: string;
  weight: number;
  matched: string[];
  /** The scope clause with the most matched words (verbatim from the strategy). */
  quote: string;
}

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

export function matchNonGoals(specs: readonly NonGoalSpec[], a: AnalyzedItem, isHealth = false): NonGoalHit | null {
  let best: NonGoalHit | null = null;
  const titleStems = specs.length ? titleStemsOf(a) : new Set<string>();
  for (const g of specs) {
    let weight = 0;
    let inTitle = false;
    let titleTerms = 0;
    const matched: string[] = [];
    for (const [stem, w] of g.scope) {
      if (!a.terms.has(stem)) continue;
      const t = titleStems.has(stem);
      inTitle ||= t;
      if (t) titleTerms++;
      weight += t ? w * TITLE_BOOST : w;
      matched.push(stem);
    }
    if (matched.length < NG_MIN_TERMS || weight < NG_MIN_WEIGHT || !inTitle) continue;
    if (isHealth && titleTerms < HEALTH_MIN_TITLE_TERMS) continue;
    const exempt = g.exceptions.some((e) => {
      if ([...e.named].some((s) => a.terms.has(s))) return true;
      if (!e.stems.size) return false;
      let hit = 0;
      for (const s of e.stems) if (a.terms.has(s)) hit++;
      return hit / e.stems.size >= EXCEPTION_MIN_COVERAGE;
    });
    if (exempt) continue;
    if (best && (weight < best.weight || (weight === best.weight && g.id >= best.id))) continue;
    let quote = g.clauses[0]?.text ?? g.text;
    let most = -1;
    for (const c of g.clauses) {
      const n = matched.filter((m) => c.stems.has(m)).length;
      if (n > most) { most = n; quote = c.text; }
    }
    best = { id: g.id, weight, matched, quote };
  }
  return best;
}

