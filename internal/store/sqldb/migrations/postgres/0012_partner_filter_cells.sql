-- partner_cells once more for each partner type among an agreement's parties and for each of
-- its beneficiary regions, so that the partner panels of a dashboard filtered by a partner type
-- or by a region (partners by type, top partners) add up cells instead of reading the
-- agreements. dimension is 'partner_type' or 'region', code the type or the region. An
-- agreement counts for every party to it: in full under each of its parties' types, by its
-- share under each region. Filled by the agreement writer with agreement_type_cube (report
-- parts marked typed). Keep in step with ../sqlite/0012_partner_filter_cells.sql.
CREATE TABLE partner_filter_cells (
    dimension    TEXT NOT NULL,
    code         TEXT NOT NULL,
    year         INTEGER NOT NULL,
    partner_id   BIGINT NOT NULL,
    -- the partner's own type, as of its last agreement written
    partner_type TEXT NOT NULL,
    n            DOUBLE PRECISION NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (dimension, code, year, partner_id)
);
