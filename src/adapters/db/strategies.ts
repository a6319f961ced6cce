// SQL for strategy versions and their retrieval passages.
import type { Queryable } from '../../deps.ts';
import type { Strategy } from '../../domain/contracts.ts';
import type { StrategyPassage } from '../../domain/strategy-chunks.ts';

export interface StrategyVersionRow {
  version: number;
  format: 'json' | 'markdown';
  raw: string;
  parsed: Strategy;
  warnings: string[];
  content_hash: string;
  created_at: Date;
}

const COLS = 'version, format, raw, parsed, warnings, content_hash, created_at';

export async function latestStrategy(q: Queryable, workspaceId: string): Promise<StrategyVersionRow | null> {
  const r = await q.query<StrategyVersionRow>(
    `SELECT ${COLS} FROM strategy_versions WHERE workspace_id = $1 ORDER BY version DESC LIMIT 1`,
    [workspaceId],
  );
  return r.rows[0] ?? null;
}

export async function strategyVersion(q: Queryable, workspaceId: string, version: number): Promise<StrategyVersionRow | null> {
  const r = await q.query<StrategyVersionRow>(`SELECT ${COLS} FROM strategy_versions WHERE workspace_id = $1 AND version = $2`, [
    workspaceId,
    version,
  ]);
  return r.rows[0] ?? null;
}

export async function listStrategyVersions(
  q: Queryable,
  workspaceId: string,
): Promise<{ version: number; format: string; content_hash: string; created_at: Date; objectives: number }[]> {
  const r = await q.query<{ version: number; format: string; content_hash: string; created_at: Date; objectives: number }>(
    `SELECT version, format, content_hash, created_at, jsonb_array_length(parsed->'objectives') AS objectives
       FROM strategy_versions WHERE workspace_id = $1 ORDER BY version DESC`,
    [workspaceId],
  );
  return r.rows;
}

/** Inserts the next version number for the workspace; callers hold the workspace's strategy lock. */
export async function insertStrategyVersion(
  q: Queryable,
  workspaceId: string,
  v: { format: 'json' | 'markdown'; raw: string; parsed: Strategy; warnings: string[]; content_hash: string },
): Promise<StrategyVersionRow> {
  const r = await q.query<StrategyVersionRow>(
    `INSERT INTO strategy_versions (workspace_id, version, format, raw, parsed, warnings, content_hash)
     SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6 FROM strategy_versions WHERE workspace_id = $1
     RETURNING ${COLS}`,
    [workspaceId, v.format, v.raw, JSON.stringify(v.parsed), JSON.stringify(v.warnings), v.content_hash],
  );
  return r.rows[0] as StrategyVersionRow;
}

export async function lockWorkspaceStrategy(q: Queryable, workspaceId: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext('strategy:' || $1))`, [workspaceId]);
}

export async function insertPassages(q: Queryable, workspaceId: string, version: number, passages: StrategyPassage[]): Promise<void> {
  if (!passages.length) return;
  await q.query(
    `INSERT INTO strategy_passages (workspace_id, version, passage_id, kind, ref_id, objective_id, text)
     SELECT $1, $2, x.id, x.kind, x.ref_id, x.objective_id, x.text
       FROM jsonb_to_recordset($3::jsonb) AS x(id text, kind text, ref_id text, objective_id text, text text)`,
    [workspaceId, version, JSON.stringify(passages)],
  );
}

export async function listPassages(q: Queryable, workspaceId: string, version: number): Promise<StrategyPassage[]> {
  const r = await q.query<StrategyPassage>(
    `SELECT passage_id AS id, kind, ref_id, objective_id, text FROM strategy_passages
      WHERE workspace_id = $1 AND version = $2 ORDER BY passage_id`,
    [workspaceId, version],
  );
  return r.rows;
}
