import type { Queryable } from '../../deps.ts';

export interface AuditEntry {
  workspace_id: string;
  actor: string;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  request_id?: string | null;
}

export async function insertAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query(
    'INSERT INTO audit_log (workspace_id, actor, action, target, detail, request_id) VALUES ($1, $2, $3, $4, $5, $6)',
    [e.workspace_id, e.actor, e.action, e.target ?? null, JSON.stringify(e.detail ?? {}), e.request_id ?? null],
  );
}
