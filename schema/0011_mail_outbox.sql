-- Mail waiting for the relay, and what became of it. A row is written in the same transaction
-- as the event that causes the mail, so a mail is never lost and never sent for an event that
-- rolled back. The message is stored whole (headers, Message-ID, body) when it is queued: every
-- attempt sends the same bytes, and a repeat after a crash carries the same Message-ID.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,  -- the member it is for, if any
    kind            TEXT NOT NULL,       -- verify_email, password_reset, email_changed, … (for logs and limits)
    envelope_from   TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    content         TEXT NOT NULL,       -- the RFC 5322 message, CRLF line ends
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,             -- when the relay accepted it
    relay_reply     TEXT,                -- what the relay answered then ("250 2.0.0 Ok: queued as …")
    failed_at       INTEGER              -- given up: refused for good, or too old to be of use
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_user ON mail_outbox (user_id, kind, created_at);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
