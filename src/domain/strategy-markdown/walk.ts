// Walks the section tree and fills a Draft. A heading's meaning depends on where it sits: under
// "Objectives" any heading is an objective, under an objective an unnamed heading that holds key results
// is a key-result list, under "Not doing" every heading is one non-goal. Whatever cannot be placed
// becomes a warning with its line number.
import type { Block, ListItem } from './blocks.ts';
import { stripInline } from './inline.ts';
import { classifyHeading, northStarLine, northStarName } from './classify.ts';
import { matchKeyResult, matchNonGoal, matchObjective, type Labelled } from './ids.ts';
import { labelledField, type SectionKind } from './vocabulary.ts';
import { extractValues } from './values.ts';
import { isKrTable, mapColumns, rowToKr } from './table.ts';
import type { Section } from './sections.ts';
import {
  type Draft,
  type KrDraft,
  type ObjDraft,
  applyField,
  applyKrChildren,
  descriptionText,
  fillMissing,
  flattenItem,
  isMetadataLine,
  krFromText,
  warn,
} from './draft.ts';

type Mode = 'root' | 'unknown' | 'info' | 'objectives' | 'objective' | 'key_results' | 'key_result' | 'non_goals' | 'principles' | 'north_star' | 'description' | 'item';
interface Ctx { mode: Mode; objective: ObjDraft | null; kr: KrDraft | null; title: string; level: number }
type Paragraph = Extract<Block, { kind: 'paragraph' }>;
type Table = Extract<Block, { kind: 'table' }>;

const NOT_PLACED = 'not an objective, key result, non-goal or principle section';
const VALUE_FIELDS = new Set(['metric', 'baseline', 'target', 'current', 'due']);

const hasKrLabel = (text: string) => {
  const m = matchKeyResult(text);
  return m !== null && (m.id !== null || m.number !== null);
};

/** Does a section with an unremarkable heading hold key results (so it is really an objective)? */
function holdsKeyResults(s: Section): boolean {
  for (const b of s.blocks) {
    if (b.kind === 'list' && b.items.some((i) => hasKrLabel(stripInline(i.text)))) return true;
    if (b.kind === 'paragraph' && b.lines.some((l) => hasKrLabel(stripInline(l.text)))) return true;
    if (b.kind === 'table' && mapColumns(b).includes('kr')) return true;
  }
  // A key-result sub-heading makes this an objective only if no child is an objective itself (a document
  // title above "Objective 1 … / Key results" is not an objective).
  const kinds = s.children.map((c) => classifyHeading(c.title).kind);
  return kinds.some((k) => k === 'key_results' || k === 'key_result') && !kinds.some((k) => k === 'objective' || k === 'objectives');
}

export class Walker {
  private last: ObjDraft | null = null;
  private pendingNsDefinition = false;

  constructor(private readonly d: Draft) {}

  walkRoot(root: Section): void {
    const ctx: Ctx = { mode: 'root', objective: null, kr: null, title: '', level: 0 };
    this.blocks(root, ctx);
    for (const c of root.children) this.walk(c, ctx);
  }

  private resolve(kind: SectionKind, s: Section, parent: Mode): SectionKind | 'item' {
    if (parent === 'non_goals' || parent === 'principles') return kind === 'non_goals' || kind === 'principles' || kind === 'info' ? kind : 'item';
    if (parent === 'north_star' && (kind === 'unknown' || kind === 'description' || kind === 'info')) return 'description';
    if (parent === 'objectives' && kind === 'unknown') return 'objective';
    if (parent === 'key_results' && (kind === 'unknown' || kind === 'description')) return 'key_result';
    if (parent === 'objective' || parent === 'key_result') {
      if (kind === 'unknown') return holdsKeyResults(s) ? 'key_results' : 'unknown';
      if (kind === 'info') return 'description';
      return kind;
    }
    if (kind === 'description') return 'info';
    if (kind === 'unknown' && holdsKeyResults(s)) return 'objective';
    if (kind === 'unknown' && parent === 'info') return 'info';
    return kind;
  }

