// Turns raw ticket text (Markdown, pasted logs, stack traces, URLs, tracker templates) into plain prose
// worth matching, and records what it removed as features (a stack trace is a bug signal, an
// "Acceptance criteria" section means the item is actionable) instead of letting it become noise.

export interface TextFeatures {
  /** An "Acceptance criteria"/"Definition of done" section, checkboxes, or Given/When/Then lines. */
  acceptanceCriteria: boolean;
  /** "Steps to reproduce", "Expected"/"Actual" sections. */
  repro: boolean;
  stackTrace: boolean;
  logLines: number;
  codeBlock: boolean;
  checkboxes: number;
  bullets: number;
}

// Why each pattern: these are the shapes trackers and developers paste, in any domain.
const FENCE_RE = /```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)/g;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>()\]]+/gi;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g;
const MENTION_RE = /(^|\s)@[\w.-]+/g;
const TICKET_KEY_RE = /\b[A-Z][A-Z0-9]{1,9}-\d+\b|#\d+\b/g;
const MD_LINK_RE = /!?\[([^\]]*)\]\([^)]*\)/g;
const STACK_LINE_RE =
  /^\s*(?:at\s+[\w$.<>\[\]/]+\s*\(|at\s+\S+:\d+|File\s+"[^"]+",\s+line\s+\d+|Traceback\s+\(most recent call last\)|Caused by:|Exception in thread|\.\.\.\s*\d+\s+more|goroutine\s+\d+|panic:|#\d+\s+0x[0-9a-f]+)/i;
const EXCEPTION_LINE_RE = /^\s*(?:[\w$.]+\.)?[A-Z]\w*(?:Error|Exception)\b\s*:/;
const LOG_LINE_RE = /^\s*\[?\s*(?:\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}|\d{1,2}:\d{2}:\d{2}|(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL)\b)/;
const HEADER_RE =
  /^\s*(?:#+\s*)?(?:\*\*|__)?\s*(acceptance\s+criteria|ac|definition\s+of\s+done|dod|steps\s+to\s+reproduce|repro(?:duction)?(?:\s+steps)?|expected(?:\s+(?:result|behaviou?r))?|actual(?:\s+(?:result|behaviou?r))?|description|summary|user\s+story|background|context|notes?|problem(?:\s+statement)?|outcome|goal|out\s+of\s+scope|environment|details|tasks?|sub-?tasks|links?|attachments?|references?|why|what|how)\s*(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*$/i;
const FOOTER_RE =
  /^\s*(?:[-—_*=]{2,}\s*)?(?:created|imported|synced|migrated|sent|generated|exported|posted|mirrored)\s+(?:via|by|from|with|using)\b|^\s*this\s+(?:issue|ticket|task|card|story)\s+(?:was|is|has been)\s+(?:automatically\s+)?(?:created|generated|imported|synced|mirrored)|^\s*originally\s+(?:posted|reported|created)\s+by\b|^\s*(?:view|open)\s+(?:it\s+)?(?:in|on)\s+\w+\s*$|^\s*reply\s+above\s+this\s+line|^\s*powered\s+by\b|^\s*(?:cc|fyi|reporter|assignee|watchers?|labels?|components?|sprint|story\s+points|priority|fix\s+versions?|epic\s+link)\s*:/i;
/** The user-story template: its role clause and connective words repeat in every story. */
const STORY_RE = /\bas\s+an?\s+[^,.;\n]{1,80}?,?\s+i\s+(?:want|would\s+like|need|can)\s+(?:to\s+)?/gi;
const STORY_TAIL_RE = /\bso\s+that\s+(?:i|we|they)\s+(?:can\s+)?/gi;
const GWT_RE = /^\s*(?:[-*]\s*)?(?:given|when|then|and)\s+\w/i;
const CHECKBOX_RE = /^\s*(?:[-*+]|\d+[.)])\s*\[[ xX]?\]/;
const BULLET_RE = /^\s*(?:[-*+•]|\d+[.)])\s+/;

export function emptyFeatures(): TextFeatures {
  return { acceptanceCriteria: false, repro: false, stackTrace: false, logLines: 0, codeBlock: false, checkboxes: 0, bullets: 0 };
}

/** Share of characters that are not letters or spaces: above this a long line is data, not prose. */
const MAX_SYMBOL_SHARE = 0.45;
const DATA_LINE_MIN_LENGTH = 40;

/**
 * What a text can contain, read in one pass over its characters, so that whole-text steps that cannot match
 * are skipped. Each flag is a necessary condition of the step named. Text with any non-ASCII character gets
 * NON_ASCII (and then every step runs: Unicode white space and case rules are left to the patterns).
 */
const HAS_DIGIT = 1; // TICKET_KEY_RE
const HAS_COLON = 2; // the section-label replace
const HAS_MARKUP = 4; // the `*_~>#| replace
const ALL = 7;
const NON_ASCII = -1;
/**
 * Per ASCII character: bit 8 letter or white space (counted per line), and its HAS_ flag. One table lookup
 * per character keeps the pass cheap.
 */
