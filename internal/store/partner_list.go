package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/search"
)

// partnerQuery is the FROM and WHERE of a partner selection, with its arguments in order.
type partnerQuery struct {
	from  string
	where []string
	args  []any
}

func (q *partnerQuery) add(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
}

func (q *partnerQuery) sql() string {
	s := q.from
	if len(q.where) > 0 {
		s += " WHERE " + strings.Join(q.where, " AND ")
	}
	return s
}

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

// selection builds the query for the partners f selects, leaving out the facet except (to count
// that facet's codes). The search, when there is one, is joined as s with its rank; the due
// diligence as dd; prefix adds joins (and their arguments) before the filters.
func (db *DB) selection(f *partner.Filter, terms []search.Term, except string, prefix string, prefixArgs ...any) *partnerQuery {
	q := &partnerQuery{from: "FROM partners p " + prefix, args: prefixArgs}
	if len(terms) > 0 {
		q.from += " JOIN (" + db.dialect.searchIDs("partner_search", "partner_id") + ") s ON s.id = p.id"
		q.args = append(q.args, db.dialect.searchArg(terms))
	}
	q.from += " LEFT JOIN due_diligence dd ON dd.partner_id = p.id"
	for _, facet := range partner.Facets {
		codes := f.Values(facet)
		if facet == except || len(codes) == 0 {
			continue
		}
		args := make([]any, len(codes))
		for i, c := range codes {
			args[i] = c
		}
		if column, ok := facetColumns[facet]; ok {
			q.add(column+" IN ("+placeholders(len(codes))+")", args...)
			continue
		}
		t := facetTables[facet]
		q.add("EXISTS (SELECT 1 FROM "+t[0]+" x WHERE x.partner_id = p.id AND x."+t[1]+" IN ("+placeholders(len(codes))+"))", args...)
	}
	return q
}

// partnerSorts whitelists the orders of the list; every order ends with the id, so pages never
// overlap.
var partnerSorts = map[string]string{
	partner.SortName:       "lower(COALESCE(NULLIF(t.name, ''), p.name)), p.id",
	partner.SortRelevance:  "s.rank, p.id",
	partner.SortValue:      "p.value_usd_cents DESC, p.id",
	partner.SortAgreements: "p.agreement_count DESC, p.id",
	partner.SortRecent:     "p.last_signed_on DESC NULLS LAST, p.id",
}

