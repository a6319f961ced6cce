// Renders a Problem as RFC 9457 application/problem+json, with the request id.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PROBLEM_CODES, type Problem } from '../lib/problem.ts';

export { Problem, PROBLEM_CODES, type FieldError, type ProblemCode } from '../lib/problem.ts';

export function problemResponse(c: Context, p: Problem): Response {
  const { status, title } = PROBLEM_CODES[p.code];
  const requestId = (c.get('requestId' as never) as string | undefined) ?? null;
  const body = {
    type: `https://bearing.dev/problems/${p.code.replace(/_/g, '-')}`,
    title,
    status,
    detail: p.detail,
    code: p.code,
    instance: new URL(c.req.url).pathname,
    requestId,
    ...(p.errors.length ? { errors: p.errors } : {}),
  };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...p.headers,
  });
}
