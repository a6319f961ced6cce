// Strategy versions. Ingest: parse (JSON or Markdown), validate, store as the next version with its retrieval passages.
// Re-sending the active version's exact document is idempotent: no new version.
import { insertAudit } from '../adapters/db/audit.ts';
import {
  insertPassages,
  insertStrategyVersion,
  latestStrategy,
  listPassages,
  listStrategyVersions,
  lockWorkspaceStrategy,
  strategyVersion,
  type StrategyVersionRow,
} from '../adapters/db/strategies.ts';
import type { Db, Deps } from '../deps.ts';
import { enqueue } from './outbox.ts';
import { chunkStrategy } from '../domain/strategy-chunks.ts';
import { readStrategy } from '../domain/strategy.ts';
import { Problem } from '../lib/problem.ts';
import { sha256Hex } from '../lib/crypto.ts';

export async function ingestStrategy({
  db,
  jobs,
  input,
}: {
  db: Db;
  jobs?: Deps['jobs'];
  input: { workspaceId: string; text: string; format: 'json' | 'markdown'; actor: string; requestId?: string };
}): Promise<{ created: boolean; version: StrategyVersionRow }> {
  const read = readStrategy(input.text, input.format);
  if (!read.ok) throw new Problem('validation_failed', 'the strategy document is not usable', read.errors.map((e) => ({ location: e.location.startsWith('line') ? `body (${e.location})` : `body.${e.location}`, message: e.message })));
  const { warnings = [], ...strategy } = read.strategy;
  const contentHash = await sha256Hex(`${input.format}\n${input.text}`);
  const result = await db.transaction(async (tx) => {
    await lockWorkspaceStrategy(tx, input.workspaceId);
    const active = await latestStrategy(tx, input.workspaceId);
    if (active && active.content_hash === contentHash) return { created: false, version: active };
    const version = await insertStrategyVersion(tx, input.workspaceId, {
      format: input.format,
      raw: input.text,
      parsed: strategy,
      warnings,
      content_hash: contentHash,
    });
    const passages = chunkStrategy(strategy);
    await insertPassages(tx, input.workspaceId, version.version, passages);
    await enqueue(tx, { queue: 'embed', name: 'embed', data: { workspace_id: input.workspaceId }, workspaceId: input.workspaceId });
    await insertAudit(tx, {
      workspace_id: input.workspaceId,
      actor: input.actor,
      action: 'strategy.create',
      target: String(version.version),
      detail: { format: input.format, objectives: strategy.objectives.length, warnings: warnings.length },
      request_id: input.requestId,
    });
    return { created: true, version };
  });
  if (result.created) jobs?.kick();
  return result;
}

export interface StrategyVersionView {
  row: StrategyVersionRow;
  passages: number;
}

/** The active (latest) version, or a given one; 404 when there is none. */
export async function getStrategyVersion(db: Db, workspaceId: string, version?: number): Promise<StrategyVersionView> {
  const row = version === undefined ? await latestStrategy(db, workspaceId) : await strategyVersion(db, workspaceId, version);
  if (!row) throw new Problem('not_found', version === undefined ? 'no strategy yet: PUT /v1/strategy first' : `no strategy version ${version}`);
  return { row, passages: (await listPassages(db, workspaceId, row.version)).length };
}

export const listVersions = (db: Db, workspaceId: string) => listStrategyVersions(db, workspaceId);
