// Conversation threads of POST /v1/ask: list them, read one with its messages, delete one.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { getThreadWithMessages, listThreads, removeThread } from '../../pipeline/threads.ts';
import { authOf, requireScope } from '../auth.ts';
import { PageQuery, problemResponses } from '../schemas.ts';
import { CitationSchema } from './ask.ts';

const ThreadSchema = z
  .object({
    id: z.string(),
    title: z.string().openapi({ description: 'the first question, shortened' }),
    item_id: z.string().nullable().openapi({ description: 'the item the conversation is about now' }),
    messages: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Thread');

const MessageSchema = z
  .object({
    seq: z.number().int(),
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    citations: z.array(CitationSchema),
    meta: z.record(z.string(), z.unknown()).openapi({ description: 'assistant turns: mode, intent, item, model, prompt version, strategy version, run' }),
    created_at: z.string(),
  })
  .openapi('ThreadMessage');

const IdParams = z.object({ id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' }, description: 'thread id' }) });

const listRoute = createRoute({
  method: 'get',
  path: '/v1/threads',
  tags: ['ask'],
  summary: "The workspace's conversation threads, most recently active first",
  middleware: [requireScope('read')] as const,
  request: {
    query: PageQuery,
  },
  responses: {
    200: { description: 'A page of threads', content: { 'application/json': { schema: z.object({ threads: z.array(ThreadSchema), next_cursor: z.string().nullable() }) } } },
    ...problemResponses(400, 401, 403),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/threads/{id}',
  tags: ['ask'],
  summary: 'One thread with its messages in order',
  middleware: [requireScope('read')] as const,
  request: { params: IdParams },
  responses: {
    200: { description: 'The thread', content: { 'application/json': { schema: ThreadSchema.extend({ messages_list: z.array(MessageSchema) }) } } },
    ...problemResponses(401, 403, 404),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/threads/{id}',
  tags: ['ask'],
  summary: 'Delete a thread and its messages',
  middleware: [requireScope('write')] as const,
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404) },
});

export function registerThreadRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(listRoute, async (c) => c.json(await listThreads(deps.db, authOf(c).workspaceId, c.req.valid('query')), 200));
  app.openapi(getRoute, async (c) => c.json((await getThreadWithMessages(deps.db, authOf(c).workspaceId, c.req.valid('param').id)) as never, 200));
  app.openapi(deleteRoute, async (c) => {
    const auth = authOf(c);
    await removeThread(deps.db, { workspaceId: auth.workspaceId, id: c.req.valid('param').id, actor: auth.keyId, requestId: c.get('requestId' as never) });
    return c.body(null, 204);
  });
}
