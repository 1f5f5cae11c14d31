package agreements

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// Terms returns the full-text terms of a registry selection: the search words, then
// one term per facet with codes chosen (any of the codes), leaving out the facet except.
func Terms(f *agreement.Filter, words []search.Term, except string) []search.Term {
	terms := append([]search.Term{}, words...)
	for _, facet := range agreement.Facets {
		codes := f.Values(facet)
		if facet == except || len(codes) == 0 {
			continue
		}
		var any []string
		for _, c := range codes {
			any = append(any, derived.CodeToken(derived.AgreementLetters[facet], c))
		}
		terms = append(terms, search.Term{Any: any})
	}
	return terms
}

// visibleSQL is the condition on agreements a that keeps from a reader the confidential
// agreements of other officers (none for an administrator), with its arguments. It is applied to
// what the search index selects rather than written into the search: a term that nearly every
// agreement has would make every search read the whole index.
func visibleSQL(f *agreement.Filter) (string, []any) {
	if f.AllConfidential {
		return "", nil
	}
	return " AND (a.confidential = ? OR a.officer_id = ?)", []any{false, f.ReaderID}
}

// agreementSorts whitelists the orders of the registry: the column of agreements a (or the
// search's rank m), with the direction the index is read in; the id breaks ties the same way.
// sortKey is how the registry orders agreements: a column, its direction, and the table it needs
// (a: the agreements, "": only the search's rank). Every order ends with the id, so pages never
// overlap.
type sortKey struct {
	column, direction, needs string
}

var agreementSorts = map[string]sortKey{
	agreement.SortSigned:    {"a.signed_on", " DESC", "a"},
	agreement.SortRelevance: {"m.rank", "", ""},
	agreement.SortValue:     {"a.value_usd_cents", " DESC", "a"},
	agreement.SortEnd:       {"a.end_on", "", "a"},
	agreement.SortReference: {"a.reference", "", "a"},
}

// agreementSortOf returns the order to use for f: newest first unless another is chosen, and
// relevance only with search words. (Relevance is not the default when searching: ranking makes
// the index count the agreements of every facet code in the search, which a registry of a million
// agreements feels.)
func agreementSortOf(f *agreement.Filter, words []search.Term) string {
	sort := f.Sort
	if _, known := agreementSorts[sort]; (sort == agreement.SortRelevance && len(words) == 0) || !known {
		sort = agreement.SortSigned
	}
	return sort
}

// orderBy writes the ORDER BY of a sort: NULL dates last, the id as the tie-breaker in the
// direction of the column.
func (s *Agreements) orderBy(key sortKey, id string) string {
	nulls := ""
	if key.column == "a.signed_on" || key.column == "a.end_on" {
		nulls = " NULLS LAST"
	}
	return key.column + key.direction + nulls + ", " + id + key.direction
}

// ListAgreements returns a page of the agreements f selects, the total, and the counts of every
// facet, counted as ListPartners counts them.
func (s *Agreements) ListAgreements(ctx context.Context, f agreement.Filter) (*agreement.Page, error) {
	if !reference.IsLanguage(f.Lang) {
		f.Lang = "en"
	}
	words, err := derived.ExactWords(ctx, s.db, "agreement_search", search.Parse(f.Query))
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 25
	}
	page := &agreement.Page{}
	err = sqldb.SideBySide(
		func() (err error) { page.Items, page.Total, err = s.agreementItems(ctx, &f, words); return err },
		func() (err error) { page.Facets, err = s.agreementFacetCountsOfList(ctx, &f, words); return err })
	if err != nil {
		return nil, err
	}
	return page, nil
}

