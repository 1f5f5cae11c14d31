-- The failures of a user name are counted per client address ("user:NAME from ADDRESS"), so that
-- guessing from elsewhere cannot lock a person out of their own office; username lets an
-- administrator see and lift the locks of a name whatever address they came from. The counts of
-- the former per-name keys are let go: they only ever last half an hour.
DELETE FROM login_throttle WHERE key LIKE 'user:%';
ALTER TABLE login_throttle ADD COLUMN username TEXT;
CREATE INDEX login_throttle_username ON login_throttle (username);

-- Fixed-window counters of rate-limited actions: sign-ups per client address, e-mails per
-- recipient. A row is the count of one key since window_start; an older window starts again.
CREATE TABLE request_counts (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL
);