const LETTER_OR_SPACE = 8;
const CHAR_SHAPE = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CHAR_SHAPE[c] = LETTER_OR_SPACE;
for (let c = 65; c <= 90; c++) CHAR_SHAPE[c] = LETTER_OR_SPACE;
for (const c of [9, 11, 12, 13, 32]) CHAR_SHAPE[c] = LETTER_OR_SPACE; // \s in ASCII (line feeds end lines)
for (let c = 48; c <= 57; c++) CHAR_SHAPE[c] = HAS_DIGIT;
CHAR_SHAPE[58] = HAS_COLON;
for (const ch of '`*_~>#|') CHAR_SHAPE[ch.charCodeAt(0)] = HAS_MARKUP;
/** The user-story clauses need "i" between spaces or "that": searched for once, natively, in the kept text. */
const STORY_GATE_RE = /\s[iI]\s|[tT][hH][aA][tT]/;

/**
 * Letters and white space (ASCII) of each line of the text shapeOf read last: what lettersAndSpaces counts.
 * Written by index (its storage is kept from text to text).
 */
const lineLetters: number[] = [];
let lineCount = 0;

function shapeOf(text: string): number {
  let f = 0;
  let letters = 0;
  lineCount = 0;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return NON_ASCII;
    if (c === 10) { lineLetters[lineCount++] = letters; letters = 0; continue; }
    const shape = CHAR_SHAPE[c]!;
    if (shape === LETTER_OR_SPACE) letters++;
    else f |= shape;
  }
  lineLetters[lineCount++] = letters;
  return f;
}

/**
 * Number of letters and white-space characters of line `k` (UTF-16 units, as `line.replace(/[^\p{L}\s]/gu, '')`
 * keeps): for ASCII text shapeOf counted them while reading it (ASCII letters and the ASCII white space of \s).
 */
function lettersAndSpaces(line: string, k: number, ascii: boolean): number {
  return ascii ? lineLetters[k]! : line.replace(/[^\p{L}\s]/gu, '').length;
}

export function cleanText(raw: string, features: TextFeatures = emptyFeatures()): string {
  if (!raw) return '';
  let shape = shapeOf(raw);
  const ascii = shape !== NON_ASCII;
  if (!ascii) shape = ALL;
  // NFKC leaves pure ASCII as it is: only text with other characters is normalised.
  let text = ascii ? raw : raw.normalize('NFKC');
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (/```|~~~/.test(text)) {
    text = text.replace(FENCE_RE, (block) => {
      features.codeBlock = true;
      if (/\n\s*at\s+\S|Traceback|Exception|Error:/.test(block)) features.stackTrace = true;
      if (/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b(?:ERROR|WARN|FATAL)\b/.test(block)) features.logLines += 1;
      return '\n';
    });
  }
  if (text.includes('](')) text = text.replace(MD_LINK_RE, ' $1 ');
  if (text.includes('://') || text.includes('www.')) text = text.replace(URL_RE, ' ');
  if (text.includes('@')) text = text.replace(EMAIL_RE, ' ').replace(MENTION_RE, '$1 ');
  if (shape & HAS_DIGIT) text = text.replace(TICKET_KEY_RE, ' ');
  // The steps above only cut text out or put spaces and line breaks in: the text stays ASCII, but what the
  // steps below can match may change, so read it again.
  if (ascii && text !== raw) shape = shapeOf(text);
  const out: string[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (!line.trim()) continue;
    if (STACK_LINE_RE.test(line) || EXCEPTION_LINE_RE.test(line)) { features.stackTrace = true; continue; }
    if (LOG_LINE_RE.test(line)) { features.logLines += 1; continue; }
    const h = HEADER_RE.exec(line);
    if (h) {
      const name = (h[1] ?? '').toLowerCase();
      if (/acceptance|^ac$|definition|dod/.test(name)) features.acceptanceCriteria = true;
      if (/repro|expected|actual/.test(name)) features.repro = true;
      continue;
    }
    if (FOOTER_RE.test(line)) continue;
    if (CHECKBOX_RE.test(line)) features.checkboxes += 1;
    else if (BULLET_RE.test(line)) features.bullets += 1;
    if (GWT_RE.test(line) && /^\s*(?:[-*]\s*)?given\b/i.test(line)) features.acceptanceCriteria = true;
    if (line.length >= DATA_LINE_MIN_LENGTH && 1 - lettersAndSpaces(line, k, ascii) / line.length > MAX_SYMBOL_SHARE) continue;
    // Inline labels like "AC: ..." or "Expected: ..." mark sections too.
    if (/^\s*(?:\*\*)?(?:ac|acceptance criteria|definition of done)(?:\*\*)?\s*:/i.test(line)) features.acceptanceCriteria = true;
    if (/^\s*(?:\*\*)?(?:expected|actual|steps to reproduce|repro)(?:\*\*)?\s*:/i.test(line)) features.repro = true;
    out.push(line);
  }
  if (features.checkboxes >= 2) features.acceptanceCriteria = true;
  // Lines were only dropped: what the kept text can match, the whole text could.
  let clean = out.join('\n');
  if (STORY_GATE_RE.test(clean)) clean = clean.replace(STORY_RE, ' ').replace(STORY_TAIL_RE, ' ');
  if (shape & HAS_COLON) clean = clean.replace(SECTION_LABEL_RE, ' ');
  if (shape & HAS_MARKUP) clean = clean.replace(MARKUP_RE, ' ');
  return clean;
}

const SECTION_LABEL_RE = /^\s*(?:\*\*|__)?(?:ac|acceptance criteria|definition of done|expected|actual|steps to reproduce|repro)(?:\*\*|__)?\s*:/gim;
const MARKUP_RE = /[`*_~>#|]+/g;
