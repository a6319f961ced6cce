-- Incremental scoring runs. A score row records what it was computed from (`input_hash`: the item's content and its
-- parent's), and the engine's result before cross-item decisions (`base`: score + stop candidate), so a later run can
-- reuse it without work and finalize can re-decide duplicates. `points` is the estimate the row was scored with.
ALTER TABLE item_scores ADD COLUMN input_hash text NOT NULL DEFAULT '';
ALTER TABLE item_scores ADD COLUMN base jsonb;
ALTER TABLE item_scores ADD COLUMN stop_candidate jsonb;
ALTER TABLE item_scores ADD COLUMN points double precision;
ALTER TABLE item_scores ADD COLUMN team text;
CREATE INDEX item_scores_reuse ON item_scores (workspace_id, item_uid, strategy_version, scorer, created_at DESC);
CREATE INDEX item_scores_run ON item_scores (run_id, item_uid);

-- The run's "today" (staleness is relative to it) and when its work was enqueued.
ALTER TABLE scoring_runs ADD COLUMN now timestamptz NOT NULL DEFAULT now();

-- Suggestions remember the item version they were made for (feedback suppresses them until it changes).
ALTER TABLE stop_suggestions ADD COLUMN item_content_hash text NOT NULL DEFAULT '';
ALTER TABLE stop_suggestions ADD COLUMN strategy_version integer NOT NULL DEFAULT 0;
ALTER TABLE stop_suggestions ADD COLUMN team text;

-- Sweeps over a workspace's items in uid order (runs, embedding) read this index instead of the whole table.
CREATE INDEX items_workspace_uid ON items (workspace_id, uid);
