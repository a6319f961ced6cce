// Request-level guards shared by every route: request id, body size, content type, strict UTF-8.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from './problem.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export const requestId: MiddlewareHandler = async (c, next) => {
  const given = c.req.header('x-request-id');
  const id = given && REQUEST_ID.test(given) ? given : `req_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
  c.set('requestId' as never, id as never);
  c.header('x-request-id', id);
  await next();
};

export const limitBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem('payload_too_large', `request body exceeds ${maxBytes} bytes`);
    },
  });

const hasBody = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH';

/** Rejects a body whose media type the route does not take (415), and any body that is not valid UTF-8 (400). */
export const accepts =
  (...mediaTypes: string[]): MiddlewareHandler =>
  async (c, next) => {
    if (!hasBody(c.req.method)) return next();
    const raw = c.req.header('content-type') ?? '';
    const type = raw.split(';')[0]!.trim().toLowerCase();
    if (!mediaTypes.includes(type)) {
      throw new Problem(
        'unsupported_media_type',
        `Content-Type ${type ? `'${type}'` : '(none)'} is not accepted here; send ${mediaTypes.join(' or ')}`,
        [{ location: 'header.content-type', message: `expected ${mediaTypes.join(' or ')}` }],
      );
    }
    const charset = /charset=([^;]+)/i.exec(raw)?.[1]?.trim().toLowerCase().replace(/"/g, '');
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      throw new Problem('unsupported_media_type', `charset '${charset}' is not supported; send UTF-8`);
    }
    const bytes = await c.req.arrayBuffer();
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Problem('malformed_body', 'request body is not valid UTF-8', [{ location: 'body', message: 'invalid UTF-8 byte sequence' }]);
    }
    await next();
  };
