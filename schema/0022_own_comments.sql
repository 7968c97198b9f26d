-- Members edit their own comments for a short while and delete them. When a comment was last
-- edited, and who deleted it: its author may take back their own deletion, not a moderator's.
ALTER TABLE comments ADD COLUMN edited_at INTEGER;
ALTER TABLE comments ADD COLUMN deleted_by INTEGER REFERENCES users (id);
