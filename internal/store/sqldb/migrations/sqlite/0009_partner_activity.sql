-- The years in which each partner is a party to signed agreements, as the bits of one integer
-- (bit y - 1970 stands for the year y, 1970 to 2032), so that the partners of a period are
-- counted in one pass over the partners instead of over each of their years (PartnersByType).
-- A summary of partner_cells, kept by the same writer. Keep in step with
-- ../postgres/0009_partner_activity.sql.
CREATE TABLE partner_activity (
    partner_id   INTEGER PRIMARY KEY,
    -- the partner's type, as of its last agreement written
    partner_type TEXT NOT NULL,
    years        INTEGER NOT NULL
);

INSERT INTO partner_activity (partner_id, partner_type, years)
SELECT partner_id, MAX(partner_type), SUM(1 << (year - 1970)) FROM partner_cells
WHERE n > 0.5 AND year >= 1970 AND year <= 2032
GROUP BY partner_id;

-- Counting by type reads this index alone, in the order of the types.
CREATE INDEX partner_activity_type ON partner_activity (partner_type, years);

-- Each year's partners by value with their count of agreements, so that ranking them reads the
-- index alone (store.TopPartners).
DROP INDEX partner_cells_value;
CREATE INDEX partner_cells_value ON partner_cells (year, value, n);
