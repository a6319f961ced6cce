// Non-goal matching when the item names the banned thing in other words: the subject of the ban ("No new
// in-person card terminals" → terminals) named in the title, near-synonyms through the thesaurus or word
// vectors, restrictions ("hardware work is limited to security fixes") split into ban and exception.
// Fixtures: a payments company (the wording of examples/) and a bike-share operator (another domain).
import { describe, expect, it } from 'vitest';
import { StrategyInput, type BacklogItem } from '../../src/domain/contracts.ts';
import { scoreBacklog, type WordVectors } from '../../src/domain/engine/index.ts';
import { item, NOW } from './engine-helpers.ts';

/**
 * A word-vector table with explicit frequency ranks (rank < ~1,300 = a common word that names too much to
 * carry a ban alone). Words missing from it are unknown, as "cryptocurrency" is in the shipped table.
 */
function table(words: Record<string, { v: number[]; rank: number }>): WordVectors {
  return {
    name: 'nongoal-test',
    dims: 4,
    get: (w) => (words[w] ? Float32Array.from(words[w]!.v) : undefined),
    scale: () => 1,
    rank: (w) => words[w]?.rank,
  };
}

const vectors = table({
  scooter: { v: [1, 0, 0, 0], rank: 9_000 },
  scooters: { v: [0.98, 0.05, 0, 0], rank: 12_000 },
  moped: { v: [0.95, 0.12, 0, 0], rank: 20_000 },
  bike: { v: [0.2, 0.9, 0.1, 0], rank: 2_500 },
  person: { v: [0, 0, 1, 0], rank: 800 },
  sidewalk: { v: [0, 0.1, 0.9, 0.1], rank: 300 },
});

const payments = StrategyInput.parse({
  north_star: { name: 'Monthly successful payments' },
  objectives: [
    { id: 'P1', title: 'Checkout converts on every device', description: 'Shoppers abandon when card entry is slow.',
      key_results: [{ id: 'P1.KR1', title: 'Median time to pay' }, { id: 'P1.KR2', title: 'Mobile checkout conversion' }] },
    { id: 'P2', title: 'Merchants go live on their own', description: 'New merchants wait on us to configure webhooks and payouts.',
      key_results: [{ id: 'P2.KR1', title: 'Self-serve go-live within 3 days' }] },
  ],
  non_goals: [
    { id: 'NG1', text: 'No cryptocurrency payouts this half.' },
    { id: 'NG2', text: 'No new in-person card terminals; hardware work is limited to security fixes only.' },
  ],
});

const bikes = StrategyInput.parse({
  north_star: { name: 'Weekly rides' },
  objectives: [
    { id: 'C1', title: 'Riders find a bike within five minutes', description: 'Empty docks at the morning peak send riders to the bus.',
      key_results: [{ id: 'C1.KR1', title: 'Median walk to the nearest available bike' }, { id: 'C1.KR2', title: 'Docks rebalanced before the morning peak' }] },
    { id: 'C2', title: 'Members renew their annual pass', description: 'Members lapse after winter and rentals drop.',
      key_results: [{ id: 'C2.KR1', title: 'Annual pass renewal rate' }] },
  ],
  non_goals: [
    { id: 'NG1', text: 'No scooter rentals this season.' },
    { id: 'NG2', text: 'No new sidewalk kiosks; hardware work is limited to safety fixes only.' },
    { id: 'NG3', text: 'No new integrations except the transit authority.' },
    { id: 'NG4', text: 'No leaderboards for individual riders.' },
  ],
});

function ng(strategy: typeof bikes, items: BacklogItem[], vec?: WordVectors) {
  const r = scoreBacklog({ strategy, items, now: NOW, ...(vec ? { vectors: vec } : {}) });
  return new Map(r.items.map((i) => [i.id, i]));
}

