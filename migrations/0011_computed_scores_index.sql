-- A nightly run copies every unchanged item's score row into the run (~10,000 rows at 10k items, ~130 computed).
-- item_scores_item indexed every row by (workspace_id, item_uid, created_at): each copy's entry landed on another
-- leaf page of an index that grew by the whole backlog every night, ~40% of the cost of inserting a copied row.
-- Its readers only need the rows a run computed: the reuse rule asks for an item's latest computed verdict (a copy
-- repeats the verdict of its origin row, computed from the same input), and an item's history reads the workspace's
-- runs and each one's row by primary key. The index now holds computed rows only.
DROP INDEX IF EXISTS item_scores_item;
CREATE INDEX item_scores_computed ON item_scores (workspace_id, item_uid, created_at DESC) WHERE reused_from_run IS NULL;
