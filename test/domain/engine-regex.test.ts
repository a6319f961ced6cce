import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyOf, literalWordStarts, topLevelAlternatives } from '../../src/domain/engine/regex.ts';

// Cue lists in the style of the engine's heuristics, with words of an unrelated trade (beekeeping, sailing).
const WORD_GROUPS = [
  /\b(?:hive|hives|swarm\w*|queen ?cell\w*|varroa|mite (?:count|load)s?|smok(?:er|ing)|brood (?:frame|box)es?|f[0-9]\b.{0,12}\bframe)\b/,
  /\b(?:mast|masts|rig(?:ging)?|sails?|jib|sheet ?lines?|reef(?:ing|ed)?|keel|h[ae]lm|tack(?:ing)?|3\d\d ?knots?)\b/,
  /\b(?:honey|wax(?:ing)?|pollen|nectar)\b/,
  /\b(?:(?:fore|main)sail|(?:jib|boom) ?vang|(?:re)?reef\w*|(?:[0-9]+|many) hives)\b/,
];
const OTHER_SHAPES = [
  /\b(?:open|close)\s+(?:the\s+)?(?:hive|hatch)\s+(?:now|today|\d+)/i,
  /<\/?\s*(?:log|note)\s*>|\[\/?WX\]|#{2,}\s*forecast\b/i,
  /\bcaptain\s*[:,]\s*(?:please\s+)?(?:turn|stop|go)\b/i,
];
const FRAGMENTS = [
  'hive', 'hives', 'swarming', 'queen cell', 'queencells', 'varroa', 'mite count', 'mite loads', 'smoker', 'smoking',
  'brood frame', 'brood boxes', 'f3 frame', 'f3 big frame', 'mast', 'rigging', 'sail', 'sails', 'jib', 'sheet lines',
  'reefed', 'keel', 'helm', 'halm', 'tacking', '350 knots', '35 knots', 'honey', 'waxing', 'pollen', 'nectar',
  'foresail', 'mainsails', 'jibvang', 'boom vang', 'rereef', '12 hives', 'many hives', 'open the hive now', 'Close Hatch 12', 'CAPTAIN: please turn', 'captain , go', '<log>', '</ note >', '[WX]', '## forecast',
  'the', 'a', 'bee', 'boat', 'x', '-', '_', '.', '9', 'é', 'Hive', 'MAST',
];
const text = fc.array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom(' ', '', '-', '\n', 'x', '1')), { maxLength: 8 })
  .map((parts) => parts.map(([f, sep]) => f + sep).join(''));

describe('anyOf', () => {
  it('matches exactly when one of the word-group patterns matches', () => {
    const re = anyOf(WORD_GROUPS);
    fc.assert(fc.property(text, (t) => re.test(t) === WORD_GROUPS.some((p) => p.test(t))), { numRuns: 3000 });
  });

  it('matches exactly when one of the case-insensitive patterns of other shapes matches', () => {
    const re = anyOf(OTHER_SHAPES);
    fc.assert(fc.property(text, (t) => re.test(t) === OTHER_SHAPES.some((p) => p.test(t))), { numRuns: 3000 });
  });

  it('groups word alternatives under their first letter', () => {
    expect(anyOf([/\b(?:mast|mail|keel)\b/]).source).toBe('\\b(?:m(?:ast\\b|ail\\b)|keel\\b)');
    // An alternative whose first character is quantified or escaped is kept as it is.
    expect(anyOf([/\b(?:m?ast|\d+ knots)\b/]).source).toBe('\\bm?ast\\b|\\b\\d+ knots\\b');
    // A leading group is opened into its alternatives; one followed by a quantifier is kept whole.
    expect(anyOf([/\b(?:(?:fore|main)sail|(?:re)?reef)\b/]).source).toBe('\\b(?:foresail\\b|mainsail\\b)|\\b(?:re)?reef\\b');
  });

  it('keeps a pattern whose leading group closes early as it is', () => {
    const odd = /\b(?:mast)|(?:keel)\b/;
    for (const t of ['mast', 'amast', 'keel', 'keelson', 'a keel']) expect(anyOf([odd]).test(t)).toBe(odd.test(t));
  });

  it('splits a source at top-level bars only', () => {
    expect(topLevelAlternatives('a(?:b|c)|[|x]|\\|d')).toEqual(['a(?:b|c)', '[|x]', '\\|d']);
  });

  it('lists the literal starts of word-boundary alternatives', () => {
    const starts = literalWordStarts([/\b(?:hives?|queen ?cells?|f[0-3]\b|brood box|x\+1|(?:fore|main)sail|smok\w*)\b/]);
    expect(starts!.map((st) => st.text + (st.whole ? '$' : ''))).toEqual(['hive', 'queen', 'f0', 'f1', 'f2', 'f3', 'brood$', 'x$', 'foresail', 'mainsail', 'smok']);
    // An alternative that does not start at a word boundary with literal text: no list exists.
    expect(literalWordStarts([/\b(?:hive|\d+ frames)\b/])).toBeNull();
    expect(literalWordStarts([/<log>|\bmast\b/])).toBeNull();
  });

  it('refuses patterns it cannot merge exactly', () => {
    expect(() => anyOf([/\bhive\b/, /\bmast\b/i])).toThrow(/mixed flags/);
    expect(() => anyOf([/\b(hive)\b/])).toThrow(/capture group/);
    expect(() => anyOf([/\b(?<name>hive)\b/])).toThrow(/capture group/);
    expect(() => anyOf([/\bhive\b/g])).toThrow(/global or sticky/);
  });
});