// agreementItems returns a page of the selection and its total: the page's ids first, by the
// index of the search or of the sort column, then the details of those few agreements.
func (s *Agreements) agreementItems(ctx context.Context, f *agreement.Filter, words []search.Term) ([]agreement.Summary, int, error) {
	terms := Terms(f, words, "")
	sort := agreementSortOf(f, words)
	key := agreementSorts[sort]
	var query string
	var args []any
	cond, cargs := visibleSQL(f)
	if len(terms) > 0 {
		match, margs := s.Matches(terms, sort == agreement.SortRelevance)
		src := "(" + match + ") m"
		if key.needs == "a" || cond != "" {
			src += " " + s.db.Dialect().DrivingJoin() + " agreements a ON a.id = m.id"
		}
		query = "SELECT m.id, COUNT(*) OVER () FROM " + src + " WHERE 1 = 1" + cond + " ORDER BY " + s.orderBy(key, "m.id") + " LIMIT ? OFFSET ?"
		args = append(append(margs, cargs...), f.Limit, max(f.Offset, 0))
	} else {
		query = "SELECT a.id, 0 FROM agreements a WHERE a.deleted_at IS NULL" + cond + " ORDER BY " + s.orderBy(key, "a.id") + " LIMIT ? OFFSET ?"
		args = append(cargs, f.Limit, max(f.Offset, 0))
	}
	var ids []int64
	total := 0
	err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var id int64
		if err := scan(&id, &total); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list agreements: %w", err)
	}
	if len(terms) == 0 {
		if total, err = s.countAllAgreements(ctx, f); err != nil {
			return nil, 0, err
		}
	} else if len(ids) == 0 && f.Offset > 0 {
		match, margs := s.Matches(terms, false)
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM ("+match+") m "+s.db.Dialect().DrivingJoin()+" agreements a ON a.id = m.id WHERE 1 = 1"+cond,
			append(margs, cargs...)...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count agreements: %w", err)
		}
	}
	items, err := s.agreementSummaries(ctx, ids, f.Lang)
	return items, total, err
}

// Matches returns SQL selecting the ids (as id, with rank when ranked) of the
// agreements that terms select, and its argument.
func (s *Agreements) Matches(terms []search.Term, ranked bool) (string, []any) {
	query := s.db.Dialect().SearchIDs("agreement_search", "agreement_id")
	if !ranked {
		query = s.db.Dialect().SearchIDsUnranked("agreement_search", "agreement_id")
	}
	return query, []any{s.db.Dialect().SearchArg(terms)}
}

