-- A neighbourhood keeps a few more than the K nearest items it decides copies among (finalize.ts NEIGHBOUR_DEPTH), and
-- its horizon: the furthest of them at search time (distance, then uid for ties), or NULL when every other item of
-- the run was listed. Every item at least as close as the horizon is listed, so when a neighbour changes or goes,
-- the next run still knows the K nearest from the list alone (a list of exactly K had to be searched again: ~200
-- HNSW searches per nightly run at 10k items with 1% changed).
-- Neighbourhoods are a cache (0010): the rows stored before this, K long and without a horizon, are dropped, and the
-- next run searches every item once.
DELETE FROM run_neighbours;
ALTER TABLE run_neighbours ADD COLUMN horizon double precision;
ALTER TABLE run_neighbours ADD COLUMN horizon_uid text;
