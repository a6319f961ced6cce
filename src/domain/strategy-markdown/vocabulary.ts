// Words that name the parts of a strategy, in English, German and Spanish. Headings are matched after
// inline markup, leading numbering ("2.", "II.") and leading emoji are stripped, case-insensitively.

export type SectionKind =
  | 'north_star'
  | 'objectives'
  | 'objective'
  | 'key_results'
  | 'key_result'
  | 'non_goals'
  | 'principles'
  | 'description'
  | 'info'
  | 'unknown';

/** A separator between a label/id and its text: colon, dashes, dot, closing paren, pipe. */
export const SEP = String.raw`(?:\s*[:.)|]\s*|\s+[—–-]+\s+|\s*[—–]\s*)`;

const NON_GOALS =
  /^(?:(?:our|the|explicit|h[12]|q[1-4])\s+)*(?:non[\s-]?goals?|not[\s-]doing|stop[\s-]doing|stop[\s-]list|out[\s-]of[\s-]scope|anti[\s-]?goals?|nicht[\s-]?ziele|no[\s-]objetivos|no[\s-]metas|fuera\s+del?\s+alcance|no\s+haremos|dejar\s+de\s+hacer|kill[\s-]list)\b|^(?:what|things)\s+(?:we\s+)?(?:will\s+not|won['’]?t|are\s+not|aren['’]?t)\b|^we\s+(?:will\s+not|won['’]?t)\b|^was\s+wir\s+(?:nicht|bewusst\s+nicht|lassen)\b|^(?:lo\s+que\s+)?no\s+(?:haremos|vamos\s+a\s+hacer)\b|^stop(?:\s*$|\s*[/(:—–&,|-])|^nicht\s+tun\b|^stoppen\b/i;
const NORTH_STAR = /^(?:(?:our|the|unser|unsere|nuestra)\s+)?(?:north[\s-]?star|nordstern|polarstern|estrella\s+(?:polar|del\s+norte)|métrica\s+norte|nsm\b)/i;
const PRINCIPLES =
  /^(?:(?:our|operating|guiding|product|design|engineering|unsere|nuestros|core)\s+)*(?:principles?|guardrails?|prinzipien|grundsätze|leitplanken|leitprinzipien|leitlinien|principios|reglas|tenets)\b/i;
const KEY_RESULTS =
  /^(?:(?:our|the|unsere|nuestros)\s+)?(?:key[\s-]results?|krs?|schlüssel(?:ergebnisse|resultate)|resultados[\s-]clave|success\s+metrics|metrics|measures(?:\s+of\s+success)?|how\s+we(?:'ll|\s+will)\s+measure(?:\s+\w+)?|kennzahlen|messgrößen|erfolgskennzahlen|erfolgsmessung|métricas|indicadores|kpis?|medición)\s*:?\s*$/i;
const OBJECTIVES =
  /^(?:(?:our|the|company|strategic|strategische|top|annual|quarterly|q[1-4]|h[12]|\d{4}|unsere|nuestros|los)\s+)*(?:objectives|okrs?|goals|ziele|objetivos|metas|objectifs|\p{L}+ziele)\b/iu;
const DESCRIPTION =
  /^(?:why|why\s+it\s+matters|why\s+this\s+matters|context|background|rationale|description|problem|the\s+problem|beschreibung|hintergrund|warum|kontext|begründung|descripción|contexto|por\s+qué|motivación|antecedentes)\b/i;
const INFO =
  /^(?:tl;?dr|summary|executive\s+summary|overview|context|background|introduction|intro|risks?|risks?\s+(?:&|and)\s+\w+|open\s+questions|questions|assumptions|dependencies|appendix|glossary|timeline|milestones|changelog|change\s+log|revision\s+history|next\s+steps|faq|references|links|team|owners?|stakeholders|mission|vision|zusammenfassung|überblick|einleitung|kontext|hintergrund|risiken|offene\s+fragen|annahmen|abhängigkeiten|anhang|glossar|zeitplan|meilensteine|mission|vision|resumen|introducción|contexto|antecedentes|riesgos|preguntas\s+abiertas|supuestos|dependencias|anexo|glosario|cronograma|hitos|misión|visión)\b/i;

/** Strips inline-free heading text of leading numbering ("2.", "1.3", "IV.") and emoji or bullets. */
export function headingCore(text: string): string {
  return text
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .replace(/^(?:\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+\.?|[IVXLC]{1,6}\.)\s+/, '')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .trim();
}

export function isNonGoalsHeading(t: string): boolean {
  return NON_GOALS.test(t);
}
export function isNorthStarHeading(t: string): boolean {
  return NORTH_STAR.test(t);
}
export function isPrinciplesHeading(t: string): boolean {
  return PRINCIPLES.test(t);
}
export function isKeyResultsHeading(t: string): boolean {
  return KEY_RESULTS.test(t);
}
export function isObjectivesHeading(t: string): boolean {
  return OBJECTIVES.test(t);
}
export function isDescriptionHeading(t: string): boolean {
  return DESCRIPTION.test(t);
}
export function isInfoHeading(t: string): boolean {
  return INFO.test(t);
}

/** Labels of fields that can follow a key result on their own line or bullet ("Baseline: 58%"). */
export type FieldName = 'metric' | 'baseline' | 'target' | 'current' | 'due' | 'owner' | 'description' | 'title';

const FIELD_LABELS: [FieldName, RegExp][] = [
  ['metric', /^(?:metric|metrik|kennzahl|messgröße|métrica|metrica|indicador|kpi|measure|measured\s+by|gemessen\s+an|medido\s+por)$/i],
  ['baseline', /^(?:baseline|base\s*line|start(?:ing)?(?:\s+(?:value|point))?|from|ausgangswert|ausgangsbasis|basis|startwert|línea\s+(?:de\s+)?base|linea\s+(?:de\s+)?base|base|valor\s+inicial|punto\s+de\s+partida|inicio)$/i],
  ['target', /^(?:target|target\s+value|goal|to|ziel|zielwert|zielgröße|soll|meta|objetivo|valor\s+objetivo)$/i],
  ['current', /^(?:current|current\s+value|actual|now|today|aktuell|ist|ist[\s-]?wert|derzeit|stand|actualmente|valor\s+actual|hoy)$/i],
  ['due', /^(?:due|due\s+date|deadline|by|until|date|when|timeline|fällig|fälligkeit|frist|termin|bis|datum|fecha|fecha\s+límite|plazo|vencimiento)$/i],
  ['owner', /^(?:owner|owners|dri|lead|team|status|confidence|verantwortlich|verantwortlicher|zuständig|responsable|dueño|equipo|estado|notes?|notizen|notas|comments?)$/i],
  ['description', /^(?:description|why|rationale|context|beschreibung|warum|begründung|kontext|descripción|descripcion|por\s+qué|contexto)$/i],
  ['title', /^(?:key\s+results?|kr|kr\s+title|title|name|titel|schlüsselergebnis(?:se)?|ergebnis|resultados?\s+clave|resultado|título|titulo)$/i],
];

/** Names the field a label ("Baseline", "Zielwert", "Fecha límite") stands for. */
export function fieldForLabel(label: string): FieldName | null {
  const l = label.trim().replace(/\s*\([^)]*\)\s*$/, '').replace(/[:.\s]+$/, '');
  for (const [name, re] of FIELD_LABELS) if (re.test(l)) return name;
  return null;
}

/** Splits "Label: value" when the label is a known field; null otherwise. */
export function labelledField(text: string): { field: FieldName; value: string } | null {
  const m = /^([\p{L}][\p{L}\s-]{0,30}?)\s*(?:\([^)]{0,30}\))?\s*[:=]\s*(.*)$/u.exec(text);
  if (!m) return null;
  const field = fieldForLabel(m[1] ?? '');
  return field ? { field, value: (m[2] ?? '').trim() } : null;
}
