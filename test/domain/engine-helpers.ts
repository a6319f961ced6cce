// Shared test helpers for the engine: fixtures from other domains (never the evaluation sets).
import { readFileSync } from 'node:fs';
import { BacklogInput, StrategyInput, type BacklogItem, type Strategy } from '../../src/domain/contracts.ts';

const dir = new URL('../fixtures/engine/', import.meta.url);

export function bakery(): { strategy: Strategy; items: BacklogItem[] } {
  const strategy = StrategyInput.parse(JSON.parse(readFileSync(new URL('bakery-strategy.json', dir), 'utf8')));
  const items = BacklogInput.parse(JSON.parse(readFileSync(new URL('bakery-backlog.json', dir), 'utf8')));
  return { strategy, items };
}

export const NOW = '2026-11-01T00:00:00Z';

export function item(id: string, title: string, extra: Partial<BacklogItem> = {}): BacklogItem {
  return { id, title, description: null, type: 'story', status: 'todo', estimate_points: 3, labels: [], parent_id: null,
    created_at: '2026-09-01T00:00:00Z', updated_at: '2026-10-01T00:00:00Z', ...extra };
}

export const fintech: Strategy = StrategyInput.parse({
  north_star: { name: 'Monthly active payers' },
  objectives: [
    { id: 'F1', title: 'Reduce churn of small business accounts', description: 'Cancellations spike after the first invoice.',
      key_results: [{ id: 'F1.KR1', title: 'Monthly churn of small business accounts', metric: 'cancelled accounts / active accounts' }] },
    { id: 'F2', title: 'Card payments settle instantly',
      key_results: [{ id: 'F2.KR1', title: 'Settlement time for card payments', metric: 'median seconds from authorisation to settlement' }] },
  ],
  non_goals: [{ id: 'NG1', text: 'No cryptocurrency trading features.' }],
});
