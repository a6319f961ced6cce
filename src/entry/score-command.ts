// `bearing score`: runs the engine in-process on files (no server, database, network or API key).
// Bad input exits 2 with one line per problem naming the file, the item and the field.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { extname } from 'node:path';
import { BacklogItemInput, describeIssues, type BacklogItem } from '../domain/contracts.ts';
import { parseBacklogCsv } from '../domain/backlog-csv.ts';
import { detectStrategyFormat, readStrategy } from '../domain/strategy.ts';
import { scoreBacklog, type WordVectors } from '../domain/engine/index.ts';
import { renderMarkdown, renderTable } from '../domain/engine/render.ts';

export interface CommandIo { stdout: (s: string) => void; stderr: (s: string) => void }

const FORMATS = ['json', 'table', 'markdown'] as const;

function readText(path: string, problems: string[]): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(`${path}: cannot read file (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
    return null;
  }
}

/** Reads a JSON or CSV backlog; validates every item on its own so each problem names its item. */
export function readBacklog(path: string, text: string, problems: string[]): BacklogItem[] {
  const ext = extname(path).toLowerCase();
  let raw: unknown[];
  let where: (i: number) => string = (i) => `items[${i}]`;
  if (ext === '.csv') {
    const csv = parseBacklogCsv(text);
    for (const e of csv.errors) problems.push(`${path}: line ${e.line}: ${e.message}`);
    raw = csv.items;
    where = (i) => `line ${csv.lines[i] ?? '?'}`;
  } else if (ext === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      problems.push(`${path}: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
      return [];
    }
    const list = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items) ? (value as { items: unknown[] }).items : null;
    if (!list) { problems.push(`${path}: expected an array of items or {"items": [...]}`); return []; }
    raw = list;
  } else {
    problems.push(`${path}: unknown backlog format "${ext || '(none)'}" (use .json or .csv)`);
    return [];
  }
  const items: BacklogItem[] = [];
  const seen = new Map<string, number>();
  raw.forEach((r, i) => {
    const parsed = BacklogItemInput.safeParse(r);
    const rawId = r && typeof r === 'object' ? (r as { id?: unknown }).id : undefined;
    const label = typeof rawId === 'string' || typeof rawId === 'number' ? `item ${String(rawId)} (${where(i)})` : where(i);
    if (!parsed.success) {
      for (const p of describeIssues(parsed.error)) problems.push(`${path}: ${label}: ${p.location}: ${p.message}`);
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) problems.push(`${path}: ${label}: id: duplicate id "${parsed.data.id}" (first at ${where(first)})`);
    else seen.set(parsed.data.id, i);
    items.push(parsed.data);
  });
  return items;
}

async function loadVectors(io: CommandIo): Promise<WordVectors | undefined> {
  if (process.env.BEARING_NO_VECTORS === '1') return undefined;
  try {
    const { loadWordVectors } = await import('../adapters/embeddings/cache.ts');
    return loadWordVectors();
  } catch (e) {
    io.stderr(`warning: word vectors unavailable (${e instanceof Error ? e.message : String(e)}); scoring lexically\n`);
    return undefined;
  }
}

export async function scoreCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { strategy: { type: 'string' }, backlog: { type: 'string' }, now: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, 'no-vectors': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`bearing score: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const problems: string[] = [];
  const strategyPath = values.strategy as string | undefined;
  const backlogPath = values.backlog as string | undefined;
  const format = (values.format as string | undefined) ?? 'json';
  if (!strategyPath) problems.push('--strategy FILE is required');
  if (!backlogPath) problems.push('--backlog FILE is required');
  if (!(FORMATS as readonly string[]).includes(format)) problems.push(`--format: unknown format "${format}" (use json, table or markdown)`);
  const nowArg = values.now as string | undefined;
  const now = nowArg ?? new Date().toISOString();
  if (nowArg !== undefined && !Number.isFinite(Date.parse(nowArg))) problems.push(`--now: not an ISO-8601 date: "${nowArg}"`);
  let strategy = null;
  if (strategyPath) {
    const kind = detectStrategyFormat(strategyPath);
    const text = readText(strategyPath, problems);
    if (text !== null && !kind) problems.push(`${strategyPath}: unknown strategy format (use .json or .md)`);
    else if (text !== null && kind) {
      const r = readStrategy(text, kind);
      if (r.ok) strategy = r.strategy;
      else for (const e of r.errors) problems.push(`${strategyPath}: ${e.location}: ${e.message}`);
    }
  }
  let items: BacklogItem[] = [];
  if (backlogPath) {
    const text = readText(backlogPath, problems);
    if (text !== null) items = readBacklog(backlogPath, text, problems);
  }
  if (problems.length || !strategy) {
    io.stderr(problems.map((p) => `error: ${p}\n`).join(''));
    return 2;
  }
  const vectors = values['no-vectors'] ? undefined : await loadVectors(io);
  const report = scoreBacklog({ strategy, items, now, generatedAt: new Date().toISOString(), ...(vectors ? { vectors } : {}) });
  const titles = new Map(items.map((i) => [i.id, i.title]));
  const titleOf = (id: string): string => titles.get(id) ?? '';
  const text = format === 'table' ? renderTable(report, titleOf) : format === 'markdown' ? renderMarkdown(report, titleOf) : `${JSON.stringify(report, null, 2)}\n`;
  const out = values.out as string | undefined;
  if (out) {
    try {
      writeFileSync(out, text);
    } catch (e) {
      io.stderr(`error: ${out}: cannot write file (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`);
      return 1;
    }
  } else io.stdout(text);
  return 0;
}
