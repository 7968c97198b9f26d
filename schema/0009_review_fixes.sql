-- Who imposed a suspension, so that a moderator cannot lift what an admin decided.
ALTER TABLE users ADD COLUMN suspended_by INTEGER REFERENCES users (id);
-- A revision's text can be hidden by a moderator (personal data posted by mistake); the row
-- stays, so the history still says that an edit happened and who made it.
ALTER TABLE revisions ADD COLUMN redacted_at INTEGER;
ALTER TABLE revisions ADD COLUMN redacted_by INTEGER REFERENCES users (id);
-- Sign-up refuses a name that differs from a taken one only by case or trailing punctuation.
CREATE INDEX users_canonical_name ON users (rtrim(lower(username), '._-'));
-- When an API token was last used (to the hour), for the member's list of tokens.
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
-- The audit log by the member an action was about: profiles show who suspended a member, and
-- the log filters by name.
CREATE INDEX audit_log_user ON audit_log (user_id, id);
