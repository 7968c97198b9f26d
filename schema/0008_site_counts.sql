-- Counts the lists show, kept by the writes that change them: counting the live questions for
-- every render of the home page took 30–80 ms at a million posts (and the page is rendered
-- again after every write). `peerdesk recount` recomputes them.
CREATE TABLE site_counts (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO site_counts (name, value)
SELECT 'live_questions', count(*) FROM posts WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live';
