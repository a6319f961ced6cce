// Noise heuristics that need only the item itself: vague, busywork, stale. Generic cues of how tickets
// read in any organisation; each threshold is stated with its reason.
import type { AnalyzedItem } from './analyze.ts';
import { anyOf } from './regex.ts';

/** Titles that name an activity but no concrete change or outcome. */
const VAGUE_TITLE_RE =
  /\b(?:improve\w*|better|enhance\w*|various|misc\w*|stuff|things|clean ?-?ups?|revamp\w*|rework|polish\w*|tweaks?|look into|investigate|explore|ideas?|tbd|brainstorm\w*|general|overall|nicer|easier|modern\w*|refresh|overhaul|some|etc|whatever|more)\b/;
/** Outcome language: a target, a measurable change, or a stated reason. */
const OUTCOME_RE = /(?:\d+(?:\.\d+)?\s*%|\bso that\b|\bin order to\b|\bbecause\b|\bmeasured? by\b|\bsuccess (?:metric|criteria)\b|\b(?:reduce|increase|cut|raise|lower|grow)\w*\b.{0,40}\b(?:by|to|from)\b\s*\d)/;

/**
 * Vague: nothing to act on. All of: no acceptance criteria / repro / trace; a description under
 * VAGUE_MAX_DESC_TOKENS content words (two short sentences); and either a title of ≤ 2 content words or
 * a title made of vague verbs ("improve", "clean up", "look into"); and no outcome language anywhere.
 */
export const VAGUE_MAX_DESC_TOKENS = 15;
export const VAGUE_MAX_TITLE_TOKENS = 2;

export function isVague(a: AnalyzedItem): boolean {
  if (a.features.acceptanceCriteria || a.features.repro || a.features.stackTrace || a.features.checkboxes > 0) return false;
  if (a.descTokens >= VAGUE_MAX_DESC_TOKENS) return false;
  if (OUTCOME_RE.test(a.text)) return false;
  const title = a.title.toLowerCase();
  return a.titleTokens <= VAGUE_MAX_TITLE_TOKENS || VAGUE_TITLE_RE.test(title);
}

/** Internal artefacts of status-keeping: decks, status reports, syncs. */
const ARTIFACT_RE =
  /\b(?:status (?:reports?|updates?|decks?|meetings?|emails?|pages? for (?:leadership|management))|(?:kpi|metrics?|leadership|exec\w*|board|management|stakeholders?|investor|business review|okr|team) (?:decks?|reports?|updates?|packs?|slides?|summar\w*|reviews?|syncs?|newsletters?)|decks?|slides?|slideshow|powerpoint|ppt|spreadsheets?|(?:feedback |tracking |google )?sheets?|sync(?:-| )?(?:meetings?|calls?|notes)|(?:weekly|monthly|daily|bi-?weekly) syncs?|stand-?ups?|newsletters?|all-?hands|recaps?|roll-?ups?|minutes|timesheets?)\b/;
const RECURRING_RE =
  /\b(?:weekly|monthly|quarterly|daily|bi-?weekly|fortnightly|recurring|every (?:week|month|quarter|monday|tuesday|wednesday|thursday|friday|sprint|day)|each (?:week|month|quarter|sprint)|per (?:week|month|quarter|sprint)|again|ritual|routine)\b/;
const INTERNAL_AUDIENCE_RE = /\b(?:leadership|exec\w*|board|management|stakeholders?|investors?|c-?level|ceo|cfo|coo|vp|internal|all-?hands)\b/;
/** Product features that happen to be periodic ("weekly digest for users") are not busywork. */
const USER_FACING_RE = /\b(?:builder|editor|in-?app|users? (?:see|get|receive)|customers? (?:see|get|receive)|notification|feature|api|endpoint|ui|screen|page for (?:users|customers))\b/;

/** Hand-shuffling of data between tools: the mark of a ritual nobody automated because nobody needs it. */
const MANUAL_RE = /\b(?:copy|copies|paste|pastes|screenshots?|by hand|manually|re-?type)\b/;
/** Status reporting is internal by nature, whatever the audience. */
const STATUS_ARTIFACT_RE = /\bstatus (?:reports?|updates?|decks?)\b/;

