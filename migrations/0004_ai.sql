-- The AI path: LLM judgements cached across runs, per-run provider budget and circuit breaker (shared by every
-- worker process), judge-vs-engine disagreements on scores, and HNSW indexes for strategy-passage retrieval.

-- A judge's verdict for one item, reused whenever the same model, prompt version, strategy version and item input
-- (its content hash with its parent's and children's) come again: a nightly re-run of unchanged items calls nothing.
-- `judgement` is null when the model's answer for the item was rejected (e.g. an invented objective id): at
-- temperature 0 it would answer the same, so asking again would only cost a call.
CREATE TABLE judgements (
  workspace_id      text NOT NULL REFERENCES workspaces(id),
  model             text NOT NULL,
  prompt_version    text NOT NULL,
  strategy_version  integer NOT NULL,
  input_hash        text NOT NULL,
  judgement         jsonb,
  rejected          text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, model, prompt_version, strategy_version, input_hash)
);

-- Provider use of a run: calls and tokens against the run's budget, and its circuit breaker. Kept in the database so
-- every worker process scoring the run sees the same state (updates are single atomic statements).
CREATE TABLE provider_run_state (
  run_id                text PRIMARY KEY REFERENCES scoring_runs(id),
  calls                 integer NOT NULL DEFAULT 0,
  prompt_tokens         bigint NOT NULL DEFAULT 0,
  completion_tokens     bigint NOT NULL DEFAULT 0,
  failed_calls          integer NOT NULL DEFAULT 0,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  cache_hits            integer NOT NULL DEFAULT 0,
  breaker_opened_at     timestamptz,
  breaker_reason        text,
  budget_exhausted_at   timestamptz
);

-- Judge and engine disagreed on this score (objective, or alignment beyond the margin): shown for review.
ALTER TABLE item_scores ADD COLUMN review jsonb;
CREATE INDEX item_scores_review ON item_scores (run_id, item_uid) WHERE review IS NOT NULL;

-- Strategy passages are few per workspace but share the item indexes' dimensions: their own small HNSW indexes
-- (cosine) keep passage retrieval from wading through every item vector of the same length.
CREATE INDEX embeddings_passage_hnsw_384 ON embeddings USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384 AND owner_kind = 'passage';
CREATE INDEX embeddings_passage_hnsw_768 ON embeddings USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE dims = 768 AND owner_kind = 'passage';
CREATE INDEX embeddings_passage_hnsw_1024 ON embeddings USING hnsw ((embedding::vector(1024)) vector_cosine_ops) WHERE dims = 1024 AND owner_kind = 'passage';
CREATE INDEX embeddings_passage_hnsw_1536 ON embeddings USING hnsw ((embedding::vector(1536)) vector_cosine_ops) WHERE dims = 1536 AND owner_kind = 'passage';