// agreementSummaries reads the list lines of agreements ids, in that order, with their parties.
func (s *Agreements) agreementSummaries(ctx context.Context, ids []int64, lang string) ([]agreement.Summary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, lang)
	for _, id := range ids {
		args = append(args, id)
	}
	in := "(" + sqldb.Placeholders(len(ids)) + ")"
	byID := make(map[int64]*agreement.Summary, len(ids))
	err := sqldb.EachRowOf(ctx, s.db, `SELECT a.id, a.reference, COALESCE(NULLIF(t.title, ''), a.title), a.type_code, a.status, a.signed_on,
		a.end_on, a.amount_cents, a.currency_code, a.value_usd_cents, a.confidential
		FROM agreements a LEFT JOIN agreement_translations t ON t.agreement_id = a.id AND t.lang = ?
		WHERE a.id IN `+in, args, func(scan func(...any) error) error {
		s := &agreement.Summary{}
		var amount, value int64
		if err := scan(&s.ID, &s.Reference, &s.Title, &s.Type, &s.Status, &s.SignedOn, &s.EndOn, &amount, &s.Currency, &value,
			&s.Confidential); err != nil {
			return err
		}
		s.Amount, s.ValueUSD = money.Amount(amount), money.Amount(value)
		byID[s.ID] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	err = sqldb.EachRowOf(ctx, s.db, `SELECT ap.agreement_id, p.id, p.key, COALESCE(NULLIF(t.name, ''), p.name), ap.role
		FROM agreement_parties ap JOIN partners p ON p.id = ap.partner_id
		LEFT JOIN partner_translations t ON t.partner_id = p.id AND t.lang = ?
		WHERE ap.agreement_id IN `+in+` ORDER BY ap.agreement_id, `+roleOrder("ap.role")+`, p.name`, args, func(scan func(...any) error) error {
		var id int64
		var p agreement.PartyName
		if err := scan(&id, &p.PartnerID, &p.Key, &p.Name, &p.Role); err != nil {
			return err
		}
		byID[id].Parties = append(byID[id].Parties, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list agreement parties: %w", err)
	}
	items := make([]agreement.Summary, 0, len(ids))
	for _, id := range ids {
		if s, ok := byID[id]; ok {
			items = append(items, *s)
		}
	}
	return items, nil
}

// countAllAgreements counts the live agreements a reader sees, from the registry's facet counts
// (every agreement has one type) and, for a reader who is not an administrator, their own
// confidential ones.
func (s *Agreements) countAllAgreements(ctx context.Context, f *agreement.Filter) (int, error) {
	var n int
	query := "SELECT COALESCE(SUM(n), 0) FROM agreement_facet_counts WHERE facet = ?"
	args := []any{agreement.FacetType}
	if !f.AllConfidential {
		query += " AND confidential = ?"
		args = append(args, false)
	}
	if err := s.db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count agreements: %w", err)
	}
	if !f.AllConfidential && f.ReaderID != 0 {
		var own int
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM agreements WHERE officer_id = ? AND confidential = ? AND deleted_at IS NULL",
			f.ReaderID, true).Scan(&own); err != nil {
			return 0, fmt.Errorf("count agreements: %w", err)
		}
		n += own
	}
	return n, nil
}

// agreementFacetCountsOfList counts every facet of the registry as partnerFacetCounts counts
// the partner list's: in one pass over the agreements that at most one chosen facet refuses.
func (s *Agreements) agreementFacetCountsOfList(ctx context.Context, f *agreement.Filter, words []search.Term) (map[string][]agreement.Count, error) {
	chosen, unchosen := derived.SplitFacets(agreement.Facets, f.Values)
	switch {
	case len(chosen) == 0:
		return s.agreementFacetCounts(ctx, f, words, agreement.Facets, nil)
	case len(chosen) == 1 && len(words) == 0:
		counts, err := s.agreementFacetCounts(ctx, f, nil, chosen, nil)
		if err != nil {
			return nil, err
		}
		others, err := s.agreementFacetCounts(ctx, f, Terms(f, words, ""), unchosen, nil)
		maps.Copy(counts, others)
		return counts, err
	}
	terms := derived.OnePassTerms(words, chosen, func(except string) []search.Term { return Terms(f, nil, except) })
	choice := derived.NewFacetChoice(chosen, f.Values, derived.CodeField, func(string) bool { return true },
		func(facet, code string) string { return derived.CodeToken(derived.AgreementLetters[facet], code) })
	return s.agreementFacetCounts(ctx, f, terms, agreement.Facets, choice)
}

// agreementFacetCounts counts the codes of facets among the agreements terms select (with the
// reader's visibility): the index computes the selection once, and each selected agreement's
// codes are read from the narrow agreement_codes table and counted here. With no terms, the
// whole registry's counts are read from agreement_facet_counts.
// With a choice, an agreement that one chosen facet refuses counts in that facet only, and one
// that several refuse in none.
func (s *Agreements) agreementFacetCounts(ctx context.Context, f *agreement.Filter, terms []search.Term, facets []string, choice *derived.FacetChoice) (map[string][]agreement.Count, error) {
	positions := make([]int, len(facets))
	for i, facet := range facets {
		positions[i] = derived.CodeField(facet)
	}
	confidential := derived.CodeField(agreement.FacetConfidential)
	reader := strconv.FormatInt(f.ReaderID, 10)
	newTally := func() []map[string]int {
		tally := make([]map[string]int, len(facets))
		for i := range tally {
			tally[i] = map[string]int{}
		}
		return tally
	}
	// counter returns a function counting a row of codes into tally.
	counter := func(tally []map[string]int) func(scan func(...any) error) error {
		var fields []string
		choice := choice
		if choice != nil {
			choice = choice.ForAnotherReader()
		}
		return func(scan func(...any) error) error {
			var codes string
			if err := scan(&codes); err != nil {
				return err
			}
			fields = derived.AppendFields(fields[:0], codes)
			if !f.AllConfidential && fields[confidential] == "yes" && (len(fields) <= derived.OfficerField || fields[derived.OfficerField] != reader) {
				return nil // a confidential agreement of another officer
			}
			var refusing string
			if choice != nil {
				var several bool
				if refusing, several = choice.Refusing(fields); several {
					return nil
				}
			}
			for i, pos := range positions {
				if pos >= 0 && pos < len(fields) && (refusing == "" || facets[i] == refusing) {
					for _, c := range derived.SplitList(fields[pos]) {
						tally[i][c]++
					}
				}
			}
			return nil
		}
	}
	tally := newTally()
	var counted bool
	var err error
	if len(terms) == 0 {
		counted, err = true, s.agreementFacetCountsOfAll(ctx, f, facets, tally, counter(tally))
	} else if s.codes != nil { // a copy of agreement_codes is kept in memory (SQLite)
		match, args := s.Matches(terms, false)
		counted, err = s.codes.CountMatches(ctx, f, match, args, facets, choice, tally)
	}
	if err == nil && !counted {
		lower, upper := newTally(), newTally()
		err = s.eachMatchInHalves(ctx, terms, counter(lower), counter(upper))
		for i := range tally {
			for _, half := range [][]map[string]int{lower, upper} {
				for code, n := range half[i] {
					tally[i][code] += n
				}
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("count agreements by %v: %w", facets, err)
	}
	counts := map[string][]agreement.Count{}
	for i, facet := range facets {
		list := make([]agreement.Count, 0, len(tally[i]))
		for code, n := range tally[i] {
			if n > 0 {
				list = append(list, agreement.Count{Code: code, Count: n})
			}
		}
		slices.SortFunc(list, func(a, b agreement.Count) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Code, b.Code)
		})
		counts[facet] = list
	}
	return counts, nil
}

// eachMatchInHalves reads the codes of the agreements terms select, the lower half of the
// agreements' ids with lower and the upper half with upper, side by side: a search that selects
// a tenth of a million agreements reads tens of thousands of rows of agreement_codes, which takes
// one core a hundred milliseconds and more.
func (s *Agreements) eachMatchInHalves(ctx context.Context, terms []search.Term, lower, upper func(scan func(...any) error) error) error {
	var last int64
	if err := s.db.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM agreements").Scan(&last); err != nil {
		return err
	}
	match, args := s.Matches(terms, false)
	query := "SELECT ac.codes FROM (" + match + ") m " + s.db.Dialect().DrivingJoin() +
		" agreement_codes ac ON ac.agreement_id = m.id WHERE m.id > ? AND m.id <= ?"
	half := last / 2
	return sqldb.SideBySide(
		func() error { return sqldb.EachRowOf(ctx, s.db, query, append(slices.Clip(args), 0, half), lower) },
		func() error { return sqldb.EachRowOf(ctx, s.db, query, append(slices.Clip(args), half, last), upper) })
}

