// Backlog items: batch upsert, list with filters and cursor pagination, read one, soft delete.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { findItems, listItems, softDeleteItem, type ItemRow } from '../../adapters/db/items.ts';
import { insertAudit } from '../../adapters/db/audit.ts';
import type { Deps } from '../../deps.ts';
import { BacklogItemInput } from '../../domain/contracts.ts';
import { ingestItems, MAX_BATCH_ITEMS } from '../../pipeline/ingest-items.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { Problem } from '../problem.ts';
import { ItemSchema, iso, problemResponses } from '../schemas.ts';

export function itemView(r: ItemRow): z.infer<typeof ItemSchema> {
  return {
    id: r.external_id,
    source: r.source === '' ? null : r.source,
    title: r.title,
    description: r.description,
    type: r.type,
    status: r.status,
    team: r.team,
    assignee: r.assignee,
    estimate_points: r.estimate_points,
    labels: r.labels,
    parent_id: r.parent_id,
    created_at: iso(r.src_created_at),
    updated_at: iso(r.src_updated_at),
    bearing: { revision: r.revision, content_hash: r.content_hash, ingested_at: iso(r.ingested_at)!, changed_at: iso(r.changed_at)! },
  };
}

const BatchBody = z
  .object({ items: z.array(z.unknown()).openapi({ type: 'array', items: { $ref: '#/components/schemas/BacklogItemInput' }, maxItems: MAX_BATCH_ITEMS }) })
  .openapi('ItemBatch');

const batchRoute = createRoute({
  method: 'post',
  path: '/v1/items:batch',
  tags: ['items'],
  summary: `Upsert up to ${MAX_BATCH_ITEMS} backlog items in one transaction (all or nothing)`,
  middleware: [requireScope('write'), accepts('application/json')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: BatchBody } } } },
  responses: {
    200: {
      description: 'Per-item result: created, updated, or unchanged (same content as stored)',
      content: {
        'application/json': {
          schema: z.object({
            received: z.number().int(),
            created: z.number().int(),
            updated: z.number().int(),
            unchanged: z.number().int(),
            items: z.array(z.object({ id: z.string(), source: z.string().nullable(), result: z.enum(['created', 'updated', 'unchanged']) })),
          }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 413, 415),
  },
});

const ListQuery = z.object({
  team: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
  source: z.string().optional(),
  updated_since: z.iso.datetime({ offset: true }).optional().openapi({ description: "items whose own updated_at is at or after this time" }),
  changed_since: z.iso.datetime({ offset: true }).optional().openapi({ description: 'items Bearing saw change at or after this time' }),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/items',
  tags: ['items'],
  summary: 'List live items (filters, cursor pagination in ingest order)',
  middleware: [requireScope('read')] as const,
  request: { query: ListQuery },
  responses: {
    200: { description: 'A page of items', content: { 'application/json': { schema: z.object({ items: z.array(ItemSchema), next_cursor: z.string().nullable() }) } } },
    ...problemResponses(400, 401, 403),
  },
});

const ItemParams = z.object({ id: z.string().min(1).max(256).openapi({ param: { name: 'id', in: 'path' }, description: 'the item id as sent' }) });
const SourceQuery = z.object({ source: z.string().optional().openapi({ description: 'disambiguates items with the same id from different sources' }) });

const getRoute = createRoute({
  method: 'get',
  path: '/v1/items/{id}',
  tags: ['items'],
  summary: 'Read one item',
  middleware: [requireScope('read')] as const,
  request: { params: ItemParams, query: SourceQuery },
  responses: { 200: { description: 'The item', content: { 'application/json': { schema: ItemSchema } } }, ...problemResponses(401, 403, 404, 409) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/items/{id}',
  tags: ['items'],
  summary: 'Soft-delete one item (sending it again restores it)',
  middleware: [requireScope('write')] as const,
  request: { params: ItemParams, query: SourceQuery },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409) },
});

const encodeCursor = (uid: string) => btoa(uid).replace(/=+$/, '');
function decodeCursor(cursor: string): string {
  try {
    const uid = atob(cursor);
    if (/^itm_[0-9a-z]+$/.test(uid)) return uid;
  } catch {
    /* fall through */
  }
  throw new Problem('validation_failed', 'invalid cursor', [{ location: 'query.cursor', message: 'not a cursor returned by this API' }]);
}

async function findOne(deps: Deps, workspaceId: string, id: string, source?: string): Promise<ItemRow> {
  const rows = await findItems(deps.db, workspaceId, id, source);
  if (rows.length === 0) throw new Problem('not_found', `no item with id "${id}"${source !== undefined ? ` from source "${source}"` : ''}`);
  if (rows.length > 1) {
    throw new Problem('conflict', `several items have id "${id}"; add ?source= (one of: ${rows.map((r) => r.source || '(none)').join(', ')})`);
  }
  return rows[0]!;
}

export function registerItemRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openAPIRegistry.register('BacklogItemInput', BacklogItemInput);
  app.openapi(batchRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const result = await ingestItems({ db: deps.db, input: { workspaceId: auth.workspaceId, items: body.items, actor: auth.keyId, requestId: c.get('requestId' as never) } });
    return c.json(result, 200);
  });

  app.openapi(listRoute, async (c) => {
    const auth = authOf(c);
    const q = c.req.valid('query');
    const rows = await listItems(deps.db, auth.workspaceId, {
      team: q.team,
      status: q.status,
      type: q.type,
      source: q.source,
      updated_since: q.updated_since,
      changed_since: q.changed_since,
      after_uid: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
      limit: q.limit + 1, // one extra row tells whether another page exists
    });
    const page = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? encodeCursor(page[page.length - 1]!.uid) : null;
    return c.json({ items: page.map(itemView), next_cursor: next }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const auth = authOf(c);
    const { id } = c.req.valid('param');
    return c.json(itemView(await findOne(deps, auth.workspaceId, id, c.req.valid('query').source)), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const auth = authOf(c);
    const { id } = c.req.valid('param');
    const row = await findOne(deps, auth.workspaceId, id, c.req.valid('query').source);
    await deps.db.transaction(async (tx) => {
      await softDeleteItem(tx, auth.workspaceId, row.uid);
      await insertAudit(tx, { workspace_id: auth.workspaceId, actor: auth.keyId, action: 'item.delete', target: row.uid, request_id: c.get('requestId' as never) });
    });
    return c.body(null, 204);
  });
}
