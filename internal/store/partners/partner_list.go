package partners

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// facetColumns are the facets held in a column of partners (or of its due-diligence record).
var facetColumns = map[string]string{
	partner.FacetType:         "p.type_code",
	partner.FacetMembership:   "p.membership_code",
	partner.FacetStatus:       "p.status",
	partner.FacetCountry:      "COALESCE(p.country_code, '')",
	partner.FacetDueDiligence: "COALESCE(dd.status, 'none')",
}

// facetTables are the facets held in a list table: table and code column.
var facetTables = map[string][2]string{
	partner.FacetRegion:        {"partner_regions", "region_code"},
	partner.FacetActionArea:    {"partner_action_areas", "action_area_code"},
	partner.FacetFinancingType: {"partner_financing_types", "financing_type_code"},
}

// matchTerms returns the full-text terms of a selection: the search words, then one term per
// facet with codes chosen (any of the codes), leaving out the facet except.
func matchTerms(f *partner.Filter, words []search.Term, except string) []search.Term {
	terms := append([]search.Term{}, words...)
	for _, facet := range partner.Facets {
		codes := f.Values(facet)
		if facet == except || len(codes) == 0 {
			continue
		}
		var any []string
		for _, c := range codes {
			any = append(any, derived.FacetToken(facet, c))
		}
		terms = append(terms, search.Term{Any: any})
	}
	return terms
}

// matches returns SQL selecting the ids (as id, with rank when ranked) of the partners that
// terms select, and its argument; with no terms, every partner.
func (s *Partners) matches(terms []search.Term, ranked bool) (string, []any) {
	if len(terms) == 0 {
		return "SELECT id, 0 AS rank FROM partners", nil
	}
	query := s.db.Dialect().SearchIDs("partner_search", "partner_id")
	if !ranked {
		query = s.db.Dialect().SearchIDsUnranked("partner_search", "partner_id")
	}
	return query, []any{s.db.Dialect().SearchArg(terms)}
}

// sortKey is how the list orders partners: a column, its direction, and the table it needs
// (ps: the per-language sort names, p: the partners, "": only the search's rank). Every order
// ends with the id, so pages never overlap.
type sortKey struct {
	column, direction, needs string
}

// partnerSorts whitelists the orders of the list.
var partnerSorts = map[string]sortKey{
	partner.SortName:       {"ps.sort_name", "", "ps"},
	partner.SortRelevance:  {"m.rank", "", ""},
	partner.SortValue:      {"p.value_usd_cents", " DESC", "p"},
	partner.SortAgreements: {"p.agreement_count", " DESC", "p"},
	partner.SortRecent:     {"p.last_signed_on", " DESC NULLS LAST", "p"},
}

// sortOf returns the order to use for f: relevance only with search words, name by default.
func sortOf(f *partner.Filter, words []search.Term) string {
	sort := f.Sort
	if _, known := partnerSorts[sort]; (sort == partner.SortRelevance && len(words) == 0) || !known {
		sort = partner.SortName
		if len(words) > 0 {
			sort = partner.SortRelevance
		}
	}
	return sort
}

// ListPartners returns a page of the partners f selects, the total, and the counts of every
// facet. A facet with codes chosen is counted over what the other facets select, so a reader sees
// how changing the choice would change the list; the facets without a choice are counted
// together over the selection itself.
func (s *Partners) ListPartners(ctx context.Context, f partner.Filter) (*partner.Page, error) {
	if !reference.IsLanguage(f.Lang) {
		f.Lang = "en"
	}
	words := search.Parse(f.Query)
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 25
	}
	page := &partner.Page{}
	err := sqldb.SideBySide(
		func() (err error) {
			page.Items, page.Total, err = s.partnerItems(ctx, &f, words, sortOf(&f, words), limit)
			return err
		},
		func() (err error) { page.Facets, err = s.partnerFacetCounts(ctx, &f, words); return err })
	if err != nil {
		return nil, err
	}
	return page, nil
}

