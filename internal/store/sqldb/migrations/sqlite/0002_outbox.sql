-- E-mail outbox: every message waits here until an SMTP server has accepted it, so none is lost
-- while the mail server is down. Keep in step with ../postgres/0002_outbox.sql.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT NOT NULL,
    to_name         TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',              -- empty: a plain-text message
    language        TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,            -- delivery attempts so far
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,                             -- a sender's lease: no other sender takes it before
    sent_at         TIMESTAMP,                             -- NULL until the SMTP server accepted it
    last_error      TEXT NOT NULL DEFAULT ''
);
-- The sender's question: which unsent messages are due?
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
