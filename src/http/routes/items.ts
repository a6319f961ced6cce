// Backlog items: batch upsert, list with filters and cursor pagination, read one, soft delete.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { toBacklogItem, type ItemRow } from '../../adapters/db/items.ts';
import type { Deps } from '../../deps.ts';
import { BacklogItemInput } from '../../domain/contracts.ts';
import { ingestItems, MAX_BATCH_ITEMS } from '../../pipeline/ingest-items.ts';
import { deleteItem, getItem, listItemPage } from '../../pipeline/items.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { contractSchema, ItemSchema, iso, problemResponses } from '../schemas.ts';

export function itemView(r: ItemRow): z.infer<typeof ItemSchema> {
  const item = toBacklogItem(r);
  return {
    ...item,
    source: item.source ?? null,
    description: item.description ?? null,
    type: item.type ?? null,
    status: item.status ?? null,
    team: item.team ?? null,
    assignee: item.assignee ?? null,
    estimate_points: item.estimate_points ?? null,
    labels: item.labels ?? [],
    parent_id: item.parent_id ?? null,
    created_at: item.created_at ?? null,
    updated_at: item.updated_at ?? null,
    bearing: { revision: r.revision, content_hash: r.content_hash, ingested_at: iso(r.ingested_at)!, changed_at: iso(r.changed_at)! },
  };
}

const itemList = { type: 'array', items: { $ref: '#/components/schemas/BacklogItemInput' }, maxItems: MAX_BATCH_ITEMS } as const;
/** As in the contract: `{ "items": [...] }` or a bare array of items. */
const BatchBody = z
  .union([z.object({ items: z.array(z.unknown()) }), z.array(z.unknown())], { error: 'expected { "items": [ ... ] } or an array of items' })
  .openapi('ItemBatch', { oneOf: [{ type: 'object', required: ['items'], properties: { items: itemList } }, itemList] });

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

export function registerItemRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openAPIRegistry.registerComponent('schemas', 'BacklogItemInput', contractSchema(BacklogItemInput));
  app.openapi(batchRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const result = await ingestItems({ db: deps.db, jobs: deps.jobs, input: { workspaceId: auth.workspaceId, items: Array.isArray(body) ? body : body.items, actor: auth.keyId, requestId: c.get('requestId' as never) } });
    return c.json(result, 200);
  });

  app.openapi(listRoute, async (c) => {
    const auth = authOf(c);
    const q = c.req.valid('query');
    const page = await listItemPage(deps.db, auth.workspaceId, q);
    return c.json({ items: page.items.map(itemView), next_cursor: page.next_cursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const auth = authOf(c);
    const { id } = c.req.valid('param');
    return c.json(itemView(await getItem(deps.db, auth.workspaceId, id, c.req.valid('query').source)), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const auth = authOf(c);
    const { id } = c.req.valid('param');
    await deleteItem(deps.db, { workspaceId: auth.workspaceId, id, source: c.req.valid('query').source, actor: auth.keyId, requestId: c.get('requestId' as never) });
    return c.body(null, 204);
  });
}
