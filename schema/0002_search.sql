-- Search: the outbox that feeds the Xapian index, the state of a running rebuild, and the
-- query log.

-- A row per change of searchable content, written in the same transaction as the change.
-- The indexer applies rows in seq order, commits the index with the last seq it applied, and
-- then deletes them. AUTOINCREMENT: a seq is never reused, so "after seq N" stays meaningful.
CREATE TABLE search_outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- key 'rebuild': a reindex in progress; value the index directory it builds, floor the outbox
-- position it started from (rows after it are kept until the new index has taken them).
CREATE TABLE search_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    floor INTEGER NOT NULL
) WITHOUT ROWID;

-- Every search, for the insight pages: what was asked, how many hits, and from where.
CREATE TABLE search_queries (
    id         INTEGER PRIMARY KEY,
    query      TEXT NOT NULL,
    hits       INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('site', 'api', 'widget')),
    created_at INTEGER NOT NULL
);
CREATE INDEX search_queries_time ON search_queries (created_at);
CREATE INDEX search_queries_no_hits ON search_queries (query) WHERE hits = 0;

-- Posts written before search existed are indexed by the first run.
INSERT INTO search_outbox (post_id, created_at) SELECT id, created_at FROM posts;
