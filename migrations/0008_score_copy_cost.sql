-- A nightly run copies every unchanged item's score row into the run (10,000 rows at 10k items). Two things made
-- each copied row cost more than the row itself:
--   - the foreign keys to items and scoring_runs: a per-row trigger and index probe each, ~100 ms per 10k rows.
--     Score rows are only written by the workers, for the run they are working on and items they just read; items
--     are soft-deleted and runs are never deleted, so neither key can be violated by Bearing (as for run_neighbours
--     in 0003).
--   - two indexes leading with (workspace_id, item_uid): item_scores_item serves an item's rows newest first (its
--     history, and the score jobs' "latest earlier score" walks), which is all item_scores_reuse was used for.
ALTER TABLE item_scores DROP CONSTRAINT IF EXISTS item_scores_item_uid_fkey;
ALTER TABLE item_scores DROP CONSTRAINT IF EXISTS item_scores_run_id_fkey;
DROP INDEX IF EXISTS item_scores_reuse;
