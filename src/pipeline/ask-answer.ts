// The deterministic answer: extractive, short and cited — built from an item's score (rationale and evidence), the
// best strategy passages, its epic, its copies and the latest run's suggestion; honest about what it is unsure of.
// Pure: the same inputs always give the same text and citations.
import type { Strategy } from '../domain/contracts.ts';
import { GOAL_SCALE, LINK_MIN } from '../domain/engine/decide.ts';
import { clip, quoteList } from '../domain/engine/explain.ts';
import type { StrategyPassage } from '../domain/strategy-chunks.ts';
import { cite, itemSource, passageSource, refsIn, type Citation, type Source } from './ask-citations.ts';
import type { ItemFocus } from './ask-intent.ts';
import type { ItemFacts, Ranking, RankedPassage } from './ask-retrieval.ts';

export type Confidence = 'high' | 'medium' | 'low';

export interface Composed {
  answer: string;
  citations: Citation[];
  confidence: Confidence;
  /** Every source the answer could have cited (what a model is allowed to cite too). */
  sources: Map<string, Source>;
  /**
   * Backlog text the answer echoes, raw (item ids and titles, score rationales, suggestion reasons, team names): it
   * reaches a model inside Bearing's findings, so it is as untrusted as the item itself.
   */
  backlog: string[];
}

/** The lowest alignment of an item linked to a goal (the engine links at a goal score of LINK_MIN). */
export const LINK_ALIGNMENT = Math.round((1 - Math.exp(-LINK_MIN / GOAL_SCALE)) * 100) / 100;
/** Linked, but below this the link rests on a word or two: said as a weak link. */
export const WEAK_ALIGNMENT = 0.6;
/** Passages quoted at most when answering a question about the strategy itself. */
export const MAX_STRATEGY_QUOTES = 3;
/** Longest item title echoed in an answer. */
const TITLE_CHARS = 80;

/** Text from users or items echoed in an answer: one line, and no brackets (they could pose as citation markers). */
export const plain = (text: string, max = TITLE_CHARS) => clip(text.replace(/\[/g, '(').replace(/\]/g, ')'), max);
export const itemLabel = (i: { id: string; title: string }) => `${plain(i.id, 60)} "${plain(i.title)}"`;
/** A score, confidence or similarity as answers print it (two decimals). */
export const fixed = (x: number) => x.toFixed(2);

/** Collects sentences and the citations their markers stand for. */
export class AnswerDraft {
  private readonly sentences: string[] = [];
  private readonly cited = new Map<string, Citation>();
  private readonly backlog: string[] = [];

  constructor(readonly sources: Map<string, Source>) {}

  /** The marker for a known source (registering its citation), or '' for an unknown one. */
  ref(ref: string, opts: { hint?: string | null; about?: string } = {}): string {
    const s = this.sources.get(ref);
    if (!s) return '';
    if (!this.cited.has(ref)) this.cited.set(ref, cite(s, opts));
    return `[${ref}]`;
  }

  /** Backlog text for the answer (see `plain`), recorded as untrusted. */
  echo(text: string, max?: number): string {
    this.backlog.push(text);
    return plain(text, max);
  }

  /** An item's id and title for the answer (see `itemLabel`), recorded as untrusted. */
  label(item: { id: string; title: string }): string {
    this.backlog.push(item.id, item.title);
    return itemLabel(item);
  }

  itemRef(item: { id: string; title: string }): string {
    this.backlog.push(item.id, item.title);
    const s = itemSource(item);
    if (!/^[^\[\]\n]{1,300}$/.test(s.citation.ref)) return '';
    this.sources.set(s.citation.ref, s);
    return this.ref(s.citation.ref);
  }

  /** The quote of a source cited through `ref`. */
  quoteOf(ref: string): string {
    return this.cited.get(ref)?.quote ?? '';
  }

  hasStrategyCitation(): boolean {
    return [...this.cited.values()].some((c) => c.source === 'strategy');
  }

  say(sentence: string | null | undefined): void {
    if (sentence) this.sentences.push(sentence);
  }

  compose(confidence: Confidence): Composed {
    const answer = this.sentences.join(' ');
    const citations = refsIn(answer).flatMap((r) => this.cited.get(r) ?? []);
    return { answer, citations, confidence, sources: this.sources, backlog: this.backlog };
  }
}

/** Every passage of the version as a citable source. */
export function passageSources(passages: StrategyPassage[], version: number): Map<string, Source> {
  return new Map(passages.map((p) => [p.id, passageSource(p, version)]));
}

