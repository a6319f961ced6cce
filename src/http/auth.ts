// Bearer API keys. A key authenticates to exactly one workspace; every query below is scoped to that workspace.
// Scopes are ordered: admin includes write, write includes read.
import type { MiddlewareHandler } from 'hono';
import { findKeyByHash, touchKey } from '../adapters/db/workspaces.ts';
import type { Db } from '../deps.ts';
import { sha256Hex } from '../lib/crypto.ts';
import { Problem } from './problem.ts';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Auth {
  workspaceId: string;
  workspaceName: string;
  keyId: string;
  scopes: Scope[];
}

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function hasScope(auth: Auth, needed: Scope): boolean {
  return auth.scopes.some((s) => RANK[s] >= RANK[needed]);
}

const BEARER = /^Bearer\s+(\S+)$/i;

export const authenticate =
  (db: Db): MiddlewareHandler =>
  async (c, next) => {
    const header = c.req.header('authorization');
    const challenge = { 'www-authenticate': 'Bearer realm="bearing"' };
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    if (!token) {
      throw new Problem('unauthorized', header ? 'Authorization header must be "Bearer <key>"' : 'missing Authorization: Bearer <key>', [], challenge);
    }
    const key = await findKeyByHash(db, await sha256Hex(token));
    if (!key) throw new Problem('unauthorized', 'unknown API key', [], challenge);
    if (key.revoked_at) throw new Problem('unauthorized', 'this API key was revoked', [], challenge);
    await touchKey(db, key.id);
    const auth: Auth = { workspaceId: key.workspace_id, workspaceName: key.workspace_name, keyId: key.id, scopes: key.scopes as Scope[] };
    c.set('auth' as never, auth as never);
    await next();
  };

export const requireScope =
  (scope: Scope): MiddlewareHandler =>
  async (c, next) => {
    const auth = c.get('auth' as never) as Auth | undefined;
    if (!auth) throw new Problem('unauthorized', 'missing Authorization: Bearer <key>');
    if (!hasScope(auth, scope)) throw new Problem('forbidden', `this operation needs the '${scope}' scope; the key has ${auth.scopes.join(', ')}`);
    await next();
  };

export function authOf(c: { get(key: never): unknown }): Auth {
  return c.get('auth' as never) as Auth;
}
