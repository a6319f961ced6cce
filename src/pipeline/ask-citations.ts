// Citations: what an answer may cite (strategy passages and items), quotes taken verbatim from them, and the
// `[ref]` markers in answer text — parsed, checked against the sources actually given, and dropped when unknown.
// A citation's goal id always comes from the passage it points to, never from answer text.
import type { StrategyPassage } from '../domain/strategy-chunks.ts';
import { tokenize } from '../domain/engine/tokens.ts';

export interface Citation {
  /** The marker in the answer text: a passage id (`kr:O1.KR2`, `obj:O1#1`, `ng:NG1`, `ns`, `pr:1`) or `item:<id>`. */
  ref: string;
  source: 'strategy' | 'item';
  kind: StrategyPassage['kind'] | 'item';
  strategy_version: number | null;
  passage_id: string | null;
  /** The objective, key result or non-goal the passage states (null for the north star, principles and items). */
  goal_id: string | null;
  item_id: string | null;
  /** Verbatim text of the passage (or of the item's title). */
  quote: string;
}

/** Something an answer may cite, with the text its quotes are taken from. */
export interface Source {
  citation: Omit<Citation, 'quote'>;
  text: string;
}

export const ITEM_REF_PREFIX = 'item:';
/** Longest quote: a sentence or a key result line, not a paragraph. */
export const MAX_QUOTE_CHARS = 240;

export function passageSource(p: StrategyPassage, version: number): Source {
  return {
    citation: {
      ref: p.id,
      source: 'strategy',
      kind: p.kind,
      strategy_version: version,
      passage_id: p.id,
      goal_id: p.ref_id,
      item_id: null,
    },
    text: p.text,
  };
}

export function itemSource(item: { id: string; title: string }): Source {
  return {
    citation: { ref: `${ITEM_REF_PREFIX}${item.id}`, source: 'item', kind: 'item', strategy_version: null, passage_id: null, goal_id: null, item_id: item.id },
    text: item.title,
  };
}

/** Lines, then sentences within them: each a verbatim piece of `text`. */
function units(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    for (const s of line.split(/(?<=[.!?])\s+/)) {
      const t = s.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/** Cuts at a word boundary so the result is still a prefix (hence a substring) of `s`. */
function clipVerbatim(s: string, max = MAX_QUOTE_CHARS): string {
  if (s.length <= max) return s;
  const cut = s.lastIndexOf(' ', max);
  return s.slice(0, cut > max / 2 ? cut : max).trimEnd();
}

const stemsOf = (text: string) => new Set(tokenize(text).map((t) => t.stem));

/**
 * A verbatim piece of `text`: the longest piece of `hint` (an evidence quote, maybe shortened with an ellipsis) that
 * the text contains, else the sentence or line sharing most words with `about`, else the first line.
 */
export function quoteFrom(text: string, opts: { hint?: string | null; about?: string } = {}): string {
  if (opts.hint) {
    const pieces = opts.hint
      .split(/…|\.\.\./)
      .map((p) => p.trim())
      .filter((p) => p.length >= 3 && text.includes(p))
      .sort((a, b) => b.length - a.length);
    if (pieces[0]) return clipVerbatim(pieces[0]);
  }
  const all = units(text);
  if (!all.length) return clipVerbatim(text.trim());
  let best = all[0]!;
  if (opts.about) {
    const want = stemsOf(opts.about);
    let bestScore = 0;
    for (const u of all) {
      let score = 0;
      for (const s of stemsOf(u)) if (want.has(s)) score++;
      if (score > bestScore) [best, bestScore] = [u, score];
    }
  }
  return clipVerbatim(best);
}

export function cite(source: Source, opts: { hint?: string | null; about?: string } = {}): Citation {
  return { ...source.citation, quote: quoteFrom(source.text, opts) };
}

/** Whether bracketed text is meant as a citation marker (other bracketed text is ordinary prose). */
export function looksLikeRef(inner: string): boolean {
  return /^(?:ns|pr:\S+|obj:\S+|kr:\S+|ng:\S+|item:.+)$/.test(inner.trim());
}

/** Bracketed text longer than this is prose, not a marker (bounds what a stream holds back). */
const MAX_MARKER_CHARS = 300;

/**
 * Filters `[ref]` markers out of streamed text: known refs pass (and are reported once each, in order of first
 * appearance), unknown ones are dropped, other bracketed text passes unchanged. Holds back only an unclosed '['.
 */
export class MarkerFilter {
  private pending = '';
  private readonly seen = new Set<string>();

  constructor(private readonly known: (ref: string) => boolean) {}

  get refs(): string[] {
    return [...this.seen];
  }

  push(chunk: string): { text: string; refs: string[] } {
    const buf = this.pending + chunk;
    this.pending = '';
    let out = '';
    const fresh: string[] = [];
    let i = 0;
    while (i < buf.length) {
      const open = buf.indexOf('[', i);
      if (open < 0) {
        out += buf.slice(i);
        break;
      }
      out += buf.slice(i, open);
      const close = buf.indexOf(']', open + 1);
      const newline = buf.indexOf('\n', open + 1);
      if (close < 0 || (newline >= 0 && newline < close)) {
        if (close < 0 && newline < 0 && buf.length - open < MAX_MARKER_CHARS) {
          this.pending = buf.slice(open);
          break;
        }
        out += '[';
        i = open + 1;
        continue;
      }
      out += this.marker(buf.slice(open + 1, close), fresh);
      i = close + 1;
    }
    return { text: out, refs: fresh };
  }

  /** Flushes a held-back '[' that never closed (as text). */
  end(): { text: string; refs: string[] } {
    const text = this.pending;
    this.pending = '';
    return { text, refs: [] };
  }

  private marker(inner: string, fresh: string[]): string {
    const parts = inner.split(/\s*[,;]\s*/).filter(Boolean);
    if (!parts.length || !parts.every(looksLikeRef)) return `[${inner}]`;
    let out = '';
    for (const p of parts) {
      const ref = p.trim();
      if (!this.known(ref)) continue;
      out += `[${ref}]`;
      if (!this.seen.has(ref)) {
        this.seen.add(ref);
        fresh.push(ref);
      }
    }
    return out;
  }
}

/** Refs in finished text, first appearance order (unknown ones included: callers check them). */
export function refsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\[([^\[\]\n]{1,300})\]/g)) {
    for (const p of m[1]!.split(/\s*[,;]\s*/)) if (looksLikeRef(p)) out.add(p.trim());
  }
  return [...out];
}
