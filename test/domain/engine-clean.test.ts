import { describe, expect, it } from 'vitest';
import { cleanText } from '../../src/domain/engine/clean.ts';

// cleanText skips whole-text steps whose necessary characters the text lacks; these cases put those
// characters in place only through an earlier step (a link, a code fence, a carriage return).
describe('cleanText skips only steps that cannot match', () => {
  it('removes the story template when a link puts the "I" between spaces', () => {
    expect(cleanText('As a dispatcher, [I](https://example.org/x) want to reroute barges').trim()).toBe('reroute barges');
  });

  it('removes the story template when a code fence leaves a line break before "I"', () => {
    expect(cleanText('As a harbour pilot,```\nlog\n```I want to book a berth').trim()).toBe('book a berth');
  });

  it('removes the template with carriage returns and upper-case words', () => {
    expect(cleanText('AS A skipper,\r\nI WANT TO chart reefs SO THAT WE CAN avoid them').replace(/\s+/g, ' ').trim()).toBe('chart reefs avoid them');
  });

  it('strips section labels and markup, and leaves plain text alone', () => {
    expect(cleanText('Expected: the *tide* table | updated').replace(/\s+/g, ' ').trim()).toBe('the tide table updated');
    expect(cleanText('plain words about a lighthouse lens')).toBe('plain words about a lighthouse lens');
  });

  it('handles non-ASCII text on the general path', () => {
    expect(cleanText('Als Kapitän, ich möchte… **Ankerplatz** buchen').includes('*')).toBe(false);
  });
});
