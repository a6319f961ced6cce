// SQL for workspaces and API keys. Keys are looked up by the SHA-256 of the secret; the secret is never stored.
import type { Queryable } from '../../deps.ts';

export interface WorkspaceRow {
  id: string;
  name: string;
}
export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function findWorkspaceByName(q: Queryable, name: string): Promise<WorkspaceRow | null> {
  const r = await q.query<WorkspaceRow>('SELECT id, name FROM workspaces WHERE name = $1', [name]);
  return r.rows[0] ?? null;
}

export async function insertWorkspace(q: Queryable, ws: WorkspaceRow): Promise<WorkspaceRow> {
  // ON CONFLICT keeps two concurrent bootstraps of the same name from failing: both get the same row.
  await q.query('INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [ws.id, ws.name]);
  return (await findWorkspaceByName(q, ws.name)) as WorkspaceRow;
}

export async function insertApiKey(
  q: Queryable,
  key: { id: string; workspace_id: string; name: string; prefix: string; key_hash: string; scopes: string[] },
): Promise<ApiKeyRow> {
  const r = await q.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, workspace_id, name, prefix, scopes, created_at, last_used_at, revoked_at`,
    [key.id, key.workspace_id, key.name, key.prefix, key.key_hash, key.scopes],
  );
  return r.rows[0] as ApiKeyRow;
}

export async function findKeyByHash(q: Queryable, hash: string): Promise<(ApiKeyRow & { workspace_name: string }) | null> {
  const r = await q.query<ApiKeyRow & { workspace_name: string }>(
    `SELECT k.id, k.workspace_id, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at, k.revoked_at, w.name AS workspace_name
       FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = $1`,
    [hash],
  );
  return r.rows[0] ?? null;
}

/** Records use at most once a minute per key, so authenticated reads do not turn into a write each. */
export async function touchKey(q: Queryable, id: string): Promise<void> {
  await q.query(
    `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

export async function listKeys(q: Queryable, workspaceId: string): Promise<ApiKeyRow[]> {
  const r = await q.query<ApiKeyRow>(
    `SELECT id, workspace_id, name, prefix, scopes, created_at, last_used_at, revoked_at
       FROM api_keys WHERE workspace_id = $1 ORDER BY created_at, id`,
    [workspaceId],
  );
  return r.rows;
}

export async function revokeKey(q: Queryable, workspaceId: string, id: string): Promise<ApiKeyRow | null> {
  const r = await q.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE workspace_id = $1 AND id = $2
     RETURNING id, workspace_id, name, prefix, scopes, created_at, last_used_at, revoked_at`,
    [workspaceId, id],
  );
  return r.rows[0] ?? null;
}

export async function countKeys(q: Queryable): Promise<number> {
  const r = await q.query<{ n: string }>('SELECT count(*)::text AS n FROM api_keys');
  return Number(r.rows[0]?.n ?? 0);
}