export function goalLabel(p: StrategyPassage): string {
  switch (p.kind) {
    case 'key_result':
      return `key result ${p.ref_id}`;
    case 'objective':
      return `objective ${p.ref_id}`;
    case 'non_goal':
      return `non-goal ${p.ref_id}`;
    case 'north_star':
      return 'the north star';
    default:
      return 'a principle';
  }
}

/** The passage stating a goal; with an evidence quote, the one that contains it. */
function passageOf(passages: StrategyPassage[], goalId: string, quote?: string): StrategyPassage | null {
  const own = passages.filter((p) => p.ref_id === goalId);
  return (quote ? own.find((p) => quote.split(/…|\.\.\./).some((piece) => piece.trim().length >= 3 && p.text.includes(piece.trim()))) : undefined) ?? own[0] ?? null;
}

interface Goals {
  kr: (id: string) => { id: string; title: string } | null;
  objective: (id: string) => { id: string; title: string } | null;
  nonGoal: (id: string) => { id: string; text: string } | null;
}

function goalsOf(s: Strategy): Goals {
  return {
    kr: (id) => s.objectives.flatMap((o) => o.key_results).find((k) => k.id === id) ?? null,
    objective: (id) => s.objectives.find((o) => o.id === id) ?? null,
    nonGoal: (id) => s.non_goals.find((n) => n.id === id) ?? null,
  };
}

export interface ItemAnswerInput {
  facts: ItemFacts;
  strategy: Strategy;
  version: number;
  passages: StrategyPassage[];
  ranking: Ranking;
  focus: ItemFocus;
}

/** The closest objective or key result, and why its link to the item is weak. */
function closestGoal(d: AnswerDraft, ranking: Ranking, itemTitle: string): string | null {
  const best = ranking.passages.find((r) => r.passage.kind === 'objective' || r.passage.kind === 'key_result');
  if (!best) return null;
  const marker = d.ref(best.passage.id, { about: itemTitle });
  const words = best.shared;
  const overlap = words.length ? `they share only ${quoteList(words.slice(0, 3))}` : 'they share no words';
  const similarity = ranking.method === 'vector' && best.itemScore !== null ? `, and their meaning is ${fixed(best.itemScore)} similar (1 = the same)` : '';
  return `The closest goal is ${goalLabel(best.passage)}${marker}, but the link is weak: ${overlap}${similarity}.`;
}

