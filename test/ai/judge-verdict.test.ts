// Checking, clamping and merging a judge's answer, without a provider: ids that do not exist are rejected, what the
// model says is clamped, instruction-like items never gain, and disagreements with the engine are flagged.
import { describe, expect, it } from 'vitest';
import type { JudgeReplyItem } from '../../prompts/judge.ts';
import type { ItemScore } from '../../src/domain/contracts.ts';
import type { BatchItemResult } from '../../src/domain/engine/index.ts';
import { chunkStrategy } from '../../src/domain/strategy-chunks.ts';
import {
  DISAGREEMENT_MARGIN,
  MAX_UNBACKED_RAISE,
  NON_GOAL_MAX_ALIGNMENT,
  UNLINKED_MAX_ALIGNMENT,
  checkJudgement,
  cleanText,
  mergeVerdict,
  type Judgement,
  type StrategyIds,
} from '../../src/pipeline/judge-verdict.ts';
import { STRATEGY } from '../fixtures/api/logistics.ts';

const passages = chunkStrategy(STRATEGY as never);
const ids: StrategyIds = {
  objectives: new Set(['L1', 'L2']),
  krObjective: new Map([['L1.KR1', 'L1'], ['L1.KR2', 'L1'], ['L1.KR3', 'L1'], ['L2.KR1', 'L2'], ['L2.KR2', 'L2'], ['L2.KR3', 'L2']]),
  nonGoals: new Set(['NG1', 'NG2']),
  passages: new Map(passages.map((p) => [p.id, p])),
};

/** Passages vector search found near the item (backing for a raise of the L2.KR1 / L2 link). */
const near: ReadonlySet<string> = new Set(['kr:L2.KR1', 'obj:L2#1']);

const reply = (over: Partial<JudgeReplyItem> = {}): JudgeReplyItem => ({
  key: 'i1',
  objective_id: 'L2',
  kr_id: 'L2.KR1',
  alignment: 0.8,
  execution_health: false,
  flags: [],
  non_goal_id: null,
  rationale: 'Sends the consignee a live tracking link.',
  passage_ids: ['kr:L2.KR1'],
  ...over,
});

const engine = (over: Partial<ItemScore> = {}, stop: BatchItemResult['stop'] = null): BatchItemResult => ({
  score: {
    id: 'LF-4',
    alignment: 0.7,
    objective_id: 'L2',
    kr_id: 'L2.KR1',
    execution_health: false,
    flags: [],
    duplicate_of: null,
    non_goal_id: null,
    rationale: 'Serves L2.KR1.',
    evidence: [{ kind: 'key_result', id: 'L2.KR1', quote: 'Shipments with a live tracking link' }],
    ...over,
  },
  stop,
});

const ok = (r: JudgeReplyItem): Judgement => {
  const c = checkJudgement(r, ids);
  if (!c.ok) throw new Error(c.detail);
  return c.judgement;
};

describe('checkJudgement', () => {
  it.each([
    ['objective_id', { objective_id: 'L9', kr_id: null }],
    ['kr_id', { kr_id: 'L2.KR9' }],
    ['non_goal_id', { non_goal_id: 'NG7' }],
  ])('rejects an invented %s', (_field, over) => {
    const c = checkJudgement(reply(over as Partial<JudgeReplyItem>), ids);
    expect(c.ok).toBe(false);
    expect(c.ok ? '' : c.detail).toMatch(/does not exist/);
  });

  it('rejects a key result placed under another objective, and infers the objective of a lone key result', () => {
    expect(checkJudgement(reply({ objective_id: 'L1', kr_id: 'L2.KR1' }), ids)).toMatchObject({ ok: false, detail: 'key result L2.KR1 belongs to L2, not L1' });
    expect(ok(reply({ objective_id: null, kr_id: 'L1.KR2' })).objective_id).toBe('L1');
  });

  it('drops citations of passages that do not exist, and says which', () => {
    const c = checkJudgement(reply({ passage_ids: ['kr:L2.KR1', 'kr:L2.KR1', 'obj:L7#1'] }), ids);
    expect(c).toMatchObject({ ok: true, judgement: { passage_ids: ['kr:L2.KR1'] }, dropped_passages: ['obj:L7#1'] });
  });

  it('clamps alignment to [0, 1] and cleans the rationale', () => {
    expect(ok(reply({ alignment: 7 })).alignment).toBe(1);
    expect(ok(reply({ alignment: -2 })).alignment).toBe(0);
    expect(ok(reply({ rationale: 'line\u0000one\n\n  two\u202e' })).rationale).toBe('line one two');
    expect(cleanText('x'.repeat(500), 300)).toHaveLength(300);
  });
});

