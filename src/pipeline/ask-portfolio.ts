// Questions about the whole portfolio — what to stop, which key results have no work, where the effort goes —
// answered from the latest finished run's stop suggestions and portfolio snapshot, cited to items and goals.
import { topSuggestions, type StopLine } from '../adapters/db/ask-portfolio-reads.ts';
import { titlesOf, workspaceTeams } from '../adapters/db/ask-reads.ts';
import { finishedRuns, type RunRow } from '../adapters/db/runs.ts';
import type { Deps } from '../deps.ts';
import type { Strategy } from '../domain/contracts.ts';
import type { StrategyPassage } from '../domain/strategy-chunks.ts';
import { Problem } from '../lib/problem.ts';
import { AnswerDraft, fixed, passageSources, plain, type Composed } from './ask-answer.ts';
import { asksAboutOwnTeam, mentionedTeam, type AskIntent } from './ask-intent.ts';
import { getPortfolio, type PortfolioView } from './portfolio.ts';

/** Suggestions listed in an answer; the rest are counted and left to GET /v1/suggestions/stop. */
export const MAX_LISTED = 5;
/** Key results listed at most in a coverage answer. */
const MAX_GAPS = 8;

export interface PortfolioAnswerInput {
  workspaceId: string;
  intent: Extract<AskIntent, 'stop' | 'coverage' | 'portfolio'>;
  question: string;
  team?: string;
  strategy: Strategy;
  version: number;
  passages: StrategyPassage[];
}

export type PortfolioAnswer = Composed & { run_id: string | null };

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'unknown');
const pointsText = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
const PERIOD = /\b(?:this|next|the|current|coming)\s+(?:quarter|month|sprint|week|year|cycle|half|iteration)\b|\bq[1-4]\b/i;

function noRun(d: AnswerDraft): PortfolioAnswer {
  d.say('No scoring run has finished yet, so Bearing has no suggestions or portfolio to answer from. Start one with POST /v1/runs.');
  return { ...d.compose('low'), run_id: null };
}

/** Marker for the passage of a goal id in the active version ('' when the version has no such goal). */
function goalMarker(d: AnswerDraft, passages: StrategyPassage[], goalId: string, hint?: string): string {
  const p = passages.find((x) => x.ref_id === goalId);
  return p ? d.ref(p.id, { hint }) : '';
}

const versionNote = (run: RunRow, version: number) =>
  run.strategy_version !== version ? `That run scored strategy v${run.strategy_version}; the active strategy is v${version}, so a new run may differ.` : null;

async function stopAnswer(deps: Deps, input: PortfolioAnswerInput, d: AnswerDraft): Promise<PortfolioAnswer> {
  const [run] = await finishedRuns(deps.db, input.workspaceId, 1);
  if (!run) return noRun(d);
  const teams = input.team === undefined ? await workspaceTeams(deps.db, input.workspaceId) : [input.team];
  const team = input.team ?? mentionedTeam(input.question, teams);
  const { top, count, points } = await topSuggestions(deps.db, input.workspaceId, run.id, team, MAX_LISTED);
  const forTeam = team === null ? '' : ` for team ${d.echo(team)}`;
  if (!count) {
    d.say(`The latest run (finished ${day(run.finished_at)}) suggests nothing to stop${forTeam}.`);
  } else {
    const keepTitles = await titlesOf(deps.db, input.workspaceId, top.flatMap((s) => (s.duplicate_of ? [s.duplicate_of] : [])));
    d.say(
      `The latest run (finished ${day(run.finished_at)}) suggests ${count} change${count === 1 ? '' : 's'}${forTeam}, freeing ${pointsText(points)} in all${count > top.length ? `; the top ${top.length}` : ''}:`,
    );
    top.forEach((s, i) => d.say(stopLine(d, input.passages, i + 1, s, keepTitles)));
    if (count > top.length) d.say(`${count - top.length} more: GET /v1/suggestions/stop${team === null ? '' : `?team=${encodeURIComponent(team)}`}.`);
  }
  if (team === null && asksAboutOwnTeam(input.question) && teams.length) {
    d.say(`Bearing cannot tell which team is yours: ask again with "team" (one of: ${teams.slice(0, 8).map((t) => d.echo(t, 40)).join(', ')}${teams.length > 8 ? ', …' : ''}) to narrow this down.`);
  }
  if (PERIOD.test(input.question)) d.say('These come from the latest run, not from a plan for a given period.');
  d.say(versionNote(run, input.version));
  return { ...d.compose(run.strategy_version === input.version ? 'high' : 'medium'), run_id: run.id };
}

function stopLine(d: AnswerDraft, passages: StrategyPassage[], n: number, s: StopLine, keepTitles: Map<string, string>): string {
  const item = { id: s.external_id, title: s.title };
  let goal = '';
  if (s.non_goal_id) goal = goalMarker(d, passages, s.non_goal_id, /"([^"]+)"/.exec(s.reasons.join(' '))?.[1]);
  const keepTitle = s.duplicate_of ? keepTitles.get(s.duplicate_of) : undefined;
  const keep = s.duplicate_of && keepTitle !== undefined ? ` into ${d.label({ id: s.duplicate_of, title: keepTitle })}${d.itemRef({ id: s.duplicate_of, title: keepTitle })}` : '';
  const reason = s.reasons.map((r) => d.echo(r, 160)).join('; ');
  const points = s.capacity_points === null ? 'unestimated' : pointsText(s.capacity_points);
  return `${n}. ${s.action} ${d.label(item)}${d.itemRef(item)}${s.action === 'merge' ? keep : ''} — ${reason}${goal} (${points}, confidence ${fixed(s.confidence)}).`;
}

