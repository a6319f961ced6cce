// GFM tables of key results. Columns are recognised by their header words (any order, en/de/es);
// unknown columns (Status, Notes, Confidence) are ignored.
import type { Block } from './blocks.ts';
import { stripInline } from './inline.ts';
import { matchKeyResult, matchObjective } from './ids.ts';
import { normalizeDate, extractValues } from './values.ts';
import { type KrDraft, fillMissing } from './draft.ts';

type Table = Extract<Block, { kind: 'table' }>;
export type Column = 'kr' | 'id' | 'objective' | 'title' | 'metric' | 'baseline' | 'target' | 'current' | 'due' | 'ignore';

const HEADERS: [Column, RegExp][] = [
  ['kr', /^(?:kr|krs|kr\s*#|kr\s*id|key\s+result\s+id)$/],
  ['id', /^(?:id|#|nr\.?|no\.?|nº|n\.?º|ref|num(?:ber)?|número|nummer)$/],
  ['objective', /^(?:objective|objectives|okr|o|objetivo\s+estratégico|strategisches\s+ziel)$/],
  ['title', /^(?:key\s*results?|kr\s+(?:title|name|description)|title|name|description|beschreibung|titel|schlüssel(?:ergebnis|ergebnisse|resultat)|ergebnis|resultados?\s+clave|resultado|título|titulo|descripción|descripcion)\b/],
  ['metric', /^(?:metric|metrics|metrik|kennzahl|messgröße|métrica|metrica|indicador|kpi|measure|measurement)\b/],
  ['baseline', /^(?:baseline|base\s*line|start\p{L}*|from|ausgangs?\p{L}*|basis\p{L}*|línea|linea|base|valor\s+inicial|inicio|punto\s+de\s+partida|von|desde)(?![\p{L}])/u],
  ['target', /^(?:target|to|goal\s+value|ziel\p{L}*|soll\p{L}*|meta|valor\s+objetivo|hasta)(?![\p{L}])/u],
  ['current', /^(?:current|actual|now|today|aktuell|ist\p{L}*|stand|derzeit|valor\s+actual|actualmente|hoy)(?![\p{L}])/u],
  ['due', /^(?:due|deadline|date|by|when|until|timeline|quarter|fällig\p{L}*|frist|termin|bis|datum|zeitraum|fecha|plazo|vencimiento|cuándo|cuando)(?![\p{L}])/u],
  ['ignore', /^(?:owner|owners|dri|lead|team|status|confidence|notes?|comments?|verantwortlich|zuständig|responsable|dueño|equipo|estado|notas?|comentarios)\b/],
];
// "Goal"/"Ziel"/"Objetivo" name the objective in one table and the target value in another: the cells decide.
const AMBIGUOUS = /^(?:goal|goals|ziel|ziele|objetivo|objetivos)$/;

const looksLikeValue = (s: string) => /^[<>≥≤~≈]?=?\s?[$€£¥]?\s?\d/.test(s.trim());

/** Maps each column to the field it holds. */
export function mapColumns(table: Table): Column[] {
  const used = new Set<Column>();
  return table.header.map((h, col) => {
    const t = stripInline(h).toLowerCase().replace(/[:.*]+$/, '').trim();
    if (AMBIGUOUS.test(t)) {
      const cells = table.rows.map((r) => stripInline(r.cells[col] ?? '')).filter(Boolean);
      const numeric = cells.filter(looksLikeValue).length;
      const c: Column = cells.length > 0 && numeric * 2 >= cells.length ? 'target' : 'objective';
      if (!used.has(c)) {
        used.add(c);
        return c;
      }
      return 'ignore';
    }
    for (const [c, re] of HEADERS) {
      if (re.test(t) && (c === 'ignore' || !used.has(c))) {
        used.add(c);
        return c;
      }
    }
    return 'ignore';
  });
}

/** True when the table looks like key results (has a KR, title or target-ish column). */
export function isKrTable(cols: Column[]): boolean {
  return cols.some((c) => c === 'kr' || c === 'title' || c === 'metric' || c === 'target' || c === 'baseline');
}

export interface KrRow { kr: KrDraft | null; objective: { id: string | null; number: string | null; title: string } | null; line: number; empty: boolean }

/** One row → a key result (null when the row has no title) and the objective named in the row, if any. */
export function rowToKr(cols: Column[], cells: string[], line: number): KrRow {
  const get = (c: Column) => {
    const i = cols.indexOf(c);
    return i >= 0 ? stripInline(cells[i] ?? '') : '';
  };
  const empty = cells.every((c) => stripInline(c) === '' || /^:?-+:?$/.test(c.trim()));
  const objText = get('objective');
  const objMatch = objText ? (matchObjective(objText) ?? { id: null, number: null, title: objText, labelled: false }) : null;
  const objective = objMatch && (objMatch.title || objMatch.id) ? { id: objMatch.id, number: objMatch.number, title: objMatch.title } : null;

  let id: string | null = get('id') || null;
  let number: string | null = null;
  let title = get('title');
  const krCell = get('kr');
  if (krCell) {
    const m = matchKeyResult(krCell);
    if (m) {
      id = m.id ?? id;
      number = m.number;
      title ||= m.title;
    } else if (/^\d{1,3}$/.test(krCell)) number = krCell;
    else title ||= krCell;
  }
  if (id && /^\d{1,3}$/.test(id)) {
    number = id;
    id = null;
  }
  if (title) {
    const m = matchKeyResult(title);
    if (m && m.title) {
      id ??= m.id;
      number ??= m.number;
      title = m.title;
    }
  }
  const metric = get('metric') || null;
  title ||= metric ?? '';
  if (!title) return { kr: null, objective, line, empty };
  const due = get('due');
  const kr: KrDraft = {
    id,
    number,
    title,
    metric,
    baseline: get('baseline') || null,
    target: get('target') || null,
    current: get('current') || null,
    due: due ? (extractValues(`by ${due}`).due ?? normalizeDate(due)) : null,
    line,
  };
  fillMissing(kr, title);
  if (!kr.metric) kr.metric = extractValues(title).metric;
  return { kr, objective, line, empty };
}
