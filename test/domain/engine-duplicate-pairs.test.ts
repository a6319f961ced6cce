// The service decides duplicates one candidate pair at a time (isDuplicatePair over stored profiles and a snapshot
// of the backlog's term statistics) where `bearing score` runs detectDuplicates over the whole backlog. Given every
// pair as a candidate and the statistics of the same items, the two must agree exactly: same copies, same keepers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWordVectors } from '../../src/adapters/embeddings/cache.ts';
import { BacklogInput, type BacklogItem } from '../../src/domain/contracts.ts';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { detectDuplicates, duplicateProfile, isDuplicatePair, resolveGroups, termStats, type DuplicateProfile } from '../../src/domain/engine/duplicates.ts';
import { batchOf } from '../bench/pipeline.ts';

const vectors = loadWordVectors();

function pairwise(items: BacklogItem[]) {
  const profiles = items.map((it, i) => duplicateProfile(analyzeItem(it, i, vectors)));
  const stats = termStats(profiles);
  const parent = profiles.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  let confirmed = 0;
  for (let i = 0; i < profiles.length; i++) {
    for (let j = i + 1; j < profiles.length; j++) {
      if (!isDuplicatePair(profiles[i]!, profiles[j]!, stats)) continue;
      confirmed++;
      parent[Math.max(find(i), find(j))] = Math.min(find(i), find(j));
    }
  }
  const groups = new Map<number, DuplicateProfile[]>();
  profiles.forEach((p, i) => (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(p));
  return { confirmed, ...resolveGroups(groups.values()) };
}

function whole(items: BacklogItem[]) {
  return detectDuplicates(items.map((it, i) => analyzeItem(it, i, vectors)));
}

/** Pair by pair and whole-backlog detection find the same clusters and copies; returns the whole-backlog result. */
function expectAgreement(items: BacklogItem[]) {
  const got = pairwise(items);
  const want = whole(items);
  expect(got.clusters).toEqual(want.clusters);
  expect([...got.duplicateOf].sort()).toEqual([...want.duplicateOf].sort());
  return want;
}

describe('pairwise duplicate rule', () => {
  it('agrees with detectDuplicates on the example backlog', () => {
    const backlog = BacklogInput.parse(JSON.parse(readFileSync(new URL('../../examples/backlog.json', import.meta.url), 'utf8')));
    expect(expectAgreement(backlog).clusters.length).toBeGreaterThan(0);
  });

  it('agrees with detectDuplicates on a synthetic backlog with copies across teams and trackers', () => {
    const items = batchOf('D', 0, 300).map((it, i) => ({ ...it, source: i % 3 ? 'jira' : 'linear' }));
    expect(expectAgreement(items).duplicateOf.size).toBeGreaterThan(2);
  });

  it('reads a stem the statistics have not seen as rare, not as missing', () => {
    const a = { id: 'A-1', title: 'Quay crane telemetry dashboard', description: 'Show crane telemetry per quay.', source: 'jira', team: 'ops' };
    const b = { ...a, id: 'B-1', source: 'linear', team: 'yard' };
    const [pa, pb] = [a, b].map((it, i) => duplicateProfile(analyzeItem(it as BacklogItem, i, vectors)));
    expect(isDuplicatePair(pa!, pb!, termStats([pa!, pb!]))).toBe(true);
    // Statistics of a large backlog that never saw these words: still copies.
    expect(isDuplicatePair(pa!, pb!, { n: 10_000, df: new Map() })).toBe(true);
  });
});
