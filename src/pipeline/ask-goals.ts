// Goal ids named in a model's prose: every token shaped like one of the strategy's goal ids (the same letters, any
// digits: "O9" beside "O1", "O1.KR7" beside "O1.KR2", "NG4" beside "NG1") or written as a passage ref (`obj:…`,
// `kr:…`, `ng:…`, `pr:…`) must name a goal or passage that exists. Markers of unknown sources are already dropped
// from the text as it streams; this catches the goals an answer names without citing them.
import type { Strategy } from '../domain/contracts.ts';
import type { StrategyPassage } from '../domain/strategy-chunks.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Not inside a longer token: no letter, digit, `_`, `:` or `-` around it, and no `.` joining it to more of one. */
const BEFORE = '(?<![\\p{L}\\p{N}_.:#-])';
const AFTER = '(?![\\p{L}\\p{N}_:#-]|\\.[\\p{L}\\p{N}])';

/** An id's shape: its digit runs as `\d+`, the rest literal. Ids without a letter have no usable shape (any number would match). */
function shapeOf(id: string): string | null {
  if (!/\p{L}/u.test(id)) return null;
  return id
    .split(/(\d+)/)
    .map((part, i) => (i % 2 ? '\\d+' : escape(part)))
    .join('');
}

/** Returns the goal ids and passage refs a text names that the strategy does not have, in order of appearance. */
export function unknownGoalChecker(strategy: Strategy, passages: StrategyPassage[]): (text: string) => string[] {
  const ids = [...strategy.objectives.flatMap((o) => [o.id, ...o.key_results.map((k) => k.id)]), ...strategy.non_goals.map((n) => n.id)];
  const known = new Set(ids.map((id) => id.toLowerCase()));
  const refs = new Set(passages.map((p) => p.id.toLowerCase()));
  // Longest shapes first, so "O1.KR2" is read whole rather than as "O1".
  const shapes = [...new Set(ids.flatMap((id) => shapeOf(id) ?? []))].sort((a, b) => b.length - a.length);
  const goal = shapes.length ? new RegExp(`${BEFORE}(?:${shapes.join('|')})${AFTER}`, 'giu') : null;
  const ref = /(?<![\p{L}\p{N}_-])(?:obj|kr|ng|pr):[^\s\[\](),;]+/giu;
  return (text) => {
    const found: { at: number; token: string }[] = [];
    for (const m of text.matchAll(ref)) {
      const token = m[0].replace(/[.:!?'"]+$/, '');
      if (!refs.has(token.toLowerCase())) found.push({ at: m.index, token });
    }
    // Goal-shaped tokens outside refs (a ref's own id is checked as the ref).
    const plain = text.replace(ref, (r) => ' '.repeat(r.length));
    for (const m of goal ? plain.matchAll(goal) : []) if (!known.has(m[0].toLowerCase())) found.push({ at: m.index, token: m[0] });
    return [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.token))];
  };
}