  private walk(s: Section, parent: Ctx): void {
    this.pendingNsDefinition = false;
    const cls = classifyHeading(s.title);
    const kind = this.resolve(cls.kind, s, parent.mode);
    if (this.last && s.level <= this.last.level && kind !== 'key_results' && kind !== 'key_result') this.last = null;
    const base = { title: cls.core || s.title, level: s.level, kr: null };
    let ctx: Ctx;
    switch (kind) {
      case 'objective': {
        const o = this.newObjective(cls.label ?? { id: null, number: null, title: cls.core, labelled: false }, s.line, s.level);
        this.last = o;
        ctx = { ...base, mode: 'objective', objective: o };
        break;
      }
      case 'key_results':
        ctx = { ...base, mode: 'key_results', objective: parent.objective ?? this.last };
        break;
      case 'key_result': {
        const objective = parent.objective ?? this.last;
        const label = cls.label ?? { id: null, number: null, title: cls.core, labelled: false };
        const kr: KrDraft = { id: label.id, number: label.number, title: label.title, ...extractValues(label.title), line: s.line };
        this.addKr(objective, kr);
        ctx = { ...base, mode: 'key_result', objective, kr };
        break;
      }
      case 'north_star':
        this.setNorthStar(northStarName(cls.core), null, s.line);
        ctx = { ...base, mode: 'north_star', objective: null };
        break;
      case 'item':
        this.headingItem(s, parent.mode);
        ctx = { ...base, mode: 'item', objective: null };
        break;
      case 'description':
        ctx = { ...base, mode: parent.mode === 'north_star' ? 'north_star' : 'description', objective: parent.objective };
        break;
      case 'objectives':
        ctx = { ...base, mode: 'objectives', objective: null };
        break;
      case 'non_goals':
      case 'principles':
      case 'info':
        ctx = { ...base, mode: kind, objective: null };
        break;
      default:
        ctx = { ...base, mode: 'unknown', objective: null };
    }
    if (kind !== 'item') this.blocks(s, ctx);
    for (const c of s.children) this.walk(c, ctx);
  }

  private newObjective(label: Labelled, line: number, level: number): ObjDraft {
    const o: ObjDraft = { id: label.id, number: label.number, title: label.title, description: [], krs: [], line, level };
    this.d.objectives.push(o);
    return o;
  }

  private addKr(objective: ObjDraft | null, kr: KrDraft): void {
    if (!objective) warn(this.d, kr.line, 'key result outside any objective');
    else if (!kr.title) warn(this.d, kr.line, 'key result without a title');
    else objective.krs.push(kr);
  }

  private setNorthStar(name: string, definition: string | null, line: number): void {
    if (this.d.northStar) {
      warn(this.d, line, 'a second North Star was ignored');
      return;
    }
    this.d.northStar = { name, definition, line, baseline: null, target: null, due: null };
  }

  private blocks(s: Section, ctx: Ctx): void {
    const hasItems = s.blocks.some((b) => b.kind === 'list' || b.kind === 'table');
    for (const b of s.blocks) {
      if (b.kind === 'paragraph') this.paragraph(b, ctx, hasItems);
      else if (b.kind === 'list') this.list(b.items, b.line, ctx);
      else if (b.kind === 'table') this.table(b, ctx);
    }
  }

  // ------------------------------------------------------------------ paragraphs

