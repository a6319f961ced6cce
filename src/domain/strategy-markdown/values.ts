// Pulls metric / baseline / target / current / due out of a key result's text: "58% → 75%",
// "from 9 days to 3 days", "von 12 % auf 20 %", "de 9 días a 3 días", "Target: 75%", "by 31 Dec 2026".
// All regexes are bounded (no nested unbounded quantifiers) so long garbage lines stay linear.

export interface Values { metric: string | null; baseline: string | null; target: string | null; current: string | null; due: string | null }

const UNIT_WORDS =
  'days?|d|weeks?|wks?|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|s|ms|months?|years?|points?|pts|pp|percent|teams|users|customers|accounts|countries|clients|orders|tickets|markets|languages|sites|stores|installs|downloads|incidents|stars?|tage?n?|stunden|std|minuten|sekunden|wochen|monate|jahre|kunden|nutzer|länder|punkte|días|dias|horas|minutos|segundos|semanas|meses|años|clientes|usuarios|países|paises|pedidos|puntos';
const NUM = String.raw`(?:[<>≥≤~≈]=?\s?)?(?:[$€£¥]\s?)?\d(?:[\d,.'’]{0,20}\d)?`;
const SUFFIX = String.raw`(?:\s?(?:%|pp|p\.p\.|x|×|bn|mn|Mio\.?|Mrd\.?|[kKMB](?![\p{L}])|€|\$|USD|EUR)(?![\p{L}]))?`;
const UNIT = String.raw`(?:\s?(?:${UNIT_WORDS})(?![\p{L}]))?`;
/** A measured value: number with optional comparator, currency, suffix and unit word ("≥ 3", "$1.2M", "21 days"). */
export const VALUE = `${NUM}${SUFFIX}${UNIT}`;

const ARROW = String.raw`\s*(?:->|→|=>|⇒|⟶|➔|➜|➞|—>|–>)\s*|\s+(?:to|bis|auf|hasta)\s+`;
const RANGE = new RegExp(String.raw`(?:\b(?:from|von|vom|de|desde)\s+)?(${VALUE})(?:${ARROW}|\s+a\s+(?=\d))(?:(?:target|ziel|meta)\s*:?\s*)?(${VALUE})`, 'iu');
const RANGE_DE = new RegExp(String.raw`\b(?:de|desde)\s+(${VALUE})\s+a\s+(${VALUE})`, 'iu');

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, januar: 1, jänner: 1, enero: 1, ene: 1,
  feb: 2, february: 2, februar: 2, febrero: 2,
  mar: 3, march: 3, märz: 3, marzo: 3, mär: 3,
  apr: 4, april: 4, abril: 4, abr: 4,
  may: 5, mai: 5, mayo: 5,
  jun: 6, june: 6, juni: 6, junio: 6,
  jul: 7, july: 7, juli: 7, julio: 7,
  aug: 8, august: 8, agosto: 8, ago: 8,
  sep: 9, sept: 9, september: 9, septiembre: 9, setiembre: 9,
  oct: 10, october: 10, okt: 10, oktober: 10, octubre: 10,
  nov: 11, november: 11, noviembre: 11,
  dec: 12, december: 12, dez: 12, dezember: 12, diciembre: 12, dic: 12,
};
const MONTH = String.raw`(?:jan(?:uary|uar)?|jänner|enero|ene|feb(?:ruary|ruar|rero)?|mar(?:ch|zo)?|märz|mär|apr(?:il)?|abr(?:il)?|may(?:o)?|mai|jun(?:e|i|io)?|jul(?:y|i|io)?|aug(?:ust)?|agosto|ago|sept?(?:ember|iembre)?|setiembre|oct(?:ober|ubre)?|okt(?:ober)?|nov(?:ember|iembre)?|dec(?:ember)?|dez(?:ember)?|diciembre|dic)\.?`;
/** Dates people write as deadlines; the first three alternatives are full dates and get normalised to ISO. */
export const DATE = String.raw`\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s*(?:de\s+)?${MONTH}\s*(?:de\s+)?\d{4}|${MONTH}\s+\d{1,2},?\s+\d{4}|\d{1,2}[./]\d{1,2}[./]\d{4}|(?:end\s+of\s+|ende\s+|fin(?:al)?\s+de\s+)?(?:Q[1-4]|H[12])\s*[/'’]?\s*\d{2,4}|(?:end\s+of\s+|ende\s+|fin(?:al)?\s+de\s+)?${MONTH}\s*(?:de\s+)?\d{4}|(?:end\s+of\s+|ende\s+|fin(?:al)?\s+de\s+)?(?:19|20)\d{2}`;
const DUE = new RegExp(String.raw`(?:\b(?:due|by|deadline|until|till|bis(?:\s+(?:zum|ende))?|fällig(?:\s+am)?|termin|para(?:\s+el)?|antes\s+del?|hasta(?:\s+el)?|fecha\s+límite|plazo)\b\s*:?\s*)(${DATE})(?![\d\p{L}])`, 'iu');
const BARE_DATE = new RegExp(String.raw`(?<![\d\p{L}])(\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s*(?:de\s+)?${MONTH}\s*(?:de\s+)?\d{4}|${MONTH}\s+\d{1,2},?\s+\d{4})(?![\d\p{L}])`, 'iu');

