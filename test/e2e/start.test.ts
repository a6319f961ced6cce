// `npm start` on the embedded default, as a new user runs it: first start creates the default workspace and prints
// a key once; the README's walk-through works with that key; a restart keeps the data and prints no new key.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type Served } from '../helpers/serve-process.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'bearing-start-'));
const running: ChildProcess[] = [];

async function start(): Promise<Served> {
  const served = await startServe({ BEARING_DATA_DIR: dataDir });
  running.push(served.proc);
  return served;
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((ok) => {
    proc.once('exit', (code) => ok(code));
    proc.kill('SIGTERM');
  });
}

afterAll(() => running.forEach((p) => p.kill('SIGKILL')));

describe('npm start (embedded)', () => {
  it('first start prints a key; the walk-through works; restart keeps data', async () => {
    const first = await start();
    const key = /export BEARING_KEY=(brg_\S+)/.exec(first.out)?.[1];
    expect(key, first.out).toBeDefined();
    expect(readFileSync(join(dataDir, 'default-api-key'), 'utf8').trim()).toBe(key);
    const auth = { authorization: `Bearer ${key}` };

    const docs = await fetch(`${first.url}/docs`);
    expect(docs.status).toBe(200);
    expect((await fetch(`${first.url}/docs/scalar.js`)).status).toBe(200);

    const strategy = readFileSync(join(ROOT, 'examples/strategy.md'), 'utf8');
    const put = await fetch(`${first.url}/v1/strategy`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/markdown' }, body: strategy });
    expect(put.status).toBe(201);
    const backlog = JSON.parse(readFileSync(join(ROOT, 'examples/backlog.json'), 'utf8'));
    const post = await fetch(`${first.url}/v1/items:batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ items: backlog }) });
    expect(post.status).toBe(200);
    expect(((await post.json()) as any).created).toBe(backlog.length);
    expect(await stop(first.proc)).toBe(0);

    const second = await start();
    expect(second.out).not.toContain('export BEARING_KEY=brg_'); // no new key
    expect(second.out).toContain('default-api-key');
    const item = await fetch(`${second.url}/v1/items/PAY-101`, { headers: auth });
    expect(item.status).toBe(200);
    expect(((await item.json()) as any).team).toBe('Checkout');
    expect((await fetch(`${second.url}/v1/strategy`, { headers: auth })).status).toBe(200);
    expect(await stop(second.proc)).toBe(0);
  }, 120_000);
});
