// Workspaces and API keys: creation (shown once), listing, revocation, and the embedded default's bootstrap.
import { insertAudit } from '../adapters/db/audit.ts';
import { countKeys, findWorkspaceByName, insertApiKey, insertWorkspace, listKeys, revokeKey, type ApiKeyRow } from '../adapters/db/workspaces.ts';
import type { Db } from '../deps.ts';
import type { Scope } from '../http/auth.ts';
import { newId, randomToken, sha256Hex } from '../lib/crypto.ts';

/** Visible part of a key, kept in listings so people can tell keys apart. */
const PREFIX_LENGTH = 12;

export interface CreatedKey {
  key: string;
  record: ApiKeyRow;
  workspace: { id: string; name: string };
}

export async function ensureWorkspace(db: Db, name: string): Promise<{ id: string; name: string }> {
  return (await findWorkspaceByName(db, name)) ?? insertWorkspace(db, { id: newId('ws'), name });
}

export async function createKey({
  db,
  input,
}: {
  db: Db;
  input: { workspaceName: string; scopes: Scope[]; name?: string; actor?: string; requestId?: string };
}): Promise<CreatedKey> {
  const workspace = await ensureWorkspace(db, input.workspaceName);
  // 32 random bytes: brute force is out of reach, so a fast SHA-256 (not a slow password hash) is the right store.
  const key = `brg_${randomToken(32)}`;
  const record = await db.transaction(async (tx) => {
    const rec = await insertApiKey(tx, {
      id: newId('key'),
      workspace_id: workspace.id,
      name: input.name ?? '',
      prefix: key.slice(0, PREFIX_LENGTH),
      key_hash: await sha256Hex(key),
      scopes: [...new Set(input.scopes)],
    });
    await insertAudit(tx, {
      workspace_id: workspace.id,
      actor: input.actor ?? 'cli',
      action: 'api_key.create',
      target: rec.id,
      detail: { scopes: rec.scopes, name: rec.name },
      request_id: input.requestId,
    });
    return rec;
  });
  return { key, record, workspace };
}

export const listWorkspaceKeys = (db: Db, workspaceId: string) => listKeys(db, workspaceId);

export async function revokeWorkspaceKey(db: Db, workspaceId: string, keyId: string, actor: string, requestId?: string) {
  return db.transaction(async (tx) => {
    const rec = await revokeKey(tx, workspaceId, keyId);
    if (rec) await insertAudit(tx, { workspace_id: workspaceId, actor, action: 'api_key.revoke', target: keyId, request_id: requestId });
    return rec;
  });
}

/** First start of the embedded default: a `default` workspace and one admin key, when no key exists at all. */
export async function bootstrapDefaultKey(db: Db): Promise<CreatedKey | null> {
  if ((await countKeys(db)) > 0) return null;
  return createKey({ db, input: { workspaceName: 'default', scopes: ['admin'], name: 'bootstrap', actor: 'bootstrap' } });
}
