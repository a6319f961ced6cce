-- Bearing schema v1: the whole product's tables. Every row that belongs to a customer carries workspace_id, and
-- every query filters on it (isolation is enforced in the SQL layer, src/adapters/db/*).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE workspaces (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- API keys: only a SHA-256 of the secret is stored; `prefix` is the visible start of the key for listings.
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces(id),
  name          text NOT NULL DEFAULT '',
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  scopes        text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

-- Each strategy upload is a new version; the highest version is the active one.
CREATE TABLE strategy_versions (
  workspace_id  text NOT NULL REFERENCES workspaces(id),
  version       integer NOT NULL,
  format        text NOT NULL CHECK (format IN ('json', 'markdown')),
  raw           text NOT NULL,
  parsed        jsonb NOT NULL,
  warnings      jsonb NOT NULL DEFAULT '[]',
  content_hash  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, version)
);

-- Strategy text chunked for retrieval and citation (one row per passage of a version).
CREATE TABLE strategy_passages (
  workspace_id  text NOT NULL,
  version       integer NOT NULL,
  passage_id    text NOT NULL,
  kind          text NOT NULL,
  ref_id        text,
  objective_id  text,
  text          text NOT NULL,
  PRIMARY KEY (workspace_id, version, passage_id),
  FOREIGN KEY (workspace_id, version) REFERENCES strategy_versions (workspace_id, version)
);

-- Backlog items, unique per workspace + source + external id. `content_hash` covers every field that can change a
-- score, so re-sending an unchanged item is a no-op and incremental runs can skip it.
CREATE TABLE items (
  uid            text PRIMARY KEY,
  workspace_id   text NOT NULL REFERENCES workspaces(id),
  source         text NOT NULL DEFAULT '',
  external_id    text NOT NULL,
  title          text NOT NULL,
  description    text,
  type           text,
  status         text,
  team           text,
  assignee       text,
  estimate_points double precision,
  labels         text[] NOT NULL DEFAULT '{}',
  parent_id      text,
  src_created_at timestamptz,
  src_updated_at timestamptz,
  content_hash   text NOT NULL,
  revision       integer NOT NULL DEFAULT 1,
  ingested_at    timestamptz NOT NULL DEFAULT now(),
  changed_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,
  UNIQUE (workspace_id, source, external_id)
);
CREATE INDEX items_workspace_external ON items (workspace_id, external_id);
CREATE INDEX items_workspace_changed ON items (workspace_id, changed_at, uid);
CREATE INDEX items_workspace_team ON items (workspace_id, team);

-- Embeddings of items and strategy passages. Model and dimensions are recorded per row: vectors of different models
-- are never compared. One partial HNSW index per common dimension (queries cast both sides to use it).
CREATE TABLE embeddings (
  workspace_id  text NOT NULL,
  owner_kind    text NOT NULL CHECK (owner_kind IN ('item', 'passage')),
  owner_id      text NOT NULL,
  model         text NOT NULL,
  dims          integer NOT NULL,
  content_hash  text NOT NULL,
  embedding     vector NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, owner_kind, owner_id, model)
);
CREATE INDEX embeddings_hnsw_100 ON embeddings USING hnsw ((embedding::vector(100)) vector_cosine_ops) WHERE dims = 100;
CREATE INDEX embeddings_hnsw_384 ON embeddings USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384;
CREATE INDEX embeddings_hnsw_768 ON embeddings USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE dims = 768;
CREATE INDEX embeddings_hnsw_1024 ON embeddings USING hnsw ((embedding::vector(1024)) vector_cosine_ops) WHERE dims = 1024;
CREATE INDEX embeddings_hnsw_1536 ON embeddings USING hnsw ((embedding::vector(1536)) vector_cosine_ops) WHERE dims = 1536;

-- Scoring runs (manual or nightly), with progress counters and failures.
CREATE TABLE scoring_runs (
  id                text PRIMARY KEY,
  workspace_id      text NOT NULL REFERENCES workspaces(id),
  kind              text NOT NULL CHECK (kind IN ('manual', 'nightly')),
  status            text NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
  strategy_version  integer NOT NULL,
  scorer            text NOT NULL,
  dry_run           boolean NOT NULL DEFAULT false,
  item_filter       jsonb,
  dedupe_key        text,
  counts            jsonb NOT NULL DEFAULT '{}',
  failures          jsonb NOT NULL DEFAULT '[]',
  created_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX scoring_runs_workspace ON scoring_runs (workspace_id, created_at DESC);

-- Per-item scores, written idempotently per (run, item).
CREATE TABLE item_scores (
  run_id            text NOT NULL REFERENCES scoring_runs(id),
  item_uid          text NOT NULL REFERENCES items(uid),
  workspace_id      text NOT NULL,
  content_hash      text NOT NULL,
  strategy_version  integer NOT NULL,
  scorer            text NOT NULL,
  alignment         double precision NOT NULL,
  objective_id      text,
  kr_id             text,
  execution_health  boolean NOT NULL,
  flags             text[] NOT NULL DEFAULT '{}',
  duplicate_of      text,
  non_goal_id       text,
  rationale         text NOT NULL,
  evidence          jsonb NOT NULL DEFAULT '[]',
  provenance        jsonb NOT NULL DEFAULT '{}',
  reused_from_run   text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, item_uid)
);
CREATE INDEX item_scores_item ON item_scores (workspace_id, item_uid, created_at DESC);

-- Ranked stop suggestions of a finished run, and what people said about them.
CREATE TABLE stop_suggestions (
  id               text PRIMARY KEY,
  run_id           text NOT NULL REFERENCES scoring_runs(id),
  workspace_id     text NOT NULL,
  item_uid         text NOT NULL REFERENCES items(uid),
  rank             integer NOT NULL,
  action           text NOT NULL CHECK (action IN ('stop', 'merge', 'pause', 'reframe')),
  reasons          jsonb NOT NULL,
  capacity_points  double precision,
  confidence       double precision NOT NULL,
  UNIQUE (run_id, item_uid)
);
CREATE INDEX stop_suggestions_run ON stop_suggestions (workspace_id, run_id, rank);

CREATE TABLE suggestion_feedback (
  id                 text PRIMARY KEY,
  workspace_id       text NOT NULL,
  suggestion_id      text NOT NULL REFERENCES stop_suggestions(id),
  item_uid           text NOT NULL,
  verdict            text NOT NULL CHECK (verdict IN ('accepted', 'rejected', 'snoozed')),
  note               text,
  item_content_hash  text NOT NULL,
  strategy_version   integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX suggestion_feedback_item ON suggestion_feedback (workspace_id, item_uid, created_at DESC);

CREATE TABLE portfolio_snapshots (
  run_id        text PRIMARY KEY REFERENCES scoring_runs(id),
  workspace_id  text NOT NULL,
  portfolio     jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Nightly scoring schedule per workspace (cron pattern + IANA time zone).
CREATE TABLE schedules (
  workspace_id  text PRIMARY KEY REFERENCES workspaces(id),
  cron          text NOT NULL,
  timezone      text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Transactional outbox: jobs are written in the same transaction as the rows they concern; a relay moves them to
-- the queue with jobId = outbox-<id>, so a relay retry never doubles a job.
CREATE TABLE job_outbox (
  id             bigserial PRIMARY KEY,
  workspace_id   text,
  queue          text NOT NULL,
  name           text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  dispatched_at  timestamptz,
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text
);
CREATE INDEX job_outbox_pending ON job_outbox (id) WHERE dispatched_at IS NULL;

-- Who changed what (key ids, never secrets).
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  workspace_id  text NOT NULL,
  actor         text NOT NULL,
  action        text NOT NULL,
  target        text,
  detail        jsonb NOT NULL DEFAULT '{}',
  request_id    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id DESC);