// wholeRegistryPartners is how many partners the partner facet of the whole registry counts: the
// busiest ones, read from an index instead of a hundred thousand rows.
const wholeRegistryPartners = 100

// agreementFacetCountsOfAll adds up the whole registry's counts into tally: the kept counts of
// agreements that are not confidential (and of those that are, for an administrator), and for
// another reader their own confidential agreements one by one (countRow). The partner facet holds
// the wholeRegistryPartners busiest partners only.
func (s *Agreements) agreementFacetCountsOfAll(ctx context.Context, f *agreement.Filter, facets []string, tally []map[string]int,
	countRow func(func(...any) error) error) error {
	classes := []any{false}
	if f.AllConfidential {
		classes = append(classes, true)
	}
	// Each condition selects rows of agreement_facet_counts: the small facets whole, the partner
	// facet's busiest codes.
	var conditions []string
	var args []any
	inClasses := "confidential IN (" + sqldb.Placeholders(len(classes)) + ")"
	for _, facet := range facets {
		if facet != agreement.FacetPartner {
			conditions = append(conditions, "(facet = ? AND "+inClasses+")")
			args = append(append(args, facet), classes...)
			continue
		}
		var top []any
		for _, class := range classes {
			codes, err := sqldb.QueryStrings(ctx, s.db, `SELECT code FROM agreement_facet_counts WHERE facet = ? AND confidential = ?
				ORDER BY n DESC LIMIT ?`, agreement.FacetPartner, class, wholeRegistryPartners)
			if err != nil {
				return err
			}
			for _, c := range codes {
				top = append(top, c)
			}
		}
		if len(top) > 0 {
			conditions = append(conditions, "(facet = ? AND "+inClasses+" AND code IN ("+sqldb.Placeholders(len(top))+"))")
			args = append(append(append(args, facet), classes...), top...)
		}
	}
	if len(conditions) == 0 {
		return nil
	}
	query := "SELECT facet, code, n FROM agreement_facet_counts WHERE " + strings.Join(conditions, " OR ")
	err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var facet, code string
		var n int
		if err := scan(&facet, &code, &n); err != nil {
			return err
		}
		tally[slices.Index(facets, facet)][code] += n
		return nil
	})
	if err != nil || f.AllConfidential || f.ReaderID == 0 {
		return err
	}
	return sqldb.EachRowOf(ctx, s.db, `SELECT ac.codes FROM agreements a JOIN agreement_codes ac ON ac.agreement_id = a.id
		WHERE a.officer_id = ? AND a.confidential = ? AND a.deleted_at IS NULL`, []any{f.ReaderID, true}, countRow)
}

