import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/domain/contracts.ts';
import { MAX_PASSAGE_CHARS, chunkStrategy, packSentences } from '../../src/domain/strategy-chunks.ts';
import { parseStrategyMarkdown } from '../../src/domain/strategy-markdown.ts';
import { readStrategy } from '../../src/domain/strategy.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/strategies/${name}`, import.meta.url), 'utf8');
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

const longDescription = Array.from({ length: 30 }, (_, i) => `Sentence number ${i + 1} explains one more reason why the warehouse floor needs better signage and clearer lanes.`).join(' ');

const strategy: Strategy = {
  north_star: { name: 'Orders shipped same day', definition: 'Orders that leave the warehouse on the day they are placed.' },
  objectives: [
    {
      id: 'O1',
      title: 'Faster picking',
      description: longDescription,
      key_results: [
        { id: 'O1.KR1', title: 'Pick rate', metric: 'Lines picked per hour', baseline: '80', target: '120', current: null, due: '2026-12-31' },
        { id: 'O1.KR2', title: 'Mispicks 2% -> 0.5%', metric: null, baseline: '2%', target: '0.5%', current: null, due: null },
      ],
    },
    { id: 'O2', title: 'Safer floors', description: null, key_results: [] },
  ],
  non_goals: [{ id: 'NG1', text: 'No  robotics\npilots this year.' }],
  principles: ['Measure before changing.', ''],
};

describe('chunkStrategy', () => {
  const passages = chunkStrategy(strategy);

  it('produces one passage per north star, objective part, key result, non-goal and principle, with stable ids', () => {
    expect(passages.map((p) => p.id)).toEqual([
      'ns',
      ...passages.filter((p) => p.kind === 'objective' && p.ref_id === 'O1').map((_, i) => `obj:O1#${i + 1}`),
      'kr:O1.KR1',
      'kr:O1.KR2',
      'obj:O2#1',
      'ng:NG1',
      'pr:1',
    ]);
    expect(chunkStrategy(strategy)).toEqual(passages);
  });

  it('splits long descriptions at sentence boundaries into passages of at most ~800 characters', () => {
    const parts = passages.filter((p) => p.kind === 'objective' && p.ref_id === 'O1');
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(MAX_PASSAGE_CHARS);
      expect(p.text).toMatch(/[.]$/);
      expect(p.objective_id).toBe('O1');
    }
    expect(parts[0]!.text.startsWith('Faster picking\nSentence number 1 ')).toBe(true);
    expect(norm(parts.map((p) => p.text).join(' '))).toBe(norm(`Faster picking ${longDescription}`));
  });

  it('key result passages carry the title, metric, values and the objective title', () => {
    expect(passages.find((p) => p.id === 'kr:O1.KR1')).toEqual({
      id: 'kr:O1.KR1',
      kind: 'key_result',
      ref_id: 'O1.KR1',
      objective_id: 'O1',
      text: 'Pick rate\nLines picked per hour\n80 · 120 · 2026-12-31\nFaster picking',
    });
    // Values already in the title are not repeated.
    expect(passages.find((p) => p.id === 'kr:O1.KR2')!.text).toBe('Mispicks 2% -> 0.5%\nFaster picking');
  });

  it('every line of every passage is a whitespace-normalised piece of the strategy', () => {
    const pieces = [
      strategy.north_star!.name,
      strategy.north_star!.definition!,
      ...strategy.objectives.flatMap((o) => [o.title, o.description ?? '', ...o.key_results.flatMap((k) => [k.title, k.metric ?? '', k.baseline ?? '', k.target ?? '', k.due ?? ''])]),
      ...strategy.non_goals.map((n) => n.text),
      ...strategy.principles,
    ].map(norm);
    for (const p of passages) {
      for (const line of p.text.split('\n')) {
        for (const part of line.split(' · ')) expect(pieces.some((piece) => piece.includes(part)), part).toBe(true);
      }
    }
    expect(passages.find((p) => p.id === 'ng:NG1')!.text).toBe('No robotics pilots this year.');
  });

  it('skips empty principles and handles a strategy without a north star', () => {
    const p = chunkStrategy({ ...strategy, north_star: null });
    expect(p.some((x) => x.kind === 'north_star')).toBe(false);
    expect(p.filter((x) => x.kind === 'principle')).toHaveLength(1);
  });

  it('works on parsed Markdown and on JSON strategies alike', () => {
    const md = chunkStrategy(parseStrategyMarkdown(fixture('game-studio.md')));
    expect(md.map((p) => p.id)).toContain('kr:KR2.3');
    expect(md.find((p) => p.id === 'kr:KR1.1')!.text).toBe('Day-7 retention from 18% to 26% by 2026-09-30\nPlayers come back after the first week');
    const r = readStrategy(JSON.stringify({ objectives: [{ id: 7, title: 'Seven' }] }), 'json');
    expect(r.ok && chunkStrategy(r.strategy)).toEqual([{ id: 'obj:7#1', kind: 'objective', ref_id: '7', objective_id: '7', text: 'Seven' }]);
  });

  it('passage ids stay unique even when strategy ids repeat', () => {
    const dup = chunkStrategy({ ...strategy, non_goals: [{ id: 'NG1', text: 'a' }, { id: 'NG1', text: 'b' }] });
    expect(new Set(dup.map((p) => p.id)).size).toBe(dup.length);
  });
});

describe('packSentences', () => {
  it('cuts a single overlong sentence at spaces', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const parts = packSentences(words, 100);
    expect(parts.every((p) => p.length <= 100)).toBe(true);
    expect(parts.join(' ')).toBe(words);
  });

  it('keeps paragraphs apart as sentence boundaries', () => {
    expect(packSentences('First part\n\nSecond part', 12)).toEqual(['First part', 'Second part']);
  });
});
