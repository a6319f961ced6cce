// Human formats of a score report: a plain-text terminal table and Markdown. JSON is the report itself.
import type { ScoreReport } from '../contracts.ts';

const pad = (s: string, n: number): string => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function titles(report: ScoreReport, titleOf: (id: string) => string): Map<string, string> {
  return new Map(report.items.map((i) => [i.id, oneLine(titleOf(i.id))]));
}

export function renderTable(report: ScoreReport, titleOf: (id: string) => string = () => ''): string {
  const t = titles(report, titleOf);
  const out: string[] = [];
  const idW = Math.min(16, Math.max(2, ...report.items.map((i) => i.id.length)));
  out.push(`Bearing score — ${report.items.length} items, ${report.stop.length} stop suggestions`);
  out.push('');
  out.push(`${pad('ID', idW)}  ALIGN  ${pad('GOAL', 12)}  ${pad('FLAGS', 28)}  TITLE`);
  for (const i of report.items) {
    const goal = i.kr_id ?? i.objective_id ?? (i.execution_health ? 'health' : '-');
    out.push(`${pad(i.id, idW)}  ${i.alignment.toFixed(2).padStart(5)}  ${pad(goal, 12)}  ${pad(i.flags.join(','), 28)}  ${cut(t.get(i.id) ?? '', 60)}`);
  }
  out.push('');
  out.push('Stop suggestions');
  if (!report.stop.length) out.push('  (none)');
  for (const s of report.stop) {
    out.push(`${String(s.rank).padStart(3)}. ${pad(s.action, 7)} ${pad(s.id, idW)}  pts ${pad(s.capacity_points === null ? '-' : String(s.capacity_points), 4)} conf ${s.confidence.toFixed(2)}  ${cut(s.reasons.join('; '), 90)}`);
  }
  const p = report.portfolio;
  out.push('');
  out.push('Portfolio');
  for (const o of p.by_objective) out.push(`  ${pad(o.objective_id, 12)} ${String(o.items).padStart(4)} items ${String(o.points).padStart(6)} pts`);
  out.push(`  ${pad('health', 12)} ${String(p.execution_health.items).padStart(4)} items ${String(p.execution_health.points).padStart(6)} pts`);
  out.push(`  ${pad('unaligned', 12)} ${String(p.unaligned.items).padStart(4)} items ${String(p.unaligned.points).padStart(6)} pts (${(p.unaligned.share_of_points * 100).toFixed(1)}% of points)`);
  out.push(`  coverage gaps: ${p.coverage_gaps.map((g) => g.kr_id).join(', ') || 'none'}`);
  out.push(`  duplicate clusters: ${p.duplicate_clusters.map((c) => c.join(' = ')).join('; ') || 'none'}`);
  return `${out.join('\n')}\n`;
}

const md = (s: string): string => oneLine(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;');

export function renderMarkdown(report: ScoreReport, titleOf: (id: string) => string = () => ''): string {
  const t = titles(report, titleOf);
  const out: string[] = ['# Bearing score report', ''];
  if (report.strategy.warnings.length) {
    out.push('## Strategy warnings', '', ...report.strategy.warnings.map((w) => `- ${md(w)}`), '');
  }
  out.push('## Stop suggestions', '');
  if (!report.stop.length) out.push('_None._');
  else {
    out.push('| # | Action | Item | Points | Confidence | Reasons |', '|---:|---|---|---:|---:|---|');
    for (const s of report.stop) {
      out.push(`| ${s.rank} | ${s.action} | ${md(s.id)} ${md(cut(t.get(s.id) ?? '', 60))} | ${s.capacity_points ?? '–'} | ${s.confidence.toFixed(2)} | ${md(s.reasons.join('; '))} |`);
    }
  }
  const p = report.portfolio;
  out.push('', '## Portfolio', '', '| Bucket | Items | Points |', '|---|---:|---:|');
  for (const o of p.by_objective) out.push(`| ${md(o.objective_id)} | ${o.items} | ${o.points} |`);
  out.push(`| Execution health | ${p.execution_health.items} | ${p.execution_health.points} |`);
  out.push(`| Unaligned | ${p.unaligned.items} | ${p.unaligned.points} (${(p.unaligned.share_of_points * 100).toFixed(1)}%) |`);
  out.push('', `**Coverage gaps:** ${p.coverage_gaps.map((g) => md(g.kr_id)).join(', ') || 'none'}`);
  out.push('', `**Duplicate clusters:** ${p.duplicate_clusters.map((c) => c.map(md).join(' = ')).join('; ') || 'none'}`);
  out.push('', '## Items', '', '| Item | Alignment | Goal | Flags | Rationale |', '|---|---:|---|---|---|');
  for (const i of report.items) {
    const goal = i.kr_id ?? i.objective_id ?? (i.execution_health ? 'health' : '–');
    out.push(`| ${md(i.id)} ${md(cut(t.get(i.id) ?? '', 60))} | ${i.alignment.toFixed(2)} | ${md(goal)} | ${i.flags.join(', ')} | ${md(i.rationale)} |`);
  }
  return `${out.join('\n')}\n`;
}
