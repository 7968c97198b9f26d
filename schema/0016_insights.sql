-- Insights and advocates: aggregates kept as the facts change, so that the admins' pages read
-- a few hundred rows whatever the size of the community. Days are UTC days since 1970-01-01,
-- months are year * 12 + month - 1. Every table here is derived: `peerdesk recount` rebuilds
-- the post-derived ones from the posts, votes and tags (server/store/insight_store.cpp says how
-- each write keeps them). Rows that fall to nothing are deleted, so a rebuild and the kept
-- rows can be compared row for row.

-- Questions by the day they were asked (live ones only) and answers by the day they were written.
CREATE TABLE insight_days (
    day           INTEGER PRIMARY KEY,
    questions     INTEGER NOT NULL DEFAULT 0,
    answered      INTEGER NOT NULL DEFAULT 0,  -- of those questions, with a live answer
    answered_24h  INTEGER NOT NULL DEFAULT 0,  -- of those, first answered within 24 hours
    accepted      INTEGER NOT NULL DEFAULT 0,  -- of those, with a live accepted answer
    answers       INTEGER NOT NULL DEFAULT 0,  -- live answers written that day
    staff_answers INTEGER NOT NULL DEFAULT 0   -- of those, by moderators and admins
);

-- Time from asking to the first live answer, by the day asked, counted in buckets
-- (domain::delay_bucket: minutes under an hour, quarter hours under two days, hours beyond).
CREATE TABLE insight_first_answers (
    day       INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,
    questions INTEGER NOT NULL,
    PRIMARY KEY (day, bucket)
) WITHOUT ROWID;

-- Live questions per tag by the day asked: the busiest and the fastest-growing tags.
CREATE TABLE insight_tag_days (
    day       INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL,
    questions INTEGER NOT NULL,
    PRIMARY KEY (day, tag_id)
) WITHOUT ROWID;

-- What each member gave, by day: live answers written, of them accepted, and up-votes received
-- on live posts by the day they were cast.
CREATE TABLE member_days (
    day      INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    answers  INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    upvotes  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id)
) WITHOUT ROWID;

-- The same by month: a year's top answerers are summed from eleven months and the days at the
-- edges, not from 365 days of rows.
CREATE TABLE member_months (
    month    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    answers  INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    upvotes  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, user_id)
) WITHOUT ROWID;

-- How many members wrote each number of answers in a month: the 90-9-1 split read from a few
-- dozen rows a month instead of a row per member.
CREATE TABLE answer_count_months (
    month   INTEGER NOT NULL,
    answers INTEGER NOT NULL,
    members INTEGER NOT NULL,
    PRIMARY KEY (month, answers)
) WITHOUT ROWID;

-- Live answers per member and tag of the question: what a member answers.
CREATE TABLE answer_tags (
    user_id INTEGER NOT NULL,
    tag_id  INTEGER NOT NULL,
    answers INTEGER NOT NULL,
    PRIMARY KEY (user_id, tag_id)
) WITHOUT ROWID;

-- Who helps whom: live answers from a helper to another member's questions, of them accepted,
-- and the same per tag of the questions.
CREATE TABLE help_ties (
    helper_id INTEGER NOT NULL,
    asker_id  INTEGER NOT NULL,
    answers   INTEGER NOT NULL,
    accepted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (helper_id, asker_id)
) WITHOUT ROWID;
CREATE INDEX help_ties_strongest ON help_ties (answers DESC, accepted DESC);

CREATE TABLE help_tie_tags (
    helper_id INTEGER NOT NULL,
    asker_id  INTEGER NOT NULL,
    tag_id    INTEGER NOT NULL,
    answers   INTEGER NOT NULL,
    PRIMARY KEY (helper_id, asker_id, tag_id)
) WITHOUT ROWID;

-- A thread's up-votes, found by post when the thread is counted in or out.
CREATE INDEX votes_up_post ON votes (post_id) WHERE value = 1;

-- The search log, as counts per day, source, widget key (0: none) and normalised query instead
-- of a row per search: bounded by the distinct queries kept per day (the rest are counted in
-- search_day_totals only) and by the days kept. clicks and deflected are the widget's: results
-- followed, and of them to a thread with an answer.
CREATE TABLE search_days (
    day        INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('site', 'api', 'widget')),
    widget_key INTEGER NOT NULL DEFAULT 0,
    query      TEXT NOT NULL,
    searches   INTEGER NOT NULL DEFAULT 0,
    no_results INTEGER NOT NULL DEFAULT 0,
    clicks     INTEGER NOT NULL DEFAULT 0,
    deflected  INTEGER NOT NULL DEFAULT 0,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (day, source, widget_key, query)
) WITHOUT ROWID;
CREATE INDEX search_days_query ON search_days (query);

CREATE TABLE search_day_totals (
    day        INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('site', 'api', 'widget')),
    widget_key INTEGER NOT NULL DEFAULT 0,
    searches   INTEGER NOT NULL DEFAULT 0,
    no_results INTEGER NOT NULL DEFAULT 0,
    clicks     INTEGER NOT NULL DEFAULT 0,
    deflected  INTEGER NOT NULL DEFAULT 0,
    queries    INTEGER NOT NULL DEFAULT 0,  -- distinct queries with a row in search_days
    PRIMARY KEY (day, source, widget_key)
) WITHOUT ROWID;

-- The log as it was, one row per search and per widget click, moves into the counts.
INSERT INTO search_days (day, source, widget_key, query, searches, no_results, last_at)
SELECT created_at / 86400, source, coalesce(widget_key_id, 0), substr(lower(trim(query)), 1, 100), count(*),
       sum(hits = 0), max(created_at)
FROM search_queries WHERE trim(query) <> ''
GROUP BY 1, 2, 3, 4;
INSERT INTO search_day_totals (day, source, widget_key, searches, no_results, queries)
SELECT created_at / 86400, source, coalesce(widget_key_id, 0), count(*), sum(hits = 0),
       count(DISTINCT substr(lower(trim(query)), 1, 100))
FROM search_queries GROUP BY 1, 2, 3;
INSERT INTO search_day_totals (day, source, widget_key, clicks)
SELECT created_at / 86400, 'widget', key_id, count(*) FROM widget_clicks WHERE true GROUP BY 1, 2, 3
ON CONFLICT (day, source, widget_key) DO UPDATE SET clicks = clicks + excluded.clicks;
DROP TABLE search_queries;
DROP TABLE widget_clicks;

-- Whether the post-derived tables above have been built for this database (at the first start
-- after this migration, or by `peerdesk recount`).
CREATE TABLE insight_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
