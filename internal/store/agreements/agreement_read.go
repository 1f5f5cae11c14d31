package agreements

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/money"
	"pactum/internal/store/sqldb"
)

const agreementColumns = `id, reference, title, type_code, status, signed_on, start_on, end_on, amount_cents, currency_code,
	value_usd_cents, in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id, initiative,
	officer_id, office_code, confidential, notes, version, created_at, updated_at, deleted_at, deleted_by`

// scanAgreement reads a row of agreementColumns.
func scanAgreement(scan func(...any) error) (*agreement.Agreement, error) {
	a := &agreement.Agreement{Titles: map[string]string{}}
	var title string
	var amount, valueUSD, inKind int64
	var amends, framework, officer sql.NullInt64
	var deletedAt sql.NullTime
	if err := scan(&a.ID, &a.Reference, &title, &a.Type, &a.Status, &a.SignedOn, &a.StartOn, &a.EndOn, &amount, &a.Currency,
		&valueUSD, &inKind, &a.PrimaryActionArea, &amends, &a.AmendmentKind, &framework, &a.Initiative, &officer, &a.Office,
		&a.Confidential, &a.Notes, &a.Version, &a.CreatedAt, &a.UpdatedAt, &deletedAt, &a.DeletedBy); err != nil {
		return nil, err
	}
	a.Titles["en"] = title
	a.Amount, a.ValueUSD, a.InKindUSD = money.Amount(amount), money.Amount(valueUSD), money.Amount(inKind)
	a.AmendsID, a.FrameworkID, a.OfficerID = amends.Int64, framework.Int64, officer.Int64
	if deletedAt.Valid {
		a.DeletedAt = deletedAt.Time
	}
	return a, nil
}

// AgreementByReference returns the agreement with reference, deleted or not, with everything
// that belongs to it.
func (s *Agreements) AgreementByReference(ctx context.Context, reference string) (*agreement.Agreement, error) {
	return agreementByReference(ctx, s.db, reference)
}

func agreementByReference(ctx context.Context, q sqldb.Querier, reference string) (*agreement.Agreement, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM agreements WHERE reference = ?", reference).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", reference)
	}
	if err != nil {
		return nil, fmt.Errorf("agreement %s: %w", reference, err)
	}
	list, err := agreementsByIDs(ctx, q, []int64{id})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// agreementsByIDs loads agreements with their titles and lists, in the order of ids.
