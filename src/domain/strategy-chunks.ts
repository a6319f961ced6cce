// Strategy → retrieval passages. Each passage is made of pieces of the strategy text (whitespace
// collapsed, one piece per line), so evidence quoted from a passage is text the strategy really says.
// Ids are derived from strategy ids and positions only: the same strategy always yields the same ids.
import type { Strategy } from './contracts.ts';

export interface StrategyPassage {
  id: string;
  kind: 'north_star' | 'objective' | 'key_result' | 'non_goal' | 'principle';
  ref_id: string | null;
  objective_id: string | null;
  text: string;
}

/** Upper bound for one objective passage; descriptions are split at sentence boundaries to stay under it. */
export const MAX_PASSAGE_CHARS = 800;

const clean = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/** Splits text into sentences, keeping their terminators; paragraph breaks also end a sentence. */
export function sentences(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .flatMap((p) => clean(p).split(/(?<=[.!?…。])\s+(?=["'“(\[¿¡]?[\p{Lu}\p{N}])/u))
    .filter(Boolean);
}

/** Packs sentences greedily into pieces of at most `max` characters; an overlong sentence is cut at spaces. */
export function packSentences(text: string, max = MAX_PASSAGE_CHARS): string[] {
  const pieces: string[] = [];
  let cur = '';
  const push = () => {
    if (cur) pieces.push(cur);
    cur = '';
  };
  for (const s of sentences(text)) {
    if (s.length > max) {
      push();
      let rest = s;
      while (rest.length > max) {
        const cut = rest.lastIndexOf(' ', max);
        const at = cut > max / 2 ? cut : max;
        pieces.push(rest.slice(0, at).trim());
        rest = rest.slice(at).trim();
      }
      cur = rest;
      continue;
    }
    if (cur && cur.length + 1 + s.length > max) push();
    cur = cur ? `${cur} ${s}` : s;
  }
  push();
  return pieces;
}

/** "58% → 75% by 2026-12-31"-style line from the key result's own values, when its text does not already carry them. */
function valuesLine(kr: Strategy['objectives'][number]['key_results'][number], already: string): string {
  const parts = [kr.baseline, kr.target, kr.current, kr.due].map(clean).filter((v) => v && !already.includes(v));
  return parts.join(' · ');
}

export function chunkStrategy(s: Strategy): StrategyPassage[] {
  const out: StrategyPassage[] = [];
  const used = new Set<string>();
  const add = (p: StrategyPassage) => {
    if (!p.text) return;
    let id = p.id;
    for (let n = 2; used.has(id); n++) id = `${p.id}~${n}`;
    used.add(id);
    out.push({ ...p, id });
  };

  if (s.north_star) {
    const text = [clean(s.north_star.name), clean(s.north_star.definition)].filter(Boolean).join('\n');
    add({ id: 'ns', kind: 'north_star', ref_id: null, objective_id: null, text });
  }
  for (const o of s.objectives) {
    const title = clean(o.title);
    const pieces = packSentences(o.description ?? '');
    const firstFits = pieces[0] && title.length + 1 + pieces[0].length <= MAX_PASSAGE_CHARS;
    const texts = firstFits ? [`${title}\n${pieces[0]}`, ...pieces.slice(1)] : [title, ...pieces];
    texts.forEach((text, i) => add({ id: `obj:${o.id}#${i + 1}`, kind: 'objective', ref_id: o.id, objective_id: o.id, text }));
    for (const kr of o.key_results) {
      const lines = [clean(kr.title)];
      const metric = clean(kr.metric);
      if (metric && !lines[0]!.includes(metric)) lines.push(metric);
      const values = valuesLine(kr, lines.join(' '));
      if (values) lines.push(values);
      lines.push(title);
      add({ id: `kr:${kr.id}`, kind: 'key_result', ref_id: kr.id, objective_id: o.id, text: lines.filter(Boolean).join('\n') });
    }
  }
  for (const ng of s.non_goals) add({ id: `ng:${ng.id}`, kind: 'non_goal', ref_id: ng.id, objective_id: null, text: clean(ng.text) });
  s.principles.forEach((p, i) => add({ id: `pr:${i + 1}`, kind: 'principle', ref_id: null, objective_id: null, text: clean(p) }));
  return out;
}
