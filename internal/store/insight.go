package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"pactum/internal/insight"
	"pactum/internal/money"
)

// MoneyByYear gives, for each year from to to, the USD value of the agreements signed in it and
// what funders paid in it (instalments received that year, in USD at their agreement's rate),
// over the agreements the filter selects. Years with neither are left out.
func (db *DB) MoneyByYear(ctx context.Context, from, to int, f insight.Filter) ([]insight.YearMoney, error) {
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
	scope := newInsightScope(f, false)
	weight := scope.weigh("1.0")
	// What was pledged comes from the report cells unless a partner type needs the agreements.
	pledged := fmt.Sprintf(`SELECT %s, SUM(a.value_usd_cents * %s) FROM agreements a %s
		WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL %s GROUP BY 1`,
		db.dialect.year("a.signed_on"), weight, scope.join, scope.where)
	pledgedArgs := scope.args(nil, yearSpan(from, to))
	if f.PartnerType == "" {
		where, args := cubeFilter(f)
		pledged = "SELECT c.year, SUM(c.value) FROM agreement_cube c WHERE c.year >= ? AND c.year <= ?" + where +
			" GROUP BY c.year HAVING ABS(SUM(c.n)) > 0.000001"
		pledgedArgs = append([]any{from, to}, args...)
	}
	err := eachRowOf(ctx, db, pledged, pledgedArgs, func(scan func(...any) error) error {
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
		db.dialect.year("i.received_on"), weight, scope.join, scope.where)
	err = eachRowOf(ctx, db, received, scope.args(nil, yearSpan(from, to)), func(scan func(...any) error) error {
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
// period partner_activity cannot hold.
func (db *DB) PartnersByType(ctx context.Context, from, to int, f insight.Filter) ([]insight.TypeCount, error) {
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	scope := newInsightScope(f, false)
	query := fmt.Sprintf(`SELECT p.type_code, COUNT(DISTINCT p.id) FROM agreements a %s
			JOIN agreement_parties ap ON ap.agreement_id = a.id
			JOIN partners p ON p.id = ap.partner_id
			JOIN partner_types t ON t.code = p.type_code
		WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL %s
		GROUP BY p.type_code ORDER BY MIN(t.sort_order)`, scope.join, scope.where)
	args := scope.args(nil, yearSpan(from, to))
	if mask, ok := activityMask(from, to); ok && f.IsZero() {
		query = `SELECT c.partner_type, c.partners FROM (SELECT partner_type, COUNT(*) AS partners
				FROM partner_activity WHERE years & ? <> 0 GROUP BY partner_type) c
			JOIN partner_types t ON t.code = c.partner_type ORDER BY t.sort_order`
		args = []any{mask}
	} else if f.IsZero() {
		query = `SELECT c.partner_type, c.partners FROM (SELECT partner_type, COUNT(DISTINCT partner_id) AS partners
				FROM partner_cells WHERE year >= ? AND year <= ? AND n > 0.5 GROUP BY partner_type) c
			JOIN partner_types t ON t.code = c.partner_type ORDER BY t.sort_order`
		args = []any{from, to}
	}
	var out []insight.TypeCount
	err := eachRowOf(ctx, db, query, args, func(scan func(...any) error) error {
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
// party to it. Without a filter it reads the report cells.
func (db *DB) TopPartners(ctx context.Context, from, to int, f insight.Filter, limit int) ([]insight.TopPartner, error) {
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	scope := newInsightScope(f, false)
	weight := scope.weigh("1.0")
	query := fmt.Sprintf(`SELECT p.id, p.key, p.name, t.n, t.value FROM (
			SELECT ap.partner_id AS id, SUM(%[1]s) AS n, SUM(a.value_usd_cents * %[1]s) AS value
			FROM agreements a %[2]s JOIN agreement_parties ap ON ap.agreement_id = a.id
			WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL %[3]s
			GROUP BY ap.partner_id ORDER BY value DESC, ap.partner_id LIMIT ?) t
		JOIN partners p ON p.id = t.id ORDER BY t.value DESC, p.id`, weight, scope.join, scope.where)
	args := append(scope.args(nil, yearSpan(from, to)), limit)
	if f.IsZero() {
		return db.topPartnersFromCells(ctx, from, to, limit)
	}
	var out []insight.TopPartner
	err := eachRowOf(ctx, db, query, args, func(scan func(...any) error) error {
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

// yearOf reads a year that the database returns as an integer or as text.
func yearOf(v any) int {
	var year int
	fmt.Sscan(keyString(v), &year)
	return year
}

// topPartnersFromCells ranks the partners of a period from partner_cells without adding up
// every partner's years, by the threshold algorithm: take each year's k partners of highest
// value, add up the years of those candidates only, and stop when the last of the limit best
// is worth more than any partner outside the candidates can be (the sum of each year's k-th
// value); else look deeper.
func (db *DB) topPartnersFromCells(ctx context.Context, from, to, limit int) ([]insight.TopPartner, error) {
	if limit <= 0 {
		return nil, nil
	}
	for k := 64 * limit; ; k *= 4 {
		candidates := map[int64]*insight.TopPartner{}
		threshold, exhausted := 0.0, true
		for year := from; year <= to; year++ {
			seen, last := 0, 0.0
			err := eachRowOf(ctx, db, `SELECT partner_id, value FROM partner_cells WHERE year = ? AND n > 0.5
				ORDER BY value DESC LIMIT ?`, []any{year, k}, func(scan func(...any) error) error {
				var id int64
				if err := scan(&id, &last); err != nil {
					return err
				}
				candidates[id] = &insight.TopPartner{ID: id}
				seen++
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("top partners: %w", err)
			}
			if seen == k {
				threshold += last
				exhausted = false
			}
		}
		// The candidates' whole period, year by year through the primary key.
		ids := make([]any, 0, len(candidates))
		for id := range candidates {
			ids = append(ids, id)
		}
		sums := map[int64]float64{}
		for year := from; year <= to; year++ {
			for start := 0; start < len(ids); start += 500 {
				chunk := ids[start:min(start+500, len(ids))]
				err := eachRowOf(ctx, db, `SELECT partner_id, n, value FROM partner_cells WHERE year = ? AND partner_id IN (`+
					placeholders(len(chunk))+")", append([]any{year}, chunk...), func(scan func(...any) error) error {
					var id int64
					var n, value float64
					if err := scan(&id, &n, &value); err != nil {
						return err
					}
					candidates[id].Agreements += n
					sums[id] += value
					return nil
				})
				if err != nil {
					return nil, fmt.Errorf("top partners: %w", err)
				}
			}
		}
		ranked := make([]insight.TopPartner, 0, len(candidates))
		for id, c := range candidates {
			c.ValueUSD = money.Amount(math.Round(sums[id]))
			ranked = append(ranked, *c)
		}
		slices.SortFunc(ranked, func(a, b insight.TopPartner) int {
			if a.ValueUSD != b.ValueUSD {
				return cmp.Compare(b.ValueUSD, a.ValueUSD)
			}
			return cmp.Compare(a.ID, b.ID)
		})
		ranked = ranked[:min(limit, len(ranked))]
		if exhausted || (len(ranked) == limit && float64(ranked[limit-1].ValueUSD) > threshold) {
			return ranked, db.namePartners(ctx, ranked)
		}
	}
}

// namePartners fills in the key and English name of ranked partners.
func (db *DB) namePartners(ctx context.Context, ranked []insight.TopPartner) error {
	if len(ranked) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]any, len(ranked))
	for i, p := range ranked {
		at[p.ID], ids[i] = i, p.ID
	}
	err := eachRowOf(ctx, db, "SELECT id, key, name FROM partners WHERE id IN ("+placeholders(len(ids))+")", ids,
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
