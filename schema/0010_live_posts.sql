-- What the public may read, written once. Every query that shows, counts or indexes only live
-- content selects from these views instead of repeating their conditions. SQLite flattens a
-- simple view into the query that uses it, so the partial indexes on live questions
-- (posts_live_*) and the primary-key lookups serve these queries as they served the tables.
-- The views select every column (`*`) on purpose: a view is the table, filtered, and a column
-- added to the table later appears in it.
-- A later migration that rebuilds posts or comments (create, copy, drop, rename, as 0005 did)
-- must drop these views first and create them again after: SQLite refuses to rename a table
-- into place while a view names a table that is, for that moment, missing.

-- A post that is live by its own state: not deleted, neither held for review nor hidden by
-- flags. Enough for a question (its own thread), for counts kept per question, and for a
-- thread's answers once the thread itself is known to be live.
CREATE VIEW live_posts AS
SELECT * FROM posts WHERE deleted_at IS NULL AND state = 'live';

-- A post a reader may see: live, and in a live thread (an answer of a deleted, held or hidden
-- question is gone with it).
CREATE VIEW visible_posts AS
SELECT * FROM live_posts p
WHERE p.question_id IS NULL OR EXISTS (SELECT 1 FROM live_posts q WHERE q.id = p.question_id);

-- A comment that is live by its own state: not deleted, not hidden by flags.
CREATE VIEW live_comments AS
SELECT * FROM comments WHERE deleted_at IS NULL AND state = 'live';
