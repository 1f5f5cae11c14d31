package insights

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/store/agreements"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// reportSources gives, for each dimension, the SQL for the key, the weight of an agreement in it
// and the join that brings the key, so that the counts of every dimension add up to the total.
func (s *Insights) reportSource(by insight.Dimension) (key, weight, join, order string) {
	switch by {
	case insight.ByYear:
		return s.db.Dialect().Year("a.signed_on"), "1.0", "", "k"
	case insight.ByRegion:
		return "r.region_code", "r.share", "JOIN agreement_regions r ON r.agreement_id = a.id " +
			"JOIN regions o ON o.code = r.region_code", "MIN(o.sort_order)"
	case insight.ByActionArea:
		return "a.primary_action_area_code", "1.0", "JOIN action_areas o ON o.code = a.primary_action_area_code", "MIN(o.sort_order)"
	case insight.ByType:
		return "a.type_code", "1.0", "JOIN agreement_types o ON o.code = a.type_code", "MIN(o.sort_order)"
	case insight.ByPartnerType:
		return "o.code", "ap.weight", `JOIN (SELECT agreement_id, partner_id,
			1.0 / COUNT(*) OVER (PARTITION BY agreement_id) AS weight FROM agreement_parties) ap ON ap.agreement_id = a.id
			JOIN partners p ON p.id = ap.partner_id JOIN partner_types o ON o.code = p.type_code`, "MIN(o.sort_order)"
	case insight.ByCountry:
		return "ac.country_code", "ac.weight", `JOIN (SELECT agreement_id, country_code,
			1.0 / COUNT(*) OVER (PARTITION BY agreement_id) AS weight FROM agreement_countries) ac ON ac.agreement_id = a.id`, "k"
	}
	return "", "", "", ""
}

// AgreementReport counts and values the agreements signed in the years from to to (both
// included), grouped by a dimension.
func (s *Insights) AgreementReport(ctx context.Context, by insight.Dimension, from, to int) (*insight.Report, error) {
	return s.FilteredAgreementReport(ctx, by, from, to, insight.Filter{})
}

// FilteredAgreementReport is AgreementReport over the agreements a dashboard's filter selects;
// the total counts the same agreements. The figures come from the report cells (cube.go,
// type_cube.go) where they hold them, and else from the agreements themselves: the dimensions
// partner type and country with a filter.
func (s *Insights) FilteredAgreementReport(ctx context.Context, by insight.Dimension, from, to int, f insight.Filter) (*insight.Report, error) {
	if !by.Valid() {
		return nil, apperr.FieldErrors{"by": apperr.Msg("error.choose")}.Err()
	}
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	if cubeKeys[by] != "" || f.IsZero() {
		return s.cellReport(ctx, by, from, to, f)
	}
	return s.scanReport(ctx, by, from, to, f)
}

// scanReport computes a report from the agreements signed in the period.
func (s *Insights) scanReport(ctx context.Context, by insight.Dimension, from, to int, f insight.Filter) (*insight.Report, error) {
	amendment := reference.AgreementTypeAmendment
	key, weight, join, order := s.reportSource(by)
	scope := agreements.NewScope(f, by == insight.ByRegion)
	if by == insight.ByRegion && f.Region != "" {
		scope.Where += " AND r.region_code = ?"
		scope.WhereArgs = append(scope.WhereArgs, f.Region)
	}
	if by == insight.ByPartnerType && f.PartnerType != "" {
		scope.Where += " AND o.code = ?"
		scope.WhereArgs = append(scope.WhereArgs, f.PartnerType)
	}
	weight = scope.Weigh(weight)
	query := fmt.Sprintf(`SELECT %[1]s AS k,
			SUM(CASE WHEN a.type_code = ? THEN 0 ELSE %[2]s END),
			SUM(CASE WHEN a.type_code = ? THEN %[2]s ELSE 0 END),
			SUM(a.value_usd_cents * %[2]s)
		FROM agreements a %[3]s %[4]s
		WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL %[5]s
		GROUP BY %[1]s
		ORDER BY %[6]s, k`, key, weight, join, scope.Join, scope.Where, order)
	args := scope.Args([]any{amendment, amendment}, yearSpan(from, to))
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	defer rows.Close()
	report := &insight.Report{By: by, From: from, To: to}
	if report.Rows, err = scanReportRows(rows); err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	total := agreements.NewScope(f, false)
	w := total.Weigh("1.0")
	var totalValue float64
	err = s.db.QueryRow(ctx, fmt.Sprintf(`SELECT
			COALESCE(SUM(CASE WHEN a.type_code = ? THEN 0 ELSE %[1]s END), 0),
			COALESCE(SUM(CASE WHEN a.type_code = ? THEN %[1]s ELSE 0 END), 0),
			COALESCE(SUM(a.value_usd_cents * %[1]s), 0)
		FROM agreements a %[2]s WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL %[3]s`, w, total.Join, total.Where),
		total.Args([]any{amendment, amendment}, yearSpan(from, to))...).
		Scan(&report.Total.New, &report.Total.Amendments, &totalValue)
	if err != nil {
		return nil, fmt.Errorf("agreement report total: %w", err)
	}
	report.Total.ValueUSD = money.Amount(math.Round(totalValue))
	return report, nil
}

