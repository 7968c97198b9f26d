-- The sitemap in parts: questions by id in blocks of 50,000 (the most addresses one sitemap may
-- hold), each part with the time anything in it last changed. /sitemap.xml lists the parts from
-- this small table instead of scanning every post, and a part lists its block by primary key.
-- Triggers keep it, so that every write that changes a thread's page (an answer, an edit, a
-- deletion, a moderator's decision) moves its part's time whichever code makes it. A migration
-- that rebuilds posts after this one must create these triggers again.
CREATE TABLE sitemap_parts (
    part     INTEGER PRIMARY KEY,  -- question id / 50000
    lastmod  INTEGER NOT NULL      -- seconds since 1970, UTC
);

INSERT INTO sitemap_parts (part, lastmod)
SELECT coalesce(question_id, id) / 50000,
       max(max(last_activity_at, coalesce(edited_at, 0), coalesce(deleted_at, 0)))
FROM posts GROUP BY coalesce(question_id, id) / 50000;

CREATE TRIGGER sitemap_post_added AFTER INSERT ON posts
BEGIN
    INSERT INTO sitemap_parts (part, lastmod)
    VALUES (coalesce(NEW.question_id, NEW.id) / 50000, max(NEW.created_at, unixepoch()))
    ON CONFLICT (part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

-- Votes change a score and nothing the sitemap says, so only these columns move a part.
CREATE TRIGGER sitemap_post_changed
AFTER UPDATE OF title, body_html, state, deleted_at, last_activity_at, edited_at, accepted_answer_id, answer_count,
    closed_at ON posts
BEGIN
    INSERT INTO sitemap_parts (part, lastmod)
    VALUES (coalesce(NEW.question_id, NEW.id) / 50000,
            max(NEW.last_activity_at, coalesce(NEW.edited_at, 0), unixepoch()))
    ON CONFLICT (part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;
