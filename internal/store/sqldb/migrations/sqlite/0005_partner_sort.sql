-- The name of every partner in every language as the list sorts it (folded case and accents,
-- English where a language has no name), so that the first page of a hundred thousand partners
-- sorted by name comes from an index. Written by the store with the search document.
-- Keep in step with ../postgres/0005_partner_sort.sql.
CREATE TABLE partner_sort (
    partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    sort_name  TEXT NOT NULL,
    PRIMARY KEY (partner_id, lang)
);
CREATE INDEX partner_sort_order ON partner_sort (lang, sort_name, partner_id);

-- The other orders of the list.
CREATE INDEX partners_agreement_count ON partners (agreement_count);
CREATE INDEX partners_last_signed ON partners (last_signed_on);