const LABELLED: [keyof Values, RegExp][] = [
  ['baseline', new RegExp(String.raw`\b(?:baseline|base\s+line|ausgangswert|ausgangsbasis|startwert|línea\s+(?:de\s+)?base|linea\s+(?:de\s+)?base|valor\s+inicial|punto\s+de\s+partida)\b\s*(?:of|von|de)?\s*[:=]?\s*(${VALUE})`, 'iu')],
  ['target', new RegExp(String.raw`\b(?:target|zielwert|ziel|meta|objetivo|valor\s+objetivo)\b\s*(?:of|von|de)?\s*[:=]?\s*(${VALUE})`, 'iu')],
  ['current', new RegExp(String.raw`\b(?:current(?:ly)?|today|aktuell|derzeit|heute|actualmente|hoy|valor\s+actual|ist\s*:)\s*(?:at|bei|en)?\s*[:=]?\s*(${VALUE})`, 'iu')],
];
const TARGET_FALLBACK = new RegExp(
  String.raw`(?:\b(?:to|auf|reach(?:es|ing)?|hit|achieve|at\s+least|mindestens|al\s+menos|alcanzar|erreichen|under|below|unter|menos\s+de|above|over|über|más\s+de|a)\s+|(?<![\p{L}\d])(?=[<>≥≤]))(${VALUE})`,
  'iu',
);

const EMPTY: Values = { metric: null, baseline: null, target: null, current: null, due: null };

/** "31 Dec 2026", "Dec 31, 2026", "31.12.2026", "31 de diciembre de 2026" → "2026-12-31"; anything else unchanged. */
export function normalizeDate(raw: string): string {
  const s = raw.trim().replace(/\s+/g, ' ');
  const pad = (n: number) => String(n).padStart(2, '0');
  const iso = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : s;
  };
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return iso(+m[1]!, +m[2]!, +m[3]!);
  m = /^(\d{1,2})\.?\s*(?:de\s+)?([\p{L}]+)\.?\s*(?:de\s+)?(\d{4})$/iu.exec(s);
  if (m && MONTHS[m[2]!.toLowerCase()]) return iso(+m[3]!, MONTHS[m[2]!.toLowerCase()]!, +m[1]!);
  m = /^([\p{L}]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/iu.exec(s);
  if (m && MONTHS[m[1]!.toLowerCase()]) return iso(+m[3]!, MONTHS[m[1]!.toLowerCase()]!, +m[2]!);
  // Dotted dates are day-first (German); slashed ones are day-first unless that is impossible.
  m = /^(\d{1,2})([./])(\d{1,2})\2(\d{4})$/.exec(s);
  if (m) {
    const a = +m[1]!, b = +m[3]!;
    if (m[2] === '/' && a <= 12 && b > 12) return iso(+m[4]!, a, b);
    return iso(+m[4]!, b, a);
  }
  return s;
}

