// Quality rules added on top of the core engine, checked on fixtures from other domains (fintech, bakery).
import { describe, expect, it } from 'vitest';
import { StrategyInput } from '../../src/domain/contracts.ts';
import { analyzeItem } from '../../src/domain/engine/analyze.ts';
import { differentStages } from '../../src/domain/engine/duplicates.ts';
import { isBusywork } from '../../src/domain/engine/flags.ts';
import { scoreBacklog } from '../../src/domain/engine/index.ts';
import { isDurationMetric } from '../../src/domain/engine/link.ts';
import { item, NOW } from './engine-helpers.ts';

const a = (title: string, extra = {}) => analyzeItem(item('X', title, extra), 0);

describe('busywork: work about the work', () => {
  it.each([
    ['Re-label all tickets with the new squad names'],
    ['Clean up the Notion space of the payments team'],
    ['Add swimlanes to the Trello board'],
    ['Update Jira board columns for the new workflow'],
    ['Prep for the sales offsite'],
    ['Align with Finance on quarter-end stuff'],
  ])('flags "%s"', (title) => expect(isBusywork(a(title))).toBe(true));

  it.each([
    ['Print shipping labels for wholesale orders'],
    ['Archive old orders in the customer portal'],
    ['Kanban view for kitchen orders in the app'],
    ['Align card settlement with the new clearing cut-off'],
    ['Rename the loyalty tier "Gold" to "Regular" in the app'],
  ])('does not flag product work "%s"', (title) => expect(isBusywork(a(title))).toBe(false));
});

describe('duration key results', () => {
  it('recognises KRs measured in time', () => {
    expect(isDurationMetric('Settlement time for card payments')).toBe(true);
    expect(isDurationMetric('median seconds from authorisation to settlement')).toBe(true);
    expect(isDurationMetric('Share of card payments that settle without a retry')).toBe(false);
    expect(isDurationMetric('Pre-orders placed within 7 days of sign-up')).toBe(false);
  });

  const strategy = StrategyInput.parse({
    north_star: null,
    objectives: [{
      id: 'P1', title: 'Card payments settle reliably and instantly',
      key_results: [
        { id: 'P1.KR1', title: 'Card settlement success rate', metric: 'share of authorised card payments that settle' },
        { id: 'P1.KR2', title: 'Card settlement time', metric: 'median seconds from authorisation to card settlement' },
      ],
    }],
  });

  it('sends speed work to the duration KR and other work to its sibling', () => {
    const r = scoreBacklog({ strategy, now: NOW, items: [
      item('S1', 'Settle authorised card payments in parallel instead of one after another'),
      item('S2', 'Retry authorised card payments that fail to settle'),
    ] });
    expect(r.items.map((i) => i.kr_id)).toEqual(['P1.KR2', 'P1.KR1']);
  });

  it('lets a story borrow the speed language of its epic', () => {
    const r = scoreBacklog({ strategy, now: NOW, items: [
      item('E1', 'Card settlement without the waiting', { type: 'epic', description: 'Authorised card payments wait for the nightly batch; settle them faster.' }),
      item('E2', 'Card settlement worker for authorised payments', { parent_id: 'E1' }),
    ] });
    expect(r.items.map((i) => i.kr_id)).toEqual(['P1.KR2', 'P1.KR2']);
  });
});

describe('duplicates across tools', () => {
  const strategy = StrategyInput.parse({
    north_star: null,
    objectives: [{ id: 'F1', title: 'Small businesses keep their accounts', key_results: [{ id: 'F1.KR1', title: 'Monthly churn of small business accounts' }] }],
  });

  it('merges the same request filed in two tools, keeping the one further along', () => {
    const r = scoreBacklog({ strategy, now: NOW, items: [
      item('FIN-41', 'Monthly account statement as PDF download', { source: 'jira', team: 'Accounts', status: 'in_progress',
        description: 'Small business owners download a PDF statement of the month: transactions, fees, closing balance.' }),
      item('CS-7', 'Customers want a downloadable PDF statement every month', { source: 'asana', team: 'Support',
        description: 'Several small business owners asked for a monthly PDF statement with transactions, fees and the closing balance.' }),
      item('FIN-50', 'Card freeze toggle in the mobile app', { source: 'jira', team: 'Cards' }),
    ] });
    expect(r.items.find((i) => i.id === 'CS-7')?.duplicate_of).toBe('FIN-41');
    expect(r.items.find((i) => i.id === 'FIN-41')?.duplicate_of).toBeNull();
    expect(r.portfolio.duplicate_clusters).toEqual([['FIN-41', 'CS-7']]);
  });

  it('does not merge consecutive stages of one feature', () => {
    expect(differentStages('RFC: instant payouts for merchants', 'Implement instant payouts for merchants')).toBe(true);
    expect(differentStages('Stabilize instant payouts', 'Stabilise instant payouts API')).toBe(false);
    expect(differentStages('Instant payouts', 'Implement instant payouts')).toBe(false);
    const r = scoreBacklog({ strategy, now: NOW, items: [
      item('FIN-60', 'RFC: instant payouts for small business merchants', { source: 'jira', team: 'Payouts' }),
      item('FIN-61', 'Implement instant payouts for small business merchants', { source: 'linear', team: 'Payments' }),
    ] });
    expect(r.items.every((i) => i.duplicate_of === null)).toBe(true);
  });
});