/**
 * Work about the work-tracking itself: re-labelling or re-organising tickets, boards and wiki spaces moves
 * nothing a customer or a goal sees. The object must be the tracker/wiki (by product name or as "board
 * columns", "all tickets"), so product work on labels, boards or pages is not caught.
 */
const TRACKER = '(?:jira|linear|asana|trello|confluence|notion|wiki|sharepoint|clickup|kanban|backlog)';
const TOOL_HOUSEKEEPING_RE = new RegExp(
  `\\b(?:re-?label\\w*|re-?tag\\w*|re-?categori[sz]\\w*|re-?organi[sz]\\w*|clean(?:ing)?[ -]?up|tid(?:y|ying) up|archiv\\w*|rename\\w*|groom\\w*)\\b.{0,40}\\b(?:${TRACKER}|(?:all|old|existing) (?:tickets|issues|cards))\\b` +
  `|\\b${TRACKER} (?:board )?(?:columns?|swimlanes?|workflows?|statuses|components|fields|labels)\\b|\\bboard columns?\\b` +
  `|\\b(?:columns?|swimlanes?|statuses|components|labels)\\b.{0,20}\\b(?:to|on|in|of) (?:the |our )?${TRACKER}\\b`,
);
/** Meetings about meetings: alignment syncs and event logistics with no deliverable named. */
const MEETING_LOGISTICS_RE = /^(?:prep(?:are)?(?: for)?|plan|organi[sz]e|book)\b.{0,30}\b(?:off-?sites?|team ?building|all-?hands|retreat)\b|^(?:align|sync|catch up|meet)(?:ing)? with \w+(?: team)? (?:on|about)\b/;

const BUSYWORK_TITLE_RE = anyOf([STATUS_ARTIFACT_RE, TOOL_HOUSEKEEPING_RE, MEETING_LOGISTICS_RE, ARTIFACT_RE, RECURRING_RE]);

/**
 * Busywork: an internal status artefact in the title (deck, status report, sync notes, spreadsheet) that
 * recurs, serves an internal audience or is moved by hand; or any recurring hand-copying of data.
 */
export function isBusywork(a: AnalyzedItem): boolean {
  const title = a.title.toLowerCase();
  // Every way to busywork starts with one of these patterns matching the title: one pass rules them all out.
  if (!BUSYWORK_TITLE_RE.test(title)) return false;
  if (USER_FACING_RE.test(title)) return false;
  if (STATUS_ARTIFACT_RE.test(title)) return true;
  if (TOOL_HOUSEKEEPING_RE.test(title) || MEETING_LOGISTICS_RE.test(title)) return true;
  if (ARTIFACT_RE.test(title)) return RECURRING_RE.test(a.text) || INTERNAL_AUDIENCE_RE.test(a.text) || MANUAL_RE.test(a.text);
  return RECURRING_RE.test(title) && MANUAL_RE.test(a.text);
}

/**
 * Default staleness: 274 days (~9 months) without an update for work not yet started. Three quarterly
 * planning cycles passed it over; past that a "todo" is a wish, not a plan. Started work is not flagged by
 * default (an old in-progress item is a different problem: stuck, not stale).
 */
export const DEFAULT_STALE_DAYS = 274;
const DAY_MS = 86_400_000;

export function isStale(a: AnalyzedItem, nowMs: number, staleDays = DEFAULT_STALE_DAYS): boolean {
  if (a.status !== 'todo') return false;
  const last = a.updatedMs ?? a.createdMs;
  if (last === null) return false;
  return nowMs - last > staleDays * DAY_MS;
}

/** Effort the text itself states ("two sprints", "3 weeks", "rewrite"), for unestimated items. */
const STATED_EFFORT_RE = /\b(?:\d+|two|three|four|several|multiple|many)\s+(?:sprints?|weeks?|months?|engineers?|devs?|people)\b|\b(?:rewrite|re-?platform|migration|new service|from scratch)\b/;
export function statesEffort(a: AnalyzedItem): boolean {
  return STATED_EFFORT_RE.test(a.text);
}