describe('mergeVerdict', () => {
  it("takes the judge's link and cites the passages it relied on", () => {
    const v = mergeVerdict(engine(), ok(reply({ passage_ids: ['kr:L2.KR1', 'obj:L2#1'] })), { instructionLike: false, ids, retrieved: near });
    expect(v.score).toMatchObject({ objective_id: 'L2', kr_id: 'L2.KR1', alignment: 0.8, flags: [] });
    expect(v.score.evidence.map((e) => `${e.kind}:${e.id}`)).toEqual(['key_result:L2.KR1', 'objective:L2']);
    expect(v.review).toBeNull();
  });

  it('caps unlinked work and work a non-goal rules out, and sets the matching flags', () => {
    const unlinked = mergeVerdict(engine(), ok(reply({ objective_id: null, kr_id: null, alignment: 0.9, passage_ids: [] })), { instructionLike: false, ids, retrieved: near });
    expect(unlinked.score.alignment).toBe(UNLINKED_MAX_ALIGNMENT);
    expect(unlinked.score.flags).toContain('unlinked');
    expect(unlinked.clamped).toEqual(['unlinked_max']);
    const ng = mergeVerdict(engine(), ok(reply({ objective_id: null, kr_id: null, non_goal_id: 'NG1', alignment: 0.5, passage_ids: [] })), { instructionLike: false, ids, retrieved: near });
    expect(ng.score.alignment).toBe(NON_GOAL_MAX_ALIGNMENT);
    expect(ng.score.flags).toEqual(['unlinked', 'contradicts_non_goal']);
    expect(ng.score.evidence).toEqual([{ kind: 'non_goal', id: 'NG1', quote: 'We will not open new depots this fiscal year.' }]);
  });

  it("keeps the engine's stale flag and drops its stop candidate when the judge finds the item aligned", () => {
    const stop = { id: 'LF-4', capacity_points: 3, status: 'todo' as const, reason: 'unaligned_effort' as const, action: 'stop' as const, reasons: ['x'], confidence: 0.7 };
    const v = mergeVerdict(engine({ objective_id: null, kr_id: null, alignment: 0.1, flags: ['unlinked', 'stale'] }, stop), ok(reply()), { instructionLike: false, ids, retrieved: near });
    expect(v.score.flags).toEqual(['stale']);
    expect(v.stop).toBeNull();
    const still = mergeVerdict(engine({ objective_id: null, kr_id: null, alignment: 0.1, flags: ['unlinked'] }, stop), ok(reply({ objective_id: null, kr_id: null, alignment: 0.1 })), { instructionLike: false, ids, retrieved: near });
    expect(still.stop).toEqual(stop);
  });

  it('an item that instructs the scorer never gains: the engine reading stays, alignment can only fall', () => {
    const e = engine({ objective_id: null, kr_id: null, alignment: 0.05, flags: ['unlinked'] });
    const gullible = ok(reply({ objective_id: 'L1', kr_id: 'L1.KR1', alignment: 1, execution_health: true }));
    const v = mergeVerdict(e, gullible, { instructionLike: true, ids, retrieved: near });
    expect(v.score).toMatchObject({ alignment: 0.05, objective_id: null, kr_id: null, execution_health: false, flags: ['unlinked'] });
    expect(v.clamped).toEqual(['instruction_like']);
    expect(v.score.rationale).toMatch(/instructions aimed at the scorer/);
    expect(v.review?.reasons).toEqual(['objective', 'alignment']);
    const lower = mergeVerdict(engine({ alignment: 0.6 }), ok(reply({ alignment: 0.2 })), { instructionLike: true, ids, retrieved: near });
    expect(lower.score.alignment).toBe(0.2);
  });

  it('the judge saying an item contains instructions clamps it like the filter does, even when the filter missed it', () => {
    const e = engine({ objective_id: null, kr_id: null, alignment: 0.1, flags: ['unlinked'] });
    const v = mergeVerdict(e, ok(reply({ alignment: 0.9, contains_instructions: true })), { instructionLike: false, ids, retrieved: near });
    expect(v.score).toMatchObject({ alignment: 0.1, objective_id: null });
    expect(v.clamped).toEqual(['judge_found_instructions']);
    expect(ok(reply()).contains_instructions).toBe(false); // absent from the reply: not said
  });

  it(`raises alignment at most ${MAX_UNBACKED_RAISE} above the engine unless a cited, retrieved passage of the chosen goal backs it and the engine links that objective`, () => {
    const e = engine({ objective_id: null, kr_id: null, alignment: 0.1, flags: ['unlinked'] });
    const unbacked = mergeVerdict(e, ok(reply({ alignment: 1 })), { instructionLike: false, ids, retrieved: new Set() });
    expect(unbacked.score.alignment).toBeCloseTo(0.1 + MAX_UNBACKED_RAISE, 6);
    expect(unbacked.clamped).toEqual(['unbacked_raise']);
    expect(unbacked.review?.reasons).toContain('alignment'); // a human still sees what the judge said
    // Citing a retrieved passage of another goal, or the goal's passage when retrieval did not find it, is no backing.
    expect(mergeVerdict(e, ok(reply({ alignment: 1, passage_ids: ['obj:L1#1'] })), { instructionLike: false, ids, retrieved: new Set(['obj:L1#1']) }).clamped).toEqual(['unbacked_raise']);
    expect(mergeVerdict(e, ok(reply({ alignment: 1, passage_ids: ['kr:L2.KR1'] })), { instructionLike: false, ids, retrieved: new Set(['kr:L2.KR2']) }).clamped).toEqual(['unbacked_raise']);
    // Retrieved and cited, but the engine found no link to L2: nearness alone does not back a raise.
    expect(mergeVerdict(e, ok(reply({ alignment: 1 })), { instructionLike: false, ids, retrieved: near }).clamped).toEqual(['unbacked_raise']);
    // Backed: the key result's own passage, cited and found near the item, whose objective the engine links too.
    const linked = engine({ objective_id: 'L2', kr_id: null, alignment: 0.3 });
    const backed = mergeVerdict(linked, ok(reply({ alignment: 0.8 })), { instructionLike: false, ids, retrieved: near });
    expect(backed.score.alignment).toBe(0.8);
    expect(backed.clamped).toEqual([]);
    expect(mergeVerdict(linked, ok(reply({ alignment: 0.8 })), { instructionLike: false, ids, retrieved: new Set() }).score.alignment).toBe(0.5);
    // Lowering, or raising within the margin, needs no backing.
    expect(mergeVerdict(engine({ alignment: 0.5 }), ok(reply({ alignment: 0.65, passage_ids: [] })), { instructionLike: false, ids, retrieved: new Set() }).score.alignment).toBe(0.65);
  });

  it(`flags a different objective, or alignments more than ${DISAGREEMENT_MARGIN} apart, for review`, () => {
    expect(mergeVerdict(engine(), ok(reply({ objective_id: 'L1', kr_id: null })), { instructionLike: false, ids, retrieved: near }).review?.reasons).toEqual(['objective']);
    expect(mergeVerdict(engine({ alignment: 0.7 }), ok(reply({ alignment: 0.35 })), { instructionLike: false, ids, retrieved: near }).review).toMatchObject({
      reasons: ['alignment'],
      engine: { objective_id: 'L2', alignment: 0.7 },
      judge: { objective_id: 'L2', alignment: 0.35 },
    });
    expect(mergeVerdict(engine({ alignment: 0.7 }), ok(reply({ alignment: 0.45 })), { instructionLike: false, ids, retrieved: near }).review).toBeNull();
  });
});
