package insights

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/store/agreements"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// MoneyByYear gives, for each year from to to, the USD value of the agreements signed in it and
// what funders paid in it (instalments received that year, in USD at their agreement's rate),
// over the agreements the filter selects. Years with neither are left out.
func (s *Insights) MoneyByYear(ctx context.Context, from, to int, f insight.Filter) ([]insight.YearMoney, error) {
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	byYear := map[int]*insight.YearMoney{}
	at := func(year int) *insight.YearMoney {
		if byYear[year] == nil {
			byYear[year] = &insight.YearMoney{Year: year}
		}
		return byYear[year]
	}
	scope := agreements.NewScope(f, false)
	weight := scope.Weigh("1.0")
	// What was pledged comes from the report cells.
	table, where, args := derived.CubeOf(f)
	pledged := "SELECT c.year, SUM(c.value) FROM " + table + " WHERE c.year >= ? AND c.year <= ?" + where +
		" GROUP BY c.year HAVING ABS(SUM(c.n)) > 0.000001"
	err := sqldb.EachRowOf(ctx, s.db, pledged, append([]any{from, to}, args...), func(scan func(...any) error) error {
		var year any
		var value float64
		if err := scan(&year, &value); err != nil {
			return err
		}
		at(yearOf(year)).Pledged = money.Amount(math.Round(value))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("money pledged by year: %w", err)
	}
	received := fmt.Sprintf(`SELECT %s, SUM(CASE WHEN a.amount_cents > 0
			THEN 1.0 * i.received_cents * a.value_usd_cents / a.amount_cents ELSE 0 END * %s)
		FROM instalments i JOIN agreements a ON a.id = i.agreement_id %s
		WHERE i.received_on >= ? AND i.received_on <= ? AND a.deleted_at IS NULL %s GROUP BY 1`,
		s.db.Dialect().Year("i.received_on"), weight, scope.Join, scope.Where)
	err = sqldb.EachRowOf(ctx, s.db, received, scope.Args(nil, yearSpan(from, to)), func(scan func(...any) error) error {
		var year any
		var value float64
		if err := scan(&year, &value); err != nil {
			return err
		}
		at(yearOf(year)).Received = money.Amount(math.Round(value))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("money received by year: %w", err)
	}
	var out []insight.YearMoney
	for year := from; year <= to; year++ {
		if m := byYear[year]; m != nil {
			out = append(out, *m)
		}
	}
	return out, nil
}

// PartnersByType counts the distinct partners of each type that are parties to the agreements
// signed in the years from to to that the filter selects, in the order of the partner types.
// Without a filter it reads the partners' years (partner_activity), or the report cells for a
// period partner_activity cannot hold; with a partner type or a region alone, partner_filter_cells;
// with any other filter, the report parts of the agreements it selects.
func (s *Insights) PartnersByType(ctx context.Context, from, to int, f insight.Filter) ([]insight.TypeCount, error) {
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	var query string
	var args []any
	mask, inActivity := derived.ActivityMask(from, to)
	cell := filterCell(f)
	switch {
	case cell != nil:
		query = `SELECT c.partner_type, COUNT(*) FROM (SELECT partner_id, MAX(partner_type) AS partner_type
				FROM partner_filter_cells WHERE dimension = ? AND code = ? AND year >= ? AND year <= ?
				GROUP BY partner_id HAVING SUM(n) > 0.000001) c
			JOIN partner_types t ON t.code = c.partner_type GROUP BY c.partner_type ORDER BY MIN(t.sort_order)`
		args = append(cell, from, to)
	case f.IsZero() && inActivity:
		query = `SELECT c.partner_type, c.partners FROM (SELECT partner_type, COUNT(*) AS partners
				FROM partner_activity WHERE years & ? <> 0 GROUP BY partner_type) c
			JOIN partner_types t ON t.code = c.partner_type ORDER BY t.sort_order`
		args = []any{mask}
	case f.IsZero():
		query = `SELECT c.partner_type, c.partners FROM (SELECT partner_type, COUNT(DISTINCT partner_id) AS partners
				FROM partner_cells WHERE year >= ? AND year <= ? AND n > 0.5 GROUP BY partner_type) c
			JOIN partner_types t ON t.code = c.partner_type ORDER BY t.sort_order`
		args = []any{from, to}
	default:
		return s.partnersByTypeOfParts(ctx, from, to, f)
	}
	var out []insight.TypeCount
	err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var c insight.TypeCount
		if err := scan(&c.Type, &c.Partners); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("partners by type: %w", err)
	}
	return out, nil
}

// TopPartners lists the limit partners whose agreements signed in the years from to to, among
// those the filter selects, are worth the most in USD; each agreement counts in full for every
// party to it (by its share with a region). Without a filter, or with a partner type or a region
// alone, it reads the report cells; with any other filter, the report parts of the agreements
// it selects.
func (s *Insights) TopPartners(ctx context.Context, from, to int, f insight.Filter, limit int) ([]insight.TopPartner, error) {
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	if f.IsZero() {
		return s.topPartnersFromCells(ctx, from, to, limit)
	}
	cell := filterCell(f)
	if cell == nil {
		return s.topPartnersOfParts(ctx, from, to, f, limit)
	}
	query := `SELECT p.id, p.key, p.name, t.n, t.value FROM (
			SELECT partner_id AS id, SUM(n) AS n, SUM(value) AS value FROM partner_filter_cells
			WHERE dimension = ? AND code = ? AND year >= ? AND year <= ?
			GROUP BY partner_id HAVING SUM(n) > 0.000001 ORDER BY value DESC, partner_id LIMIT ?) t
		JOIN partners p ON p.id = t.id ORDER BY t.value DESC, p.id`
	args := append(cell, from, to, limit)
	var out []insight.TopPartner
	err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var p insight.TopPartner
		var value float64
		if err := scan(&p.ID, &p.Key, &p.Name, &p.Agreements, &value); err != nil {
			return err
		}
		p.ValueUSD = money.Amount(math.Round(value))
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("top partners: %w", err)
	}
	return out, nil
}

