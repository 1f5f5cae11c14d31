-- The agreements registry: deleted agreements kept restorable, money as it arrives (instalments),
-- obligations to funders, and the search index with the facet codes of every agreement.
-- Keep in step with ../postgres/0007_agreements.sql; only the search index differs by design.

ALTER TABLE agreements ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE agreements ADD COLUMN deleted_by TEXT NOT NULL DEFAULT '';
-- When the officer was told the agreement ends within 90 days; they are told once.
ALTER TABLE agreements ADD COLUMN end_reminded_on DATE;
-- The version of the search document; agreements below the current one are indexed again at start.
ALTER TABLE agreements ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX agreements_search_version ON agreements (search_version);
CREATE INDEX agreements_value ON agreements (value_usd_cents);
CREATE INDEX agreements_end_on ON agreements (end_on);
-- The registry's default order, newest signature first (SQLite puts NULLs last in a descending index).
CREATE INDEX agreements_signed_desc ON agreements (signed_on DESC, id DESC);
CREATE INDEX agreements_officer ON agreements (officer_id);

-- A voluntary contribution's payment schedule: what is pledged when, and what arrived.
CREATE TABLE instalments (
    id             INTEGER PRIMARY KEY,
    agreement_id   INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    due_on         DATE NOT NULL,
    amount_cents   BIGINT NOT NULL CHECK (amount_cents >= 0),
    received_on    DATE,
    received_cents BIGINT NOT NULL DEFAULT 0 CHECK (received_cents >= 0),
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX instalments_agreement ON instalments (agreement_id, due_on);

-- Reports owed to the funder.
CREATE TABLE obligations (
    id               INTEGER PRIMARY KEY,
    agreement_id     INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('narrative', 'financial', 'final')),
    due_on           DATE NOT NULL,
    submitted_on     DATE,
    note             TEXT NOT NULL DEFAULT '',
    last_reminded_on DATE
);
CREATE INDEX obligations_due ON obligations (submitted_on, due_on);
CREATE INDEX obligations_agreement ON obligations (agreement_id);

-- How many live agreements have each code of each facet, kept by every write, so that the whole
-- registry's facets are counted without reading a million rows; confidential ones apart, since
-- only some readers count them.
CREATE TABLE agreement_facet_counts (
    facet        TEXT NOT NULL,
    code         TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (facet, code, confidential)
);
-- The busiest codes of a facet first: a registry has up to a hundred thousand partners.
CREATE INDEX agreement_facet_counts_top ON agreement_facet_counts (facet, confidential, n);

-- The facet codes of every agreement in one short row, for counting a selection's facets.
CREATE TABLE agreement_codes (
    agreement_id INTEGER PRIMARY KEY REFERENCES agreements (id) ON DELETE CASCADE,
    codes        TEXT NOT NULL
);

-- Full-text index of agreements: reference, titles in every language, initiative and the parties'
-- names, then a token per facet code (see internal/store/agreement_list.go).
CREATE VIRTUAL TABLE agreement_search USING fts5(
    document,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
