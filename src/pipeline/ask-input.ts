// Checks on text that POST /v1/ask, the thread routes and the MCP tools pass on to PostgreSQL: a NUL character
// (U+0000) cannot be stored in or compared with a PostgreSQL text value, so it is refused up front as a 400 naming
// the field instead of failing the query.
import { Problem } from '../lib/problem.ts';

export const NUL_MESSAGE = 'must not contain NUL characters (\\u0000)';

export const hasNul = (text: string) => text.includes('\u0000');

/** Throws a 400 naming `location` when the value holds a NUL character. */
export function rejectNul(value: string | undefined, location: string): void {
  if (value !== undefined && hasNul(value)) throw new Problem('validation_failed', `${location} contains a NUL character`, [{ location, message: NUL_MESSAGE }]);
}