// partnerItems returns a page of the selection and its total. It finds the page's ids first,
// ordering by what the sort needs alone, then reads the details of those few partners.
func (s *Partners) partnerItems(ctx context.Context, f *partner.Filter, words []search.Term, sort string, limit int) ([]partner.Summary, int, error) {
	terms := matchTerms(f, words, "")
	key := partnerSorts[sort]
	var src, id, where, total string
	var args []any
	switch {
	case len(terms) > 0:
		match, margs := s.matches(terms, sort == partner.SortRelevance)
		src, id, total, args = "("+match+") m", "m.id", "COUNT(*) OVER ()", margs
		switch key.needs {
		case "ps":
			src += " " + s.db.Dialect().DrivingJoin() + " partner_sort ps ON ps.partner_id = m.id AND ps.lang = ?"
			args = append(args, f.Lang)
		case "p":
			src += " " + s.db.Dialect().DrivingJoin() + " partners p ON p.id = m.id"
		}
	case key.needs == "ps":
		src, id, where, total, args = "partner_sort ps", "ps.partner_id", " WHERE ps.lang = ?", "0", []any{f.Lang}
	default:
		src, id, total = "partners p", "p.id", "0"
	}
	page := "SELECT " + id + " AS id, " + key.column + " AS k, " + total + " AS total FROM " + src + where +
		" ORDER BY " + key.column + key.direction + ", " + id + " LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Offset, 0))
	query := `SELECT p.id, p.key, COALESCE(NULLIF(t.name, ''), p.name), COALESCE(NULLIF(t.acronym, ''), p.acronym),
		p.type_code, p.membership_code, COALESCE(p.country_code, ''), p.status, p.agreement_count, p.value_usd_cents,
		p.last_signed_on, COALESCE(dd.status, ''), pg.total
		FROM (` + page + `) pg JOIN partners p ON p.id = pg.id
		LEFT JOIN partner_translations t ON t.partner_id = p.id AND t.lang = ?
		LEFT JOIN due_diligence dd ON dd.partner_id = p.id
		ORDER BY pg.k` + key.direction + ", pg.id"
	rows, err := s.db.Query(ctx, query, append(args, f.Lang)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list partners: %w", err)
	}
	defer rows.Close()
	var items []partner.Summary
	count := 0
	for rows.Next() {
		var s partner.Summary
		var value int64
		if err := rows.Scan(&s.ID, &s.Key, &s.Name, &s.Acronym, &s.Type, &s.Membership, &s.Country, &s.Status,
			&s.AgreementCount, &value, &s.LastSignedOn, &s.DueDiligence, &count); err != nil {
			return nil, 0, fmt.Errorf("list partners: %w", err)
		}
		s.ValueUSD = money.Amount(value)
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list partners: %w", err)
	}
	if len(terms) == 0 || (len(items) == 0 && f.Offset > 0) {
		// The whole list, or past the last page: count apart.
		match, margs := s.matches(terms, false)
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM ("+match+") m", margs...).Scan(&count); err != nil {
			return nil, 0, fmt.Errorf("count partners: %w", err)
		}
	}
	return items, count, nil
}

// partnerFacetCounts counts every facet as ListPartners describes. A facet with codes chosen is
// counted over the partners that every other chosen facet admits, the others over the selection:
// all of them are counted in one pass over the partners that at most one chosen facet refuses,
// except when nothing but one facet is chosen, where that facet's counts are the whole list's.
func (s *Partners) partnerFacetCounts(ctx context.Context, f *partner.Filter, words []search.Term) (map[string][]partner.Count, error) {
	chosen, unchosen := derived.SplitFacets(partner.Facets, f.Values)
	switch {
	case len(chosen) == 0:
		return s.facetCounts(ctx, words, partner.Facets, nil)
	case len(chosen) == 1 && len(words) == 0:
		counts, err := s.facetCountsOfAll(ctx, chosen)
		if err != nil {
			return nil, err
		}
		others, err := s.facetCounts(ctx, matchTerms(f, words, ""), unchosen, nil)
		maps.Copy(counts, others)
		return counts, err
	}
	terms := derived.OnePassTerms(words, chosen, func(except string) []search.Term { return matchTerms(f, nil, except) })
	choice := derived.NewFacetChoice(chosen, f.Values, func(facet string) int { return slices.Index(partner.Facets, facet) },
		func(facet string) bool { _, list := facetTables[facet]; return list }, derived.FacetToken)
	return s.facetCounts(ctx, terms, partner.Facets, choice)
}

