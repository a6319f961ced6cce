// Prepares a strategy once for scoring many items: every objective and key result becomes a weighted
// query (lexical) and a sentence vector (semantic); every non-goal becomes a scope and its exceptions.
import type { Strategy } from '../contracts.ts';
import { LexicalIndex, type QueryTerm } from './lexical.ts';
import { buildNonGoal, type NonGoalSpec } from './non-goals.ts';
import { sentenceVector } from './semantic.ts';
import { SoftMatcher } from './soft-match.ts';
import { tokenize } from './tokens.ts';
import { informativeness, type WordVectors } from './vectors.ts';

/**
 * How much each strategy field says about a goal unit. The KR title names the outcome most directly, its
 * metric spells it out. The objective's own title/description are shared by all its KRs, so inside a KR
 * query they only add context (they cannot tell sibling KRs apart) and weigh less.
 */
export const FIELD_WEIGHTS = { krTitle: 1.0, krMetric: 0.7, objTitle: 0.3, objDescription: 0.15, krContextTitle: 0.25 } as const;

export interface GoalUnit {
  kind: 'key_result' | 'objective';
  id: string;
  objectiveId: string;
  krId: string | null;
  query: QueryTerm[];
  totalWeight: number;
  vector: Float32Array | null;
  /** Strategy texts (verbatim) this unit was built from, with their stems and field, for evidence quotes. */
  sources: UnitSource[];
}

/** Which strategy field a unit text comes from: a KR's own title/metric, or its objective's title/description. */
export type SourceField = 'kr_title' | 'kr_metric' | 'objective_title' | 'objective_description';

export interface UnitSource {
  text: string;
  stems: Set<string>;
  field: SourceField;
  /** Id of the objective or key result the text belongs to. */
  ownerId: string;
  /** The text's sentences (verbatim substrings) with their stems: evidence quotes the one that matched. */
  sentences: { text: string; stems: Set<string> }[];
}

/** Sentence ends (and semicolons, which separate independent clauses in strategy prose). */
const SENTENCE_END_RE = /(?<=[.!?;])\s+(?=\S)|\n+/;

export interface StrategyIndex {
  strategy: Strategy;
  units: GoalUnit[];
  nonGoals: NonGoalSpec[];
  /** Stems that appear anywhere in the objectives (non-goal scope words shared with goals weigh less). */
  goalStems: Set<string>;
  vectors?: WordVectors;
  lexical: LexicalIndex;
  /**
   * Unit sentence vectors as one row-major matrix (zero rows for units without a vector), for fast dot
   * products. Float32 holds the vectors exactly (they are float32) in half the memory of float64.
   */
  unitMatrix: Float32Array | null;
  /** Soft word matcher over the goal vocabulary (present when vectors are). */
  soft?: SoftMatcher;
  /** Soft word matcher over the non-goals' distinctive subject words (present when vectors are). */
  nonGoalSoft?: SoftMatcher;
}

type Field = { text: string; weight: number; field: SourceField; ownerId: string };

function buildUnit(kind: GoalUnit['kind'], id: string, objectiveId: string, krId: string | null, fields: Field[], idf: (s: string) => number, vectors?: WordVectors): GoalUnit {
  const weights = new Map<string, number>();
  const vecWords: { word: string; weight: number }[] = [];
  const sources: GoalUnit['sources'] = [];
  for (const f of fields) {
    if (!f.text) continue;
    const toks = tokenize(f.text);
    const parts = f.text.split(SENTENCE_END_RE).map((x) => x.trim().replace(/[;:,]$/, '')).filter(Boolean);
    const sentences = parts.length > 1 ? parts.map((x) => ({ text: x, stems: new Set(tokenize(x).map((t) => t.stem)) })) : [];
    sources.push({ text: f.text, stems: new Set(toks.map((t) => t.stem)), field: f.field, ownerId: f.ownerId, sentences });
    const seen = new Set<string>();
    for (const t of toks) {
      vecWords.push({ word: t.word, weight: f.weight });
      if (seen.has(t.stem)) continue;
      seen.add(t.stem);
      const w = f.weight * idf(t.stem) * informativeness(vectors, t.word);
      weights.set(t.stem, Math.max(weights.get(t.stem) ?? 0, w));
    }
  }
  const query = [...weights].map(([stem, weight]) => ({ stem, weight })).sort((a, b) => (a.stem < b.stem ? -1 : 1));
  return {
    kind, id, objectiveId, krId, query,
    totalWeight: query.reduce((s, q) => s + q.weight, 0),
    vector: vectors ? sentenceVector(vectors, vecWords) : null,
    sources,
  };
}

