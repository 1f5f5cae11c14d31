-- The figures of the reports kept summed as agreements are written, so that a dashboard over a
-- million agreements adds up a few thousand cells instead of reading every agreement.
-- Keep in step with ../postgres/0008_report_cells.sql.

-- Agreements signed, by year, type, primary action area, office and beneficiary region, each
-- weighted by its share in the region (region '' for an agreement without one): n counts them,
-- value sums their USD value in cents.
CREATE TABLE agreement_cube (
    year             INTEGER NOT NULL,
    type_code        TEXT NOT NULL,
    action_area_code TEXT NOT NULL,
    office_code      TEXT NOT NULL,
    region_code      TEXT NOT NULL,
    n                  REAL NOT NULL,
    value              REAL NOT NULL,
    PRIMARY KEY (year, type_code, action_area_code, office_code, region_code)
);

-- Agreements signed by year and partner type (each party's type weighs 1/parties) or country
-- (1/countries), split into new agreements and amendments: the report API's other dimensions.
CREATE TABLE agreement_shares (
    dimension   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    code        TEXT NOT NULL,
    new_n       REAL NOT NULL,
    amendment_n REAL NOT NULL,
    value         REAL NOT NULL,
    PRIMARY KEY (dimension, year, code)
);

-- Agreements signed by year and party (each counting in full for every party to it), for the
-- partners of a period: how many of each type, and those whose agreements are worth the most.
CREATE TABLE partner_cells (
    year         INTEGER NOT NULL,
    partner_id   INTEGER NOT NULL,
    -- the partner's type, as of its last agreement written
    partner_type TEXT NOT NULL,
    n            REAL NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (year, partner_id)
) WITHOUT ROWID;
-- Each year's partners by value, for ranking the partners of a period (store.TopPartners).
CREATE INDEX partner_cells_value ON partner_cells (year, value);

-- What an agreement added to the three tables above, so that it is taken out exactly as it was
-- put in even after a party changed type.
ALTER TABLE agreement_codes ADD COLUMN cells TEXT NOT NULL DEFAULT '';

-- Money received per year, for the dashboard.
CREATE INDEX instalments_received ON instalments (received_on);
