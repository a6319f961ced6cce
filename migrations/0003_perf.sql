-- Incremental finalize and faster reads.
--
-- Each item's nearest neighbours in a run (the K nearest other items of the run with a vector of `model`, nearest
-- first, whatever their similarity) and the copies the engine's duplicate rule confirmed inside that neighbourhood
-- (`pairs`: copy uid, kept uid, copy uid, kept uid …). A later run of the same strategy version and scorer copies
-- the rows of items whose neighbourhood cannot have changed (the item and its neighbours unchanged, no changed item
-- now closer than the K-th neighbour) instead of searching and deciding them again.
-- No foreign key to scoring_runs: its per-row check cost a run ~40 ms per 10k rows, and rows are only written by
-- finalize for the run it is finalizing.
CREATE TABLE run_neighbours (
  run_id      text NOT NULL,
  item_uid    text NOT NULL,
  model       text NOT NULL,
  neighbours  text[] NOT NULL,
  distances   double precision[] NOT NULL,
  pairs       text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, item_uid)
);

-- An item's children (the items whose parent_id is its id): run planning and scoring read them for every item.
CREATE INDEX items_workspace_parent ON items (workspace_id, parent_id) WHERE deleted_at IS NULL AND parent_id IS NOT NULL;

-- The latest finished run of a workspace, read by every GET of results.
CREATE INDEX scoring_runs_finished ON scoring_runs (workspace_id, finished_at DESC, id DESC) WHERE status = 'finished' AND NOT dry_run;

-- Feedback counts per workspace and verdict come from the index alone.
CREATE INDEX suggestion_feedback_verdict ON suggestion_feedback (workspace_id, verdict);
