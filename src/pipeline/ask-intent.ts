// What a question asks for, from ordinary English wording alone (no knowledge of any backlog or strategy): about one
// item, what to stop, which goals have no work (coverage), where the effort goes (portfolio), or the strategy itself.
// Deterministic: the same question always gets the same intent. Instruction-like sentences are removed by the caller.

export type AskIntent = 'item' | 'stop' | 'coverage' | 'portfolio' | 'strategy';
/** Within an item question, the part of the answer asked about first. */
export type ItemFocus = 'duplicate' | 'parent' | 'stop' | null;

const GOAL_WORDS = String.raw`(?:key[- ]results?|krs?|okrs?|goals?|objectives?|targets?|outcomes?)`;
const NOBODY = String.raw`(?:no|without|zero|nobody|no ?one|none|nothing|lack(?:s|ing)?|missing|uncovered|unstaffed|neglected|ignored|orphan(?:ed|s)?|untouched|unaddressed|unattended|empty)`;
const WORKED_ON = String.raw`(?:worked|working|work|covered|cover(?:s|ing)?|addressed|staffed|served|serv(?:es|ing)|touched|supported|tackled)`;

/** Goals nobody works on. */
const COVERAGE: readonly RegExp[] = [
  new RegExp(String.raw`\b${GOAL_WORDS}\b[^.?!]*\b${NOBODY}\b`, 'i'),
  new RegExp(String.raw`\b${GOAL_WORDS}\b[^.?!]*\bnot\b[^.?!]*\b${WORKED_ON}\b`, 'i'),
  new RegExp(String.raw`\b(?:no|nobody|no ?one|nothing)\b[^.?!]*\b${WORKED_ON}\b[^.?!]*\b${GOAL_WORDS}\b`, 'i'),
  /\bcoverage\b|\bgaps?\b[^.?!]*\b(?:strategy|plan|roadmap|key[- ]results?|goals?|objectives?|okrs?)\b/i,
];

/** What to stop, cut or pause. */
const STOP: readonly RegExp[] = [
  /\b(?:stop|stopping|cut|cutting|drop|dropping|kill|killing|cancel(?:l?ing)?|deprioriti[sz]e|deprioriti[sz]ing|pause|pausing|shelve|descope|de-scope|scrap|axe|trim|prune|abandon|park)\b/i,
  /\b(?:not|no longer|quit|skip)\s+(?:be\s+)?(?:doing|working on|do)\b/i,
  /\bfree\s+(?:up\s+)?(?:capacity|time|people|points|engineers|the team|some room)\b/i,
  /\b(?:waste|wasting|wasted|busywork|noise|low[- ]value|pointless)\b/i,
  /\bwhat\s+can\s+(?:we|i|my team|the team|they)\s+(?:skip|let go|say no to)\b/i,
];

/** Where the effort goes: the portfolio summary. */
const PORTFOLIO: readonly RegExp[] = [
  /\bportfolio\b|\bbreak\s?down\b|\bdistribution\b|\ballocation\b|\boverview\b|\bsummary\b|\bsummari[sz]e\b/i,
  /\bwhere\s+(?:is|are|does|do|did)\s+(?:our\s+|the\s+|my\s+|all\s+(?:the\s+)?)?(?:effort|time|capacity|work|points|people|focus|energy)\b/i,
  /\bhow\s+(?:much|many)\b[^.?!]*\b(?:effort|time|capacity|points|backlog|unaligned|aligned|items|tickets|work)\b/i,
  /\bunaligned\b|\bmisaligned\b|\boff[- ]strategy\b/i,
  /\bduplicat(?:e|es|ed|ion|ions)\b|\boverlap(?:s|ping)?\b|\bdouble work\b/i,
  /\bexecution\s+health\b|\breliability\s+work\b/i,
  /\bspread\b[^.?!]*\b(?:objectives?|goals?|teams?)\b/i,
];

const FOCUS: readonly [Exclude<ItemFocus, null>, RegExp][] = [
  ['duplicate', /\bduplicat(?:e|es|ed|ion)\b|\bcop(?:y|ies)\b|\bsame as\b|\boverlap(?:s|ping)?\b/i],
  ['parent', /\bepic\b|\bparent\b|\bpart of\b|\bbelongs? to\b/i],
  ['stop', STOP[0]!],
];

const any = (patterns: readonly RegExp[], text: string) => patterns.some((p) => p.test(text));

export function classifyIntent(question: string, opts: { hasItem: boolean }): AskIntent {
  if (opts.hasItem) return 'item';
  if (any(COVERAGE, question)) return 'coverage';
  if (any(STOP, question)) return 'stop';
  if (any(PORTFOLIO, question)) return 'portfolio';
  return 'strategy';
}

/** Whether the question is about the portfolio as a whole (then a thread's earlier item does not carry over). */
export const isPortfolioIntent = (i: AskIntent) => i === 'stop' || i === 'coverage' || i === 'portfolio';

export function itemFocus(question: string): ItemFocus {
  for (const [focus, p] of FOCUS) if (p.test(question)) return focus;
  return null;
}

/** Tracker keys written in the question ("ABC-123", "web-42"): candidates for the item it is about. */
export function mentionedItemIds(question: string): string[] {
  return [...new Set(question.match(/\b[A-Za-z][A-Za-z0-9_]*-\d+\b/g) ?? [])];
}

/** The team a question names, among the workspace's teams (longest name first, whole words, any case). */
export function mentionedTeam(question: string, teams: readonly string[]): string | null {
  const lower = question.toLowerCase();
  const sorted = [...new Set(teams)].filter((t) => t.trim().length >= 2).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  for (const t of sorted) {
    const escaped = t.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}(?:$|[^\\p{L}\\p{N}])`, 'u').test(lower)) return t;
  }
  return null;
}

/** The question points back at something already named ("is it a duplicate?", "should we stop this one?"). */
export const refersBack = (question: string) =>
  /\b(?:it|its|it's|itself)\b|\b(?:this|that|the)\s+(?:one|item|ticket|story|task|epic|bug|issue|card|request)\b/i.test(question);

/** "my team", "our team": the asker means their own team, which Bearing cannot know without `team`. */
export const asksAboutOwnTeam = (question: string) => /\b(?:my|our)\s+(?:team|squad|group|crew)\b/i.test(question);