// ForEachAgreement calls fn with every agreement f selects, in the list's order, loading them in
// batches, for exports of any size.
func (s *Agreements) ForEachAgreement(ctx context.Context, f agreement.Filter, fn func(*agreement.Agreement) error) error {
	words := search.Parse(f.Query)
	terms := Terms(&f, words, "")
	sort := agreementSortOf(&f, words)
	key := agreementSorts[sort]
	var query string
	var args []any
	cond, cargs := visibleSQL(&f)
	if len(terms) > 0 {
		match, margs := s.Matches(terms, sort == agreement.SortRelevance)
		query = "SELECT m.id FROM (" + match + ") m JOIN agreements a ON a.id = m.id WHERE 1 = 1" + cond + " ORDER BY " + s.orderBy(key, "m.id")
		args = append(margs, cargs...)
	} else {
		query = "SELECT a.id FROM agreements a WHERE a.deleted_at IS NULL" + cond + " ORDER BY " + s.orderBy(key, "a.id")
		args = cargs
	}
	ids, err := sqldb.QueryIDs(ctx, s.db, query, args...)
	if err != nil {
		return fmt.Errorf("export agreements: %w", err)
	}
	for start := 0; start < len(ids); start += 500 {
		batch, err := agreementsByIDs(ctx, s.db, ids[start:min(start+500, len(ids))])
		if err != nil {
			return err
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// PartnerLabels returns the names (in lang, or English) of partners by id, for the partner facet.
func (s *Agreements) PartnerLabels(ctx context.Context, ids []string, lang string) (map[string]string, error) {
	labels := map[string]string{}
	var args []any
	for _, id := range ids {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			args = append(args, n)
		}
	}
	if len(args) == 0 {
		return labels, nil
	}
	err := sqldb.EachRowOf(ctx, s.db, `SELECT p.id, COALESCE(NULLIF(t.name, ''), p.name) FROM partners p
		LEFT JOIN partner_translations t ON t.partner_id = p.id AND t.lang = ?
		WHERE p.id IN (`+sqldb.Placeholders(len(args))+")", append([]any{lang}, args...), func(scan func(...any) error) error {
		var id int64
		var name string
		if err := scan(&id, &name); err != nil {
			return err
		}
		labels[strconv.FormatInt(id, 10)] = name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("partner names: %w", err)
	}
	return labels, nil
}
