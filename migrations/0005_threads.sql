-- Conversations with Bearing ("why does this matter?"): a thread per conversation, stored per workspace, and its
-- messages in order. A follow-up with the thread's id keeps the item it was about and the earlier turns.
CREATE TABLE ask_threads (
  id            text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces(id),
  title         text NOT NULL,
  -- The item the conversation is currently about (follow-ups without item_id keep it).
  item_uid      text REFERENCES items(uid),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ask_threads_workspace ON ask_threads (workspace_id, updated_at DESC, id DESC);

CREATE TABLE ask_messages (
  thread_id     text NOT NULL REFERENCES ask_threads(id) ON DELETE CASCADE,
  seq           integer NOT NULL,
  workspace_id  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('user', 'assistant')),
  content       text NOT NULL,
  item_uid      text,
  -- Assistant turns: what the answer cites, and how it was made (mode, model, prompt version, strategy version, run).
  citations     jsonb NOT NULL DEFAULT '[]',
  meta          jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, seq)
);
