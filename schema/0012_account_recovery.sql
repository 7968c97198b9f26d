-- Verified addresses and account recovery.
-- When the member proved the current address is theirs; NULL until then, and again after the
-- address changes. Only a verified address receives notification mail.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- Single-use links sent by mail: only the SHA-256 of the token is kept. `email` is the address
-- the link was sent to: a link for an address the account no longer has is void.
CREATE TABLE account_tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose, created_at);

-- Password-reset requests by the address asked for (its SHA-256, known or not), for the limit
-- per address that must hold across restarts and must not tell known addresses from unknown.
CREATE TABLE mail_requests (
    id          INTEGER PRIMARY KEY,
    key_hash    BLOB NOT NULL,
    purpose     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX mail_requests_key ON mail_requests (key_hash, purpose, created_at);
CREATE INDEX mail_requests_created ON mail_requests (created_at);
