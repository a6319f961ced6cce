// The question classifier reads ordinary English wording only: the same phrasings work for any backlog.
import { describe, expect, it } from 'vitest';
import { asksAboutOwnTeam, classifyIntent, itemFocus, mentionedItemIds, mentionedTeam, refersBack } from '../../src/pipeline/ask-intent.ts';

const intent = (q: string) => classifyIntent(q, { hasItem: false });

describe('classifyIntent', () => {
  it.each([
    'What should my team stop this quarter?',
    'What can we drop to free up capacity?',
    'Which tickets should we cut?',
    'Anything we should deprioritize?',
    'Where are we wasting effort?',
    'What should we pause or shelve?',
    'What could we stop doing?',
  ])('stop: %s', (q) => expect(intent(q)).toBe('stop'));

  it.each([
    'Which key results have no work?',
    'Are any KRs not being worked on?',
    'What goals is nobody working on?',
    'Which objectives have no items at all?',
    'Do we have coverage gaps?',
    'Is there any OKR without tickets?',
  ])('coverage: %s', (q) => expect(intent(q)).toBe('coverage'));

  it.each([
    'Where is our effort going?',
    'How much of the backlog is unaligned?',
    'Give me an overview of the portfolio',
    'Are there duplicates across teams?',
    'How is the work spread over the objectives?',
    'How many points go to reliability work?',
  ])('portfolio: %s', (q) => expect(intent(q)).toBe('portfolio'));

  it.each(['What does the strategy say about onboarding?', 'What is our north star?', 'Tell me about pricing'])('strategy: %s', (q) => expect(intent(q)).toBe('strategy'));

  it('with an item, every question is about the item', () => {
    expect(classifyIntent('What should my team stop?', { hasItem: true })).toBe('item');
  });

  it('is deterministic', () => {
    for (const q of ['What should we stop?', 'Which key results have no work?']) expect(intent(q)).toBe(intent(q));
  });
});

describe('helpers', () => {
  it('itemFocus picks the part of an item answer asked about', () => {
    expect(itemFocus('Is this a duplicate of something?')).toBe('duplicate');
    expect(itemFocus('Which epic is it part of?')).toBe('parent');
    expect(itemFocus('Should we stop it?')).toBe('stop');
    expect(itemFocus('Why does this matter?')).toBeNull();
  });

  it('mentionedItemIds finds tracker keys, not words with hyphens', () => {
    expect(mentionedItemIds('Why do ABC-12 and web-7 matter, and not well-known stuff?')).toEqual(['ABC-12', 'web-7']);
  });

  it('mentionedTeam matches whole team names in any case, longest first', () => {
    const teams = ['Care', 'Customer Care', 'Ops'];
    expect(mentionedTeam('What should customer care stop?', teams)).toBe('Customer Care');
    expect(mentionedTeam('What should ops cut?', teams)).toBe('Ops');
    expect(mentionedTeam('What should the cooperators stop?', teams)).toBeNull();
  });

  it('refersBack and asksAboutOwnTeam', () => {
    expect(refersBack('Should we stop it?')).toBe(true);
    expect(refersBack('Is this one a duplicate?')).toBe(true);
    expect(refersBack('What should my team stop this quarter?')).toBe(false);
    expect(asksAboutOwnTeam('What should my team stop?')).toBe(true);
    expect(asksAboutOwnTeam('What should we stop?')).toBe(false);
  });
});
