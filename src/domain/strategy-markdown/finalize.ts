// Draft → contract-shaped Strategy: drop untitled objectives (with a warning), keep given ids, assign
// the rest in document order (O1, O1.KR1, NG1), fit text to the schema limits, format warnings.
import type { Strategy } from '../contracts.ts';
import { isBareKrId } from './ids.ts';
import type { Draft, ObjDraft, Warning } from './draft.ts';

export interface Parsed { strategy: Strategy; locations: Record<string, number> }

const LIMITS = { title: 2_000, text: 10_000, definition: 100_000, due: 64, objectives: 200, krs: 200, nonGoals: 500, principles: 500 };

function clip(d: Draft, text: string, max: number, line: number, what: string): string {
  if (text.length <= max) return text;
  d.warnings.push({ line, message: `${what} longer than ${max} characters; truncated` });
  return text.slice(0, max);
}

/** Picks `${prefix}${n}` for the nth entry unless taken, then the next free number. */
function assign(used: Set<string>, prefix: string, n: number): string {
  let k = n;
  while (used.has(`${prefix}${k}`)) k++;
  used.add(`${prefix}${k}`);
  return `${prefix}${k}`;
}

function objectiveIds(objectives: ObjDraft[]): string[] {
  const used = new Set<string>();
  for (const o of objectives) if (o.id) used.add(o.id);
  // A numbered label ("Objective 3") claims its number before positional ids are handed out.
  const fromNumber = objectives.map((o) => (o.id ? null : o.number ? `O${o.number}` : null));
  const claimed = new Set<string>();
  const ids = objectives.map((o, i) => {
    const n = fromNumber[i];
    if (o.id) return o.id;
    if (n && !used.has(n) && !claimed.has(n)) {
      claimed.add(n);
      return n;
    }
    return null;
  });
  for (const id of ids) if (id) used.add(id);
  return ids.map((id, i) => id ?? assign(used, 'O', i + 1));
}

function keyResultIds(d: Draft, objectives: ObjDraft[], objIds: string[]): string[][] {
  // Bare "KR1" ids are kept, unless several objectives restart at KR1: then all bare ids get their objective's prefix.
  const bare = objectives.flatMap((o) => o.krs.filter((k) => k.id && isBareKrId(k.id)).map((k) => k.id!.toUpperCase()));
  const qualify = new Set(bare).size < bare.length;
  if (qualify) d.warnings.push({ line: null, message: 'key result ids such as "KR1" repeat across objectives; they were prefixed with their objective id (O1.KR1)' });
  const used = new Set<string>();
  const given = objectives.map((o, oi) =>
    o.krs.map((k) => {
      if (k.id) return qualify && isBareKrId(k.id) ? `${objIds[oi]}.KR${k.id.replace(/^KR[-#]?/i, '')}` : k.id;
      if (k.number) return `${objIds[oi]}.KR${k.number}`;
      return null;
    }),
  );
  for (const list of given) for (const id of list) if (id) used.add(id);
  return given.map((list, oi) => list.map((id, ki) => id ?? assign(used, `${objIds[oi]}.KR`, ki + 1)));
}

function formatWarning(w: Warning): string {
  return w.line === null ? w.message : `line ${w.line}: ${w.message}`;
}

export function finalize(d: Draft): Parsed {
  const locations: Record<string, number> = {};
  const titled = d.objectives.filter((o) => {
    if (o.title) return true;
    const lost = o.krs.length ? ` (${o.krs.length} key result${o.krs.length === 1 ? '' : 's'} not placed)` : '';
    d.warnings.push({ line: o.line, message: `objective heading without a title${lost}` });
    return false;
  });
  if (titled.length > LIMITS.objectives) d.warnings.push({ line: titled[LIMITS.objectives]!.line, message: `more than ${LIMITS.objectives} objectives; the rest were ignored` });
  const objectives = titled.slice(0, LIMITS.objectives);
  const objIds = objectiveIds(objectives);
  const krIds = keyResultIds(d, objectives, objIds);

  const outObjectives = objectives.map((o, oi) => {
    locations[`objectives[${oi}]`] = o.line;
    if (o.krs.length > LIMITS.krs) d.warnings.push({ line: o.krs[LIMITS.krs]!.line, message: `more than ${LIMITS.krs} key results; the rest were ignored` });
    const description = o.description.filter(Boolean).join('\n\n');
    return {
      id: objIds[oi]!,
      title: clip(d, o.title, LIMITS.title, o.line, 'objective title'),
      description: description ? clip(d, description, LIMITS.definition, o.line, 'objective description') : null,
      key_results: o.krs.slice(0, LIMITS.krs).map((k, ki) => {
        locations[`objectives[${oi}].key_results[${ki}]`] = k.line;
        return {
          id: krIds[oi]![ki]!,
          title: clip(d, k.title, LIMITS.title, k.line, 'key result title'),
          metric: k.metric,
          baseline: k.baseline,
          target: k.target,
          current: k.current,
          due: k.due ? k.due.slice(0, LIMITS.due) : null,
        };
      }),
    };
  });

  const ngUsed = new Set<string>();
  for (const n of d.nonGoals) if (n.id) ngUsed.add(n.id);
  const ngGiven = d.nonGoals.map((n) => n.id ?? (n.number && !ngUsed.has(`NG${n.number}`) ? (ngUsed.add(`NG${n.number}`), `NG${n.number}`) : null));
  const nonGoals = d.nonGoals.slice(0, LIMITS.nonGoals).map((n, i) => {
    locations[`non_goals[${i}]`] = n.line;
    return { id: ngGiven[i] ?? assign(ngUsed, 'NG', i + 1), text: clip(d, n.text, LIMITS.text, n.line, 'non-goal') };
  });
  const principles = d.principles.slice(0, LIMITS.principles).map((p, i) => {
    locations[`principles[${i}]`] = p.line;
    return clip(d, p.text, LIMITS.text, p.line, 'principle');
  });

  let northStar: Strategy['north_star'] = null;
  const ns = d.northStar;
  // "## North Star" + "Definition: …" only: the definition's first sentence names it.
  if (ns && !ns.name && ns.definition) ns.name = (/^(.{1,200}?)[.!?](?:\s|$)/.exec(ns.definition)?.[1] ?? ns.definition.slice(0, 200)).trim();
  if (ns && ns.name) {
    locations['north_star'] = ns.line;
    northStar = { name: clip(d, ns.name, LIMITS.title, ns.line, 'North Star name'), definition: ns.definition ? clip(d, ns.definition, LIMITS.definition, ns.line, 'North Star definition') : null };
    if (ns.baseline) northStar['baseline'] = ns.baseline;
    if (ns.target) northStar['target'] = ns.target;
    if (ns.due) northStar['due'] = ns.due;
  } else if (ns) d.warnings.push({ line: ns.line, message: 'North Star without a name' });

  if (!outObjectives.length) d.warnings.push({ line: null, message: 'no objectives found' });
  const warnings = [...d.warnings]
    .map((w, i) => ({ w, i }))
    .sort((a, b) => (a.w.line ?? Number.MAX_SAFE_INTEGER) - (b.w.line ?? Number.MAX_SAFE_INTEGER) || a.i - b.i)
    .map(({ w }) => formatWarning(w));
  return {
    strategy: { north_star: northStar, objectives: outObjectives, non_goals: nonGoals, principles, warnings },
    locations,
  };
}
