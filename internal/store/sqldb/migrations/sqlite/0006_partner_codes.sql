-- The facet codes of every partner in one short row, so that counting the facets of a list reads
-- a small table instead of the partners' wide rows. Written by the store with the search document;
-- the format is in internal/store/partner_list.go (partnerCodes).
-- Keep in step with ../postgres/0006_partner_codes.sql.
CREATE TABLE partner_codes (
    partner_id INTEGER PRIMARY KEY REFERENCES partners (id) ON DELETE CASCADE,
    codes      TEXT NOT NULL
);
