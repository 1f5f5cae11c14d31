-- Funding partners in full: financing mechanisms, figures kept with each partner for fast lists,
-- due diligence, documents, the relationship log (interactions, follow-ups, recognitions),
-- merges, daily jobs, and the full-text index.
-- Keep in step with ../postgres/0004_partners.sql; only the search index differs by design.

ALTER TABLE partners ADD COLUMN financing_mechanisms TEXT NOT NULL DEFAULT '';
-- Kept up to date by the store whenever an agreement changes, so lists can sort and show them.
ALTER TABLE partners ADD COLUMN agreement_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN value_usd_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN last_signed_on DATE;
-- The version of the search document; partners below the current one are indexed again at start.
ALTER TABLE partners ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX partners_status ON partners (status);
CREATE INDEX partners_membership ON partners (membership_code);
CREATE INDEX partners_name ON partners (name);
CREATE INDEX partners_value ON partners (value_usd_cents);
CREATE INDEX partners_search_version ON partners (search_version);
CREATE INDEX partner_action_areas_code ON partner_action_areas (action_area_code);
CREATE INDEX partner_regions_code ON partner_regions (region_code);
CREATE INDEX partner_financing_types_code ON partner_financing_types (financing_type_code);
CREATE INDEX partner_countries_code ON partner_countries (country_code);

-- A partner merged into another: its key and name stay findable and its audit history stays
-- under its old key.
CREATE TABLE partner_merges (
    id              INTEGER PRIMARY KEY,
    from_key        TEXT NOT NULL,
    from_name       TEXT NOT NULL,
    into_partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    merged_at       TIMESTAMP NOT NULL,
    merged_by       TEXT NOT NULL
);
CREATE INDEX partner_merges_into ON partner_merges (into_partner_id);
CREATE INDEX partner_merges_from ON partner_merges (from_key);

-- Due diligence as offices of the UN system keep it for companies and foundations.
CREATE TABLE due_diligence (
    partner_id  INTEGER PRIMARY KEY REFERENCES partners (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'cleared', 'cleared_with_conditions', 'not_cleared')),
    risk_rating TEXT NOT NULL DEFAULT '' CHECK (risk_rating IN ('', 'low', 'medium', 'high')),
    reviewer_id INTEGER REFERENCES users (id),
    reviewed_on DATE,
    recheck_on  DATE,
    notes       TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX due_diligence_status ON due_diligence (status);
CREATE INDEX due_diligence_recheck ON due_diligence (recheck_on);

-- Files attached to records (due-diligence reports, signed agreements), kept in the database so
-- that app servers hold no files of their own. Each upload of a name is a new version.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    owner_type   TEXT NOT NULL,                        -- due_diligence, agreement, …
    owner_id     INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  INTEGER REFERENCES users (id),
    uploaded_at  TIMESTAMP NOT NULL
);
CREATE INDEX documents_owner ON documents (owner_type, owner_id);

-- The relationship log.
CREATE TABLE interactions (
    id               INTEGER PRIMARY KEY,
    type             TEXT NOT NULL CHECK (type IN ('bilateral_meeting', 'bureau_event', 'external_event', 'conference_call', 'email', 'mission')),
    occurred_on      DATE NOT NULL,
    subject          TEXT NOT NULL,
    place            TEXT NOT NULL DEFAULT '',
    event            TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL DEFAULT '',
    agreement_id     INTEGER REFERENCES agreements (id) ON DELETE SET NULL,
    concept_ref      TEXT NOT NULL DEFAULT '',
    sponsorship_ref  TEXT NOT NULL DEFAULT '',
    email_message_id TEXT NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES users (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX interactions_occurred ON interactions (occurred_on);
CREATE INDEX interactions_agreement ON interactions (agreement_id);

CREATE TABLE interaction_partners (
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    partner_id     INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (interaction_id, partner_id)
);
CREATE INDEX interaction_partners_partner ON interaction_partners (partner_id);

CREATE TABLE interaction_contacts (
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    contact_id     INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (interaction_id, contact_id)
);

CREATE TABLE interaction_staff (
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (interaction_id, user_id)
);
CREATE INDEX interaction_staff_user ON interaction_staff (user_id);

CREATE TABLE follow_ups (
    id               INTEGER PRIMARY KEY,
    interaction_id   INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    description      TEXT NOT NULL,
    assignee_id      INTEGER NOT NULL REFERENCES users (id),
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_at          TIMESTAMP,
    last_reminded_on DATE,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_assignee ON follow_ups (assignee_id, status, due_on);
CREATE INDEX follow_ups_interaction ON follow_ups (interaction_id);

-- Recognitions of partners, such as the awards of the bureau's 25th anniversary.
CREATE TABLE recognitions (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    event       TEXT NOT NULL DEFAULT '',
    awarded_on  DATE NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX recognitions_partner ON recognitions (partner_id);

-- Daily jobs run once a day whatever the number of app servers: the first to insert the day's
-- row runs it.
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    run_on     DATE NOT NULL,
    started_at TIMESTAMP NOT NULL,
    PRIMARY KEY (job, run_on)
);

-- Full-text index of partners: the document is written by the store (internal/search), with
-- CJK text as bigrams. Contentless: the index keeps no copy of the text.
CREATE VIRTUAL TABLE partner_search USING fts5(
    document,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);

-- The figures of partners stored before this migration.
UPDATE partners SET
    agreement_count = (SELECT COUNT(*) FROM agreement_parties ap JOIN agreements a ON a.id = ap.agreement_id
        WHERE ap.partner_id = partners.id AND a.signed_on IS NOT NULL AND a.type_code <> 'amendment'),
    value_usd_cents = (SELECT COALESCE(SUM(a.value_usd_cents), 0) FROM agreement_parties ap JOIN agreements a ON a.id = ap.agreement_id
        WHERE ap.partner_id = partners.id AND a.signed_on IS NOT NULL),
    last_signed_on = (SELECT MAX(a.signed_on) FROM agreement_parties ap JOIN agreements a ON a.id = ap.agreement_id
        WHERE ap.partner_id = partners.id);