// filterCell returns the dimension and code of partner_filter_cells that hold the partners of a
// filter, as query arguments, or nil when no cells do: the filter is not a partner type or a
// region alone.
func filterCell(f insight.Filter) []any {
	for _, alone := range []struct {
		filter          insight.Filter
		dimension, code string
	}{
		{insight.Filter{PartnerType: f.PartnerType}, derived.FilterPartnerType, f.PartnerType},
		{insight.Filter{Region: f.Region}, derived.FilterRegion, f.Region},
	} {
		if alone.code != "" && f == alone.filter {
			return []any{alone.dimension, alone.code}
		}
	}
	return nil
}

// yearOf reads a year that the database returns as an integer or as text.
func yearOf(v any) int {
	var year int
	fmt.Sscan(sqldb.KeyString(v), &year)
	return year
}

// topPartnersFromCells ranks the partners of a period from partner_cells without adding up
// every partner's years, by the threshold algorithm: take each year's k partners of highest
// value; a candidate is worth at least what those lists show of it and at most that plus each
// Year's k-th value for the years it is not in them. Only the candidates whose most could
// reach the limit-th best least are added up over their whole period, and the ranking stands
// when its last is worth more than any partner outside the lists can be (the sum of each
// Year's k-th value); else look deeper. The lists are read and the candidates chosen in one
// query, so that only those few come out of the database.
func (s *Insights) topPartnersFromCells(ctx context.Context, from, to, limit int) ([]insight.TopPartner, error) {
	if limit <= 0 {
		return nil, nil
	}
	for k := 256 * limit; ; k *= 4 {
		var lists []string
		var args []any
		for year := from; year <= to; year++ {
			lists = append(lists, `SELECT * FROM (SELECT year, partner_id, value FROM partner_cells
				WHERE year = ? AND n > 0.5 ORDER BY value DESC LIMIT ?) y`+strconv.Itoa(year))
			args = append(args, year, k)
		}
		// kth: each year's k-th value if its list is full, else 0 (who is not in it has nothing
		// that year); cand: each listed partner's least worth and the k-th values of its years.
		query := `WITH lists AS (` + strings.Join(lists, " UNION ALL ") + `),
			kth AS (SELECT year, CASE WHEN COUNT(*) = ? THEN MIN(value) ELSE 0 END AS v FROM lists GROUP BY year),
			cand AS (SELECT l.partner_id, SUM(l.value) AS least, SUM(k.v) AS own_kth
				FROM lists l JOIN kth k ON k.year = l.year GROUP BY l.partner_id),
			bar AS (SELECT least FROM cand ORDER BY least DESC LIMIT 1 OFFSET ?)
			SELECT (SELECT COALESCE(SUM(v), 0) FROM kth), c.partner_id FROM cand c
			WHERE c.least + (SELECT COALESCE(SUM(v), 0) FROM kth) - c.own_kth >= COALESCE((SELECT least FROM bar), 0)`
		args = append(args, k, limit-1)
		var threshold float64
		var ids []any
		err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
			var id int64
			if err := scan(&threshold, &id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("top partners: %w", err)
		}
		ranked, err := s.partnerSums(ctx, from, to, ids)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(ranked, func(a, b insight.TopPartner) int {
			if a.ValueUSD != b.ValueUSD {
				return cmp.Compare(b.ValueUSD, a.ValueUSD)
			}
			return cmp.Compare(a.ID, b.ID)
		})
		ranked = ranked[:min(limit, len(ranked))]
		if threshold == 0 || (len(ranked) == limit && float64(ranked[limit-1].ValueUSD) > threshold) {
			return ranked, s.namePartners(ctx, ranked)
		}
	}
}

