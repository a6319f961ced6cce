// Mutable drafts the walker fills in; finalize.ts turns them into a contract-shaped Strategy.
import { stripInline } from './inline.ts';
import { fieldForLabel, labelledField } from './vocabulary.ts';
import { extractValues } from './values.ts';
import { matchKeyResult } from './ids.ts';
import type { ListItem } from './blocks.ts';

export interface KrDraft {
  id: string | null;
  number: string | null;
  title: string;
  metric: string | null;
  baseline: string | null;
  target: string | null;
  current: string | null;
  due: string | null;
  line: number;
}
export interface ObjDraft { id: string | null; number: string | null; title: string; description: string[]; krs: KrDraft[]; line: number; level: number }
export interface NgDraft { id: string | null; number: string | null; text: string; line: number }
export interface NorthStarDraft { name: string; definition: string | null; line: number; baseline: string | null; target: string | null; due: string | null }
export interface Warning { line: number | null; message: string }

export interface Draft {
  northStar: NorthStarDraft | null;
  objectives: ObjDraft[];
  nonGoals: NgDraft[];
  principles: { text: string; line: number }[];
  warnings: Warning[];
}

export function newDraft(): Draft {
  return { northStar: null, objectives: [], nonGoals: [], principles: [], warnings: [] };
}

export function warn(d: Draft, line: number | null, message: string): void {
  d.warnings.push({ line, message });
}

/** Builds a key result from one line of text: id/label, then values parsed out of the title. */
export function krFromText(text: string, line: number): KrDraft {
  const m = matchKeyResult(text);
  const title = m ? m.title : text.trim();
  const v = extractValues(title);
  return { id: m?.id ?? null, number: m?.number ?? null, title, ...v, line };
}

/** Applies "Baseline: 58%"-style text to a key result; false when the text is not a known field. */
export function applyField(kr: KrDraft, text: string): boolean {
  const f = labelledField(text);
  if (!f) return false;
  const value = f.value;
  switch (f.field) {
    case 'metric':
      kr.metric = value || kr.metric;
      return true;
    case 'baseline':
    case 'target':
    case 'current':
      if (value) kr[f.field] = value;
      return true;
    case 'due': {
      const due = extractValues(`by ${value}`).due;
      if (value) kr.due = due ?? value;
      return true;
    }
    case 'title':
      if (value) kr.title = value;
      return true;
    case 'owner':
    case 'description':
      return true;
  }
}

/** Fills fields a key result still lacks from free text ("from 9 days to 3 days"); true when anything was found. */
export function fillMissing(kr: KrDraft, text: string): boolean {
  const v = extractValues(text);
  let found = false;
  for (const k of ['baseline', 'target', 'current', 'due'] as const) {
    if (v[k] && !kr[k]) {
      kr[k] = v[k];
      found = true;
    }
  }
  if (found && !kr.metric && v.metric) kr.metric = v.metric;
  return found;
}

/** Nested bullets under a key result: fields first, then values; anything else is reported. */
export function applyKrChildren(d: Draft, kr: KrDraft, children: ListItem[]): void {
  for (const c of children) {
    const text = stripInline(c.text);
    if (!text) continue;
    if (!applyField(kr, text) && !fillMissing(kr, text)) warn(d, c.line, 'nested item under a key result not placed');
    applyKrChildren(d, kr, c.children);
  }
}

/** Item text with its nested bullets appended (used for non-goals and principles). */
export function flattenItem(item: ListItem): string {
  const parts = [stripInline(item.text)];
  for (const c of item.children) parts.push(flattenItem(c));
  return parts.filter(Boolean).join(' ');
}

/** Labels whose line is metadata, not strategy ("Owner: …", "Status: …"). */
export function isMetadataLine(text: string): boolean {
  const f = labelledField(text);
  return f?.field === 'owner';
}

/** "Description: text" → "text"; other text unchanged. */
export function descriptionText(text: string): string {
  const f = labelledField(text);
  return f?.field === 'description' ? f.value : text;
}

export { fieldForLabel };
