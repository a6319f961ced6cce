// API keys of the caller's workspace (admin scope): create (the secret is shown once), list, revoke.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiKeyRow } from '../../adapters/db/workspaces.ts';
import type { Deps } from '../../deps.ts';
import { createKey, listWorkspaceKeys, revokeWorkspaceKey } from '../../pipeline/keys.ts';
import { authOf, requireScope, SCOPES } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { Problem } from '../problem.ts';
import { ApiKeySchema, iso, problemResponses } from '../schemas.ts';

const keyView = (k: ApiKeyRow): z.infer<typeof ApiKeySchema> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  created_at: iso(k.created_at)!,
  last_used_at: iso(k.last_used_at),
  revoked_at: iso(k.revoked_at),
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/v1/keys',
  tags: ['keys'],
  summary: 'Create an API key for this workspace (the secret is returned once)',
  middleware: [requireScope('admin'), accepts('application/json')] as const,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ name: z.string().max(200).default(''), scopes: z.array(z.enum(SCOPES)).min(1).default(['read']) }) } },
    },
  },
  responses: {
    201: { description: 'The new key', content: { 'application/json': { schema: ApiKeySchema.extend({ key: z.string() }) } } },
    ...problemResponses(400, 401, 403, 415),
  },
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/v1/keys',
  tags: ['keys'],
  summary: "List this workspace's API keys (prefixes only)",
  middleware: [requireScope('admin')] as const,
  responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ keys: z.array(ApiKeySchema) }) } } }, ...problemResponses(401, 403) },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/v1/keys/{id}',
  tags: ['keys'],
  summary: 'Revoke an API key',
  middleware: [requireScope('admin')] as const,
  request: { params: z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: { description: 'The revoked key', content: { 'application/json': { schema: ApiKeySchema } } }, ...problemResponses(401, 403, 404) },
});

export function registerKeyRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(createKeyRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const created = await createKey({
      db: deps.db,
      input: { workspaceName: auth.workspaceName, scopes: body.scopes, name: body.name, actor: auth.keyId, requestId: c.get('requestId' as never) },
    });
    return c.json({ ...keyView(created.record), key: created.key }, 201);
  });
  app.openapi(listKeysRoute, async (c) => c.json({ keys: (await listWorkspaceKeys(deps.db, authOf(c).workspaceId)).map(keyView) }, 200));
  app.openapi(revokeRoute, async (c) => {
    const auth = authOf(c);
    const rec = await revokeWorkspaceKey(deps.db, auth.workspaceId, c.req.valid('param').id, auth.keyId, c.get('requestId' as never));
    if (!rec) throw new Problem('not_found', `no API key ${c.req.valid('param').id}`);
    return c.json(keyView(rec), 200);
  });
}