// partnerSums adds up the cells of the partners ids over the years from to to, year by year
// through the primary key.
func (s *Insights) partnerSums(ctx context.Context, from, to int, ids []any) ([]insight.TopPartner, error) {
	type sum struct{ n, value float64 }
	sums := map[int64]*sum{}
	for year := from; year <= to; year++ {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			err := sqldb.EachRowOf(ctx, s.db, `SELECT partner_id, n, value FROM partner_cells WHERE year = ? AND partner_id IN (`+
				sqldb.Placeholders(len(chunk))+")", append([]any{year}, chunk...), func(scan func(...any) error) error {
				var id int64
				var n, value float64
				if err := scan(&id, &n, &value); err != nil {
					return err
				}
				if sums[id] == nil {
					sums[id] = &sum{}
				}
				sums[id].n += n
				sums[id].value += value
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("top partners: %w", err)
			}
		}
	}
	out := make([]insight.TopPartner, 0, len(sums))
	for id, s := range sums {
		out = append(out, insight.TopPartner{ID: id, Agreements: s.n, ValueUSD: money.Amount(math.Round(s.value))})
	}
	return out, nil
}

// eachFilteredPart calls fn with the report part of every agreement signed in the years from to
// to that a filter selects, and the weight it counts with: its share of the filtered region, or
// 1. The agreements are found as the registry's filters find them, by the tokens of their facets
// in the search index, and their parts read from agreement_codes: the work grows with the
// agreements selected (tens of thousands for an action area over four years of a million), where
// joining the agreements, their regions and parties read many more rows. Cells by action area,
// agreement type and office as well would make imports a third slower (docs/performance.md).
func (s *Insights) eachFilteredPart(ctx context.Context, from, to int, f insight.Filter, fn func(p derived.ReportPart, weight float64)) error {
	selection := agreement.Filter{AllConfidential: true}
	for year := from; year <= to; year++ {
		selection.Years = append(selection.Years, strconv.Itoa(year))
	}
	for _, c := range []struct{ facet, code string }{{agreement.FacetRegion, f.Region}, {agreement.FacetActionArea, f.ActionArea},
		{agreement.FacetType, f.Type}, {agreement.FacetOffice, f.Office}, {agreement.FacetPartnerType, f.PartnerType}} {
		if c.code != "" {
			selection.Set(c.facet, []string{c.code})
		}
	}
	match, args := s.registry.Matches(agreements.Terms(&selection, nil, ""), false)
	query := "SELECT ac.cells FROM (" + match + ") m " + s.db.Dialect().DrivingJoin() + " agreement_codes ac ON ac.agreement_id = m.id"
	return sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var cells string
		if err := scan(&cells); err != nil {
			return err
		}
		// The index found the agreement by its tokens; its part says what it counts for.
		p, ok := derived.ParseReportPart(cells)
		if !ok || p.Year < from || p.Year > to {
			return nil
		}
		if weight := p.WeightUnder(f); weight > 0 {
			fn(p, weight)
		}
		return nil
	})
}

