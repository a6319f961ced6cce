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
  /** Strategy texts (verbatim) this unit was built from, with their stems, for evidence quotes. */
  sources: { text: string; stems: Set<string> }[];
}

export interface StrategyIndex {
  strategy: Strategy;
  units: GoalUnit[];
  nonGoals: NonGoalSpec[];
  /** Stems that appear anywhere in the objectives (non-goal scope words shared with goals weigh less). */
  goalStems: Set<string>;
  vectors?: WordVectors;
  lexical: LexicalIndex;
  /** Unit sentence vectors as one row-major matrix (zero rows for units without a vector), for fast dot products. */
  unitMatrix: Float64Array | null;
  /** Soft word matcher over the goal vocabulary (present when vectors are). */
  soft?: SoftMatcher;
}

type Field = { text: string; weight: number };

function buildUnit(kind: GoalUnit['kind'], id: string, objectiveId: string, krId: string | null, fields: Field[], idf: (s: string) => number, vectors?: WordVectors): GoalUnit {
  const weights = new Map<string, number>();
  const vecWords: { word: string; weight: number }[] = [];
  const sources: GoalUnit['sources'] = [];
  for (const f of fields) {
    if (!f.text) continue;
    const toks = tokenize(f.text);
    sources.push({ text: f.text, stems: new Set(toks.map((t) => t.stem)) });
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
      { text: o.title, weight: 1.0 },
      { text: o.description ?? '', weight: 0.5 },
      ...o.key_results.map((k) => ({ text: k.title, weight: FIELD_WEIGHTS.krContextTitle })),
    ];
    units.push(buildUnit('objective', o.id, o.id, null, objFields, idf, vectors));
    for (const k of o.key_results) {
      units.push(buildUnit('key_result', k.id, o.id, k.id, [
        { text: k.title, weight: FIELD_WEIGHTS.krTitle },
        { text: k.metric ?? '', weight: FIELD_WEIGHTS.krMetric },
        { text: o.title, weight: FIELD_WEIGHTS.objTitle },
        { text: o.description ?? '', weight: FIELD_WEIGHTS.objDescription },
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
  const dims = vectors?.dims ?? 0;
  let unitMatrix: Float64Array | null = null;
  if (vectors) {
    unitMatrix = new Float64Array(units.length * dims);
    units.forEach((u, i) => { if (u.vector) unitMatrix!.set(u.vector, i * dims); });
  }
  return { strategy, units, lexical: new LexicalIndex(units), unitMatrix, nonGoals, goalStems, vectors, ...(soft ? { soft } : {}) };
}