// ListPartners returns a page of the partners f selects, the total, and the counts of every facet.
func (db *DB) ListPartners(ctx context.Context, f partner.Filter) (*partner.Page, error) {
	terms := search.Parse(f.Query)
	sort := f.Sort
	if sort == partner.SortRelevance && len(terms) == 0 || partnerSorts[sort] == "" {
		sort = partner.SortName
		if len(terms) > 0 {
			sort = partner.SortRelevance
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 25
	}
	page := &partner.Page{Facets: map[string][]partner.Count{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(partner.Facets)+1)

	wg.Add(1)
	go func() {
		defer wg.Done()
		items, total, err := db.partnerItems(ctx, &f, terms, sort, limit)
		if err != nil {
			errs <- err
			return
		}
		mu.Lock()
		page.Items, page.Total = items, total
		mu.Unlock()
	}()
	for _, facet := range partner.Facets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts, err := db.facetCounts(ctx, &f, terms, facet)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			page.Facets[facet] = counts
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return page, nil
}

func (db *DB) partnerItems(ctx context.Context, f *partner.Filter, terms []search.Term, sort string, limit int) ([]partner.Summary, int, error) {
	q := db.selection(f, terms, "", "LEFT JOIN partner_translations t ON t.partner_id = p.id AND t.lang = ?", f.Lang)
	query := `SELECT p.id, p.key, COALESCE(NULLIF(t.name, ''), p.name), COALESCE(NULLIF(t.acronym, ''), p.acronym),
		p.type_code, p.membership_code, COALESCE(p.country_code, ''), p.status, p.agreement_count, p.value_usd_cents,
		p.last_signed_on, COALESCE(dd.status, ''), COUNT(*) OVER () ` + q.sql() + " ORDER BY " + partnerSorts[sort] + " LIMIT ? OFFSET ?"
	rows, err := db.query(ctx, query, append(q.args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list partners: %w", err)
	}
	defer rows.Close()
	var items []partner.Summary
	total := 0
	for rows.Next() {
		var s partner.Summary
		var value int64
		if err := rows.Scan(&s.ID, &s.Key, &s.Name, &s.Acronym, &s.Type, &s.Membership, &s.Country, &s.Status,
			&s.AgreementCount, &value, &s.LastSignedOn, &s.DueDiligence, &total); err != nil {
			return nil, 0, fmt.Errorf("list partners: %w", err)
		}
		s.ValueUSD = money.Amount(value)
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list partners: %w", err)
	}
	if len(items) == 0 && f.Offset > 0 {
		// Past the last page: the total still tells the reader how many there are.
		if err := db.queryRow(ctx, "SELECT COUNT(*) "+q.sql(), q.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count partners: %w", err)
		}
	}
	return items, total, nil
}

func (db *DB) facetCounts(ctx context.Context, f *partner.Filter, terms []search.Term, facet string) ([]partner.Count, error) {
	var query string
	var q *partnerQuery
	if column, ok := facetColumns[facet]; ok {
		q = db.selection(f, terms, facet, "")
		query = "SELECT " + column + ", COUNT(*) " + q.sql() + " GROUP BY " + column + " ORDER BY 2 DESC, 1"
	} else {
		t := facetTables[facet]
		q = db.selection(f, terms, facet, "JOIN "+t[0]+" v ON v.partner_id = p.id")
		query = "SELECT v." + t[1] + ", COUNT(*) " + q.sql() + " GROUP BY v." + t[1] + " ORDER BY 2 DESC, 1"
	}
	rows, err := db.query(ctx, query, q.args...)
	if err != nil {
		return nil, fmt.Errorf("count partners by %s: %w", facet, err)
	}
	defer rows.Close()
	var counts []partner.Count
	for rows.Next() {
		var c partner.Count
		if err := rows.Scan(&c.Code, &c.Count); err != nil {
			return nil, fmt.Errorf("count partners by %s: %w", facet, err)
		}
		counts = append(counts, c)
	}
	return counts, rows.Err()
}

// ForEachPartner calls fn with every partner f selects, in the list's order, loading them in
// batches so that exporting a hundred thousand partners needs neither one query per partner nor
// all of them in memory. Contacts are not loaded.
func (db *DB) ForEachPartner(ctx context.Context, f partner.Filter, fn func(*partner.Partner) error) error {
	terms := search.Parse(f.Query)
	sort := f.Sort
	if partnerSorts[sort] == "" || (sort == partner.SortRelevance && len(terms) == 0) {
		sort = partner.SortName
	}
	q := db.selection(&f, terms, "", "LEFT JOIN partner_translations t ON t.partner_id = p.id AND t.lang = ?", f.Lang)
	rows, err := db.query(ctx, "SELECT p.id "+q.sql()+" ORDER BY "+partnerSorts[sort], q.args...)
	if err != nil {
		return fmt.Errorf("export partners: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("export partners: %w", err)
		}
		ids = append(ids, id)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("export partners: %w", err)
	}
	for start := 0; start < len(ids); start += 500 {
		batch, err := db.partnersByIDs(ctx, ids[start:min(start+500, len(ids))])
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
func (db *DB) partnersByIDs(ctx context.Context, ids []int64) ([]*partner.Partner, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := "(" + placeholders(len(ids)) + ")"
	byID := make(map[int64]*partner.Partner, len(ids))
	rows, err := db.query(ctx, "SELECT "+partnerColumns+" FROM partners WHERE id IN "+in, args...)
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
	trows, err := db.query(ctx, "SELECT partner_id, lang, name, acronym, mandate, strategy FROM partner_translations WHERE partner_id IN "+in, args...)
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
		lrows, err := db.query(ctx, "SELECT partner_id, "+l.column+" FROM "+l.table+" WHERE partner_id IN "+in+" ORDER BY "+l.column, args...)
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

// duplicateThreshold is how alike two names must be (search.Similarity) to be called likely duplicates.
const duplicateThreshold = 0.6

// SimilarPartners returns stored partners that are likely the same organisation as one with
// these names and acronyms (in any language): a name alike in its words, or the same acronym.
// The partner excludeID (0 for none) is left out.
func (db *DB) SimilarPartners(ctx context.Context, names, acronyms []string, excludeID int64) ([]partner.Summary, error) {
	candidates := map[int64]bool{}
	var order []int64
	addIDs := func(query string, args ...any) error {
		rows, err := db.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if id != excludeID && !candidates[id] {
				candidates[id] = true
				order = append(order, id)
			}
		}
		return rows.Err()
	}
	for _, name := range names {
		terms := search.Parse(name)
		if len(terms) == 0 {
			continue
		}
		// The most distinctive words are usually the longest; three of them find the candidates.
		slices.SortStableFunc(terms, func(a, b search.Term) int { return len(strings.Join(b.Words, "")) - len(strings.Join(a.Words, "")) })
		terms = terms[:min(3, len(terms))]
		for i := range terms {
			terms[i].Prefix = false
		}
		if err := addIDs("SELECT id FROM ("+db.dialect.searchIDs("partner_search", "partner_id")+") s ORDER BY rank LIMIT 20",
			db.dialect.searchArg(terms)); err != nil {
			return nil, fmt.Errorf("similar partners: %w", err)
		}
	}
	for _, acronym := range acronyms {
		a := strings.TrimSpace(acronym)
		if len([]rune(a)) < 2 {
			continue
		}
		if err := addIDs(`SELECT id FROM partners WHERE lower(acronym) = lower(?)
			UNION SELECT partner_id FROM partner_translations WHERE lower(acronym) = lower(?)`, a, a); err != nil {
			return nil, fmt.Errorf("similar partners: %w", err)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	loaded, err := db.partnersByIDs(ctx, order)
	if err != nil {
		return nil, err
	}
	var similar []partner.Summary
	for _, p := range loaded {
		if likelySame(p, names, acronyms) {
			similar = append(similar, partner.Summary{ID: p.ID, Key: p.Key, Name: p.Texts["en"].Name, Acronym: p.Texts["en"].Acronym,
				Type: p.Type, Country: p.Country, Status: p.Status})
		}
	}
	return similar, nil
}

func likelySame(p *partner.Partner, names, acronyms []string) bool {
	for _, t := range p.Texts {
		for _, n := range names {
			if n != "" && t.Name != "" && search.Similarity(n, t.Name) >= duplicateThreshold {
				return true
			}
		}
		for _, a := range acronyms {
			if len([]rune(strings.TrimSpace(a))) >= 2 && search.Fold(a) == search.Fold(t.Acronym) {
				return true
			}
		}
	}
	return false
}