// partnersByTypeOfParts counts the distinct partners of each type that are parties to the
// agreements a filter selects (eachFilteredPart), in the order of the types.
func (s *Insights) partnersByTypeOfParts(ctx context.Context, from, to int, f insight.Filter) ([]insight.TypeCount, error) {
	typeOf := map[int64]string{}
	err := s.eachFilteredPart(ctx, from, to, f, func(p derived.ReportPart, _ float64) {
		for i, id := range p.PartyIDs {
			if i < len(p.PartyTypes) {
				typeOf[id] = p.PartyTypes[i]
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("partners by type: %w", err)
	}
	partners := map[string]int{}
	for _, t := range typeOf {
		partners[t]++
	}
	types, err := s.lists.ReferenceCodes(ctx, reference.ListPartnerType)
	if err != nil {
		return nil, fmt.Errorf("partners by type: %w", err)
	}
	var out []insight.TypeCount
	for _, code := range types {
		if partners[code] > 0 {
			out = append(out, insight.TypeCount{Type: code, Partners: partners[code]})
		}
	}
	return out, nil
}

// topPartnersOfParts ranks the partners of the agreements a filter selects
// (eachFilteredPart): each agreement counts for every party to it, by its weight.
func (s *Insights) topPartnersOfParts(ctx context.Context, from, to int, f insight.Filter, limit int) ([]insight.TopPartner, error) {
	type sum struct{ n, value float64 }
	sums := map[int64]*sum{}
	err := s.eachFilteredPart(ctx, from, to, f, func(p derived.ReportPart, weight float64) {
		for _, id := range p.PartyIDs {
			s := sums[id]
			if s == nil {
				s = &sum{}
				sums[id] = s
			}
			s.n += weight
			s.value += weight * float64(p.Value)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("top partners: %w", err)
	}
	ids := slices.SortedFunc(maps.Keys(sums), func(a, b int64) int {
		return cmp.Or(cmp.Compare(sums[b].value, sums[a].value), cmp.Compare(a, b))
	})
	shown := ids[:max(0, min(limit, len(ids)))]
	ranked := make([]insight.TopPartner, 0, len(shown))
	for _, id := range shown {
		ranked = append(ranked, insight.TopPartner{ID: id, Agreements: sums[id].n, ValueUSD: money.Amount(math.Round(sums[id].value))})
	}
	if err := s.namePartners(ctx, ranked); err != nil {
		return nil, err
	}
	return ranked, nil
}

// namePartners fills in the key and English name of ranked partners.
func (s *Insights) namePartners(ctx context.Context, ranked []insight.TopPartner) error {
	if len(ranked) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]any, len(ranked))
	for i, p := range ranked {
		at[p.ID], ids[i] = i, p.ID
	}
	err := sqldb.EachRowOf(ctx, s.db, "SELECT id, key, name FROM partners WHERE id IN ("+sqldb.Placeholders(len(ids))+")", ids,
		func(scan func(...any) error) error {
			var id int64
			var key, name string
			if err := scan(&id, &key, &name); err != nil {
				return err
			}
			ranked[at[id]].Key, ranked[at[id]].Name = key, name
			return nil
		})
	if err != nil {
		return fmt.Errorf("top partners: %w", err)
	}
	return nil
}
