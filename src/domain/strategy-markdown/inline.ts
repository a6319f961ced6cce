// Inline Markdown → plain text. The parser works on what a reader sees, so ids and numbers wrapped in
// **bold**, `code` or links are recognised the same as bare ones.

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", mdash: '—', ndash: '–', rarr: '→', ge: '≥', le: '≤' };

const PARK: Record<string, string> = { '*': '\uE001', _: '\uE002', '~': '\uE003' };
const UNPARK: Record<string, string> = { '\uE001': '*', '\uE002': '_', '\uE003': '~' };

/** Collapses every run of whitespace to one space and trims. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Strips emphasis, code spans, links, images, HTML tags and escapes; keeps the visible text. */
export function stripInline(text: string): string {
  let t = text;
  t = t.replace(/!\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)/g, '$1');
  t = t.replace(/\[\^[^\]\n]{0,100}\]/g, '');
  t = t.replace(/\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)/g, '$1');
  t = t.replace(/\[([^\]\n]{1,500})\]\[[^\]\n]{0,100}\]/g, '$1');
  t = t.replace(/<(https?:\/\/[^>\s]{1,2000})>/g, '$1');
  t = t.replace(/<br\s*\/?>/gi, ' ');
  t = t.replace(/<\/?[a-zA-Z][^>\n]{0,300}>/g, '');
  t = t.replace(/&(#\d{1,6}|[a-zA-Z]{2,8});/g, (m, name: string) => {
    if (name.startsWith('#')) {
      const code = Number(name.slice(1));
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
  t = t.replace(/`+([^`\n]{0,2000}?)`+/g, '$1');
  // Escaped markers must survive the emphasis pass: park them on private-use characters, restore after.
  t = t.replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, (_m, c: string) => PARK[c] ?? c);
  t = t.replace(/\*\*|__|~~/g, '');
  // Single * or _ only where they open or close an emphasis span, so `snake_case` and `3 * 4` survive.
  t = t.replace(/(^|[\s([{"'“‘—–-])[*_](?=[^\s*_])/g, '$1');
  t = t.replace(/([^\s*_])[*_](?=$|[\s)\]}.,:;!?"'”’—–-])/g, '$1');
  t = t.replace(/[\uE001-\uE003]/g, (c) => UNPARK[c] ?? c);
  return normalizeSpace(t);
}

/** True when the raw line is one emphasised span, e.g. `**Key results**` or `__Not doing:__`. */
export function isEmphasisOnly(raw: string): boolean {
  return /^\s*(\*\*|__|\*|_)(?=\S)[^\n]{1,200}?\S\1\s*:?\s*$/.test(raw) && !/^\s*[*_]+\s*$/.test(raw);
}