// scanReportRows reads rows of key, new, amendments and value in cents, rounding away what
// summing shares leaves behind: counts to a millionth, values to a cent.
func scanReportRows(rows *sql.Rows) ([]insight.Row, error) {
	var out []insight.Row
	for rows.Next() {
		var r insight.Row
		var k any
		var value float64
		if err := rows.Scan(&k, &r.New, &r.Amendments, &value); err != nil {
			return nil, err
		}
		r.Key = sqldb.KeyString(k)
		r.New, r.Amendments, r.ValueUSD = roundCount(r.New), roundCount(r.Amendments), money.Amount(math.Round(value))
		out = append(out, r)
	}
	return out, rows.Err()
}

func roundCount(n float64) float64 { return math.Round(n*1e6) / 1e6 }

// cubeKeys are the columns of agreement_cube that give the dimensions it holds.
var cubeKeys = map[insight.Dimension]string{insight.ByYear: "c.year", insight.ByRegion: "c.region_code",
	insight.ByActionArea: "c.action_area_code", insight.ByType: "c.type_code"}

// cellOrders are the joins that order the codes of a dimension as their reference list does.
var cellOrders = map[insight.Dimension]struct{ join, order string }{
	insight.ByRegion:      {"JOIN regions o ON o.code = k", "MIN(o.sort_order)"},
	insight.ByActionArea:  {"JOIN action_areas o ON o.code = k", "MIN(o.sort_order)"},
	insight.ByType:        {"JOIN agreement_types o ON o.code = k", "MIN(o.sort_order)"},
	insight.ByPartnerType: {"JOIN partner_types o ON o.code = k", "MIN(o.sort_order)"},
}

// cellReport reads a report from the report cells: agreement_cube (or agreement_type_cube) for
// the dimensions it holds, agreement_shares for partner type and country (which take no filter).
func (s *Insights) cellReport(ctx context.Context, by insight.Dimension, from, to int, f insight.Filter) (*insight.Report, error) {
	amendment := reference.AgreementTypeAmendment
	table, where, args := derived.CubeOf(f)
	var inner string
	var innerArgs []any
	if column := cubeKeys[by]; column != "" {
		keyed := where
		if by == insight.ByRegion {
			keyed += " AND c.region_code <> ''"
		}
		inner = fmt.Sprintf(`SELECT %s AS k, CASE WHEN c.type_code = ? THEN 0 ELSE c.n END AS new_n,
			CASE WHEN c.type_code = ? THEN c.n ELSE 0 END AS amendment_n, c.value AS value
			FROM %s WHERE c.year >= ? AND c.year <= ?%s`, column, table, keyed)
		innerArgs = append([]any{amendment, amendment, from, to}, args...)
	} else {
		inner = `SELECT s.code AS k, s.new_n, s.amendment_n, s.value FROM agreement_shares s
			WHERE s.dimension = ? AND s.year >= ? AND s.year <= ?`
		innerArgs = []any{string(by), from, to}
	}
	order := cellOrders[by]
	if order.order == "" {
		order.order = "k"
	}
	query := fmt.Sprintf(`SELECT k, SUM(new_n), SUM(amendment_n), SUM(value) FROM (%s) cells %s
		GROUP BY k HAVING ABS(SUM(new_n)) + ABS(SUM(amendment_n)) > 0.000001 ORDER BY %s, k`, inner, order.join, order.order)
	rows, err := s.db.Query(ctx, query, innerArgs...)
	if err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	defer rows.Close()
	report := &insight.Report{By: by, From: from, To: to}
	if report.Rows, err = scanReportRows(rows); err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	var totalValue float64
	err = s.db.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN c.type_code = ? THEN 0 ELSE c.n END), 0),
			COALESCE(SUM(CASE WHEN c.type_code = ? THEN c.n ELSE 0 END), 0), COALESCE(SUM(c.value), 0)
		FROM `+table+` WHERE c.year >= ? AND c.year <= ?`+where, append([]any{amendment, amendment, from, to}, args...)...).
		Scan(&report.Total.New, &report.Total.Amendments, &totalValue)
	if err != nil {
		return nil, fmt.Errorf("agreement report total: %w", err)
	}
	report.Total.New, report.Total.Amendments = roundCount(report.Total.New), roundCount(report.Total.Amendments)
	report.Total.ValueUSD = money.Amount(math.Round(totalValue))
	return report, nil
}

// yearSpan is the first and last day of the years from to to.
func yearSpan(from, to int) []any {
	return []any{civil.Date{Year: from, Month: 1, Day: 1}, civil.Date{Year: to, Month: 12, Day: 31}}
}
