// Duplicate detection on small hand-made backlogs of a harbour-logistics company (not an evaluation set).
import { describe, expect, it } from 'vitest';
import type { BacklogItem } from '../../src/domain/contracts.ts';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { detectDuplicates, keepFirst } from '../../src/domain/engine/duplicates.ts';
import { findDuplicates } from '../../src/domain/engine/index.ts';
import { item } from './engine-helpers.ts';

const berthCopyA = item('OPS-12', 'Berth booking reminder e-mail the day before arrival', {
  source: 'jira', team: 'Terminal', status: 'in_progress', created_at: '2026-06-01T00:00:00Z',
  description: 'Shipping agents forget berth slots. Send a reminder e-mail with the berth number and arrival window the day before the vessel arrives.',
});
const berthCopyB = item('CX-3', 'Agents want a reminder of their berth slot before the vessel arrives', {
  source: 'asana', team: 'Customer care', created_at: '2026-08-01T00:00:00Z',
  description: 'Several shipping agents asked for a reminder e-mail the day before arrival, with the berth number and the arrival window.',
});
// Same area (berths), different deliverables: a report and a crane schedule.
const berthReport = item('FIN-8', 'Monthly berth occupancy report for the port authority', {
  source: 'jira', team: 'Finance', description: 'Occupancy per berth and month, exported as a spreadsheet for the port authority.',
});
const craneSchedule = item('OPS-30', 'Crane schedule follows berth changes automatically', {
  source: 'linear', team: 'Cranes', description: 'When a berth slot moves, the crane crew schedule moves with it.',
});

function run(items: BacklogItem[]) {
  return detectDuplicates(items.map((it, i) => analyzeItem(it, i)));
}

describe('duplicate detection', () => {
  it('merges the same request filed by two teams in two tools, keeping the one further along', () => {
    const r = run([berthCopyB, berthReport, berthCopyA, craneSchedule]);
    expect([...r.duplicateOf]).toEqual([['CX-3', 'OPS-12']]);
    expect(r.clusters).toEqual([['OPS-12', 'CX-3']]);
  });

  it('does not merge work that only shares its topic', () => {
    expect(run([berthReport, craneSchedule, item('OPS-31', 'Berth map shows crane positions', { source: 'jira', team: 'Terminal' })]).clusters).toEqual([]);
  });

  it('asks more of two items in the same tracker and team than of a pair across teams', () => {
    // A looser paraphrase: about half of the weighted wording in common.
    const loose = item('CX-4', 'Agents want a reminder of their berth slot', {
      source: 'asana', team: 'Customer care',
      description: 'Several shipping agents asked to be told their berth number and arrival window a day ahead, by e-mail.',
    });
    expect(run([berthCopyA, loose]).clusters).toHaveLength(1);
    // Filed in the same team's tracker, the same two texts read as parts of one plan.
    expect(run([berthCopyA, { ...loose, source: 'jira', team: 'Terminal' }]).clusters).toHaveLength(0);
  });

  it('never merges an epic with its own story, or two stories of one epic', () => {
    const epic = { ...berthCopyA, id: 'OPS-1', type: 'epic' };
    const story = { ...berthCopyB, parent_id: 'OPS-1' };
    expect(run([epic, story]).clusters).toEqual([]);
    expect(run([{ ...berthCopyA, parent_id: 'OPS-1' }, story]).clusters).toEqual([]);
  });

  it('keeps the copy further along, then the older one, then the smaller id', () => {
    const a = (id: string, status: string, created: string) => analyzeItem(item(id, 'x', { status, created_at: created }), 0);
    const sorted = [a('B', 'todo', '2026-01-01T00:00:00Z'), a('A', 'todo', '2026-01-01T00:00:00Z'), a('C', 'in_progress', '2026-05-01T00:00:00Z'), a('D', 'todo', '2025-01-01T00:00:00Z')]
      .sort(keepFirst).map((x) => x.id);
    expect(sorted).toEqual(['C', 'D', 'A', 'B']);
  });

  it('gives the same answer whatever the input order', () => {
    const items = [berthCopyB, berthReport, berthCopyA, craneSchedule];
    const expected = findDuplicates(items);
    expect(findDuplicates([...items].reverse())).toEqual(expected);
    expect(findDuplicates([items[2]!, items[0]!, items[3]!, items[1]!])).toEqual(expected);
  });

  it('gives the same answer for items analysed with different interning tables (a long-running process)', () => {
    const analysed = [berthCopyB, berthReport, berthCopyA, craneSchedule].map((it, i) => analyzeItem(it, i));
    const expected = detectDuplicates(analysed);
    // Pretend the second half was analysed after the tables were cleared: stems are then matched by text.
    const mixed = analysed.map((a, i) => (i < 2 ? a : Object.defineProperty(Object.assign(Object.create(Object.getPrototypeOf(a)), a), 'generation', { value: a.generation + 1 })));
    expect(detectDuplicates(mixed)).toEqual(expected);
    expect(expected.clusters).toHaveLength(1);
  });
});