  private paragraph(p: Paragraph, ctx: Ctx, hasItems: boolean): void {
    const lines = p.lines.map((l) => ({ text: stripInline(l.text), line: l.line })).filter((l) => l.text);
    const first = lines[0];
    if (!first) return;
    const whole = lines.map((l) => l.text).join(' ');
    if (ctx.mode !== 'non_goals' && ctx.mode !== 'principles' && ctx.mode !== 'objective') {
      const ns = northStarLine(first.text);
      if (ns && !this.d.northStar) {
        const rest = lines.slice(1).map((l) => l.text).join(' ');
        this.setNorthStar(ns, rest || null, first.line);
        this.pendingNsDefinition = !rest;
        return;
      }
    }
    if (this.pendingNsDefinition && this.d.northStar && ['root', 'unknown', 'info', 'north_star'].includes(ctx.mode)) {
      this.pendingNsDefinition = false;
      this.d.northStar.definition = descriptionLabel(whole);
      return;
    }
    switch (ctx.mode) {
      case 'north_star':
        return this.northStarParagraph(whole);
      case 'objective':
        return this.objectiveLines(lines, ctx);
      case 'key_results':
        return this.krContainerLines(lines, ctx);
      case 'key_result':
        for (const l of lines) if (ctx.kr && !applyField(ctx.kr, l.text)) fillMissing(ctx.kr, l.text);
        return;
      case 'description':
        if (ctx.objective) ctx.objective.description.push(whole);
        return;
      case 'non_goals':
        return this.nonGoalParagraph(lines, whole, hasItems);
      case 'principles':
        if (!hasItems && !/:\s*$/.test(whole)) this.d.principles.push({ text: whole, line: first.line });
        return;
      case 'objectives':
      case 'root':
      case 'unknown':
        return this.looseLines(lines, ctx);
      default:
        return;
    }
  }

  private northStarParagraph(whole: string): void {
    const ns = this.d.northStar;
    if (!ns) return;
    const v = extractValues(whole);
    const valuesOnly = (v.baseline || v.target) && whole.length < 240;
    if (!ns.name) {
      const named = /^(?:name|metric|metrik|kennzahl|métrica|nombre)\s*:\s*(.+)$/i.exec(whole);
      if (named) ns.name = named[1]!.trim();
      else if (/^definition|^definición/i.test(whole)) ns.definition = descriptionLabel(whole);
      else if (whole.length <= 120) ns.name = whole.replace(/[.:]$/, '');
      else {
        ns.name = (/^(.{1,200}?[.!?])\s/.exec(whole)?.[1] ?? whole.slice(0, 200)).trim();
        ns.definition = whole;
      }
      return;
    }
    if (!ns.definition && !valuesOnly) ns.definition = descriptionLabel(whole);
    ns.baseline ??= v.baseline;
    ns.target ??= v.target;
    ns.due ??= v.due;
  }

  private objectiveLines(lines: { text: string; line: number }[], ctx: Ctx): void {
    const o = ctx.objective;
    if (!o) return;
    let kr: KrDraft | null = null;
    const desc: string[] = [];
    for (const l of lines) {
      if (hasKrLabel(l.text)) {
        kr = krFromText(l.text, l.line);
        this.addKr(o, kr);
      } else if (isMetadataLine(l.text)) continue;
      else if (kr && applyField(kr, l.text)) continue;
      else if (kr) {
        kr.title = `${kr.title} ${l.text}`;
        fillMissing(kr, l.text);
      } else desc.push(l.text);
    }
    if (!desc.length) return;
    const text = descriptionText(desc.join(' '));
    if (!o.title) {
      o.title = text.length <= 200 ? text : (/^(.{1,200}?[.!?])\s/.exec(text)?.[1] ?? text.slice(0, 200));
      warn(this.d, lines[0]!.line, 'objective heading without a title; used the first line of its text');
      if (text !== o.title) o.description.push(text);
      return;
    }
    o.description.push(text);
  }

  private krContainerLines(lines: { text: string; line: number }[], ctx: Ctx): void {
    let kr: KrDraft | null = null;
    for (const l of lines) {
      if (kr && applyField(kr, l.text)) continue;
      const v = extractValues(l.text);
      if (hasKrLabel(l.text) || (!/:\s*$/.test(l.text) && (v.target || v.baseline))) {
        kr = krFromText(l.text, l.line);
        this.addKr(ctx.objective, kr);
      }
    }
  }

  private nonGoalParagraph(lines: { text: string; line: number }[], whole: string, hasItems: boolean): void {
    const labelled = lines.filter((l) => matchNonGoal(l.text).labelled);
    if (labelled.length) {
      for (const l of labelled) this.addNonGoal(l.text, l.line);
      return;
    }
    if (!hasItems && !/:\s*$/.test(whole)) this.addNonGoal(whole, lines[0]!.line);
  }