const bare = (v: string) => /^[<>≥≤~≈]?=?\s?[$€£¥]?\s?\d[\d,.'’]*$/.test(v);
const suffixOf = (v: string) => /^[^\d]*\d[\d,.'’]*(\s?\D.*)$/.exec(v)?.[1] ?? '';

/** "34 → 21 days" reads as 34 days → 21 days: a unit written once applies to both ends of a range. */
function shareUnit(baseline: string, target: string): [string, string] {
  if (bare(baseline) && !bare(target)) return [baseline + suffixOf(target), target];
  if (bare(target) && !bare(baseline)) return [baseline, target + suffixOf(baseline)];
  return [baseline, target];
}

const LEADING_VERB =
  /^(?:increase|grow|raise|lift|improve|boost|reduce|decrease|cut|lower|shrink|drive|move|take|get|bring|keep|maintain|steigern|erhöhen|senken|reduzieren|verbessern|verkürzen|halten|aumentar|reducir|mejorar|disminuir|bajar|subir|mantener|llevar)\s+(?:the\s+|our\s+|die\s+|den\s+|das\s+|unsere\s+|el\s+|la\s+|los\s+|las\s+|nuestro\s+|nuestra\s+)?/i;

/** What is being measured: the text before the first value, minus a leading verb and dangling connectors. */
function metricBefore(text: string, index: number): string | null {
  const m = text
    .slice(0, index)
    .replace(/(?<![\p{L}])(?:from|von|vom|de|desde|baseline|target|ziel|meta|objetivo|ausgangswert|to|auf|bis|a|by|due|until)\s*:?\s*$/iu, '')
    .replace(/[\s:;,(\[—–=-]+$/, '')
    .replace(LEADING_VERB, '')
    .trim();
  return m.length >= 2 ? m : null;
}

type Span = [number, number];
const overlaps = (a: Span | null, b: Span) => a !== null && a[0] < b[1] && b[0] < a[1];

/** First match of `re` whose value does not overlap `avoid` (the deadline), e.g. "to 31 Dec 2026" is no target. */
function firstOutside(re: RegExp, text: string, avoid: Span | null): RegExpExecArray | null {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  for (let m = g.exec(text); m; m = g.exec(text)) {
    if (!overlaps(avoid, [m.index, m.index + m[0].length])) return m;
    if (m[0].length === 0) g.lastIndex++;
  }
  return null;
}

/** Extracts the measured values from free text. Never throws; missing parts are null. */
export function extractValues(text: string): Values {
  const t = text.slice(0, 4000);
  const out: Values = { ...EMPTY };
  let firstIndex = Number.POSITIVE_INFINITY;
  const seen = (i: number) => {
    firstIndex = Math.min(firstIndex, i);
  };
  const due = DUE.exec(t) ?? BARE_DATE.exec(t);
  let dueSpan: Span | null = null;
  if (due?.[1]) {
    out.due = normalizeDate(due[1]);
    dueSpan = [due.index, due.index + due[0].length];
    seen(due.index);
  }
  for (const [field, re] of LABELLED) {
    const m = firstOutside(re, t, dueSpan);
    if (m?.[1]) {
      out[field] = m[1].trim();
      seen(m.index);
    }
  }
  if (!out.baseline || !out.target) {
    const range = firstOutside(RANGE, t, dueSpan) ?? firstOutside(RANGE_DE, t, dueSpan);
    if (range?.[1] && range[2]) {
      const [b, g] = shareUnit(range[1].trim(), range[2].trim());
      out.baseline ??= b;
      out.target ??= g;
      seen(range.index);
    }
  }
  if (!out.target) {
    const m = firstOutside(TARGET_FALLBACK, t, dueSpan);
    if (m?.[1] && !isYear(m[1])) {
      out.target = m[1].trim();
      seen(m.index);
    }
  }
  if (Number.isFinite(firstIndex)) out.metric = metricBefore(t, firstIndex);
  return out;
}

const isYear = (v: string) => /^(?:19|20)\d{2}$/.test(v.trim());
