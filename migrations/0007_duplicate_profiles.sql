-- Duplicate detection reads, per item, what the engine's duplicate rule needs (its profile: stems and weights,
-- sentence vector, status, parent, title, source, team, creation time), kept per content version so a run decides a
-- changed item's candidate pairs without analysing the unchanged ones again. The rule weighs words by how rare they
-- are in the backlog: a run takes a snapshot of those statistics (`term_stats`), and the runs that carry its
-- neighbourhoods decide new pairs under the same snapshot until a quarter of the items changed since it was taken.
CREATE TABLE item_profiles (
  item_uid      text PRIMARY KEY,
  workspace_id  text NOT NULL,
  content_hash  text NOT NULL,
  -- what keepFirst reads (the copy a group keeps)
  external_id   text NOT NULL,
  status        text NOT NULL,
  created_ms    double precision,
  -- the stems alone, for the term statistics computed in SQL
  stems         text[] NOT NULL,
  -- the whole profile as JSON text: one JSON.parse per item when pairs are decided
  profile       text NOT NULL
);

CREATE TABLE term_stats (
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL,
  n             integer NOT NULL,
  df            jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The snapshot a run decided its pairs under, and how many items changed since it was taken.
ALTER TABLE scoring_runs ADD COLUMN term_stats_id text, ADD COLUMN changed_since_stats integer;

-- Same columns as the primary key: every score row paid for a second index.
DROP INDEX item_scores_run;
