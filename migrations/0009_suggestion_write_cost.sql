-- Every finished run writes its ranked stop suggestions (~1,000 at 10k items). As for item_scores (0008), their
-- foreign keys to items and scoring_runs cost a per-row trigger and index probe each, and cannot be violated by
-- Bearing: suggestions are written only by finalize, for its own run and items it just read; items are soft-deleted
-- and runs never deleted. (Feedback keeps its key to the suggestion it is about.)
ALTER TABLE stop_suggestions DROP CONSTRAINT IF EXISTS stop_suggestions_run_id_fkey;
ALTER TABLE stop_suggestions DROP CONSTRAINT IF EXISTS stop_suggestions_item_uid_fkey;
