// Line-based block tokenizer: front matter, ATX/setext headings, paragraphs, (nested) lists, GFM tables,
// block quotes. Deliberately forgiving — strategy docs are pasted from wikis and Google Docs — and linear
// in the input size. Every block keeps its 1-based source line so warnings can point at it.

export interface Line { text: string; line: number }
export interface ListItem { text: string; line: number; raw: string; children: ListItem[] }
export type Block =
  | { kind: 'heading'; level: number; text: string; line: number }
  | { kind: 'paragraph'; lines: Line[]; line: number }
  | { kind: 'list'; items: ListItem[]; line: number }
  | { kind: 'table'; header: string[]; rows: { cells: string[]; line: number }[]; line: number };

export interface Tokenized { blocks: Block[]; controlChars: number }

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const BULLET = /^([ \t]*)([-*+•–]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
const TABLE_DELIM = /^[ \t]*\|?[ \t]*:?-{1,}:?[ \t]*(?:\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$/;
const QUOTE = /^ {0,3}>[ \t]?(.*)$/;

/** Replaces control characters (binary input) with spaces and normalises line endings. */
function cleanInput(text: string): { lines: string[]; controlChars: number } {
  let controlChars = 0;
  const cleaned = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD\uE000-\uF8FF]/g, () => {
      controlChars++;
      return ' ';
    });
  return { lines: cleaned.split('\n'), controlChars };
}

/** Index of the first line after YAML (---) or TOML (+++) front matter, 0 when there is none. */
function skipFrontMatter(lines: string[]): number {
  const open = lines[0]?.trim();
  if (open !== '---' && open !== '+++') return 0;
  for (let i = 1; i < Math.min(lines.length, 300); i++) {
    const t = lines[i]?.trim();
    if (t === open || (open === '---' && t === '...')) return i + 1;
  }
  return 0;
}

function indentWidth(ws: string): number {
  let w = 0;
  for (const c of ws) w += c === '\t' ? 4 - (w % 4) : 1;
  return w;
}

/** Splits a GFM table row on unescaped pipes, dropping the empty cells the outer pipes create. */
export function splitRow(line: string): string[] {
  const cells = line.trim().split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|').trim());
  if (cells.length > 1 && cells[0] === '') cells.shift();
  if (cells.length > 1 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

export function tokenize(text: string): Tokenized {
  const { lines, controlChars } = cleanInput(text);
  const blocks: Block[] = [];
  let para: Line[] | null = null;
  let list: { block: Extract<Block, { kind: 'list' }>; stack: { indent: number; item: ListItem }[]; blankSeen: boolean } | null = null;
  let table: Extract<Block, { kind: 'table' }> | null = null;
  let fence: string | null = null;
  let inComment = false;

  const closePara = () => {
    if (para?.length) blocks.push({ kind: 'paragraph', lines: para, line: para[0]!.line });
    para = null;
  };
  const closeAll = () => {
    closePara();
    list = null;
    table = null;
  };

  for (let i = skipFrontMatter(lines); i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    if (fence) {
      if (raw.trim().startsWith(fence)) fence = null;
      continue;
    }
    if (inComment) {
      if (raw.includes('-->')) inComment = false;
      continue;
    }
    const fenceMatch = FENCE.exec(raw);
    if (fenceMatch) {
      closeAll();
      fence = fenceMatch[1]!.slice(0, 3);
      continue;
    }
    if (/^\s*<!--/.test(raw)) {
      if (!raw.includes('-->')) inComment = true;
      continue;
    }
    if (raw.trim() === '') {
      closePara();
      table = null;
      if (list) list.blankSeen = true;
      continue;
    }
    if (table) {
      if (raw.includes('|')) {
        table.rows.push({ cells: splitRow(raw), line: lineNo });
        continue;
      }
      table = null;
    }
    const setext = para !== null && !list ? /^ {0,3}(=+|-+)[ \t]*$/.exec(raw) : null;
    if (setext && para) {
      const text = (para as Line[]).map((l) => l.text.trim()).join(' ');
      blocks.push({ kind: 'heading', level: setext[1]!.startsWith('=') ? 1 : 2, text, line: (para as Line[])[0]!.line });
      para = null;
      continue;
    }
    const atx = ATX.exec(raw);
    if (atx) {
      closeAll();
      blocks.push({ kind: 'heading', level: atx[1]!.length, text: (atx[2] ?? '').replace(/[ \t]+#+$/, '').trim(), line: lineNo });
      continue;
    }
    if (HR.test(raw)) {
      closeAll();
      continue;
    }
    if (raw.includes('|') && TABLE_DELIM.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      closeAll();
      table = { kind: 'table', header: splitRow(raw), rows: [], line: lineNo };
      blocks.push(table);
      i++;
      continue;
    }
    const bullet = BULLET.exec(raw);
    if (bullet) {
      closePara();
      const indent = indentWidth(bullet[1] ?? '');
      const item: ListItem = { text: bullet[3] ?? '', line: lineNo, raw, children: [] };
      if (!list) {
        list = { block: { kind: 'list', items: [], line: lineNo }, stack: [], blankSeen: false };
        blocks.push(list.block);
      }
      while (list.stack.length && list.stack[list.stack.length - 1]!.indent >= indent) list.stack.pop();
      const parent = list.stack[list.stack.length - 1];
      (parent ? parent.item.children : list.block.items).push(item);
      list.stack.push({ indent, item });
      list.blankSeen = false;
      continue;
    }
    if (list) {
      const last = list.stack[list.stack.length - 1];
      const indented = /^[ \t]{2,}/.test(raw);
      // A line right under an item (lazy continuation) or indented after a blank line belongs to the item.
      if (last && (!list.blankSeen || indented)) {
        last.item.text += ' ' + raw.trim();
        continue;
      }
      list = null;
    }
    const quote = QUOTE.exec(raw);
    const content = quote ? (quote[1] ?? '') : raw;
    if (quote && /^\s*$/.test(content)) {
      closePara();
      continue;
    }
    (para ??= []).push({ text: content, line: lineNo });
  }
  closeAll();
  return { blocks, controlChars };
}
