// Stop suggestions of finished runs (filters, pagination) and feedback: a rejected suggestion stays hidden from
// later runs until the item changes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEY_CACHE_MS } from '../../src/http/auth.ts';
import { revokeWorkspaceKey } from '../../src/pipeline/keys.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';
import { ITEMS, runToEnd, seed, sendItems, withChange } from '../fixtures/api/logistics.ts';

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
let run1: any;

const json = async <T = any>(r: Response): Promise<T> => (await r.json()) as T;
const stops = async (query = '') => json(await c.request('GET', `/v1/suggestions/stop${query}`));
const ids = (page: any): string[] => page.suggestions.map((s: any) => s.id);

beforeAll(async () => {
  env = await setupApp({}, { jobs: true });
  c = await env.clientFor(uniqueName('suggest'));
  await seed(c);
});
afterAll(() => env.close());

describe('GET /v1/suggestions/stop', () => {
  it('404 until a run has finished', async () => {
    const r = await c.request('GET', '/v1/suggestions/stop');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    run1 = await runToEnd(c, env.settle);
  });

  it("lists the latest run's suggestions best first with the contract's fields", async () => {
    const page = await stops();
    expect(page.run_id).toBe(run1.id);
    expect(page.feedback).toEqual({ accepted: 0, rejected: 0, snoozed: 0 });
    expect(page.suggestions.map((s: any) => s.rank)).toEqual(page.suggestions.map((_: unknown, i: number) => i + 1));
    expect(page.suggestions.length).toBe(run1.counts.suggestions);
    const vans = page.suggestions.find((s: any) => s.id === 'LF-6');
    expect(vans).toMatchObject({ action: 'stop', capacity_points: 13, team: 'Network', title: 'Own-brand last-mile van fleet pilot', run_id: run1.id });
    expect(vans.reasons.join(' ')).toContain('NG2');
    expect(vans.suggestion_id).toMatch(/^sug_/);
    expect(vans.confidence).toBeGreaterThan(0);
    expect(ids(page)).toEqual(expect.arrayContaining(['LF-7', 'LF-8', 'LF-14', 'CARE-12']));
    // Reliability work is never suggested to stop; nor is aligned work.
    expect(ids(page)).not.toContain('LF-9');
    expect(ids(page)).not.toContain('LF-10');
    expect(ids(page)).not.toContain('LF-1');
  });

  it('filters by action, team and confidence', async () => {
    const merge = await stops('?action=merge');
    expect(merge.suggestions.map((s: any) => [s.id, s.action])).toEqual([['CARE-12', 'merge']]);
    const ops = await stops('?team=Ops');
    expect(ids(ops).sort()).toEqual(['LF-7', 'LF-8']);
    const all = await stops();
    const sure = await stops('?min_confidence=0.8');
    expect(sure.suggestions.every((s: any) => s.confidence >= 0.8)).toBe(true);
    expect(ids(sure)).toEqual(ids(all).filter((_, i) => all.suggestions[i].confidence >= 0.8));
    expect((await c.request('GET', '/v1/suggestions/stop?action=delete')).status).toBe(400);
    expect((await c.request('GET', '/v1/suggestions/stop?min_confidence=2')).status).toBe(400);
  });

  it('pages by rank through every suggestion once, filters included', async () => {
    for (const filter of ['', '&team=Marketing']) {
      const all = await stops(`?limit=200${filter}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await stops(`?limit=2${filter}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.suggestions.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual(ids(all));
    }
    expect((await c.request('GET', '/v1/suggestions/stop?cursor=garbage')).status).toBe(400);
  });

  it('reads a given run, refuses dry and unknown runs', async () => {
    expect((await stops(`?run_id=${run1.id}`)).run_id).toBe(run1.id);
    const dry = await runToEnd(c, env.settle, { dry_run: true });
    const r = await c.request('GET', `/v1/suggestions/stop?run_id=${dry.id}`);
    expect(r.status).toBe(409);
    expect((await json(r)).detail).toContain('dry run');
    expect((await c.request('GET', '/v1/suggestions/stop?run_id=run_nope')).status).toBe(404);
    // The latest finished run is still the real one.
    expect((await stops()).run_id).toBe(run1.id);
  });
});

describe('POST /v1/suggestions/{id}/feedback', () => {
  it('stores feedback (201) and counts it', async () => {
    const sug = (await stops()).suggestions.find((s: any) => s.id === 'LF-15');
    const r = await c.request('POST', `/v1/suggestions/${sug.suggestion_id}/feedback`, { body: { verdict: 'accepted', note: 'Agreed: logo can wait.' } });
    expect(r.status).toBe(201);
    expect(await json(r)).toMatchObject({ suggestion_id: sug.suggestion_id, item_id: 'LF-15', verdict: 'accepted', note: 'Agreed: logo can wait.', strategy_version: 1 });
    expect((await stops()).feedback).toEqual({ accepted: 1, rejected: 0, snoozed: 0 });
  });

  it('a rejected suggestion is not made again until the item changes', async () => {
    const sug = (await stops()).suggestions.find((s: any) => s.id === 'LF-7');
    const r = await c.request('POST', `/v1/suggestions/${sug.suggestion_id}/feedback`, { body: { verdict: 'rejected', note: 'The board needs it.' } });
    expect(r.status).toBe(201);

    const unchanged = await runToEnd(c, env.settle);
    const after = await stops();
    expect(after.run_id).toBe(unchanged.id);
    expect(ids(after)).not.toContain('LF-7');
    expect(ids(after)).toContain('LF-8'); // others are still suggested
    expect(after.suggestions.map((s: any) => s.rank)).toEqual(after.suggestions.map((_: unknown, i: number) => i + 1));

    await sendItems(c, withChange(ITEMS, 'LF-7', { description: 'Every Monday copy the depot numbers into the slides for the board meeting.' }));
    const changed = await runToEnd(c, env.settle);
    const again = await stops();
    expect(again.run_id).toBe(changed.id);
    expect(ids(again)).toContain('LF-7');
  });

  it('validates the verdict and the note, and 404s an unknown suggestion', async () => {
    const sug = (await stops()).suggestions[0];
    const bad = await c.request('POST', `/v1/suggestions/${sug.suggestion_id}/feedback`, { body: { verdict: 'maybe' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].location).toBe('body.verdict');
    const long = await c.request('POST', `/v1/suggestions/${sug.suggestion_id}/feedback`, { body: { verdict: 'snoozed', note: 'x'.repeat(2001) } });
    expect(long.status).toBe(400);
    expect((await json(long)).errors[0].location).toBe('body.note');
    expect((await c.request('POST', '/v1/suggestions/sug_nope/feedback', { body: { verdict: 'accepted' } })).status).toBe(404);
  });
});

describe('GET /v1/suggestions/feedback', () => {
  it('counts per verdict and lists the latest entries first', async () => {
    const sug = (await stops()).suggestions.find((s: any) => s.id === 'LF-14');
    expect((await c.request('POST', `/v1/suggestions/${sug.suggestion_id}/feedback`, { body: { verdict: 'snoozed' } })).status).toBe(201);
    const f = await json(await c.request('GET', '/v1/suggestions/feedback'));
    expect(f.counts).toEqual({ accepted: 1, rejected: 1, snoozed: 1 });
    expect(f.latest.map((e: any) => [e.item_id, e.verdict])).toEqual([
      ['LF-14', 'snoozed'],
      ['LF-7', 'rejected'],
      ['LF-15', 'accepted'],
    ]);
    expect(f.latest[1]).toMatchObject({ note: 'The board needs it.', title: 'Weekly status deck for the board', action: 'stop', source: 'jira' });
    // Another workspace sees none of it.
    const other = await env.clientFor(uniqueName('suggest-other'));
    expect(await json(await other.request('GET', '/v1/suggestions/feedback'))).toEqual({ counts: { accepted: 0, rejected: 0, snoozed: 0 }, latest: [] });
  });
});

// The read path authenticates from a short-lived per-process key cache (src/http/auth.ts): a key revoked through this
// API is refused at once (test/http/auth-matrix.test.ts); revoked by another process (the CLI), within KEY_CACHE_MS.
describe('key cache on the read path', () => {
  it('refuses a key revoked elsewhere once its cache entry expires, and records use once a minute', async () => {
    const reader = await env.clientFor(uniqueName('suggest-cache'), ['read']);
    const keyRow = async () =>
      (await env.db.query<{ id: string; last_used_at: Date | null }>('SELECT id, last_used_at FROM api_keys WHERE workspace_id = $1', [reader.workspace.id])).rows[0]!;
    let now = Date.now(); // the cache's clock, moved by hand: nothing here depends on how long a step takes
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      expect((await reader.request('GET', '/v1/suggestions/stop')).status).toBe(404); // authenticated, no run there
      const used = (await keyRow()).last_used_at;
      expect(used).not.toBeNull();
      await env.db.query(`UPDATE api_keys SET last_used_at = now() - interval '1 hour' WHERE id = $1`, [(await keyRow()).id]);
      expect((await reader.request('GET', '/v1/suggestions/stop')).status).toBe(404);
      expect((await keyRow()).last_used_at!.getTime()).toBeLessThan(used!.getTime()); // not touched again within the minute
      await revokeWorkspaceKey(env.db, reader.workspace.id, (await keyRow()).id, 'cli');
      expect((await reader.request('GET', '/v1/suggestions/stop')).status).toBe(404); // still cached in this process
      now += KEY_CACHE_MS + 1;
      const r = await reader.request('GET', '/v1/suggestions/stop');
      expect(r.status).toBe(401);
      expect(((await r.json()) as { detail: string }).detail).toBe('this API key was revoked');
    } finally {
      clock.mockRestore();
    }
  });
});
