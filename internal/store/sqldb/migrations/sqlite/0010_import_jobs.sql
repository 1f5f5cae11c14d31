-- Imports confirmed on the web pages, run in the background by the worker of whichever app
-- server claims them first (internal/importjob), so that a large file does not depend on the
-- request that confirmed it. Keep in step with ../postgres/0010_import_jobs.sql.
CREATE TABLE import_jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('partners', 'agreements', 'rates')),
    document_id     INTEGER NOT NULL REFERENCES documents (id), -- the uploaded file
    user_id         INTEGER NOT NULL REFERENCES users (id),     -- who confirmed it: it runs with their rights
    plan            TEXT NOT NULL,                              -- what they confirmed: "created,updated,unchanged"
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,                 -- claims that did not end in a clean stop
    rows_done       INTEGER NOT NULL DEFAULT 0,
    rows_total      INTEGER NOT NULL DEFAULT 0,
    created_count   INTEGER NOT NULL DEFAULT 0,
    updated_count   INTEGER NOT NULL DEFAULT 0,
    unchanged_count INTEGER NOT NULL DEFAULT 0,
    error_key       TEXT NOT NULL DEFAULT '',                   -- why it failed, as a message key
    error_args      TEXT NOT NULL DEFAULT '[]',                 -- and the message's name, value pairs (JSON)
    claimed_by      TEXT,                                       -- the worker (server instance) running it
    heartbeat_at    TIMESTAMP,                                  -- when that worker last said it is at work
    created_at      TIMESTAMP NOT NULL,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP
);
-- The workers' questions: the oldest queued job, and the running ones whose worker fell silent.
CREATE INDEX import_jobs_status ON import_jobs (status, id);
-- One job at a time per upload: confirming twice leads to the job already there.
CREATE UNIQUE INDEX import_jobs_document ON import_jobs (document_id) WHERE status IN ('queued', 'running');
