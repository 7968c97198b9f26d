-- peerdesk: rebuilds tables (foreign keys are off during this migration and checked after it)
-- The posts table again, with the small columns first and the two bodies last: SQLite reads a
-- row from its start, so lists, counts and filters no longer walk a post's overflow pages to
-- reach its state, score or dates. Indexes serve the public lists (live posts only).

CREATE TABLE posts_new (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('question', 'answer')),
    question_id        INTEGER REFERENCES posts (id),
    author_id          INTEGER NOT NULL REFERENCES users (id),
    state              TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'held', 'hidden')),
    deleted_at         INTEGER,
    deleted_by         INTEGER REFERENCES users (id),
    created_at         INTEGER NOT NULL,
    last_activity_at   INTEGER NOT NULL,
    edited_at          INTEGER,
    score              INTEGER NOT NULL DEFAULT 0,
    answer_count       INTEGER NOT NULL DEFAULT 0,
    accepted_answer_id INTEGER REFERENCES posts (id),
    close_reason       TEXT CHECK (close_reason IN ('duplicate', 'off_topic', 'needs_details', 'resolved_elsewhere')),
    duplicate_of       INTEGER REFERENCES posts (id),
    closed_at          INTEGER,
    locked_at          INTEGER,
    pinned_at          INTEGER,
    endorsed_at        INTEGER,
    title              TEXT,
    excerpt            TEXT NOT NULL DEFAULT '',
    body_markdown      TEXT NOT NULL,
    body_html          TEXT NOT NULL
);
INSERT INTO posts_new (id, kind, question_id, author_id, state, deleted_at, deleted_by, created_at, last_activity_at,
                       edited_at, score, answer_count, accepted_answer_id, close_reason, duplicate_of, closed_at,
                       locked_at, pinned_at, endorsed_at, title, excerpt, body_markdown, body_html)
SELECT id, kind, question_id, author_id, state, deleted_at, deleted_by, created_at, last_activity_at, edited_at, score,
       answer_count, accepted_answer_id, close_reason, duplicate_of, closed_at, locked_at, pinned_at, endorsed_at,
       title, excerpt, body_markdown, body_html
FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;

CREATE INDEX posts_question ON posts (question_id, score DESC) WHERE kind = 'answer';
CREATE INDEX posts_author ON posts (author_id, kind, deleted_at, state);
CREATE INDEX posts_pinned ON posts (pinned_at) WHERE pinned_at IS NOT NULL;
-- The public question lists: live questions only, in each list's order.
CREATE INDEX posts_live_newest ON posts (created_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_active ON posts (last_activity_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_votes ON posts (score DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_unanswered ON posts (created_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live' AND answer_count = 0;
