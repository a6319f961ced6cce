-- Neighbourhoods and duplicate profiles are caches: each can be computed again from the items and their vectors, and
-- finalize does so for whatever it does not find (a run with no previous neighbourhoods searches every item; an item
-- with no profile of its current content is analysed). A nightly run writes ~10,000 neighbourhood rows (the ones it
-- carries) and deletes as many; without write-ahead logging these writes cost about half as much.
-- After a crash of PostgreSQL (not a clean restart) both tables come back empty, and standbys do not have them: the
-- next run then searches and analyses every item once, as a first run does.
ALTER TABLE run_neighbours SET UNLOGGED;
ALTER TABLE item_profiles SET UNLOGGED;