  /** Root, unknown and "Objectives" sections: objective lines open an objective, key-result lines join it. */
  private looseLines(lines: { text: string; line: number }[], ctx: Ctx): void {
    let kr: KrDraft | null = null;
    for (const l of lines) {
      const obj = hasKrLabel(l.text) ? null : matchObjective(l.text);
      if (obj && obj.title) {
        ctx.objective = this.newObjective(obj, l.line, ctx.level + 0.25);
        kr = null;
      } else if (hasKrLabel(l.text)) {
        kr = krFromText(l.text, l.line);
        this.addKr(ctx.objective, kr);
      } else if (kr && applyField(kr, l.text)) continue;
      else if (ctx.objective && !isMetadataLine(l.text)) ctx.objective.description.push(descriptionText(l.text));
    }
  }

  // ------------------------------------------------------------------ lists

  private list(items: ListItem[], line: number, ctx: Ctx): void {
    switch (ctx.mode) {
      case 'objective':
      case 'key_results':
        return this.krItems(items, ctx.objective);
      case 'key_result':
        for (const i of items) {
          const text = stripInline(i.text);
          if (text && ctx.kr && !applyField(ctx.kr, text) && !fillMissing(ctx.kr, text)) warn(this.d, i.line, 'list item under a key result not placed');
        }
        return;
      case 'objectives':
        return this.objectiveItems(items, ctx);
      case 'non_goals':
        for (const i of items) this.addNonGoal(flattenItem(i), i.line);
        return;
      case 'principles':
        for (const i of items) {
          const text = flattenItem(i);
          if (text) this.d.principles.push({ text, line: i.line });
        }
        return;
      case 'description':
        if (ctx.objective) ctx.objective.description.push(items.map(flattenItem).filter(Boolean).join(' '));
        return;
      case 'north_star': {
        const ns = this.d.northStar;
        const text = items.map(flattenItem).filter(Boolean).join(' ');
        if (ns && !ns.definition && text) ns.definition = text;
        return;
      }
      case 'root':
      case 'unknown':
        return this.looseItems(items, line, ctx);
      default:
        return;
    }
  }

  private krItems(items: ListItem[], objective: ObjDraft | null): void {
    let prev: KrDraft | null = null;
    for (const item of items) {
      const text = stripInline(item.text);
      if (!text || isMetadataLine(text)) continue;
      const field = labelledField(text);
      if (field && VALUE_FIELDS.has(field.field)) {
        if (prev) applyField(prev, text);
        else warn(this.d, item.line, `"${field.field}" line outside a key result`);
        continue;
      }
      if (field?.field === 'description') {
        if (objective && field.value) objective.description.push(field.value);
        continue;
      }
      const kr = krFromText(text, item.line);
      applyKrChildren(this.d, kr, item.children);
      this.addKr(objective, kr);
      prev = kr;
    }
  }

  /** A list directly under "Objectives": each item is an objective, its nested items its key results. */
  private objectiveItems(items: ListItem[], ctx: Ctx): void {
    for (const item of items) {
      const text = stripInline(item.text);
      if (!text) continue;
      const obj = hasKrLabel(text) ? null : matchObjective(text);
      if (ctx.objective && !obj) {
        this.krItems([item], ctx.objective);
        continue;
      }
      const label = obj ?? { id: null, number: null, title: text, labelled: false };
      if (!label.title) {
        warn(this.d, item.line, 'objective without a title');
        continue;
      }
      const o = this.newObjective(label, item.line, ctx.level + 0.25);
      this.krItems(item.children, o);
    }
  }

