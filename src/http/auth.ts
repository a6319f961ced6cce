// Bearer API keys. A key authenticates to exactly one workspace; every query below is scoped to that workspace.
// Scopes are ordered: admin includes write, write includes read.
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { findKeyByHash, touchKey } from '../adapters/db/workspaces.ts';
import type { Db } from '../deps.ts';
import { Problem } from './problem.ts';
import { setBounded } from '../lib/bounded.ts';

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

/**
 * How long this process trusts a successful key lookup. Every request used to cost two queries before its own work
 * (the lookup and the last-use update), which under 20 concurrent readers queued on the connection pool. A key
 * revoked through this process's API is forgotten at once (below); revoked by another process (the CLI, another API
 * instance) it keeps working here for at most this long.
 */
export const KEY_CACHE_MS = 5_000;
/** Keys remembered at most (oldest dropped first): a bound on memory, far above the keys of busy workspaces. */
const KEY_CACHE_MAX = 1_000;
/** last_used_at is recorded at most this often per key and process (the SQL keeps the same once-a-minute rule). */
const TOUCH_EVERY_MS = 60_000;

/** Per database (tests run several in one process): key hash → what it authenticates, and until when. */
const caches = new WeakMap<Db, Map<string, { auth: Auth; until: number }>>();
const touchedAt = new Map<string, number>();

/** Forgets the cached keys of a workspace (after one of its keys was revoked here). */
function forgetKeys(db: Db, workspaceId: string): void {
  const keyCache = caches.get(db);
  if (keyCache) for (const [hash, entry] of keyCache) if (entry.auth.workspaceId === workspaceId) keyCache.delete(hash);
}

async function lookUp(db: Db, hash: string, challenge: Record<string, string>): Promise<Auth> {
  const keyCache = caches.get(db) ?? caches.set(db, new Map()).get(db)!;
  const now = Date.now();
  const hit = keyCache.get(hash);
  if (hit && hit.until > now) return hit.auth;
  const key = await findKeyByHash(db, hash);
  if (!key) throw new Problem('unauthorized', 'unknown API key', [], challenge);
  if (key.revoked_at) {
    keyCache.delete(hash);
    throw new Problem('unauthorized', 'this API key was revoked', [], challenge);
  }
  const auth: Auth = { workspaceId: key.workspace_id, workspaceName: key.workspace_name, keyId: key.id, scopes: key.scopes as Scope[] };
  keyCache.delete(hash); // re-inserted last: the Map's order is the eviction order
  setBounded(keyCache, hash, { auth, until: now + KEY_CACHE_MS }, KEY_CACHE_MAX);
  return auth;
}

const REVOKE_PATH = /^\/v1\/keys\/[^/]+$/;

export const authenticate =
  (db: Db): MiddlewareHandler =>
  async (c, next) => {
    const header = c.req.header('authorization');
    const challenge = { 'www-authenticate': 'Bearer realm="bearing"' };
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    if (!token) {
      throw new Problem('unauthorized', header ? 'Authorization header must be "Bearer <key>"' : 'missing Authorization: Bearer <key>', [], challenge);
    }
    // The same SHA-256 hex as sha256Hex (how keys are stored), synchronously: Web Crypto's digest() adds a thread-pool
    // hop to every request.
    const auth = await lookUp(db, createHash('sha256').update(token).digest('hex'), challenge);
    const now = Date.now();
    if (now - (touchedAt.get(auth.keyId) ?? 0) >= TOUCH_EVERY_MS) {
      setBounded(touchedAt, auth.keyId, now, KEY_CACHE_MAX);
      await touchKey(db, auth.keyId);
    }
    c.set('auth' as never, auth as never);
    await next();
    // A key revoked through this API stops working at once, here too.
    if (c.req.method === 'DELETE' && c.res.status < 300 && REVOKE_PATH.test(c.req.path)) forgetKeys(db, auth.workspaceId);
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
