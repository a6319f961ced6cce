// RFC 4180 CSV backlogs: quoted fields with "" escapes, embedded newlines and commas, CRLF or LF, a header
// row naming the contract fields (common tracker spellings accepted). Labels in one cell are split on ";"
// or ",". Output is plain objects for the same zod validation as JSON backlogs; unknown columns are ignored.

export interface CsvError { line: number; message: string }

/** Parses CSV text into rows of fields. Reports an unterminated quote with the line it started on. */
export function parseCsv(text: string): { rows: string[][]; rowLines: number[]; error: CsvError | null } {
  const rows: string[][] = [];
  const rowLines: number[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  let quoteStart = 0;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') { quoted = true; quoteStart = line; }
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') { rows.push(row); rowLines.push(rowStart); }
      row = [];
      line++;
      rowStart = line;
    } else field += c;
  }
  if (quoted) return { rows, rowLines, error: { line: quoteStart, message: 'unterminated quoted field' } };
  row.push(field);
  if (row.length > 1 || row[0] !== '') { rows.push(row); rowLines.push(rowStart); }
  return { rows, rowLines, error: null };
}

/** Header spellings trackers export, mapped to contract fields. */
const HEADER_ALIASES: Record<string, string> = {
  id: 'id', key: 'id', 'issue key': 'id', 'issue id': 'id',
  title: 'title', summary: 'title', name: 'title',
  description: 'description', body: 'description', notes: 'description',
  type: 'type', 'issue type': 'type', kind: 'type',
  status: 'status', state: 'status',
  team: 'team', assignee: 'assignee', source: 'source',
  estimate_points: 'estimate_points', estimate: 'estimate_points', points: 'estimate_points', 'story points': 'estimate_points', story_points: 'estimate_points',
  labels: 'labels', label: 'labels', tags: 'labels',
  parent_id: 'parent_id', parent: 'parent_id', 'parent id': 'parent_id', epic: 'parent_id', 'epic link': 'parent_id',
  created_at: 'created_at', created: 'created_at', updated_at: 'updated_at', updated: 'updated_at',
};

/** Splits a labels cell on ";" (preferred) or ",", trimming blanks. */
export function splitLabels(cell: string): string[] {
  const sep = cell.includes(';') ? ';' : ',';
  return cell.split(sep).map((l) => l.trim()).filter(Boolean);
}

export interface CsvBacklog { items: Record<string, unknown>[]; lines: number[]; errors: CsvError[] }

export function parseBacklogCsv(text: string): CsvBacklog {
  const { rows, rowLines, error } = parseCsv(text);
  if (error) return { items: [], lines: [], errors: [error] };
  const header = rows[0];
  if (!header) return { items: [], lines: [], errors: [{ line: 1, message: 'empty CSV: expected a header row' }] };
  const fields = header.map((h) => HEADER_ALIASES[h.trim().toLowerCase()] ?? null);
  const missing = ['id', 'title'].filter((f) => !fields.includes(f));
  if (missing.length) return { items: [], lines: [], errors: [{ line: 1, message: `header has no ${missing.join(' or ')} column` }] };
  const items: Record<string, unknown>[] = [];
  const lines: number[] = [];
  rows.slice(1).forEach((r, k) => {
    const obj: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      if (!f || f in obj) return;
      const v = (r[i] ?? '').trim();
      if (f === 'labels') obj.labels = splitLabels(v);
      else if (f === 'estimate_points') obj.estimate_points = v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v;
      else if (f === 'title') obj.title = r[i] ?? '';
      else obj[f] = v === '' ? (f === 'id' ? v : null) : f === 'description' ? (r[i] ?? '') : v;
    });
    items.push(obj);
    lines.push(rowLines[k + 1] ?? 0);
  });
  return { items, lines, errors: [] };
}
