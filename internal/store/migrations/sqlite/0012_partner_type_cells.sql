-- partner_cells once more for each type among an agreement's parties, so that the partner
-- panels of a dashboard filtered by partner type (partners by type, top partners) add up cells
-- instead of reading the agreements: an agreement with a party of the type counts in full for
-- every party to it, as in partner_cells. Filled by the agreement writer with agreement_type_cube
-- (report parts marked typed). Keep in step with ../postgres/0012_partner_type_cells.sql.
CREATE TABLE partner_type_cells (
    party_type   TEXT NOT NULL,
    year         INTEGER NOT NULL,
    partner_id   INTEGER NOT NULL,
    -- the partner's own type, as of its last agreement written
    partner_type TEXT NOT NULL,
    n            REAL NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (party_type, year, partner_id)
) WITHOUT ROWID;
