package store

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/reference"
)

// reportSources gives, for each dimension, the SQL for the key, the weight of an agreement in it
// and the join that brings the key, so that the counts of every dimension add up to the total.
func (db *DB) reportSource(by insight.Dimension) (key, weight, join, order string) {
	switch by {
	case insight.ByYear:
		return db.dialect.year("a.signed_on"), "1.0", "", "k"
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
func (db *DB) AgreementReport(ctx context.Context, by insight.Dimension, from, to int) (*insight.Report, error) {
	if !by.Valid() {
		return nil, apperr.FieldErrors{"by": apperr.Msg("error.choose")}.Err()
	}
	if err := insight.Period(from, to); err != nil {
		return nil, err
	}
	first := civil.Date{Year: from, Month: 1, Day: 1}
	last := civil.Date{Year: to, Month: 12, Day: 31}
	amendment := reference.AgreementTypeAmendment
	key, weight, join, order := db.reportSource(by)
	query := fmt.Sprintf(`SELECT %[1]s AS k,
			SUM(CASE WHEN a.type_code = ? THEN 0 ELSE %[2]s END),
			SUM(CASE WHEN a.type_code = ? THEN %[2]s ELSE 0 END),
			SUM(a.value_usd_cents * %[2]s)
		FROM agreements a %[3]s
		WHERE a.signed_on >= ? AND a.signed_on <= ? AND a.deleted_at IS NULL
		GROUP BY %[1]s
		ORDER BY %[4]s, k`, key, weight, join, order)
	rows, err := db.query(ctx, query, amendment, amendment, first, last)
	if err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	defer rows.Close()
	report := &insight.Report{By: by, From: from, To: to}
	for rows.Next() {
		var r insight.Row
		var k any
		var value float64
		if err := rows.Scan(&k, &r.New, &r.Amendments, &value); err != nil {
			return nil, fmt.Errorf("agreement report by %s: %w", by, err)
		}
		r.Key = keyString(k)
		r.ValueUSD = money.Amount(math.Round(value))
		report.Rows = append(report.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agreement report by %s: %w", by, err)
	}
	var totalValue int64
	err = db.queryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN type_code = ? THEN 0 ELSE 1 END), 0),
			COALESCE(SUM(CASE WHEN type_code = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(value_usd_cents), 0)
		FROM agreements WHERE signed_on >= ? AND signed_on <= ? AND deleted_at IS NULL`, amendment, amendment, first, last).
		Scan(&report.Total.New, &report.Total.Amendments, &totalValue)
	if err != nil {
		return nil, fmt.Errorf("agreement report total: %w", err)
	}
	report.Total.ValueUSD = money.Amount(totalValue)
	return report, nil
}

// keyString turns a grouping key (a year comes back as an integer) into its text form.
func keyString(k any) string {
	switch v := k.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case []byte:
		return string(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
