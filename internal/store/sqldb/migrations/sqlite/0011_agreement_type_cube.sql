-- agreement_cube once more with the type of a party, so that a dashboard filtered by partner
-- type adds up cells instead of reading the agreements: each agreement counts once for each
-- distinct type among its parties (weighted by its region shares, as in agreement_cube). Filled
-- by the agreement writer; the re-index at start (agreementSearchVersion 6) adds every agreement
-- once. Keep in step with ../postgres/0011_agreement_type_cube.sql.
CREATE TABLE agreement_type_cube (
    year             INTEGER NOT NULL,
    partner_type     TEXT NOT NULL,
    type_code        TEXT NOT NULL,
    action_area_code TEXT NOT NULL,
    office_code      TEXT NOT NULL,
    region_code      TEXT NOT NULL,
    n                REAL NOT NULL,
    value            REAL NOT NULL,
    PRIMARY KEY (partner_type, year, type_code, action_area_code, office_code, region_code)
);
