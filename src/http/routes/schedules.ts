// The workspace's nightly scoring schedule (cron pattern + IANA time zone).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { deleteSchedule, getScheduleView, putSchedule, QUEUE_RETRY_AFTER_S } from '../../pipeline/schedules.ts';
import { authOf, requireScope } from '../auth.ts';
import { accepts } from '../middleware.ts';
import { problemResponses, ScheduleSchema } from '../schemas.ts';

const unavailable = {
  description: `The job queue is unreachable; nothing was changed. Retry after the Retry-After seconds (${QUEUE_RETRY_AFTER_S}).`,
  headers: { 'Retry-After': { schema: { type: 'integer' as const } } },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const scheduleResponse = (description: string) => ({ description, content: { 'application/json': { schema: ScheduleSchema } } });

const putRoute = createRoute({
  method: 'put',
  path: '/v1/schedules',
  tags: ['schedules'],
  summary: 'Set the nightly scoring schedule (replaces the current one)',
  description:
    'Each firing starts a full scoring run (one per local day). `cron` is a 5-field pattern (minute hour day-of-month month ' +
    'day-of-week), e.g. `0 3 * * *` for 03:00 every day, or 6 fields with seconds first; `timezone` is an IANA zone such as ' +
    '`Europe/Berlin`. A bad pattern or zone is a 400 naming the field.',
  middleware: [requireScope('write'), accepts('application/json')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              cron: z.string().min(1).max(200).openapi({ example: '0 3 * * *' }),
              timezone: z.string().min(1).max(100).openapi({ example: 'Europe/Berlin' }),
            })
            .openapi('ScheduleRequest'),
        },
      },
    },
  },
  responses: {
    200: scheduleResponse('The schedule replaced the previous one'),
    201: scheduleResponse('The schedule was created'),
    ...problemResponses(400, 401, 403, 413, 415),
    503: unavailable,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/schedules',
  tags: ['schedules'],
  summary: 'The nightly scoring schedule',
  middleware: [requireScope('read')] as const,
  responses: { 200: scheduleResponse('The schedule'), ...problemResponses(401, 403, 404) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/schedules',
  tags: ['schedules'],
  summary: 'Stop nightly scoring runs',
  middleware: [requireScope('write')] as const,
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404), 503: unavailable },
});

export function registerScheduleRoutes(app: OpenAPIHono, deps: Deps): void {
  app.openapi(putRoute, async (c) => {
    const auth = authOf(c);
    const body = c.req.valid('json');
    const { schedule, created } = await putSchedule(deps, {
      workspaceId: auth.workspaceId,
      cron: body.cron,
      timezone: body.timezone,
      actor: auth.keyId,
      requestId: c.get('requestId' as never),
    });
    return c.json(schedule, created ? 201 : 200);
  });

  app.openapi(getRoute, async (c) => c.json(await getScheduleView(deps.db, authOf(c).workspaceId), 200));

  app.openapi(deleteRoute, async (c) => {
    const auth = authOf(c);
    await deleteSchedule(deps, { workspaceId: auth.workspaceId, actor: auth.keyId, requestId: c.get('requestId' as never) });
    return c.body(null, 204);
  });
}