func agreementsByIDs(ctx context.Context, q sqldb.Querier, ids []int64) ([]*agreement.Agreement, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := "(" + sqldb.Placeholders(len(ids)) + ")"
	byID := make(map[int64]*agreement.Agreement, len(ids))
	err := sqldb.EachRowOf(ctx, q, "SELECT "+agreementColumns+" FROM agreements WHERE id IN "+in, args, func(scan func(...any) error) error {
		a, err := scanAgreement(scan)
		if err == nil {
			byID[a.ID] = a
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load agreements: %w", err)
	}
	lists := []struct {
		query string
		scan  func(scan func(...any) error) error
	}{
		{"SELECT a.id, COALESCE(m.reference, ''), COALESCE(f.reference, '') FROM agreements a LEFT JOIN agreements m ON m.id = a.amends_id " +
			"LEFT JOIN agreements f ON f.id = a.framework_id WHERE a.id IN " + in + " AND (a.amends_id IS NOT NULL OR a.framework_id IS NOT NULL)",
			func(scan func(...any) error) error {
				var id int64
				var amends, framework string
				err := scan(&id, &amends, &framework)
				byID[id].AmendsRef, byID[id].FrameworkRef = amends, framework
				return err
			}},
		{"SELECT agreement_id, lang, title FROM agreement_translations WHERE agreement_id IN " + in, func(scan func(...any) error) error {
			var id int64
			var lang, title string
			err := scan(&id, &lang, &title)
			byID[id].Titles[lang] = title
			return err
		}},
		{"SELECT ap.agreement_id, ap.partner_id, ap.role, p.key FROM agreement_parties ap JOIN partners p ON p.id = ap.partner_id " +
			"WHERE ap.agreement_id IN " + in + " ORDER BY ap.agreement_id, " + roleOrder("ap.role") + ", ap.partner_id",
			func(scan func(...any) error) error {
				var id int64
				var p agreement.Party
				err := scan(&id, &p.PartnerID, &p.Role, &p.PartnerKey)
				byID[id].Parties = append(byID[id].Parties, p)
				return err
			}},
		{"SELECT agreement_id, region_code, share FROM agreement_regions WHERE agreement_id IN " + in + " ORDER BY agreement_id, region_code",
			func(scan func(...any) error) error {
				var id int64
				var r agreement.RegionShare
				err := scan(&id, &r.Region, &r.Share)
				byID[id].Regions = append(byID[id].Regions, r)
				return err
			}},
		{"SELECT agreement_id, country_code FROM agreement_countries WHERE agreement_id IN " + in + " ORDER BY agreement_id, country_code",
			func(scan func(...any) error) error {
				var id int64
				var c string
				err := scan(&id, &c)
				byID[id].Countries = append(byID[id].Countries, c)
				return err
			}},
		{"SELECT agreement_id, action_area_code FROM agreement_action_areas WHERE agreement_id IN " + in + " ORDER BY agreement_id, action_area_code",
			func(scan func(...any) error) error {
				var id int64
				var c string
				err := scan(&id, &c)
				byID[id].OtherActionAreas = append(byID[id].OtherActionAreas, c)
				return err
			}},
	}
	for _, l := range lists {
		if err := sqldb.EachRowOf(ctx, q, l.query, args, l.scan); err != nil {
			return nil, fmt.Errorf("load agreements: %w", err)
		}
	}
	out := make([]*agreement.Agreement, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// Amendments returns the live amendments of an agreement in the order they were signed.
func (s *Agreements) Amendments(ctx context.Context, agreementID int64) ([]*agreement.Agreement, error) {
	ids, err := sqldb.QueryIDs(ctx, s.db, `SELECT id FROM agreements WHERE amends_id = ? AND deleted_at IS NULL
		ORDER BY signed_on IS NULL, signed_on, id`, agreementID)
	if err != nil {
		return nil, fmt.Errorf("amendments of %d: %w", agreementID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return agreementsByIDs(ctx, s.db, ids)
}

// UnderFramework returns the references and English titles of the live agreements signed under a
// framework agreement (a memorandum of understanding), oldest first.
func (s *Agreements) UnderFramework(ctx context.Context, frameworkID int64) ([]*agreement.Agreement, error) {
	ids, err := sqldb.QueryIDs(ctx, s.db, `SELECT id FROM agreements WHERE framework_id = ? AND deleted_at IS NULL
		ORDER BY signed_on IS NULL, signed_on, id`, frameworkID)
	if err != nil {
		return nil, fmt.Errorf("agreements under %d: %w", frameworkID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return agreementsByIDs(ctx, s.db, ids)
}

// DeletedAgreements returns the deleted agreements, most recently deleted first, for an
// administrator to restore.
func (s *Agreements) DeletedAgreements(ctx context.Context) ([]*agreement.Agreement, error) {
	ids, err := sqldb.QueryIDs(ctx, s.db, "SELECT id FROM agreements WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC LIMIT 500")
	if err != nil {
		return nil, fmt.Errorf("deleted agreements: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return agreementsByIDs(ctx, s.db, ids)
}

// CountAgreements returns how many live agreements (amendments included) are stored.
func (s *Agreements) CountAgreements(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM agreements WHERE deleted_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count agreements: %w", err)
	}
	return n, nil
}

// AgreementReferenceOf returns the reference of the agreement with id.
func (s *Agreements) AgreementReferenceOf(ctx context.Context, id int64) (string, error) {
	var ref string
	err := s.db.QueryRow(ctx, "SELECT reference FROM agreements WHERE id = ?", id).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return "", fmt.Errorf("agreement %d: %w", id, err)
	}
	return ref, nil
}

// roleOrder is an SQL expression ordering parties funders first, then implementing partners,
// then co-signatories.
func roleOrder(column string) string {
	return "CASE " + column + " WHEN '" + agreement.RoleFunder + "' THEN 0 WHEN '" + agreement.RoleImplementing + "' THEN 1 ELSE 2 END"
}