export function composeItemAnswer(input: ItemAnswerInput): Composed {
  const { facts, strategy, version, passages, ranking } = input;
  const goals = goalsOf(strategy);
  const d = new AnswerDraft(passageSources(passages, version));
  const item = { id: facts.row.external_id, title: facts.row.title };
  const label = d.label(item);
  const s = facts.score;
  const evidenceQuote = (id: string) => s?.evidence.find((e) => e.id === id && e.kind !== 'item')?.quote;
  const goalRef = (id: string) => {
    const p = passageOf(passages, id, evidenceQuote(id));
    return p ? d.ref(p.id, { hint: evidenceQuote(id) }) : '';
  };

  const verdict: string[] = [];
  const why: string[] = [];
  const notes: string[] = [];
  const kr = s?.kr_id ? goals.kr(s.kr_id) : null;
  const objective = s?.objective_id ? goals.objective(s.objective_id) : null;
  const linked = !!s && (s.kr_id !== null || s.objective_id !== null);

  if (!s) {
    verdict.push(`${label} has no score: Bearing could not read it.`);
  } else if (linked) {
    const krPart = kr ? `key result ${kr.id} "${plain(kr.title)}"${goalRef(kr.id)}` : s.kr_id ? `key result ${s.kr_id}` : '';
    const objPart = objective ? `objective ${objective.id} "${plain(objective.title)}"${goalRef(objective.id)}` : s.objective_id ? `objective ${s.objective_id}` : '';
    verdict.push(`${label} serves ${krPart && objPart ? `${krPart} of ${objPart}` : krPart || objPart} (alignment ${fixed(s.alignment)}).`);
    if (s.alignment < WEAK_ALIGNMENT) notes.push(`the link is weak (alignment ${fixed(s.alignment)}, where ${LINK_ALIGNMENT} is the least that links)`);
  } else if (s.execution_health) {
    verdict.push(`${label} is reliability and quality work: it counts as aligned even though no objective or key result names it.`);
  } else {
    verdict.push(`${label} serves no objective or key result of strategy v${version} (alignment ${fixed(s.alignment)}, below the ${LINK_ALIGNMENT} that links an item to a goal).`);
  }
  if (s?.non_goal_id) {
    const ng = goals.nonGoal(s.non_goal_id);
    verdict.push(ng ? `It runs against non-goal ${ng.id} "${plain(ng.text)}"${goalRef(ng.id)}.` : `It runs against non-goal ${s.non_goal_id}.`);
  }
  if (s && (!linked || !d.hasStrategyCitation())) verdict.push(closestGoal(d, ranking, item.title) ?? '');
  if (s?.rationale) why.push(`Why: ${d.echo(s.rationale, 400)}`);
  if (s && linked) {
    // Prose the strategy says about the goal beyond its title, when the evidence quoted it.
    for (const e of s.evidence) {
      if (e.kind !== 'objective' || (objective && e.quote === objective.title)) continue;
      const marker = goalRef(e.id);
      if (marker) why.push(`The strategy says: "${plain(e.quote, 200)}"${marker}.`);
      break;
    }
  }

  const parent = facts.parent ? [`It belongs to ${facts.parent.type === 'epic' ? 'epic' : 'parent item'} ${d.label({ id: facts.parent.external_id, title: facts.parent.title })}${d.itemRef({ id: facts.parent.external_id, title: facts.parent.title })}.`] : [];

  const dups: string[] = [];
  const keep = facts.duplicates.filter((x) => x.relation === 'keep');
  const copies = facts.duplicates.filter((x) => x.relation === 'copy');
  const similar = facts.duplicates.filter((x) => x.relation === 'similar');
  const list = (xs: { id: string; title: string }[]) => xs.map((x) => `${d.label(x)}${d.itemRef(x)}`).join(', ');
  if (keep.length) dups.push(`The latest run found it duplicates ${list(keep)}: keep that one.`);
  if (copies.length) dups.push(`The latest run found ${copies.length === 1 ? 'a copy' : 'copies'} of it: ${list(copies)}.`);
  if (similar.length) dups.push(`It reads like a copy of ${list(similar)}.`);

  const sug = facts.suggestion;
  const suggestion = sug
    ? [`The latest run suggests to ${sug.action} it (rank ${sug.rank}, confidence ${fixed(sug.confidence)}${sug.capacity_points !== null ? `, frees ${sug.capacity_points} points` : ''}): ${sug.reasons.map((r) => d.echo(r, 200)).join('; ')}.`]
    : [];

  if (s && s.run_id === null) notes.push('no finished run has scored it yet, so this is an estimate from its current text');
  if (facts.changedSinceScored) notes.push('it changed after it was last scored');
  if (s && s.strategy_version !== version) notes.push(`it was scored against strategy v${s.strategy_version}, not the active v${version}`);
  if (s?.flags.includes('vague')) notes.push('its text is too thin to be sure what it delivers');

  const sections: Record<string, string[]> = { verdict, why, parent, duplicate: dups, stop: suggestion };
  const order = ['verdict', ...(input.focus ? [input.focus] : []), 'why', 'parent', 'duplicate', 'stop'];
  for (const key of new Set(order)) for (const sentence of sections[key] ?? []) d.say(sentence);
  if (notes.length) d.say(`Uncertain: ${notes.join('; ')}.`);
  return d.compose(!s || notes.length > 1 ? 'low' : notes.length === 1 ? 'medium' : 'high');
}

/** A question about the strategy itself: the closest passages, quoted — or a plain "nothing here answers this". */
export function composeStrategyAnswer(input: { question: string; version: number; passages: StrategyPassage[]; ranking: Ranking }): Composed {
  const d = new AnswerDraft(passageSources(input.passages, input.version));
  const relevant = input.ranking.passages.filter((r) => r.shared.length > 0).slice(0, MAX_STRATEGY_QUOTES);
  const line = (r: RankedPassage) => {
    const marker = d.ref(r.passage.id, { about: input.question });
    const quote = d.quoteOf(r.passage.id);
    return `${goalLabel(r.passage).replace(/^./, (c) => c.toUpperCase())}: "${quote}"${marker}.`;
  };
  if (relevant.length) {
    d.say(`From strategy v${input.version}:`);
    for (const r of relevant) d.say(line(r));
    return d.compose(relevant[0]!.shared.length >= 2 ? 'high' : 'medium');
  }
  const closest = input.ranking.passages[0];
  if (!closest) {
    d.say(`Strategy v${input.version} has no passages to answer from.`);
    return d.compose('low');
  }
  d.say(`Nothing in strategy v${input.version} clearly answers this: no passage shares a word with the question.`);
  d.say(`The closest is ${line(closest).replace(/^./, (c) => c.toLowerCase())}`);
  return d.compose('low');
}
