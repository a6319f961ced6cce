// Decides what a heading stands for, before context (the walker refines "unknown" by where it sits).
import { matchKeyResult, matchObjective, trailingObjectiveId, type Labelled } from './ids.ts';
import {
  type SectionKind,
  headingCore,
  isDescriptionHeading,
  isInfoHeading,
  isKeyResultsHeading,
  isNonGoalsHeading,
  isNorthStarHeading,
  isObjectivesHeading,
  isPrinciplesHeading,
} from './vocabulary.ts';

export interface Classified { kind: SectionKind; core: string; label: Labelled | null }

export function classifyHeading(title: string): Classified {
  const core = headingCore(title);
  if (!core) return { kind: 'unknown', core, label: null };
  if (isKeyResultsHeading(core)) return { kind: 'key_results', core, label: null };
  const kr = matchKeyResult(core);
  if (kr && (kr.id || kr.number)) return { kind: 'key_result', core, label: kr };
  if (isNonGoalsHeading(core)) return { kind: 'non_goals', core, label: null };
  if (isNorthStarHeading(core)) return { kind: 'north_star', core, label: null };
  if (isPrinciplesHeading(core)) return { kind: 'principles', core, label: null };
  const obj = matchObjective(core);
  if (obj) return { kind: 'objective', core, label: obj };
  const trailing = trailingObjectiveId(core);
  if (trailing) return { kind: 'objective', core, label: { id: trailing.id, number: null, title: trailing.title, labelled: true } };
  if (isObjectivesHeading(core)) return { kind: 'objectives', core, label: null };
  if (isDescriptionHeading(core)) return { kind: 'description', core, label: null };
  if (isInfoHeading(core)) return { kind: 'info', core, label: null };
  return { kind: 'unknown', core, label: null };
}

/** "North Star — Weekly active shippers" / "North Star Metric: X" → "Weekly active shippers"; "" when only the label. */
export function northStarName(core: string): string {
  return core
    .replace(/^(?:(?:our|the|unser|unsere|nuestra)\s+)?(?:north[\s-]?star|nordstern|polarstern|estrella\s+(?:polar|del\s+norte)|métrica\s+norte|nsm)(?:[\s-]+(?:metric|metrik|métrica|kennzahl))?/i, '')
    .replace(/^\s*(?:\([^)]{0,40}\)\s*)?(?:[:|]|[—–-]+)?\s*/, '')
    .trim();
}

/** A paragraph line that names the North Star inline: "North Star: X", "**North Star Metric:** X". */
export function northStarLine(text: string): string | null {
  if (!isNorthStarHeading(text)) return null;
  const m = /^[^:—–]{0,60}(?::|\s[—–]\s)\s*(.+)$/.exec(text);
  return m?.[1]?.trim() || null;
}
