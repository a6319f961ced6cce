// Execution health: reliability and quality work that keeps the product trustworthy (bugs that hurt users,
// incidents and their follow-ups, performance, security, tests, CI/deploy, monitoring). It is aligned even
// when no objective names it. Generic knowledge of what such tickets look like, in any domain.
import type { AnalyzedItem } from './analyze.ts';
import { anyOf, literalWordStarts } from './regex.ts';
import type { WordEntry, WordList } from './tokens.ts';

export type HealthCategory = 'security' | 'incident' | 'performance' | 'reliability' | 'testing' | 'delivery' | 'monitoring' | 'accessibility' | 'maintenance' | 'bug';

/** Cue patterns per category. Title/label hits are strong evidence; description hits are weak (features mention tests too). */
const CUES: readonly [HealthCategory, RegExp][] = [
  ['security', /\b(?:security|vulnerab\w*|cve-?\d*|xss|csrf|sql injection|idor|pen-?test\w*|penetration test\w*|auth\w* bypass|privilege escalation|exploit\w*|secrets? (?:leak\w*|rotation|scanning)|leaked|owasp|ssrf|rce|tls|ssl cert\w*|certificate expir\w*|encrypt\w* at rest|brute[- ]force|dependabot|soc ?2 finding\w*)\b/],
  ['incident', /\b(?:incidents?|outages?|post-?mortems?|post mortems?|rca|root cause|sev ?[0-3]|p[01]|downtime|degraded|on-?call|pager\w*|hotfix\w*|roll ?back|data loss|corrupt\w*)\b/],
  ['performance', /\b(?:latency|slow(?:ness|er|ly)?|time-?outs?|timing out|p9[59]|memory leaks?|oom|out of memory|cpu|load times?|page load|throughput|n\+1|query plans?|performance (?:regression|issue|problem|budget|test\w*|improvement\w*)|(?:api|page|query|app|site|server|endpoint|db|database) performance|speed up|optimi[sz]e (?:the )?(?:query|queries|endpoint|load|bundle))\b/],
  ['reliability', /\b(?:crash\w*|error rate|5\d\d(?:s| errors?)|unhandled|deadlocks?|race conditions?|uptime|availability|sla|slo|failover|backups?|disaster recovery|retr(?:y|ies) (?:logic|storm)|idempoten\w*|(?:sync|job|import|webhook|export)s? (?:fail\w*|error\w*|broken)|stuck|data integrity|regression)\b/],
  ['testing', /\b(?:flaky|flakiness|unit tests?|integration tests?|e2e tests?|end-to-end tests?|test coverage|regression tests?|test suite|contract tests?|smoke tests?|load tests?)\b/],
  ['delivery', /\b(?:ci|ci\/cd|cd pipeline|build pipeline|pipelines?|deploy(?:s|ment|ments)? (?:fail\w*|pipeline|process|script\w*)|zero-?downtime|release (?:process|pipeline|automation)|github actions|jenkins|build (?:fails|failing|broken|times?)|staging environment|blue-?green|canary)\b/],
  ['monitoring', /\b(?:monitoring|observability|alerting|alerts? (?:on|for) (?:errors?|latency|failures?)|tracing|sentry|datadog|grafana|prometheus|health ?checks?|status page|structured logging|log (?:retention|pipeline)|error tracking|uptime checks?)\b/],
  ['accessibility', /\b(?:a11y|accessibility|wcag|screen ?readers?|keyboard (?:navigation|navigable|accessible|trap)|vpat|aria[- ]\w+|colou?r contrast)\b/],
  // Keeping what exists working: a vendor or runtime goes away on a date whether or not a goal names it.
  ['maintenance', /\b(?:deprecat\w*|end[- ]of[- ]life|eol|unsupported (?:version|runtime)|security patch\w*|(?:upgrade|bump|migrate)\b.{0,40}\b(?:before|deadline|eol|deprecated|unsupported|security))\b/],
];

/** Matches exactly when one of CUES does: one pass over the text rules all categories out (see regex.ts). */
const ANY_CUE = anyOf(CUES.map(([, re]) => re));

/**
 * Every cue starts at a word boundary with one of these literal starts (regex.ts, literalWordStarts). In
 * ASCII text a word boundary before a letter is where one of the scanner's words starts, or just after an
 * apostrophe inside one ("don't" → "t"); before a digit it needs a digit in the text. So when no word starts
 * with one of these (and, for starts with a digit, the text has none), no cue can match and the text need
 * not be searched. Null if the cue list ever gains an alternative without such a start.
 */
const CUE_STARTS = literalWordStarts(CUES.map(([, re]) => re));
const DIGIT_CUE = CUE_STARTS?.some((p) => /^\d/.test(p.text)) ?? true;
const WORD_CUE_STARTS = CUE_STARTS?.filter((p) => !/^\d/.test(p.text)) ?? [];

