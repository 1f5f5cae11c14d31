-- Foundation schema: reference lists, partners, agreements, users, sessions and API tokens.
-- Keep in step with ../postgres/0001_foundation.sql: the same tables, columns and constraints.

-- Reference lists. Codes are the stable identifiers of PRODUCT.md; labels live in reference_labels.
CREATE TABLE regions (
    code       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL
);

CREATE TABLE countries (
    code        TEXT PRIMARY KEY,                       -- ISO 3166-1 alpha-2
    iso3        TEXT NOT NULL UNIQUE,                   -- ISO 3166-1 alpha-3
    region_code TEXT REFERENCES regions (code),         -- NULL for other economies (OE)
    itu_member  BOOLEAN NOT NULL
);

CREATE TABLE action_areas (
    code       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE action_area_sectors (
    action_area_code TEXT NOT NULL REFERENCES action_areas (code) ON DELETE CASCADE,
    dac_sector_code  TEXT NOT NULL,                     -- IATI Sector (OECD-DAC 5-digit)
    PRIMARY KEY (action_area_code, dac_sector_code)
);

CREATE TABLE partner_types (
    code          TEXT PRIMARY KEY,
    iati_org_type TEXT NOT NULL,                        -- IATI OrganisationType
    sort_order    INTEGER NOT NULL
);

CREATE TABLE membership_categories (
    code       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL
);

CREATE TABLE agreement_types (
    code       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL
);

CREATE TABLE financing_types (
    code       TEXT PRIMARY KEY,
    sort_order INTEGER NOT NULL
);

CREATE TABLE currencies (
    code        TEXT PRIMARY KEY,                       -- ISO 4217
    minor_units INTEGER NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE currency_rates (
    currency_code TEXT NOT NULL REFERENCES currencies (code),
    valid_from    DATE NOT NULL,
    usd_per_unit  REAL NOT NULL CHECK (usd_per_unit > 0),
    PRIMARY KEY (currency_code, valid_from)
);

CREATE TABLE reference_labels (
    list  TEXT NOT NULL,                                -- region, country, action_area, …
    code  TEXT NOT NULL,
    lang  TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (list, code, lang)
);

-- People who sign in: staff and external accounts.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'regional_officer', 'viewer', 'external')),
    region_code   TEXT REFERENCES regions (code),
    language      TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,                      -- SHA-256 of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,                  -- SHA-256 of the token; the token itself is never stored
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);

-- Funding partners (organisations). English texts are in the row; other languages in partner_translations.
CREATE TABLE partners (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    acronym         TEXT NOT NULL DEFAULT '',
    type_code       TEXT NOT NULL REFERENCES partner_types (code),
    membership_code TEXT NOT NULL REFERENCES membership_categories (code),
    country_code    TEXT REFERENCES countries (code),
    website         TEXT NOT NULL DEFAULT '',
    mandate         TEXT NOT NULL DEFAULT '',
    strategy        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('prospect', 'active', 'dormant')),
    parent_id       INTEGER REFERENCES partners (id),
    owner_id        INTEGER REFERENCES users (id),
    notes           TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX partners_type ON partners (type_code);
CREATE INDEX partners_country ON partners (country_code);
CREATE INDEX partners_parent ON partners (parent_id);

CREATE TABLE partner_translations (
    partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    lang       TEXT NOT NULL CHECK (lang IN ('ar', 'es', 'fr', 'ru', 'zh')),
    name       TEXT NOT NULL DEFAULT '',
    acronym    TEXT NOT NULL DEFAULT '',
    mandate    TEXT NOT NULL DEFAULT '',
    strategy   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (partner_id, lang)
);

CREATE TABLE partner_action_areas (
    partner_id       INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    action_area_code TEXT NOT NULL REFERENCES action_areas (code),
    PRIMARY KEY (partner_id, action_area_code)
);

CREATE TABLE partner_regions (
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (partner_id, region_code)
);

