// Embeddings from the provider: model and dimensions per row, passage retrieval through pgvector (HNSW, cosine),
// and switching the embedding model — items are re-embedded lazily as runs reach them, vectors of two models are
// never compared, and the judge's cached verdicts stay valid (they do not depend on the embedding model).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestPassages, nearestPassagesSql } from '../../src/adapters/db/embeddings.ts';
import { INDEXED_EMBEDDING_DIMENSIONS } from '../../src/config.ts';
import { ITEMS, runToEnd, seed, sendItems, withChange } from '../fixtures/api/logistics.ts';
import { countCalls, runScores, setupAi, type AiEnv } from './helpers.ts';

let env: AiEnv;
beforeAll(async () => {
  env = await setupAi({ embeddingModel: 'fake-embed-384' });
});
afterAll(() => env.close());

async function vectors(workspaceId: string) {
  const r = await env.db.query<{ model: string; dims: number; owner_kind: string; n: number }>(
    `SELECT model, dims, owner_kind, count(*)::int AS n FROM embeddings WHERE workspace_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 3`,
    [workspaceId],
  );
  return r.rows;
}

async function uidOf(workspaceId: string, id: string): Promise<string> {
  const r = await env.db.query<{ uid: string }>('SELECT uid FROM items WHERE workspace_id = $1 AND external_id = $2', [workspaceId, id]);
  return r.rows[0]!.uid;
}

describe('vector indexes', () => {
  it('every vector length the configuration accepts has an HNSW index for items and one for passages', async () => {
    const r = await env.db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings'`);
    const names = new Set(r.rows.map((x) => x.indexname));
    for (const d of INDEXED_EMBEDDING_DIMENSIONS) {
      expect(names.has(`embeddings_hnsw_${d}`)).toBe(true);
      expect(names.has(`embeddings_passage_hnsw_${d}`)).toBe(true);
    }
  });
});

describe('passage retrieval', () => {
  it('finds the passages nearest an item by cosine distance, within one model and strategy version', async () => {
    const c = await env.client();
    await seed(c);
    await env.settle();
    expect(await vectors(c.workspace.id)).toEqual([
      { model: 'fake-embed-384', dims: 384, owner_kind: 'item', n: ITEMS.length },
      { model: 'fake-embed-384', dims: 384, owner_kind: 'passage', n: expect.any(Number) },
    ]);
    const uid = await uidOf(c.workspace.id, 'LF-4'); // "Live tracking link SMS to the consignee …"
    const hits = await nearestPassages(env.db, { workspaceId: c.workspace.id, version: 1, model: 'fake-embed-384', dims: 384, itemUids: [uid], k: 3 });
    expect(hits.get(uid)!.map((h) => h.passage_id)).toContain('kr:L2.KR1');
    const d = hits.get(uid)!.map((h) => h.distance);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    // Another model's vectors are never compared: no vector of that model, no neighbours.
    const other = await nearestPassages(env.db, { workspaceId: c.workspace.id, version: 1, model: 'fake-embed-64', dims: 64, itemUids: [uid], k: 3 });
    expect(other.size).toBe(0);
    // Another strategy version's passages are not candidates.
    const v2 = await nearestPassages(env.db, { workspaceId: c.workspace.id, version: 2, model: 'fake-embed-384', dims: 384, itemUids: [uid], k: 3 });
    expect(v2.size).toBe(0);
  });

  it('the query can use the passage HNSW index of its dimension (cosine)', async () => {
    const plan = await env.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      await tx.query('SET LOCAL enable_sort = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${nearestPassagesSql(384, 4)}`, ['w', 'm', ['x'], 'v1:', 4]);
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('embeddings_passage_hnsw_384');
  });
});

describe('switching the embedding model', () => {
  it('re-embeds lazily during the next run, keeps the old rows apart, and needs no judge calls for unchanged items', async () => {
    const c = await env.client();
    await seed(c);
    await env.settle();
    await runToEnd(c, env.settle);

    env.useModel('fake-embed-64');
    try {
      const uid = await uidOf(c.workspace.id, 'LF-4');
      const before = await nearestPassages(env.db, { workspaceId: c.workspace.id, version: 1, model: 'fake-embed-64', dims: 64, itemUids: [uid], k: 3 });
      expect(before.size).toBe(0); // nothing of the new model yet, and nothing borrowed from the old one

      const second = await countCalls(env.server, () => runToEnd(c, env.settle));
      expect(second.chat).toBe(0); // unchanged items: their judged scores are reused
      expect(second.embeddings).toBeGreaterThan(0);
      expect(await vectors(c.workspace.id)).toEqual([
        { model: 'fake-embed-384', dims: 384, owner_kind: 'item', n: ITEMS.length },
        { model: 'fake-embed-384', dims: 384, owner_kind: 'passage', n: expect.any(Number) },
        { model: 'fake-embed-64', dims: 64, owner_kind: 'item', n: ITEMS.length },
        { model: 'fake-embed-64', dims: 64, owner_kind: 'passage', n: expect.any(Number) },
      ]);
      const after = await nearestPassages(env.db, { workspaceId: c.workspace.id, version: 1, model: 'fake-embed-64', dims: 64, itemUids: [uid], k: 3 });
      expect(after.get(uid)!.length).toBe(3);

      // A changed item is judged with passages retrieved through the new model's vectors.
      await sendItems(c, withChange(ITEMS, 'LF-13', { title: 'Customs pre-clearance for every border crossing' }));
      await env.settle();
      const third = await countCalls(env.server, () => runToEnd(c, env.settle));
      expect(third.chat).toBe(1);
      const row = (await runScores(env, third.result.id)).find((r) => r.external_id === 'LF-13')!;
      expect(row.provenance).toMatchObject({ retrieval: 'pgvector', embedding_model: 'fake-embed-64' });
    } finally {
      env.useModel('fake-embed-384');
    }
  });
});
