// A synthetic backlog for the logistics strategy (test/fixtures/api/logistics-strategy.json), for runs of any size.
// No test-runner imports: the AI benchmark (test/bench/ai.ts) uses it outside vitest.
const ON = ['dock slot', 'departure', 'truck', 'dwell time', 'tracking link', 'consignee', 'customs declaration', 'shipment call', 'depot schedule'];
const OFF = ['office plant', 'newsletter font', 'team offsite', 'logo colour', 'coffee machine', 'wiki theme', 'poster', 'mascot'];
const VERBS = ['speed up', 'measure', 'automate', 'redesign', 'simplify', 'audit', 'rework', 'document'];

/** Item `i` of a synthetic backlog: two thirds about the strategy's subjects, a third about unrelated ones; all distinct. */
export function syntheticItem(i: number, revision = 0): { id: string; title: string; description: string; type: string; status: string; team: string; estimate_points: number } {
  const words = i % 3 === 2 ? OFF : ON;
  const a = words[i % words.length]!;
  const b = words[(i * 7 + 3) % words.length]!;
  const verb = VERBS[(i * 5) % VERBS.length]!;
  return {
    id: `SYN-${i}`,
    title: `${verb} ${a} for ${b} (batch ${i})${revision ? ` rev ${revision}` : ''}`,
    description: `Work package ${i}: ${verb} the ${a} so that the ${b} improves.`,
    type: 'story',
    status: 'todo',
    team: `team-${i % 4}`,
    estimate_points: 1 + (i % 5),
  };
}