CREATE TABLE partner_countries (
    partner_id   INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    country_code TEXT NOT NULL REFERENCES countries (code),
    PRIMARY KEY (partner_id, country_code)
);

CREATE TABLE partner_financing_types (
    partner_id          INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    financing_type_code TEXT NOT NULL REFERENCES financing_types (code),
    PRIMARY KEY (partner_id, financing_type_code)
);

CREATE TABLE partner_tags (
    partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (partner_id, tag)
);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_partner ON contacts (partner_id);

-- Agreements. An amendment is an agreement of type 'amendment' that names the agreement it amends;
-- its value is the value it adds, so sums over agreements never count a value twice.
CREATE TABLE agreements (
    id                       INTEGER PRIMARY KEY,
    reference                TEXT NOT NULL UNIQUE,
    title                    TEXT NOT NULL,
    type_code                TEXT NOT NULL REFERENCES agreement_types (code),
    status                   TEXT NOT NULL CHECK (status IN ('draft', 'negotiation', 'signed', 'active', 'expired', 'terminated')),
    signed_on                DATE,
    start_on                 DATE,
    end_on                   DATE,
    amount_cents             BIGINT NOT NULL DEFAULT 0,     -- in currency_code, hundredths
    currency_code            TEXT NOT NULL REFERENCES currencies (code),
    value_usd_cents          BIGINT NOT NULL DEFAULT 0,     -- amount at the signing date's rate
    in_kind_usd_cents        BIGINT NOT NULL DEFAULT 0,
    primary_action_area_code TEXT NOT NULL REFERENCES action_areas (code),
    amends_id                INTEGER REFERENCES agreements (id),
    amendment_kind           TEXT NOT NULL DEFAULT '' CHECK (amendment_kind IN ('', 'added_funds', 'no_cost_extension', 'change_of_scope', 'administrative_correction')),
    framework_id             INTEGER REFERENCES agreements (id),
    initiative               TEXT NOT NULL DEFAULT '',
    officer_id               INTEGER REFERENCES users (id),
    office_code              TEXT NOT NULL DEFAULT '',      -- HQ or a region code
    confidential             BOOLEAN NOT NULL DEFAULT FALSE,
    notes                    TEXT NOT NULL DEFAULT '',
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    CHECK ((type_code = 'amendment') = (amends_id IS NOT NULL))
);
CREATE INDEX agreements_signed_on ON agreements (signed_on);
CREATE INDEX agreements_amends ON agreements (amends_id);
CREATE INDEX agreements_framework ON agreements (framework_id);
CREATE INDEX agreements_action_area ON agreements (primary_action_area_code);

CREATE TABLE agreement_translations (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    lang         TEXT NOT NULL CHECK (lang IN ('ar', 'es', 'fr', 'ru', 'zh')),
    title        TEXT NOT NULL,
    PRIMARY KEY (agreement_id, lang)
);

CREATE TABLE agreement_parties (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    partner_id   INTEGER NOT NULL REFERENCES partners (id),
    role         TEXT NOT NULL CHECK (role IN ('funder', 'implementing_partner', 'co_signatory')),
    PRIMARY KEY (agreement_id, partner_id)
);
CREATE INDEX agreement_parties_partner ON agreement_parties (partner_id);

CREATE TABLE agreement_regions (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    region_code  TEXT NOT NULL REFERENCES regions (code),
    share        REAL NOT NULL CHECK (share > 0 AND share <= 1),
    PRIMARY KEY (agreement_id, region_code)
);
CREATE INDEX agreement_regions_region ON agreement_regions (region_code);

CREATE TABLE agreement_countries (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    country_code TEXT NOT NULL REFERENCES countries (code),
    PRIMARY KEY (agreement_id, country_code)
);
CREATE INDEX agreement_countries_country ON agreement_countries (country_code);

CREATE TABLE agreement_action_areas (
    agreement_id     INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    action_area_code TEXT NOT NULL REFERENCES action_areas (code),
    PRIMARY KEY (agreement_id, action_area_code)
);
