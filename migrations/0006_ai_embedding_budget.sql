-- Embedding calls of a run, apart from its judge calls: counted (calls, tokens — the tokens count against the run's
-- token budget), and with their own failure streak and breaker, so a failing embeddings endpoint never opens the
-- judge's breaker (nor the other way round).
ALTER TABLE provider_run_state
  ADD COLUMN embedding_calls integer NOT NULL DEFAULT 0,
  ADD COLUMN embedding_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN embedding_failed_calls integer NOT NULL DEFAULT 0,
  ADD COLUMN embedding_consecutive_failures integer NOT NULL DEFAULT 0,
  ADD COLUMN embedding_breaker_opened_at timestamptz;