export function prepareStrategy(strategy: Strategy, vectors?: WordVectors): StrategyIndex {
  // Discrimination between goals: BM25 idf over the strategy's own texts (each objective, each KR one doc).
  const docs: Set<string>[] = [];
  for (const o of strategy.objectives) {
    docs.push(new Set(tokenize(`${o.title} ${o.description ?? ''}`).map((t) => t.stem)));
    for (const k of o.key_results) docs.push(new Set(tokenize(`${k.title} ${k.metric ?? ''}`).map((t) => t.stem)));
  }
  const df = new Map<string, number>();
  for (const d of docs) for (const s of d) df.set(s, (df.get(s) ?? 0) + 1);
  const n = docs.length;
  const idf = (s: string): number => {
    const d = df.get(s) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  const units: GoalUnit[] = [];
  const goalStems = new Set<string>();
  for (const d of docs) for (const s of d) goalStems.add(s);
  for (const o of strategy.objectives) {
    const objFields: Field[] = [
      { text: o.title, weight: 1.0, field: 'objective_title', ownerId: o.id },
      { text: o.description ?? '', weight: 0.5, field: 'objective_description', ownerId: o.id },
      ...o.key_results.map((k): Field => ({ text: k.title, weight: FIELD_WEIGHTS.krContextTitle, field: 'kr_title', ownerId: k.id })),
    ];
    units.push(buildUnit('objective', o.id, o.id, null, objFields, idf, vectors));
    for (const k of o.key_results) {
      units.push(buildUnit('key_result', k.id, o.id, k.id, [
        { text: k.title, weight: FIELD_WEIGHTS.krTitle, field: 'kr_title', ownerId: k.id },
        { text: k.metric ?? '', weight: FIELD_WEIGHTS.krMetric, field: 'kr_metric', ownerId: k.id },
        { text: o.title, weight: FIELD_WEIGHTS.objTitle, field: 'objective_title', ownerId: o.id },
        { text: o.description ?? '', weight: FIELD_WEIGHTS.objDescription, field: 'objective_description', ownerId: o.id },
      ], idf, vectors));
    }
  }
  const nonGoals = (strategy.non_goals ?? []).map((g) => buildNonGoal(g.id, g.text, goalStems, vectors));
  let soft: SoftMatcher | undefined;
  if (vectors) {
    const goalWords = new Map<string, string>();
    for (const o of strategy.objectives) {
      const text = [o.title, o.description ?? '', ...o.key_results.flatMap((k) => [k.title, k.metric ?? ''])].join('\n');
      for (const t of tokenize(text)) if (!goalWords.has(t.stem)) goalWords.set(t.stem, t.word);
    }
    soft = new SoftMatcher(vectors, goalWords);
  }
  let nonGoalSoft: SoftMatcher | undefined;
  if (vectors && nonGoals.some((g) => g.subjects.length)) {
    const words = new Map<string, string>();
    for (const g of nonGoals) for (const sub of g.subjects) for (const d of sub.distinctive) if (!words.has(d.stem)) words.set(d.stem, d.word);
    nonGoalSoft = new SoftMatcher(vectors, words);
  }
  const dims = vectors?.dims ?? 0;
  let unitMatrix: Float32Array | null = null;
  if (vectors) {
    unitMatrix = new Float32Array(units.length * dims);
    units.forEach((u, i) => { if (u.vector) unitMatrix!.set(u.vector, i * dims); });
  }
  return { strategy, units, lexical: new LexicalIndex(units), unitMatrix, nonGoals, goalStems, vectors, ...(soft ? { soft } : {}), ...(nonGoalSoft ? { nonGoalSoft } : {}) };
}
