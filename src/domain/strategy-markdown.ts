// Markdown strategy documents → the v1 Strategy contract (shared/contracts/README.md). Pure and total:
// any string yields a Strategy; what could not be placed is listed in `warnings` as "line N: …".
// The pipeline: tokenize (blocks.ts) → group under headings (sections.ts) → interpret by context
// (walk.ts) → assign ids and fit the schema (finalize.ts).
import type { Strategy } from './contracts.ts';
import { tokenize } from './strategy-markdown/blocks.ts';
import { newDraft, warn } from './strategy-markdown/draft.ts';
import { finalize, type Parsed } from './strategy-markdown/finalize.ts';
import { buildSections } from './strategy-markdown/sections.ts';
import { Walker } from './strategy-markdown/walk.ts';

export type { Parsed as ParsedStrategyMarkdown };

/** Parses a Markdown strategy; also returns the source line of every objective, key result, non-goal and principle. */
export function parseStrategyMarkdownWithLines(text: string): Parsed {
  const draft = newDraft();
  const input = typeof text === 'string' ? text : '';
  const { blocks, controlChars } = tokenize(input);
  if (controlChars > 0) warn(draft, null, `the document contains ${controlChars} control or binary character${controlChars === 1 ? '' : 's'}; they were ignored`);
  new Walker(draft).walkRoot(buildSections(blocks));
  return finalize(draft);
}

/** Parses a Markdown strategy into the Strategy contract; never throws. */
export function parseStrategyMarkdown(text: string): Strategy {
  return parseStrategyMarkdownWithLines(text).strategy;
}
