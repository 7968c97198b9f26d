-- Moderation: post states, closing, locking, pinning, endorsing, flags, the review queue,
-- suspensions and the audit log.

-- live: public. held: waiting for review before publication (spam rules). hidden: taken down by
-- flags, waiting for review. Deleted posts keep their state and have deleted_at set.
ALTER TABLE posts ADD COLUMN state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'held', 'hidden'));
ALTER TABLE posts ADD COLUMN close_reason TEXT
    CHECK (close_reason IN ('duplicate', 'off_topic', 'needs_details', 'resolved_elsewhere'));
ALTER TABLE posts ADD COLUMN duplicate_of INTEGER REFERENCES posts (id);
ALTER TABLE posts ADD COLUMN closed_at INTEGER;
ALTER TABLE posts ADD COLUMN locked_at INTEGER;
ALTER TABLE posts ADD COLUMN pinned_at INTEGER;
ALTER TABLE posts ADD COLUMN endorsed_at INTEGER;   -- answers: marked by a moderator
ALTER TABLE posts ADD COLUMN deleted_by INTEGER REFERENCES users (id);
CREATE INDEX posts_pinned ON posts (pinned_at) WHERE pinned_at IS NOT NULL;

ALTER TABLE comments ADD COLUMN state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'hidden'));

-- silenced: may read, may not post, until lifted. suspended_until: the same, until a time.
ALTER TABLE users ADD COLUMN suspended_until INTEGER;
ALTER TABLE users ADD COLUMN silenced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN suspension_reason TEXT NOT NULL DEFAULT '';

-- One flag per member per post or comment.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER REFERENCES posts (id),
    comment_id  INTEGER REFERENCES comments (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'rude', 'off_topic', 'needs_improvement', 'other')),
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'helpful', 'declined')),
    created_at  INTEGER NOT NULL,
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX flags_once ON flags (user_id, coalesce(post_id, 0), coalesce(comment_id, 0));
CREATE INDEX flags_target ON flags (post_id, comment_id, status);

-- What moderators have to look at: a flagged or held post or comment, open until acted on.
CREATE TABLE review_items (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER REFERENCES posts (id),
    comment_id  INTEGER REFERENCES comments (id),
    kind        TEXT NOT NULL CHECK (kind IN ('flagged', 'held')),
    reason      TEXT NOT NULL DEFAULT '',        -- for held posts: the rule that held it
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    outcome     TEXT,
    note        TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER REFERENCES users (id),
    resolved_at INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX review_items_open ON review_items (coalesce(post_id, 0), coalesce(comment_id, 0))
    WHERE status = 'open';

-- Every moderator and admin action. Rows are written once and never changed.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL,
    post_id     INTEGER REFERENCES posts (id),
    comment_id  INTEGER REFERENCES comments (id),
    user_id     INTEGER REFERENCES users (id),
    reason      TEXT NOT NULL DEFAULT '',
    before      TEXT,          -- JSON: the content as it was, for actions that change content
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_post ON audit_log (post_id, id);
CREATE TRIGGER audit_log_never_updated BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit rows are never edited'); END;
CREATE TRIGGER audit_log_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit rows are never deleted'); END;
