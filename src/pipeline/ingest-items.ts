// Backlog ingest: validate every item (errors name the item id and field), then upsert the whole batch in one
// transaction. All or nothing: one bad item means nothing is written.
import { createHash } from 'node:crypto';
import { insertAudit } from '../adapters/db/audit.ts';
import { upsertItems, type ItemRecord } from '../adapters/db/items.ts';
import type { Db, Deps } from '../deps.ts';
import { enqueue } from './outbox.ts';
import { BacklogItemInput, type BacklogItem } from '../domain/contracts.ts';
import { Problem, type FieldError } from '../lib/problem.ts';

export const MAX_BATCH_ITEMS = 1000;

export interface BatchResult {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  items: { id: string; source: string | null; result: 'created' | 'updated' | 'unchanged' }[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL cannot store as given (NUL) or that would be silently altered on the way (lone surrogates). */
function unstorable(value: unknown, path: string, out: FieldError[], label: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ location: path, message: `${label}: contains a NUL character (U+0000), which cannot be stored` });
    else if (LONE_SURROGATE.test(value)) out.push({ location: path, message: `${label}: contains an unpaired UTF-16 surrogate (not valid Unicode)` });
  } else if (Array.isArray(value)) value.forEach((v, i) => unstorable(v, `${path}[${i}]`, out, label));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) unstorable(v, `${path}.${k}`, out, label);
}

const idOf = (raw: unknown): string | null => {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
};

export function validateItems(rawItems: unknown[]): { items: BacklogItem[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const items: BacklogItem[] = [];
  if (rawItems.length > MAX_BATCH_ITEMS) {
    errors.push({ location: 'body.items', message: `at most ${MAX_BATCH_ITEMS} items per request, got ${rawItems.length}; split the batch` });
    return { items, errors };
  }
  const seen = new Map<string, number>();
  rawItems.forEach((raw, i) => {
    const id = idOf(raw);
    const label = id === null ? `item at index ${i}` : `item "${id}"`;
    const parsed = BacklogItemInput.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
        errors.push({ location: `body.items[${i}]${field}`, message: `${label}: ${issue.message}` });
      }
      return;
    }
    unstorable(parsed.data, `body.items[${i}]`, errors, label);
    const key = `${parsed.data.source ?? ''}\u0000${parsed.data.id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ location: `body.items[${i}].id`, message: `${label}: duplicate of items[${first}] (same source and id) in this batch` });
    } else seen.set(key, i);
    items.push(parsed.data);
  });
  return { items, errors };
}

/**
 * Everything that can change a score, in a fixed order: the same item always hashes the same. SHA-256 hex of the
 * UTF-8 JSON, as sha256Hex computes it, but synchronously through node:crypto (Node, and Workers with nodejs_compat):
 * Web Crypto's digest() costs ~40 µs per call in promise and thread-pool hops, 40 ms per batch of 1,000 items, about
 * half of the ingest path's own time.
 */
export async function itemContentHash(it: BacklogItem): Promise<string> {
  return contentHashOf(it);
}

function contentHashOf(it: BacklogItem): string {
  return createHash('sha256').update(
    JSON.stringify([
      it.title, it.description ?? null, it.type ?? null, it.status ?? null, it.team ?? null, it.assignee ?? null,
      it.estimate_points ?? null, it.labels ?? [], it.parent_id ?? null, it.created_at ?? null, it.updated_at ?? null,
    ]),
  ).digest('hex');
}

/** Item uids sort by creation time, which gives cursor pagination a stable order. */
function newItemUid(): string {
  return `itm_${Date.now().toString(36).padStart(9, '0')}${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export async function ingestItems({
  db,
  jobs,
  input,
}: {
  db: Db;
  jobs?: Deps['jobs'];
  input: { workspaceId: string; items: unknown[]; actor: string; requestId?: string };
}): Promise<BatchResult> {
  const { items, errors } = validateItems(input.items);
  if (errors.length) throw new Problem('validation_failed', `${errors.length} problem(s) in the batch; nothing was written`, errors);
  const records: ItemRecord[] = items.map((it) => ({
      uid: newItemUid(),
      source: it.source ?? '',
      external_id: it.id,
      title: it.title,
      description: it.description ?? null,
      type: it.type ?? null,
      status: it.status ?? null,
      team: it.team ?? null,
      assignee: it.assignee ?? null,
      estimate_points: it.estimate_points ?? null,
      labels: it.labels ?? [],
      parent_id: it.parent_id ?? null,
      src_created_at: it.created_at ?? null,
      src_updated_at: it.updated_at ?? null,
      content_hash: contentHashOf(it),
    }));
  const changed = await db.transaction(async (tx) => {
    const rows = items.length ? await upsertItems(tx, input.workspaceId, records) : [];
    if (rows.length) {
      // Embedding happens in the background (`embed` job); the outbox row commits with the items, so a queue outage
      // never loses it.
      await enqueue(tx, { queue: 'embed', name: 'embed', data: { workspace_id: input.workspaceId, uids: rows.map((r) => r.uid) }, workspaceId: input.workspaceId });
    }
    if (rows.length) {
      await insertAudit(tx, {
        workspace_id: input.workspaceId,
        actor: input.actor,
        action: 'items.upsert',
        detail: { received: items.length, changed: rows.length },
        request_id: input.requestId,
      });
    }
    return rows;
  });
  if (changed.length) jobs?.kick();
  const byKey = new Map(changed.map((r) => [`${r.source}\u0000${r.external_id}`, r.created ? 'created' : 'updated'] as const));
  const out = items.map((it) => ({
    id: it.id,
    source: it.source ?? null,
    result: byKey.get(`${it.source ?? ''}\u0000${it.id}`) ?? ('unchanged' as const),
  }));
  return {
    received: items.length,
    created: out.filter((o) => o.result === 'created').length,
    updated: out.filter((o) => o.result === 'updated').length,
    unchanged: out.filter((o) => o.result === 'unchanged').length,
    items: out,
  };
}