// facetCounts counts the codes of facets among the partners terms select: the selection is
// computed once by the index, and each selected partner's codes are read from the narrow
// partner_codes table and counted here. With a choice, a partner that one chosen facet refuses
// counts in that facet only, and one that several refuse in none.
func (s *Partners) facetCounts(ctx context.Context, terms []search.Term, facets []string, choice *derived.FacetChoice) (map[string][]partner.Count, error) {
	if len(terms) == 0 {
		return s.facetCountsOfAll(ctx, facets)
	}
	match, args := s.matches(terms, false)
	rows, err := s.db.Query(ctx, "SELECT pc.codes FROM ("+match+") m "+s.db.Dialect().DrivingJoin()+
		" partner_codes pc ON pc.partner_id = m.id", args...)
	if err != nil {
		return nil, fmt.Errorf("count partners by %v: %w", facets, err)
	}
	defer rows.Close()
	positions := make([]int, len(facets))
	for i, facet := range facets {
		positions[i] = slices.Index(partner.Facets, facet)
	}
	tally := make([]map[string]int, len(facets))
	for i := range tally {
		tally[i] = map[string]int{}
	}
	var codes string
	var fields []string
	for rows.Next() {
		if err := rows.Scan(&codes); err != nil {
			return nil, fmt.Errorf("count partners by %v: %w", facets, err)
		}
		fields = derived.AppendFields(fields[:0], codes)
		var refusing string
		if choice != nil {
			var several bool
			if refusing, several = choice.Refusing(fields); several {
				continue
			}
		}
		for i, pos := range positions {
			if pos >= len(fields) || (refusing != "" && facets[i] != refusing) {
				continue
			}
			if _, list := facetTables[facets[i]]; list {
				for _, c := range derived.SplitList(fields[pos]) {
					tally[i][c]++
				}
				continue
			}
			tally[i][fields[pos]]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count partners by %v: %w", facets, err)
	}
	counts := map[string][]partner.Count{}
	for i, facet := range facets {
		list := make([]partner.Count, 0, len(tally[i]))
		for code, n := range tally[i] {
			list = append(list, partner.Count{Code: code, Count: n})
		}
		slices.SortFunc(list, func(a, b partner.Count) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Code, b.Code)
		})
		counts[facet] = list
	}
	return counts, nil
}

// facetCountsOfAll counts the codes of facets over every partner, straight from the tables'
// indexes: the list as it first opens, with no search and no filter.
func (s *Partners) facetCountsOfAll(ctx context.Context, facets []string) (map[string][]partner.Count, error) {
	var parts []string
	for _, facet := range facets {
		switch {
		case facet == partner.FacetDueDiligence:
			parts = append(parts, "SELECT '"+facet+"', status, COUNT(*) FROM due_diligence GROUP BY status",
				"SELECT '"+facet+"', 'none', (SELECT COUNT(*) FROM partners) - (SELECT COUNT(*) FROM due_diligence)")
		case facetColumns[facet] != "":
			parts = append(parts, "SELECT '"+facet+"', "+facetColumns[facet]+", COUNT(*) FROM partners p GROUP BY "+facetColumns[facet])
		default:
			t := facetTables[facet]
			parts = append(parts, "SELECT '"+facet+"', "+t[1]+", COUNT(*) FROM "+t[0]+" GROUP BY "+t[1])
		}
	}
	rows, err := s.db.Query(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("count all partners by %v: %w", facets, err)
	}
	defer rows.Close()
	counts := map[string][]partner.Count{}
	for rows.Next() {
		var facet string
		var c partner.Count
		if err := rows.Scan(&facet, &c.Code, &c.Count); err != nil {
			return nil, fmt.Errorf("count all partners by %v: %w", facets, err)
		}
		if c.Count > 0 {
			counts[facet] = append(counts[facet], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count all partners by %v: %w", facets, err)
	}
	for _, list := range counts {
		slices.SortFunc(list, func(a, b partner.Count) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Code, b.Code)
		})
	}
	return counts, nil
}

