-- A member's unfinished question or answer, one per place, kept on the server so that it
-- follows the member to another device. place is 'ask' or 'answer-<question id>'.
CREATE TABLE drafts (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    place      TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '',      -- space-separated, as typed
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, place)
) WITHOUT ROWID;
