// Groups blocks under their headings. A one-line paragraph that is only bold text or ends with a colon
// and names a strategy part ("**Key results**", "Not doing:") acts as a heading one step deeper than the
// heading it sits under — wiki exports often have no real sub-headings.
import type { Block } from './blocks.ts';
import { isEmphasisOnly, stripInline } from './inline.ts';
import { classifyHeading } from './classify.ts';

export interface Section { title: string; level: number; line: number; pseudo: boolean; blocks: Block[]; children: Section[] }

function pseudoHeading(block: Block): string | null {
  if (block.kind !== 'paragraph' || block.lines.length !== 1) return null;
  const raw = block.lines[0]!.text;
  const text = stripInline(raw);
  const colon = /:\s*$/.test(text);
  if (!colon && !isEmphasisOnly(raw)) return null;
  const title = text.replace(/\s*:\s*$/, '');
  if (!title || title.length > 120) return null;
  const kind = classifyHeading(title).kind;
  if (kind === 'unknown' || kind === 'info' || kind === 'key_result') return null;
  // "Objective: Faster payouts" inside a paragraph is handled as a line; only emphasised ones open sections.
  if (kind === 'objective' && !isEmphasisOnly(raw)) return null;
  if (kind === 'north_star' && colon) return null;
  return title;
}

export function buildSections(blocks: Block[]): Section {
  const root: Section = { title: '', level: 0, line: 0, pseudo: false, blocks: [], children: [] };
  const stack: Section[] = [root];
  const top = () => stack[stack.length - 1]!;
  const open = (s: Section) => {
    while (stack.length > 1 && top().level >= s.level) stack.pop();
    top().children.push(s);
    stack.push(s);
  };
  for (const b of blocks) {
    if (b.kind === 'heading') {
      open({ title: stripInline(b.text), level: b.level, line: b.line, pseudo: false, blocks: [], children: [] });
      continue;
    }
    const pseudo = pseudoHeading(b);
    if (pseudo !== null) {
      const realLevel = [...stack].reverse().find((s) => !s.pseudo)?.level ?? 0;
      open({ title: pseudo, level: realLevel + 0.5, line: b.line, pseudo: true, blocks: [], children: [] });
      continue;
    }
    top().blocks.push(b);
  }
  return root;
}
