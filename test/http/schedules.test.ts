// The nightly schedule: set, read, replace, delete; field-level validation; and 503 + Retry-After with nothing
// written while the job queue is unreachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/deps.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;

describe('/v1/schedules with a reachable queue', () => {
  let env: Awaited<ReturnType<typeof setupApp>>;
  let c: TestClient;
  beforeAll(async () => {
    env = await setupApp({}, { jobs: true });
    c = await env.clientFor(uniqueName('sched'));
  });
  afterAll(() => env.close());

  it('404 before a schedule is set', async () => {
    const r = await c.request('GET', '/v1/schedules');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('creates (201), reads, and replaces (200) the schedule', async () => {
    const put = await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } });
    expect(put.status).toBe(201);
    expect(await json(put)).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    expect(await json(await c.request('GET', '/v1/schedules'))).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    const again = await c.request('PUT', '/v1/schedules', { body: { cron: '30 2 * * 1-5', timezone: 'America/New_York' } });
    expect(again.status).toBe(200);
    const got = await json(await c.request('GET', '/v1/schedules'));
    expect(got).toMatchObject({ cron: '30 2 * * 1-5', timezone: 'America/New_York' });
    expect(Date.parse(got.updated_at)).not.toBeNaN();
  });

  it('names the field of a bad cron pattern or time zone (400) and keeps the schedule', async () => {
    const cron = await c.request('PUT', '/v1/schedules', { body: { cron: 'every night', timezone: 'UTC' } });
    expect(cron.status).toBe(400);
    expect((await json(cron)).errors.map((e: any) => e.location)).toEqual(['body.cron']);
    const zone = await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'Mars/Olympus_Mons' } });
    expect(zone.status).toBe(400);
    const zoneBody = await json(zone);
    expect(zoneBody.errors).toEqual([{ location: 'body.timezone', message: expect.stringContaining('Mars/Olympus_Mons') }]);
    const both = await c.request('PUT', '/v1/schedules', { body: { cron: '99 99 * * *', timezone: 'Nowhere' } });
    expect((await json(both)).errors.map((e: any) => e.location)).toEqual(['body.cron', 'body.timezone']);
    const missing = await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *' } });
    expect(missing.status).toBe(400);
    expect((await json(missing)).errors[0].location).toBe('body.timezone');
    expect((await json(await c.request('GET', '/v1/schedules'))).cron).toBe('30 2 * * 1-5');
  });

  it('deletes (204), then 404', async () => {
    expect((await c.request('DELETE', '/v1/schedules')).status).toBe(204);
    expect((await c.request('GET', '/v1/schedules')).status).toBe(404);
    expect((await c.request('DELETE', '/v1/schedules')).status).toBe(404);
  });
});

describe('/v1/schedules with the queue down', () => {
  const calls: string[] = [];
  let up = false;
  let failUpsert = false;
  const queue: JobQueue = {
    kind: 'bullmq',
    add: async () => undefined,
    addFlow: async () => undefined,
    ping: async () => up,
    upsertSchedule: async (ws) => {
      calls.push(`upsert ${ws}`);
      if (failUpsert) throw new Error('Connection is closed.');
    },
    removeSchedule: async (ws) => {
      calls.push(`remove ${ws}`);
    },
    close: async () => undefined,
  };
  let env: Awaited<ReturnType<typeof setupApp>>;
  let c: TestClient;
  beforeAll(async () => {
    env = await setupApp({ jobs: { queue, kick: () => undefined } });
    c = await env.clientFor(uniqueName('sched-down'));
  });
  afterAll(() => env.close());

  async function expectUnavailable(r: Response) {
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.headers.get('retry-after')).toBe('30');
    expect((await json(r)).code).toBe('service_unavailable');
  }

  it('answers 503 with Retry-After when ping fails, and writes nothing', async () => {
    await expectUnavailable(await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'UTC' } }));
    expect(calls).toEqual([]);
    expect((await c.request('GET', '/v1/schedules')).status).toBe(404); // reads never need the queue
  });

  it('answers 503 when the queue fails the call, and writes nothing', async () => {
    up = true;
    failUpsert = true;
    await expectUnavailable(await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'UTC' } }));
    expect((await c.request('GET', '/v1/schedules')).status).toBe(404);
  });

  it('writes once the queue is back; a delete while it is down keeps the schedule', async () => {
    failUpsert = false;
    expect((await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'UTC' } })).status).toBe(201);
    up = false;
    await expectUnavailable(await c.request('DELETE', '/v1/schedules'));
    expect((await c.request('GET', '/v1/schedules')).status).toBe(200);
    expect(calls.filter((x) => x.startsWith('remove'))).toEqual([]);
  });

  it('validates before it looks at the queue', async () => {
    const r = await c.request('PUT', '/v1/schedules', { body: { cron: 'nope', timezone: 'UTC' } });
    expect(r.status).toBe(400);
  });
});

describe('/v1/schedules without any job queue', () => {
  let env: Awaited<ReturnType<typeof setupApp>>;
  beforeAll(async () => {
    env = await setupApp();
  });
  afterAll(() => env.close());

  it('answers 503 to writes and still serves reads', async () => {
    const c = await env.clientFor(uniqueName('sched-none'));
    const r = await c.request('PUT', '/v1/schedules', { body: { cron: '0 3 * * *', timezone: 'UTC' } });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('30');
    expect((await c.request('GET', '/v1/schedules')).status).toBe(404);
  });
});
