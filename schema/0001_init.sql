-- peerdesk schema, version 1. Append-only: later changes go in 0002_….sql and onwards.
-- Times are Unix seconds (UTC); the API formats them as RFC 3339.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    reputation    INTEGER NOT NULL DEFAULT 1,  -- cached sum of reputation_events plus the start value
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE);
CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,   -- SHA-256 of the cookie value; the value itself is never stored
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- Questions and answers share one id space, as the API's /posts/{id} routes expect.
CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('question', 'answer')),
    question_id        INTEGER REFERENCES posts (id),   -- for answers: their question
    author_id          INTEGER NOT NULL REFERENCES users (id),
    title              TEXT,                              -- questions only
    body_markdown      TEXT NOT NULL,
    body_html          TEXT NOT NULL,                     -- rendered once, at write time
    excerpt            TEXT NOT NULL DEFAULT '',          -- plain text for lists, also at write time
    score              INTEGER NOT NULL DEFAULT 0,
    answer_count       INTEGER NOT NULL DEFAULT 0,        -- questions only
    accepted_answer_id INTEGER REFERENCES posts (id),     -- questions only
    created_at         INTEGER NOT NULL,
    edited_at          INTEGER,
    last_activity_at   INTEGER NOT NULL,
    deleted_at         INTEGER
);
CREATE INDEX posts_question ON posts (question_id, score DESC) WHERE kind = 'answer';
CREATE INDEX posts_newest ON posts (created_at DESC) WHERE kind = 'question';
CREATE INDEX posts_active ON posts (last_activity_at DESC) WHERE kind = 'question';
CREATE INDEX posts_votes ON posts (score DESC) WHERE kind = 'question';
CREATE INDEX posts_author ON posts (author_id, kind);

CREATE TABLE tags (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    question_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE question_tags (
    question_id INTEGER NOT NULL REFERENCES posts (id),
    tag_id      INTEGER NOT NULL REFERENCES tags (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (question_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX question_tags_tag ON question_tags (tag_id, question_id);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts (id),
    reply_to      INTEGER REFERENCES comments (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);
CREATE INDEX comments_post ON comments (post_id, id);

CREATE TABLE revisions (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts (id),
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT,
    body_markdown TEXT NOT NULL,
    tags          TEXT,            -- space-separated, questions only
    summary       TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX revisions_post ON revisions (post_id, id);

CREATE TABLE votes (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, post_id)
) WITHOUT ROWID;

-- The reputation ledger: every change is a row; users.reputation caches 1 + SUM(delta).
CREATE TABLE reputation_events (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    delta      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    post_id    INTEGER REFERENCES posts (id),
    actor_id   INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events (user_id, id);

-- Settings an operator may change (peerdesk settings set KEY VALUE); defaults live in code.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
