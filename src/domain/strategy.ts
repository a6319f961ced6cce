// One entry point for strategy documents, JSON or Markdown: parse, validate against the v1 contract,
// and reject duplicate ids (scores reference objectives, key results and non-goals by id, so an id must
// name exactly one thing). Errors are one line per problem with a location a person can find.
import { StrategyInput, describeIssues, type Strategy } from './contracts.ts';
import { parseStrategyMarkdownWithLines } from './strategy-markdown.ts';

export type StrategyFormat = 'json' | 'markdown';
export interface StrategyError { location: string; message: string }
export type ReadStrategyResult = { ok: true; strategy: Strategy } | { ok: false; errors: StrategyError[] };

/** 'json' / 'markdown' from a Content-Type ("application/json; charset=utf-8") or a file name ("q3.md"); null when unknown. */
export function detectStrategyFormat(contentTypeOrFileName: string): StrategyFormat | null {
  const v = String(contentTypeOrFileName ?? '').trim().toLowerCase();
  if (!v) return null;
  const mime = v.split(';')[0]!.trim();
  if (/^(?:application|text)\/(?:[\w.+-]+\+)?json$/.test(mime)) return 'json';
  if (/^text\/(?:markdown|x-markdown|plain)$/.test(mime)) return 'markdown';
  const ext = /\.([a-z0-9]+)$/.exec(v.split(/[?#]/)[0]!)?.[1];
  if (ext === 'json') return 'json';
  if (ext && ['md', 'markdown', 'mdown', 'mkd', 'mkdn', 'txt'].includes(ext)) return 'markdown';
  return null;
}

/** Where JSON.parse stopped, as "line L, column C" (Node reports a character offset). */
function jsonErrorLocation(text: string, message: string): string {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  if (!pos) return '(root)';
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** Duplicate objective ids, key result ids (across the whole strategy) and non-goal ids. */
export function duplicateIds(s: Pick<Strategy, 'objectives' | 'non_goals'>): StrategyError[] {
  const errors: StrategyError[] = [];
  const check = (seen: Map<string, string>, id: string, location: string, what: string) => {
    const first = seen.get(id);
    if (first) errors.push({ location, message: `duplicate ${what} id "${id}" (first used at ${first})` });
    else seen.set(id, location);
  };
  const objectives = new Map<string, string>();
  const keyResults = new Map<string, string>();
  const nonGoals = new Map<string, string>();
  s.objectives.forEach((o, oi) => {
    check(objectives, o.id, `objectives[${oi}].id`, 'objective');
    o.key_results.forEach((k, ki) => check(keyResults, k.id, `objectives[${oi}].key_results[${ki}].id`, 'key result'));
  });
  s.non_goals.forEach((n, i) => check(nonGoals, n.id, `non_goals[${i}].id`, 'non-goal'));
  return errors;
}

function validate(value: unknown, lines: Record<string, number> | null): ReadStrategyResult {
  const parsed = StrategyInput.safeParse(value);
  const withLine = (e: StrategyError): StrategyError => {
    if (!lines) return e;
    // The longest recorded path that prefixes the error path gives the Markdown line.
    const key = Object.keys(lines)
      .filter((k) => e.location === k || e.location.startsWith(k + '.') || e.location.startsWith(k + '['))
      .sort((a, b) => b.length - a.length)[0];
    return key ? { location: `line ${lines[key]} (${e.location})`, message: e.message } : e;
  };
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error).map(withLine) };
  const dups = duplicateIds(parsed.data);
  if (dups.length) return { ok: false, errors: dups.map(withLine) };
  return { ok: true, strategy: parsed.data };
}

const warningAsError = (w: string): StrategyError => {
  const m = /^line (\d+): (.*)$/s.exec(w);
  return m ? { location: `line ${m[1]}`, message: m[2]! } : { location: '(document)', message: w };
};

/** Reads a strategy document. JSON must match the contract; Markdown is parsed and must yield an objective. */
export function readStrategy(text: string, format: StrategyFormat): ReadStrategyResult {
  const input = typeof text === 'string' ? text.replace(/^\uFEFF/, '') : '';
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, errors: [{ location: jsonErrorLocation(input, message), message: `invalid JSON: ${message}` }] };
    }
    const r = validate(value, null);
    return r.ok ? { ok: true, strategy: { ...r.strategy, warnings: [] } } : r;
  }
  const { strategy, locations } = parseStrategyMarkdownWithLines(input);
  const warnings = strategy.warnings ?? [];
  if (!strategy.objectives.length) {
    return {
      ok: false,
      errors: [{ location: '(document)', message: 'no objectives found' }, ...warnings.filter((w) => w !== 'no objectives found').map(warningAsError)],
    };
  }
  const r = validate(strategy, locations);
  return r.ok ? { ok: true, strategy: { ...r.strategy, warnings } } : r;
}
