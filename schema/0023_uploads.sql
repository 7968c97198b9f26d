-- Uploaded images. The file lives under DATA/uploads/ named by the SHA-256 of its (cleaned)
-- bytes, so that one image uploaded twice is stored once; each upload is still a row of its
-- own, for the member's quota and rate.
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    sha256       TEXT NOT NULL,               -- 64 hex digits: the file's name
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    bytes        INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX uploads_by_file ON uploads (sha256);
CREATE INDEX uploads_by_member ON uploads (user_id, created_at);

-- Which posts show which uploaded image, from every revision of their body: an image stays
-- served while a post that shows it, or showed it in its history, is not deleted (or was deleted
-- less than uploads.deleted_retention_days ago).
CREATE TABLE upload_refs (
    sha256  TEXT NOT NULL,
    post_id INTEGER NOT NULL REFERENCES posts (id),
    PRIMARY KEY (sha256, post_id)
) WITHOUT ROWID;
