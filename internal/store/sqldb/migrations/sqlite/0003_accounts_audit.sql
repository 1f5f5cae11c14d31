-- Accounts and audit: e-mail verification, sign-in throttling, one-time tokens for invitations,
-- password resets and e-mail verification, and the audit trail of every change.
-- Keep in step with ../postgres/0003_accounts_audit.sql.

ALTER TABLE users ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email <> '';

-- Failed sign-ins by user name and by client address; a success clears the user name's row.
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY,                  -- "user:NAME" or "ip:ADDRESS"
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP
);

-- One-time tokens sent by e-mail; only their hash is stored.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset', 'verify')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);

-- The audit trail: who changed which record when, with each changed field before and after.
-- The application only ever inserts here.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    actor      TEXT NOT NULL,                          -- user name at the time, or "system"
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'sign_in', 'import')),
    entity     TEXT NOT NULL,                          -- partner, agreement, user, reference_label, …
    entity_key TEXT NOT NULL,                          -- the record's key, reference, user name or code
    changes    TEXT NOT NULL DEFAULT '{}'              -- JSON: {"field": {"before": …, "after": …}}
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_key);
CREATE INDEX audit_log_user ON audit_log (user_id);

-- The trail is append-only, whatever code runs against the database.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail cannot be changed');
END;
