-- Notifications, following, preferences, and the state of the mail they cause.

-- One row per thing a member is told. Rows about a post stay when the post goes; the inbox
-- joins the live posts when it is read, so that what was deleted, held or hidden drops out.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,               -- answer, comment, reply, mention, accepted, reputation, moderation, followed_*
    actor_id    INTEGER REFERENCES users (id),
    question_id INTEGER REFERENCES posts (id),
    post_id     INTEGER REFERENCES posts (id),
    comment_id  INTEGER REFERENCES comments (id),
    detail      TEXT NOT NULL DEFAULT '',    -- moderation: the decision and its reason
    amount      INTEGER NOT NULL DEFAULT 0,  -- reputation: the day's sum
    day         INTEGER,                     -- reputation: days since 1970-01-01 (UTC)
    delivery    TEXT NOT NULL CHECK (delivery IN ('inbox', 'email', 'daily', 'weekly')),
    mailed_at   INTEGER,                     -- email and digests: when a mail took it (or passed it over)
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_to_mail ON notifications (delivery, user_id) WHERE mailed_at IS NULL AND delivery <> 'inbox';
-- Reputation is one row per member and day; a mention and a followed event once per post or comment.
CREATE UNIQUE INDEX notifications_reputation_day ON notifications (user_id, day) WHERE kind = 'reputation';
CREATE UNIQUE INDEX notifications_mention_once ON notifications (user_id, post_id, coalesce(comment_id, 0))
    WHERE kind = 'mention';
CREATE UNIQUE INDEX notifications_followed_once ON notifications (user_id, post_id, coalesce(comment_id, 0))
    WHERE kind IN ('followed_question', 'followed_tag', 'followed_user');

-- What a member follows. An unfollowed row stays with following = 0, so that taking part in the
-- thread again does not follow it anew behind the member's back.
CREATE TABLE follows (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target     TEXT NOT NULL CHECK (target IN ('question', 'tag', 'user')),
    target_id  INTEGER NOT NULL,
    following  INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, target, target_id)
) WITHOUT ROWID;
CREATE INDEX follows_target ON follows (target, target_id, user_id) WHERE following = 1;

-- A member's choice per kind; kinds without a row take the defaults in code.
CREATE TABLE notification_preferences (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('inbox', 'email', 'daily', 'weekly', 'off')),
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- Events whose followers are told by the background worker, off the request path. Written in
-- the event's transaction; `notified` lists who was told directly (no second row for them);
-- stage and cursor say how far the fan-out got, so that a restart resumes where it stopped.
CREATE TABLE notification_fanout (
    id          INTEGER PRIMARY KEY,
    event       TEXT NOT NULL CHECK (event IN ('question', 'answer', 'comment')),
    question_id INTEGER NOT NULL,
    post_id     INTEGER NOT NULL,
    comment_id  INTEGER,
    actor_id    INTEGER NOT NULL,
    notified    TEXT NOT NULL DEFAULT '',
    stage       INTEGER NOT NULL DEFAULT 0,
    cursor      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

-- When a member was last mailed about a thread (0: not about a thread), for the fold window.
CREATE TABLE notification_mail_log (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, question_id)
) WITHOUT ROWID;

-- When each member's last daily and weekly digest was made (sent, or found empty).
CREATE TABLE digest_log (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period  TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, period)
) WITHOUT ROWID;

-- Keys the server signs with (unsubscribe links), made once per database.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO secrets (name, value) VALUES ('unsubscribe', randomblob(32));