// ForEachPartner calls fn with every partner f selects, in the list's order, loading them in
// batches so that exporting a hundred thousand partners needs neither one query per partner nor
// all of them in memory. Contacts are not loaded.
func (s *Partners) ForEachPartner(ctx context.Context, f partner.Filter, fn func(*partner.Partner) error) error {
	if !reference.IsLanguage(f.Lang) {
		f.Lang = "en"
	}
	words := search.Parse(f.Query)
	sort := sortOf(&f, words)
	match, args := s.matches(matchTerms(&f, words, ""), sort == partner.SortRelevance)
	key := partnerSorts[sort]
	ids, err := sqldb.QueryIDs(ctx, s.db, "SELECT p.id FROM ("+match+") m JOIN partners p ON p.id = m.id "+
		"LEFT JOIN partner_sort ps ON ps.partner_id = p.id AND ps.lang = ? ORDER BY "+key.column+key.direction+", p.id", append(args, f.Lang)...)
	if err != nil {
		return fmt.Errorf("export partners: %w", err)
	}
	for start := 0; start < len(ids); start += 500 {
		batch, err := s.partnersByIDs(ctx, ids[start:min(start+500, len(ids))])
		if err != nil {
			return err
		}
		for _, p := range batch {
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// partnersByIDs loads partners with their texts and lists, in the order of ids.
func (s *Partners) partnersByIDs(ctx context.Context, ids []int64) ([]*partner.Partner, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := "(" + sqldb.Placeholders(len(ids)) + ")"
	byID := make(map[int64]*partner.Partner, len(ids))
	rows, err := s.db.Query(ctx, "SELECT "+partnerColumns+" FROM partners WHERE id IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("load partners: %w", err)
	}
	for rows.Next() {
		p := &partner.Partner{Texts: map[string]partner.Text{}}
		var en partner.Text
		var country sql.NullString
		var parent, owner sql.NullInt64
		var value int64
		if err := rows.Scan(&p.ID, &p.Key, &en.Name, &en.Acronym, &p.Type, &p.Membership, &country, &p.Website, &en.Mandate,
			&en.Strategy, &p.FinancingMechanisms, &p.Status, &parent, &owner, &p.Notes, &p.AgreementCount, &value,
			&p.LastSignedOn, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load partners: %w", err)
		}
		p.Texts["en"] = en
		p.Country, p.ParentID, p.OwnerID, p.ValueUSD = country.String, parent.Int64, owner.Int64, money.Amount(value)
		byID[p.ID] = p
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("load partners: %w", err)
	}
	trows, err := s.db.Query(ctx, "SELECT partner_id, lang, name, acronym, mandate, strategy FROM partner_translations WHERE partner_id IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("load partner texts: %w", err)
	}
	for trows.Next() {
		var id int64
		var lang string
		var t partner.Text
		if err := trows.Scan(&id, &lang, &t.Name, &t.Acronym, &t.Mandate, &t.Strategy); err != nil {
			trows.Close()
			return nil, fmt.Errorf("load partner texts: %w", err)
		}
		byID[id].Texts[lang] = t
	}
	err = trows.Err()
	trows.Close()
	if err != nil {
		return nil, fmt.Errorf("load partner texts: %w", err)
	}
	lists := []struct {
		table, column string
		dst           func(*partner.Partner) *[]string
	}{
		{"partner_action_areas", "action_area_code", func(p *partner.Partner) *[]string { return &p.ActionAreas }},
		{"partner_regions", "region_code", func(p *partner.Partner) *[]string { return &p.Regions }},
		{"partner_countries", "country_code", func(p *partner.Partner) *[]string { return &p.Countries }},
		{"partner_financing_types", "financing_type_code", func(p *partner.Partner) *[]string { return &p.FinancingTypes }},
		{"partner_tags", "tag", func(p *partner.Partner) *[]string { return &p.Tags }},
	}
	for _, l := range lists {
		lrows, err := s.db.Query(ctx, "SELECT partner_id, "+l.column+" FROM "+l.table+" WHERE partner_id IN "+in+" ORDER BY "+l.column, args...)
		if err != nil {
			return nil, fmt.Errorf("load partner lists: %w", err)
		}
		for lrows.Next() {
			var id int64
			var code string
			if err := lrows.Scan(&id, &code); err != nil {
				lrows.Close()
				return nil, fmt.Errorf("load partner lists: %w", err)
			}
			dst := l.dst(byID[id])
			*dst = append(*dst, code)
		}
		err = lrows.Err()
		lrows.Close()
		if err != nil {
			return nil, fmt.Errorf("load partner lists: %w", err)
		}
	}
	out := make([]*partner.Partner, 0, len(ids))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}
