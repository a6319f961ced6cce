// Explanations: a rationale a PM reads in five seconds and evidence quotes that are verbatim substrings
// of the strategy or the item (never paraphrases), so a reader can find them with Ctrl-F.
import type { Evidence } from '../contracts.ts';
import type { AnalyzedItem } from './analyze.ts';
import type { GoalUnit } from './strategy-index.ts';

/** Finds `needle` in `raw` ignoring case and returns the original-case substring, or null. */
export function verbatim(raw: string, needle: string): string | null {
  if (!needle) return null;
  const at = raw.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return null;
  const q = raw.slice(at, at + needle.length);
  return q.toLowerCase() === needle.toLowerCase() ? q : null;
}

/** The strategy field of a unit that shares the most matched stems (verbatim), falling back to its first field. */
export function unitQuote(unit: GoalUnit, matched: readonly string[]): string {
  let best = unit.sources[0]?.text ?? unit.id;
  let most = 0;
  for (const s of unit.sources) {
    const n = matched.filter((m) => s.stems.has(m)).length;
    if (n > most) { most = n; best = s.text; }
  }
  return shorten(best);
}

/** Long quotes are cut at a word boundary; the cut stays a verbatim prefix. */
export function shorten(text: string, max = 160): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const sp = cut.lastIndexOf(' ');
  return sp > max / 2 ? cut.slice(0, sp) : cut;
}

/** Surface words (from the item's own text) for matched stems, for the rationale. */
export function matchedWords(a: AnalyzedItem, matched: readonly string[], max = 3): string[] {
  const out: string[] = [];
  for (const m of matched) {
    const w = a.stemWords.get(m);
    if (w && !out.includes(w)) out.push(w);
    if (out.length >= max) break;
  }
  return out;
}

export function itemEvidence(a: AnalyzedItem, needle?: string | null): Evidence {
  const raw = `${a.item.title}\n${a.item.description ?? ''}`;
  const q = needle ? verbatim(raw, needle) : null;
  return { kind: 'item', id: a.id, quote: q ?? shorten(a.item.title || a.id) };
}

export function quoteList(words: readonly string[]): string {
  return words.map((w) => `"${w}"`).join(', ');
}

export function isoDay(ms: number | null): string {
  return ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 10);
}