function wordMayStartCue(e: WordEntry): boolean {
  if (e.healthCue === 0) {
    const may = e.word.split(/['’]/).some((part) => WORD_CUE_STARTS.some((p) => (p.whole ? part === p.text : part.startsWith(p.text))));
    e.healthCue = may ? 2 : 1;
  }
  return e.healthCue === 2;
}

/**
 * False when none of these texts (the item's title and description, as scanned) can contain a cue, so that
 * assessHealth need not search it (see CUE_STARTS); true otherwise, and always for non-ASCII text.
 */
export function mayContainCue(lists: readonly WordList[]): boolean {
  if (!CUE_STARTS) return true;
  for (const list of lists) {
    if (!list.ascii || (DIGIT_CUE && list.digits)) return true;
    for (let i = 0; i < list.length; i++) if (wordMayStartCue(list.items[i]!)) return true;
  }
  return false;
}

/** Labels and types that teams use to file reliability work. */
const HEALTH_LABEL_RE = /^(?:bug|bugs|defect|incident|security|sec|vuln\w*|perf|performance|reliability|sre|ops|infra|infrastructure|ci|ci-cd|cicd|devops|flaky|flaky-tests?|tests?|testing|qa|monitoring|observability|postmortem|post-mortem|hotfix|p0|p1|sev[0-3]|regression|tech-?debt|stability|outage|a11y|accessibility|maintenance)$/;
const HEALTH_TYPES = new Set(['bug', 'defect', 'incident', 'problem', 'vulnerability', 'hotfix']);
/** Signs a bug hurts users (vs. cosmetic): customer reports, failures, lost or wrong data. */
const USER_IMPACT_RE = /\b(?:customers?|users?|escalat\w*|support tickets?|zendesk|production|prod|cannot|can'?t|unable|fails?|failing|failed|error|errors|broken|crash\w*|lost|wrong|missing|stuck|vanish\w*|blocked|duplicated?|not (?:sent|saved|working|loading)|data)\b/;
const SEVERITY_RE = /\b(?:p0|p1|sev ?[01]|critical|urgent|blocker|high severity|security)\b/;
const COSMETIC_RE = /\b(?:typo|cosmetic|pixel|misaligned|alignment of|colou?r|font|spacing|tooltip|nice to have|polish)\b/;

/** Score contributions. Each is sized so one strong sign (title cue, bug type, health label) reaches the threshold alone. */
export const HEALTH_WEIGHTS = { titleCue: 0.6, descCue: 0.2, label: 0.5, type: 0.45, userImpact: 0.15, severity: 0.15, trace: 0.15, cosmetic: -0.3 } as const;
/** Health threshold: one strong sign (0.45–0.6) or two weak ones. */
export const HEALTH_MIN = 0.45;

export interface HealthResult {
  score: number;
  category: HealthCategory | null;
  /** The cue text found (lower-case), for evidence. */
  cue: string | null;
}

export function assessHealth(a: AnalyzedItem): HealthResult {
  const title = a.title.toLowerCase();
  const desc = a.text.slice(title.length);
  let score = 0;
  let category: HealthCategory | null = null;
  let cue: string | null = null;
  let best = 0;
  // Most items name no cue at all: one pass of the combined pattern rules all categories out at once.
  if (a.mayHaveCue && ANY_CUE.test(a.text)) for (const [cat, re] of CUES) {
    if (!re.test(a.text)) continue; // a.text = title + description: one pass rules the category out
    const t = re.exec(title);
    const d = t ? null : re.exec(desc);
    const s = t ? HEALTH_WEIGHTS.titleCue : d ? HEALTH_WEIGHTS.descCue : 0;
    if (s > best) { best = s; category = cat; cue = (t ?? d)![0]; }
  }
  score += best;
  const label = a.labels.find((l) => HEALTH_LABEL_RE.test(l.toLowerCase()));
  if (label) { score += HEALTH_WEIGHTS.label; cue ??= label; }
  const isBugType = HEALTH_TYPES.has(a.type);
  if (isBugType) { score += HEALTH_WEIGHTS.type; category ??= 'bug'; cue ??= a.type; }
  if ((isBugType || best > 0) && USER_IMPACT_RE.test(a.text)) score += HEALTH_WEIGHTS.userImpact;
  if (SEVERITY_RE.test(title) || a.labels.some((l) => SEVERITY_RE.test(l.toLowerCase()))) score += HEALTH_WEIGHTS.severity;
  if (a.features.stackTrace || a.features.repro) score += HEALTH_WEIGHTS.trace;
  if (COSMETIC_RE.test(title)) score += HEALTH_WEIGHTS.cosmetic;
  if (label && !category) category = 'reliability';
  return { score: Math.max(0, Math.min(1, score)), category, cue };
}
