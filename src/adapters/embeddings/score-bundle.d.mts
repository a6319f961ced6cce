// Types of score-bundle.mjs (plain JavaScript so that bin.mjs can load it without tsx).
export function scoreBundleIsFresh(): boolean;
export function buildScoreBundle(): Promise<string | null>;
export function loadScoreBundle(): Promise<typeof import('../../entry/score-command.ts') | null>;
