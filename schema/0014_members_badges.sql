-- Members' kept figures and badges. Everything here is derived from the facts (posts, votes,
-- flags, revisions, the reputation ledger) by the member worker, off the request path, and is
-- rebuilt by `peerdesk recount`.

-- Members whose figures may have changed. The triggers below write it in the transaction of the
-- event itself, so that no change is missed whichever action made it; the worker takes rows in
-- order of seq and deletes them once their members are recomputed (a member may appear many
-- times: the worker counts them once).
CREATE TABLE member_outbox (
    seq     INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL
);

CREATE TRIGGER member_outbox_post_added AFTER INSERT ON posts
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.author_id);
END;

-- A score, an acceptance, a deletion or a change of state moves the author's figures; accepting
-- moves the answers' authors'; a question leaving or coming back moves every answerer's.
CREATE TRIGGER member_outbox_post_changed AFTER UPDATE OF score, accepted_answer_id, deleted_at, state ON posts
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.author_id);
    INSERT INTO member_outbox (user_id)
        SELECT author_id FROM posts
        WHERE OLD.accepted_answer_id IS NOT NEW.accepted_answer_id
          AND id IN (OLD.accepted_answer_id, NEW.accepted_answer_id);
    INSERT INTO member_outbox (user_id)
        SELECT author_id FROM posts
        WHERE NEW.kind = 'question' AND (OLD.deleted_at IS NOT NEW.deleted_at OR OLD.state IS NOT NEW.state)
          AND question_id = NEW.id;
END;

-- A question's tags decide its answerers' figures per tag.
CREATE TRIGGER member_outbox_tag_added AFTER INSERT ON question_tags
BEGIN
    INSERT INTO member_outbox (user_id) SELECT author_id FROM posts WHERE question_id = NEW.question_id;
END;

CREATE TRIGGER member_outbox_tag_removed AFTER DELETE ON question_tags
BEGIN
    INSERT INTO member_outbox (user_id) SELECT author_id FROM posts WHERE question_id = OLD.question_id;
END;

CREATE TRIGGER member_outbox_vote_added AFTER INSERT ON votes
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.user_id);
END;

CREATE TRIGGER member_outbox_vote_changed AFTER UPDATE ON votes
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.user_id);
END;

CREATE TRIGGER member_outbox_vote_removed AFTER DELETE ON votes
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (OLD.user_id);
END;

CREATE TRIGGER member_outbox_flag_added AFTER INSERT ON flags
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.user_id);
END;

CREATE TRIGGER member_outbox_flag_decided AFTER UPDATE OF status ON flags
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.user_id);
END;

CREATE TRIGGER member_outbox_revision_added AFTER INSERT ON revisions
BEGIN
    INSERT INTO member_outbox (user_id) VALUES (NEW.author_id);
END;

-- One row per member the worker has seen: what the members list and the profile show.
CREATE TABLE member_stats (
    user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    questions INTEGER NOT NULL DEFAULT 0,
    answers   INTEGER NOT NULL DEFAULT 0,
    accepted  INTEGER NOT NULL DEFAULT 0,   -- answers accepted by someone else
    helped    INTEGER NOT NULL DEFAULT 0,   -- different askers helped (an accepted or upvoted answer)
    bronze    INTEGER NOT NULL DEFAULT 0,
    silver    INTEGER NOT NULL DEFAULT 0,
    gold      INTEGER NOT NULL DEFAULT 0,
    top_tags  TEXT NOT NULL DEFAULT ''      -- up to three tag names by answer score, space-separated
);

-- A member's answers per tag of their questions: "top answerers in [printer]" and top tags.
CREATE TABLE member_tags (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    answers  INTEGER NOT NULL,
    score    INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    PRIMARY KEY (user_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX member_tags_rank ON member_tags (tag_id, score DESC, answers DESC, user_id);

-- Whom a member helped: askers of the questions where their answer was accepted or upvoted.
CREATE TABLE member_helped (
    helper_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    asker_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answers   INTEGER NOT NULL,
    PRIMARY KEY (helper_id, asker_id)
) WITHOUT ROWID;

-- Reputation gained per calendar week (from Monday), month and year, UTC: the leaderboard.
-- Folded from the ledger by the worker, which keeps its place in job_cursors.
CREATE TABLE reputation_periods (
    period  TEXT NOT NULL CHECK (period IN ('week', 'month', 'year')),
    starts  INTEGER NOT NULL,               -- the period's first second
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    gained  INTEGER NOT NULL,
    PRIMARY KEY (period, starts, user_id)
) WITHOUT ROWID;
CREATE INDEX reputation_periods_rank ON reputation_periods (period, starts, gained DESC, user_id);

-- Badges awarded; the catalogue itself is in the code (server/domain/badges.cpp). A badge is
-- held once per member (per tag for tag badges), so that awarding again changes nothing.
CREATE TABLE badge_awards (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      TEXT NOT NULL,               -- the catalogue's key, e.g. answer_score_10
    class      TEXT NOT NULL CHECK (class IN ('bronze', 'silver', 'gold')),
    tag_id     INTEGER NOT NULL DEFAULT 0,  -- tag badges: the tag; 0 for the others
    post_id    INTEGER REFERENCES posts (id),
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, badge, tag_id)
);
CREATE INDEX badge_awards_badge ON badge_awards (badge, tag_id, created_at DESC);

-- Where background jobs have got to in an append-only table (the ledger for the leaderboard).
CREATE TABLE job_cursors (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX users_reputation ON users (reputation DESC, id);
CREATE INDEX revisions_author ON revisions (author_id, post_id);

-- Every member as they are now: the worker computes them all after the upgrade.
INSERT INTO member_outbox (user_id) SELECT id FROM users;