  private looseItems(items: ListItem[], line: number, ctx: Ctx): void {
    if (ctx.objective) return this.krItems(items, ctx.objective);
    const unplaced: ListItem[] = [];
    for (const i of items) {
      const text = stripInline(i.text);
      const ns = northStarLine(text);
      if (ns && !this.d.northStar) this.setNorthStar(ns, null, i.line);
      else if (text) unplaced.push(i);
    }
    if (!unplaced.length) return;
    if (ctx.mode === 'root') for (const i of unplaced) warn(this.d, i.line, 'list item outside any section');
    else warn(this.d, line, `${unplaced.length} list item${unplaced.length === 1 ? '' : 's'} under "${ctx.title}" not placed (${NOT_PLACED})`);
  }

  // ------------------------------------------------------------------ tables

  private table(t: Table, ctx: Ctx): void {
    if (ctx.mode === 'info' || ctx.mode === 'item' || ctx.mode === 'description') return;
    if (ctx.mode === 'non_goals' || ctx.mode === 'principles') return this.itemTable(t, ctx.mode);
    const cols = mapColumns(t);
    const named = cols.includes('objective');
    if (ctx.mode === 'key_result') {
      for (const r of t.rows) if (ctx.kr) applyField(ctx.kr, r.cells.map(stripInline).join(': '));
      return;
    }
    if (!isKrTable(cols) || (!named && !ctx.objective && ctx.mode !== 'key_results')) {
      warn(this.d, t.line, `table under "${ctx.title || 'the document start'}" not placed (${NOT_PLACED})`);
      return;
    }
    let rowObjective: ObjDraft | null = ctx.objective;
    for (const row of t.rows) {
      const r = rowToKr(cols, row.cells, row.line);
      if (r.empty) continue;
      if (r.objective) rowObjective = this.findOrCreateObjective(r.objective, row.line, ctx.level + 0.25);
      if (!r.kr) {
        if (!r.objective) warn(this.d, row.line, 'table row without a key result title');
        continue;
      }
      this.addKr(rowObjective, r.kr);
    }
  }

  private itemTable(t: Table, mode: 'non_goals' | 'principles'): void {
    for (const row of t.rows) {
      const cells = row.cells.map(stripInline).filter((c) => c && !/^:?-+:?$/.test(c));
      if (!cells.length) continue;
      if (mode === 'principles') {
        this.d.principles.push({ text: cells.join(' — '), line: row.line });
        continue;
      }
      const first = matchNonGoal(cells[0]!);
      const text = first.labelled && !first.title ? `${cells[0]} ${cells.slice(1).join(' — ')}` : cells.join(' — ');
      this.addNonGoal(text, row.line);
    }
  }

  private findOrCreateObjective(label: { id: string | null; number: string | null; title: string }, line: number, level: number): ObjDraft {
    const key = label.title.toLowerCase();
    const found = this.d.objectives.find((o) => (label.id && o.id === label.id) || (key && o.title.toLowerCase() === key));
    if (found) {
      if (!found.title && label.title) found.title = label.title;
      return found;
    }
    return this.newObjective({ ...label, labelled: true }, line, level);
  }

  // ------------------------------------------------------------------ non-goals and principles

  private addNonGoal(text: string, line: number): void {
    const m = matchNonGoal(text);
    if (!m.title) {
      warn(this.d, line, 'non-goal without text');
      return;
    }
    this.d.nonGoals.push({ id: m.id, number: m.number, text: m.title, line });
  }

  /** A heading inside "Not doing" / "Principles" is one entry; its paragraphs complete the sentence. */
  private headingItem(s: Section, mode: Mode): void {
    const parts = [headingText(s.title)];
    for (const b of s.blocks) {
      if (b.kind === 'paragraph') parts.push(b.lines.map((l) => stripInline(l.text)).join(' '));
      if (b.kind === 'list') parts.push(...b.items.map(flattenItem));
    }
    const text = parts.filter(Boolean).join(' ');
    if (mode === 'non_goals') this.addNonGoal(text, s.line);
    else if (text) this.d.principles.push({ text, line: s.line });
  }
}

const headingText = (t: string) => stripInline(t).replace(/^(?:\d{1,3}[.)]\s+)/, '');
const descriptionLabel = (t: string) => t.replace(/^(?:definition|definición|definicion)\s*:\s*/i, '').trim();