async function latestPortfolio(deps: Deps, workspaceId: string): Promise<PortfolioView | null> {
  try {
    return await getPortfolio(deps.db, workspaceId);
  } catch (e) {
    if (e instanceof Problem && e.code === 'not_found') return null;
    throw e;
  }
}

async function runOf(deps: Deps, workspaceId: string, id: string): Promise<RunRow | null> {
  const [run] = await finishedRuns(deps.db, workspaceId, 1);
  return run && run.id === id ? run : null;
}

async function coverageAnswer(deps: Deps, input: PortfolioAnswerInput, d: AnswerDraft): Promise<PortfolioAnswer> {
  const p = await latestPortfolio(deps, input.workspaceId);
  if (!p) return noRun(d);
  const krs = input.strategy.objectives.flatMap((o) => o.key_results);
  const title = new Map(krs.map((k) => [k.id, k.title]));
  const gaps = p.coverage_gaps.filter((g) => g.items === 0);
  if (!gaps.length) {
    d.say('Every key result has at least one item working on it in the latest run.');
  } else {
    d.say(`${gaps.length} of ${krs.length} key results ${gaps.length === 1 ? 'has' : 'have'} no work in the latest run:`);
    const listed = gaps.slice(0, MAX_GAPS).map((g) => {
      const t = title.get(g.kr_id);
      return `${g.kr_id}${t ? ` "${plain(t)}"` : ''}${goalMarker(d, input.passages, g.kr_id)}`;
    });
    d.say(`${listed.join('; ')}${gaps.length > MAX_GAPS ? `; and ${gaps.length - MAX_GAPS} more` : ''}.`);
  }
  if (p.drift?.new_coverage_gaps.length) d.say(`New since the previous run: ${p.drift.new_coverage_gaps.join(', ')}.`);
  const run = await runOf(deps, input.workspaceId, p.run_id);
  d.say(run ? versionNote(run, input.version) : null);
  return { ...d.compose(run && run.strategy_version === input.version ? 'high' : 'medium'), run_id: p.run_id };
}

async function overviewAnswer(deps: Deps, input: PortfolioAnswerInput, d: AnswerDraft): Promise<PortfolioAnswer> {
  const p = await latestPortfolio(deps, input.workspaceId);
  if (!p) return noRun(d);
  const objectives = new Map(input.strategy.objectives.map((o) => [o.id, o.title]));
  const byObjective = [...p.by_objective].sort((a, b) => b.points - a.points || b.items - a.items || (a.objective_id < b.objective_id ? -1 : 1));
  const parts = byObjective.map((o) => {
    const t = objectives.get(o.objective_id);
    return `${o.objective_id}${t ? ` "${plain(t)}"` : ''}${goalMarker(d, input.passages, o.objective_id)} ${o.items} item${o.items === 1 ? '' : 's'} / ${o.points} points`;
  });
  d.say(`In the latest run: ${parts.join('; ')}.`);
  d.say(`Reliability and quality work: ${p.execution_health.items} items / ${p.execution_health.points} points. Unaligned: ${p.unaligned.items} items / ${p.unaligned.points} points (${Math.round(p.unaligned.share_of_points * 100)}% of all points).`);
  if (p.drift) d.say(`Since the previous run the unaligned share went from ${Math.round(p.drift.unaligned_share.before * 100)}% to ${Math.round(p.drift.unaligned_share.now * 100)}%.`);
  if (p.duplicate_clusters.length) {
    const ids = [...new Set(p.duplicate_clusters.slice(0, 3).flat())];
    const titles = await titlesOf(deps.db, input.workspaceId, ids);
    const clusters = p.duplicate_clusters.slice(0, 3).map((c) => c.map((id) => (titles.has(id) ? `${d.echo(id, 60)}${d.itemRef({ id, title: titles.get(id)! })}` : d.echo(id, 60))).join(' = '));
    d.say(`Duplicate clusters (${p.duplicate_clusters.length}): ${clusters.join('; ')}${p.duplicate_clusters.length > 3 ? '; …' : ''}.`);
  } else d.say('No duplicate clusters.');
  const gaps = p.coverage_gaps.filter((g) => g.items === 0).length;
  if (gaps) d.say(`${gaps} key result${gaps === 1 ? ' has' : 's have'} no work.`);
  const run = await runOf(deps, input.workspaceId, p.run_id);
  d.say(run ? versionNote(run, input.version) : null);
  return { ...d.compose(run && run.strategy_version === input.version ? 'high' : 'medium'), run_id: p.run_id };
}

export async function portfolioAnswer(deps: Deps, input: PortfolioAnswerInput): Promise<PortfolioAnswer> {
  const d = new AnswerDraft(passageSources(input.passages, input.version));
  if (input.intent === 'stop') return stopAnswer(deps, input, d);
  if (input.intent === 'coverage') return coverageAnswer(deps, input, d);
  return overviewAnswer(deps, input, d);
}
