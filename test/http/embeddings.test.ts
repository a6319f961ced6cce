// With no provider configured, the `embed` job that ingest enqueues fills pgvector with the deterministic embedder's vectors (model and
// dimensions recorded per row), and nearest-neighbour search over them finds related text.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeterministicEmbedder, DETERMINISTIC_MODEL } from '../../src/adapters/embeddings/deterministic.ts';
import { setupApp, uniqueName, type TestClient } from '../helpers/harness.ts';

const STRATEGY = readFileSync(new URL('../fixtures/api/strategy.json', import.meta.url), 'utf8');
const ITEMS = JSON.parse(readFileSync(new URL('../fixtures/api/items.json', import.meta.url), 'utf8'));

let env: Awaited<ReturnType<typeof setupApp>>;
let c: TestClient;
beforeAll(async () => {
  env = await setupApp({ embedder: await createDeterministicEmbedder() }, { jobs: true });
  c = await env.clientFor(uniqueName('embed'));
});
afterAll(() => env.close());

const rows = (kind: string) =>
  env.db.query<{ owner_id: string; model: string; dims: number; content_hash: string }>(
    'SELECT owner_id, model, dims, content_hash FROM embeddings WHERE workspace_id = $1 AND owner_kind = $2 ORDER BY owner_id',
    [c.workspace.id, kind],
  );

describe('embeddings on ingest', () => {
  it('embeds every item and passage once, with model and dimensions', async () => {
    await c.request('PUT', '/v1/strategy', { raw: STRATEGY, headers: { 'content-type': 'application/json' } });
    await c.request('POST', '/v1/items:batch', { body: { items: ITEMS } });
    await env.settle(); // the `embed` job runs in the background
    const items = await rows('item');
    expect(items.rows).toHaveLength(ITEMS.length);
    expect(items.rows.every((r) => r.model === DETERMINISTIC_MODEL && r.dims === 100)).toBe(true);
    const passages = await rows('passage');
    expect(passages.rows.length).toBeGreaterThanOrEqual(5);
    expect(passages.rows.every((r) => r.owner_id.startsWith('v1:'))).toBe(true);
  });

  it('re-embeds only the item whose text changed', async () => {
    const before = await rows('item');
    const changed = ITEMS.map((it: any) => (it.id === 'TBL-2' ? { ...it, title: 'SMS and push reminder before the booking' } : it));
    await c.request('POST', '/v1/items:batch', { body: { items: changed } });
    await env.settle();
    const after = await rows('item');
    const diff = after.rows.filter((r, i) => r.content_hash !== before.rows[i]!.content_hash);
    expect(diff).toHaveLength(1);
  });

  it('nearest passage to an item comes through the HNSW index (cosine)', async () => {
    const r = await env.db.query<{ owner_id: string }>(
      `SELECT p.owner_id FROM embeddings i JOIN items it ON it.uid = i.owner_id
         JOIN embeddings p ON p.workspace_id = i.workspace_id AND p.owner_kind = 'passage' AND p.model = i.model AND p.dims = 100
        WHERE i.workspace_id = $1 AND i.owner_kind = 'item' AND i.dims = 100 AND it.external_id = 'TBL-1'
        ORDER BY p.embedding::vector(100) <=> i.embedding::vector(100) LIMIT 1`,
      [c.workspace.id],
    );
    // "One-tap rebook button" sits nearest to the rebooking objective or its key results, not the no-show one.
    expect(r.rows[0]!.owner_id).toMatch(/^v1:(kr:G1\.KR1|obj:G1)/);
  });
});