describe('non-goals named in other words', () => {
  it('payments: a named member of the banned category, and the banned thing named by its head noun', () => {
    const r = ng(payments, [
      item('FIN-3', 'Bitcoin payouts for merchants'),
      item('HW-12', 'New countertop terminal firmware UI', { estimate_points: 13 }),
      item('PAY-7', 'Instant payouts for merchants'),
      item('HW-13', 'Terminal firmware: security fixes for the card reader'),
    ], vectors);
    expect(r.get('FIN-3')).toMatchObject({ non_goal_id: 'NG1', flags: expect.arrayContaining(['contradicts_non_goal']) });
    expect(r.get('FIN-3')!.rationale).toContain('"bitcoin"');
    expect(r.get('HW-12')).toMatchObject({ non_goal_id: 'NG2' });
    // A goal word alone ("payouts" is in the objectives) is not the ban; the exception is respected.
    expect(r.get('PAY-7')!.non_goal_id).toBeNull();
    expect(r.get('HW-13')!.non_goal_id).toBeNull();
  });

  it('bike-share: a word-vector neighbour of the banned thing, with the goal word next to it', () => {
    const r = ng(bikes, [item('N1', 'Moped rentals for commuters'), item('N2', 'Bike rentals for commuters')], vectors);
    expect(r.get('N1')).toMatchObject({ non_goal_id: 'NG1' });
    expect(r.get('N1')!.rationale).toMatch(/Contradicts non-goal NG1 "No scooter rentals this season\."/);
    expect(r.get('N2')!.non_goal_id).toBeNull();
    // Without vectors nothing says a moped is a scooter.
    expect(ng(bikes, [item('N1', 'Moped rentals for commuters')]).get('N1')!.non_goal_id).toBeNull();
  });

  it('bike-share: the head noun of the ban in the title, common modifiers aside; exceptions and reliability work respected', () => {
    const r = ng(bikes, [
      item('K1', 'New kiosk touchscreen firmware'),
      item('K2', 'Kiosk firmware: safety fixes for the card reader'),
      item('K3', 'Kiosk screen goes blank in the rain', { type: 'bug', description: 'Riders cannot pay: the screen shows an error.' }),
      item('K4', 'Hardware refresh for the depot workshop'),
    ], vectors);
    expect(r.get('K1')).toMatchObject({ non_goal_id: 'NG2' });
    expect(r.get('K1')!.evidence.find((e) => e.kind === 'non_goal')!.quote).toBe('No new sidewalk kiosks;');
    expect(r.get('K2')!.non_goal_id).toBeNull();
    expect(r.get('K3')!.non_goal_id).toBeNull();
    expect(r.get('K3')!.execution_health).toBe(true);
    // "hardware work is limited to safety fixes": the work before "limited to" is banned, not exempt.
    expect(r.get('K4')).toMatchObject({ non_goal_id: 'NG2' });
  });

  it('a restriction ("except …") bans the rest and exempts what it names', () => {
    const r = ng(bikes, [item('I1', 'Weather service integration'), item('I2', 'Transit authority integration for pass holders')], vectors);
    expect(r.get('I1')).toMatchObject({ non_goal_id: 'NG3' });
    expect(r.get('I2')!.non_goal_id).toBeNull();
  });

  it('a qualified subject ("for individual riders") needs the qualifier too', () => {
    const r = ng(bikes, [item('L1', 'Leaderboard for station crews'), item('L2', 'Leaderboard of individual streaks')], vectors);
    expect(r.get('L1')!.non_goal_id).toBeNull();
    expect(r.get('L2')).toMatchObject({ non_goal_id: 'NG4' });
  });

  it('without vectors every subject word counts: a common modifier must then be named too', () => {
    const r = ng(payments, [item('HW-12', 'New countertop terminal firmware UI'), item('HW-14', 'In-person terminals for pop-up stores')]);
    expect(r.get('HW-12')!.non_goal_id).toBeNull();
    expect(r.get('HW-14')).toMatchObject({ non_goal_id: 'NG2' });
  });
});
