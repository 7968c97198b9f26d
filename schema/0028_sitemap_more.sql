-- The sitemap beyond threads: ideas, tag pages and the profiles of members who have posted.
-- Ideas are posts, so they share the threads' parts (sitemap_parts, by post id); an idea's new
-- status changes its page without touching its post, so it moves its part's time here.
-- Tags and members get parts of their own, by id in blocks of 50,000 like the posts', each with
-- the time anything in it last changed, kept by triggers so that no request scans tags or
-- members. Which tags and members a part lists is read from the facts when it is asked for
-- (tags with questions, members with posts), so a tag left empty or a member's last post
-- deleted leaves the sitemap at once.
CREATE TABLE sitemap_sets (
    kind     TEXT NOT NULL CHECK (kind IN ('tags', 'users')),
    part     INTEGER NOT NULL,     -- id / 50000
    lastmod  INTEGER NOT NULL,     -- seconds since 1970, UTC
    PRIMARY KEY (kind, part)
) WITHOUT ROWID;

INSERT INTO sitemap_sets (kind, part, lastmod)
SELECT 'tags', id / 50000, unixepoch() FROM tags GROUP BY id / 50000;
INSERT INTO sitemap_sets (kind, part, lastmod)
SELECT 'users', user_id / 50000, unixepoch() FROM member_stats GROUP BY user_id / 50000;

-- Each trigger fires only when a value changes: the writers set these columns again whenever they
-- recompute them (the members' worker after every vote), and a part whose time moved without a
-- change would teach crawlers to ignore its lastmod.
CREATE TRIGGER sitemap_idea_changed AFTER UPDATE OF status, merged_into ON ideas
WHEN OLD.status IS NOT NEW.status OR OLD.merged_into IS NOT NEW.merged_into
BEGIN
    INSERT INTO sitemap_parts (part, lastmod) VALUES (NEW.post_id / 50000, unixepoch())
    ON CONFLICT (part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

CREATE TRIGGER sitemap_tag_added AFTER INSERT ON tags
BEGIN
    INSERT INTO sitemap_sets (kind, part, lastmod) VALUES ('tags', NEW.id / 50000, unixepoch())
    ON CONFLICT (kind, part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

-- A tag's page changes with its questions (their count moves with each one asked, moved or
-- deleted) and its description; votes and answers on its questions are left to the threads' parts.
CREATE TRIGGER sitemap_tag_changed AFTER UPDATE OF name, question_count, description, wiki_html ON tags
WHEN OLD.name IS NOT NEW.name OR OLD.question_count IS NOT NEW.question_count
    OR OLD.description IS NOT NEW.description OR OLD.wiki_html IS NOT NEW.wiki_html
BEGIN
    INSERT INTO sitemap_sets (kind, part, lastmod) VALUES ('tags', NEW.id / 50000, unixepoch())
    ON CONFLICT (kind, part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

-- A member's figures are kept by the members' worker; a change of what they posted, or of
-- their name, changes their profile.
CREATE TRIGGER sitemap_member_added AFTER INSERT ON member_stats
BEGIN
    INSERT INTO sitemap_sets (kind, part, lastmod) VALUES ('users', NEW.user_id / 50000, unixepoch())
    ON CONFLICT (kind, part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

CREATE TRIGGER sitemap_member_changed AFTER UPDATE OF questions, answers, accepted ON member_stats
WHEN OLD.questions IS NOT NEW.questions OR OLD.answers IS NOT NEW.answers OR OLD.accepted IS NOT NEW.accepted
BEGIN
    INSERT INTO sitemap_sets (kind, part, lastmod) VALUES ('users', NEW.user_id / 50000, unixepoch())
    ON CONFLICT (kind, part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;

CREATE TRIGGER sitemap_member_renamed AFTER UPDATE OF username ON users
WHEN OLD.username IS NOT NEW.username
BEGIN
    INSERT INTO sitemap_sets (kind, part, lastmod) VALUES ('users', NEW.id / 50000, unixepoch())
    ON CONFLICT (kind, part) DO UPDATE SET lastmod = max(lastmod, excluded.lastmod);
END;
