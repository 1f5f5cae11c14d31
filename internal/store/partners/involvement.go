package partners

import (
	"context"
	"fmt"
	"math"

	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// PartnerFamily returns the ids of a partner and of every partner below it (its country offices,
// their offices …), the partner first.
func (s *Partners) PartnerFamily(ctx context.Context, id int64) ([]int64, error) {
	family := []int64{id}
	seen := map[int64]bool{id: true}
	for i := 0; i < len(family) && len(family) < 10_000; i++ {
		rows, err := s.db.Query(ctx, "SELECT id FROM partners WHERE parent_id = ? ORDER BY id", family[i])
		if err != nil {
			return nil, fmt.Errorf("partner family: %w", err)
		}
		for rows.Next() {
			var child int64
			if err := rows.Scan(&child); err != nil {
				rows.Close()
				return nil, fmt.Errorf("partner family: %w", err)
			}
			if !seen[child] {
				seen[child] = true
				family = append(family, child)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("partner family: %w", err)
		}
	}
	return family, nil
}

// Involvement sums the signed agreements that any of the partners ids is a party to (each
// agreement once), in total and by year, primary action area and region (region shares
// weighted), with the latest ones listed.
func (s *Partners) Involvement(ctx context.Context, ids []int64, lang string, recent int) (*partner.Involvement, error) {
	inv := &partner.Involvement{}
	if len(ids) == 0 {
		return inv, nil
	}
	in := sqldb.Placeholders(len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// The agreements of the family, each once.
	signed := "SELECT DISTINCT agreement_id FROM agreement_parties WHERE partner_id IN (" + in + ")"
	amendment := reference.AgreementTypeAmendment

	var value int64
	err := s.db.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN type_code <> ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN type_code = ? THEN 1 ELSE 0 END), 0), COALESCE(SUM(value_usd_cents), 0)
		FROM agreements WHERE signed_on IS NOT NULL AND deleted_at IS NULL AND id IN (`+signed+`)`, append([]any{amendment, amendment}, args...)...).
		Scan(&inv.Agreements, &inv.Amendments, &value)
	if err != nil {
		return nil, fmt.Errorf("involvement: %w", err)
	}
	inv.ValueUSD = money.Amount(value)

	shares := []struct {
		dst   *[]partner.Share
		query string
	}{
		{&inv.ByYear, `SELECT ` + s.db.Dialect().Year("a.signed_on") + ` AS k, SUM(CASE WHEN a.type_code <> ? THEN 1.0 ELSE 0 END),
			SUM(a.value_usd_cents * 1.0) FROM agreements a WHERE a.signed_on IS NOT NULL AND a.deleted_at IS NULL AND a.id IN (` + signed + `) GROUP BY k ORDER BY k`},
		{&inv.ByArea, `SELECT a.primary_action_area_code AS k, SUM(CASE WHEN a.type_code <> ? THEN 1.0 ELSE 0 END),
			SUM(a.value_usd_cents * 1.0) FROM agreements a JOIN action_areas o ON o.code = a.primary_action_area_code
			WHERE a.signed_on IS NOT NULL AND a.deleted_at IS NULL AND a.id IN (` + signed + `) GROUP BY k ORDER BY MIN(o.sort_order)`},
		{&inv.ByRegion, `SELECT r.region_code AS k, SUM(CASE WHEN a.type_code <> ? THEN r.share ELSE 0 END),
			SUM(a.value_usd_cents * r.share) FROM agreements a JOIN agreement_regions r ON r.agreement_id = a.id
			JOIN regions o ON o.code = r.region_code
			WHERE a.signed_on IS NOT NULL AND a.deleted_at IS NULL AND a.id IN (` + signed + `) GROUP BY k ORDER BY MIN(o.sort_order)`},
	}
	for _, sh := range shares {
		rows, err := s.db.Query(ctx, sh.query, append([]any{amendment}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("involvement: %w", err)
		}
		for rows.Next() {
			var s partner.Share
			var k any
			var v float64
			if err := rows.Scan(&k, &s.Agreements, &v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("involvement: %w", err)
			}
			s.Key, s.ValueUSD = sqldb.KeyString(k), money.Amount(math.Round(v))
			*sh.dst = append(*sh.dst, s)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("involvement: %w", err)
		}
	}

	rows, err := s.db.Query(ctx, `SELECT a.reference, COALESCE(t.title, a.title), a.type_code, a.status, a.signed_on, a.value_usd_cents,
		p.partner_id, p.role, a.confidential, COALESCE(a.officer_id, 0)
		FROM agreements a
		JOIN (SELECT agreement_id, MIN(partner_id) AS partner_id, MIN(role) AS role FROM agreement_parties
		      WHERE partner_id IN (`+in+`) GROUP BY agreement_id) p ON p.agreement_id = a.id
		LEFT JOIN agreement_translations t ON t.agreement_id = a.id AND t.lang = ?
		WHERE a.signed_on IS NOT NULL AND a.deleted_at IS NULL
		ORDER BY a.signed_on DESC, a.id DESC LIMIT ?`, append(args, lang, recent)...)
	if err != nil {
		return nil, fmt.Errorf("involvement: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l partner.AgreementLine
		var v int64
		if err := rows.Scan(&l.Reference, &l.Title, &l.Type, &l.Status, &l.SignedOn, &v, &l.PartnerID, &l.Role, &l.Confidential, &l.OfficerID); err != nil {
			return nil, fmt.Errorf("involvement: %w", err)
		}
		l.ValueUSD = money.Amount(v)
		inv.Recent = append(inv.Recent, l)
	}
	return inv, rows.Err()
}
