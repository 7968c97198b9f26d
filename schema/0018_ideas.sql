-- peerdesk: rebuilds tables (foreign keys are off during this migration and checked after it)
-- Ideas: members propose product ideas, vote for them from a budget, and moderators answer with
-- a status in public. An idea is a post (kind 'idea'), so that comments, flags, review,
-- revisions, delete and undelete, the spam rules and the audit log hold for it as for any
-- post; what only ideas have lives in the tables below. Ideas have no question_id: each is its
-- own thread, as a question is.

-- posts.kind gains 'idea' (a CHECK cannot be altered in place). The views name posts and must
-- go while it is rebuilt (see 0010); the migration runner drops every trigger and view before a
-- rebuild and makes again those the migration does not (other features' triggers on posts).
DROP VIEW IF EXISTS live_comments;
DROP VIEW IF EXISTS visible_posts;
DROP VIEW IF EXISTS live_posts;

CREATE TABLE posts_new (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('question', 'answer', 'idea')),
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
CREATE INDEX posts_thread ON posts (question_id);
CREATE INDEX posts_accepted ON posts (accepted_answer_id) WHERE accepted_answer_id IS NOT NULL;
CREATE INDEX posts_live_newest ON posts (created_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_active ON posts (last_activity_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_votes ON posts (score DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
CREATE INDEX posts_live_unanswered ON posts (created_at DESC, id DESC)
    WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live' AND answer_count = 0;

CREATE VIEW live_posts AS
SELECT * FROM posts WHERE deleted_at IS NULL AND state = 'live';
CREATE VIEW visible_posts AS
SELECT * FROM live_posts p
WHERE p.question_id IS NULL OR EXISTS (SELECT 1 FROM live_posts q WHERE q.id = p.question_id);
CREATE VIEW live_comments AS
SELECT * FROM comments WHERE deleted_at IS NULL AND state = 'live';

-- The fan-out outbox learns the status change of an idea (its voters, then its followers).
CREATE TABLE notification_fanout_new (
    id          INTEGER PRIMARY KEY,
    event       TEXT NOT NULL CHECK (event IN ('question', 'answer', 'comment', 'idea_status')),
    question_id INTEGER NOT NULL,
    post_id     INTEGER NOT NULL,
    comment_id  INTEGER,
    actor_id    INTEGER NOT NULL,
    notified    TEXT NOT NULL DEFAULT '',
    stage       INTEGER NOT NULL DEFAULT 0,
    cursor      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
, detail TEXT NOT NULL DEFAULT '');
INSERT INTO notification_fanout_new (id, event, question_id, post_id, comment_id, actor_id, notified, stage, cursor,
                                     created_at)
SELECT id, event, question_id, post_id, comment_id, actor_id, notified, stage, cursor, created_at
FROM notification_fanout;
DROP TABLE notification_fanout;
ALTER TABLE notification_fanout_new RENAME TO notification_fanout;

-- A status change is told once to each member (author, voter and follower at once hears once):
-- its detail is "<history id> <status>".
CREATE UNIQUE INDEX notifications_idea_once ON notifications (user_id, detail) WHERE kind = 'idea_status';

-- What only an idea has. votes and demand are kept counts (peerdesk recount checks them);
-- merged_into is set with status 'duplicate'.
CREATE TABLE ideas (
    post_id     INTEGER PRIMARY KEY REFERENCES posts (id),
    status      TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'under_review', 'planned', 'in_progress',
                                                              'delivered', 'declined', 'duplicate')),
    votes       INTEGER NOT NULL DEFAULT 0,
    demand      INTEGER NOT NULL DEFAULT 0,   -- questions linked to the idea
    merged_into INTEGER REFERENCES posts (id),
    status_at   INTEGER NOT NULL,             -- when the status last changed (created: the idea's time)
    CHECK ((status = 'duplicate') = (merged_into IS NOT NULL))
);
-- The board's orders: by votes (all, or one status) and the roadmap's recent changes.
CREATE INDEX ideas_top ON ideas (votes DESC, post_id DESC);
CREATE INDEX ideas_status_top ON ideas (status, votes DESC, post_id DESC);
CREATE INDEX ideas_status_time ON ideas (status, status_at DESC, post_id DESC);

-- One vote per member and idea. A vote is spent while its idea is open (not delivered,
-- declined or merged) and public; the row stays after, as the record of who voted.
CREATE TABLE idea_votes (
    idea_id    INTEGER NOT NULL REFERENCES posts (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (idea_id, user_id)
) WITHOUT ROWID;
CREATE INDEX idea_votes_user ON idea_votes (user_id, idea_id);
CREATE INDEX idea_votes_recent ON idea_votes (created_at, idea_id);

-- Every status an idea had, with the staff's response: its public history and the feed.
CREATE TABLE idea_status_history (
    id                INTEGER PRIMARY KEY,
    idea_id           INTEGER NOT NULL REFERENCES posts (id),
    status            TEXT NOT NULL,
    response_markdown TEXT NOT NULL,
    response_html     TEXT NOT NULL,
    actor_id          INTEGER NOT NULL REFERENCES users (id),
    created_at        INTEGER NOT NULL
);
CREATE INDEX idea_status_history_idea ON idea_status_history (idea_id, id);

-- "This question asks for this idea": the demand behind an idea.
CREATE TABLE idea_links (
    idea_id     INTEGER NOT NULL REFERENCES posts (id),
    question_id INTEGER NOT NULL REFERENCES posts (id),
    linked_by   INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (idea_id, question_id)
) WITHOUT ROWID;
CREATE INDEX idea_links_question ON idea_links (question_id, idea_id);
