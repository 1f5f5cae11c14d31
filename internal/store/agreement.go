package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"pactum/internal/money"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
)

// agreementWriter inserts agreements inside one transaction with prepared statements.
type agreementWriter struct {
	agreement, title, party, region, country, area *sql.Stmt
}

func newAgreementWriter(ctx context.Context, tx *Tx) (*agreementWriter, error) {
	w := &agreementWriter{}
	statements := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.agreement, `INSERT INTO agreements (reference, title, type_code, status, signed_on, start_on, end_on, amount_cents,
			currency_code, value_usd_cents, in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id,
			initiative, officer_id, office_code, confidential, notes, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`},
		{&w.title, "INSERT INTO agreement_translations (agreement_id, lang, title) VALUES (?, ?, ?)"},
		{&w.party, "INSERT INTO agreement_parties (agreement_id, partner_id, role) VALUES (?, ?, ?)"},
		{&w.region, "INSERT INTO agreement_regions (agreement_id, region_code, share) VALUES (?, ?, ?)"},
		{&w.country, "INSERT INTO agreement_countries (agreement_id, country_code) VALUES (?, ?)"},
		{&w.area, "INSERT INTO agreement_action_areas (agreement_id, action_area_code) VALUES (?, ?)"},
	}
	for _, s := range statements {
		stmt, err := tx.prepare(ctx, s.query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare agreement insert: %w", err)
		}
		*s.stmt = stmt
	}
	return w, nil
}

func (w *agreementWriter) close() {
	for _, s := range []*sql.Stmt{w.agreement, w.title, w.party, w.region, w.country, w.area} {
		if s != nil {
			s.Close()
		}
	}
}

// insert stores a and its parties, regions, countries and titles, and sets a.ID.
func (w *agreementWriter) insert(ctx context.Context, a *agreement.Agreement, now time.Time) error {
	err := w.agreement.QueryRowContext(ctx, a.Reference, a.Titles["en"], a.Type, a.Status, a.SignedOn, a.StartOn, a.EndOn,
		int64(a.Amount), a.Currency, int64(a.ValueUSD), int64(a.InKindUSD), a.PrimaryActionArea, nullID(a.AmendsID),
		a.AmendmentKind, nullID(a.FrameworkID), a.Initiative, nullID(a.OfficerID), a.Office, a.Confidential, a.Notes,
		now, now).Scan(&a.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "agreement.error.reference_taken", "reference", a.Reference)
		}
		return fmt.Errorf("insert agreement %s: %w", a.Reference, err)
	}
	a.Version, a.CreatedAt, a.UpdatedAt = 1, now, now
	for lang, title := range a.Titles {
		if lang == "en" || title == "" {
			continue
		}
		if _, err := w.title.ExecContext(ctx, a.ID, lang, title); err != nil {
			return fmt.Errorf("insert agreement %s title %s: %w", a.Reference, lang, err)
		}
	}
	for _, p := range a.Parties {
		if _, err := w.party.ExecContext(ctx, a.ID, p.PartnerID, p.Role); err != nil {
			return fmt.Errorf("insert agreement %s party %d: %w", a.Reference, p.PartnerID, err)
		}
	}
	for _, r := range a.Regions {
		if _, err := w.region.ExecContext(ctx, a.ID, r.Region, r.Share); err != nil {
			return fmt.Errorf("insert agreement %s region %s: %w", a.Reference, r.Region, err)
		}
	}
	for _, c := range dedupe(a.Countries) {
		if _, err := w.country.ExecContext(ctx, a.ID, c); err != nil {
			return fmt.Errorf("insert agreement %s country %s: %w", a.Reference, c, err)
		}
	}
	for _, area := range dedupe(a.OtherActionAreas) {
		if _, err := w.area.ExecContext(ctx, a.ID, area); err != nil {
			return fmt.Errorf("insert agreement %s action area %s: %w", a.Reference, area, err)
		}
	}
	return nil
}

// CreateAgreements stores new agreements in one transaction: all of them or none. An amendment's
// AmendsID and an agreement's FrameworkID must name a stored agreement or one earlier in the list.
func (db *DB) CreateAgreements(ctx context.Context, agreements []*agreement.Agreement) error {
	now := time.Now().UTC()
	return db.inTx(ctx, func(tx *Tx) error {
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		parties := map[int64]bool{}
		var ids []int64
		for _, a := range agreements {
			if err := w.insert(ctx, a, now); err != nil {
				return err
			}
			for _, p := range a.Parties {
				if !parties[p.PartnerID] {
					parties[p.PartnerID] = true
					ids = append(ids, p.PartnerID)
				}
			}
		}
		return refreshPartnerStats(ctx, tx, ids)
	})
}

// AgreementByReference returns the agreement with reference and everything that belongs to it.
func (db *DB) AgreementByReference(ctx context.Context, reference string) (*agreement.Agreement, error) {
	a := &agreement.Agreement{Reference: reference, Titles: map[string]string{}}
	var title string
	var amount, valueUSD, inKind int64
	var amends, framework, officer sql.NullInt64
	err := db.queryRow(ctx, `SELECT id, title, type_code, status, signed_on, start_on, end_on, amount_cents, currency_code,
		value_usd_cents, in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id, initiative,
		officer_id, office_code, confidential, notes, version, created_at, updated_at
		FROM agreements WHERE reference = ?`, reference).
		Scan(&a.ID, &title, &a.Type, &a.Status, &a.SignedOn, &a.StartOn, &a.EndOn, &amount, &a.Currency, &valueUSD, &inKind,
			&a.PrimaryActionArea, &amends, &a.AmendmentKind, &framework, &a.Initiative, &officer, &a.Office, &a.Confidential,
			&a.Notes, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", reference)
	}
	if err != nil {
		return nil, fmt.Errorf("agreement %s: %w", reference, err)
	}
	a.Titles["en"] = title
	a.Amount, a.ValueUSD, a.InKindUSD = money.Amount(amount), money.Amount(valueUSD), money.Amount(inKind)
	a.AmendsID, a.FrameworkID, a.OfficerID = amends.Int64, framework.Int64, officer.Int64

	rows, err := db.query(ctx, "SELECT lang, title FROM agreement_translations WHERE agreement_id = ?", a.ID)
	if err != nil {
		return nil, fmt.Errorf("agreement %s titles: %w", reference, err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang, t string
		if err := rows.Scan(&lang, &t); err != nil {
			return nil, fmt.Errorf("agreement %s titles: %w", reference, err)
		}
		a.Titles[lang] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agreement %s titles: %w", reference, err)
	}

	prows, err := db.query(ctx, "SELECT partner_id, role FROM agreement_parties WHERE agreement_id = ? ORDER BY role, partner_id", a.ID)
	if err != nil {
		return nil, fmt.Errorf("agreement %s parties: %w", reference, err)
	}
	defer prows.Close()
	for prows.Next() {
		var p agreement.Party
		if err := prows.Scan(&p.PartnerID, &p.Role); err != nil {
			return nil, fmt.Errorf("agreement %s parties: %w", reference, err)
		}
		a.Parties = append(a.Parties, p)
	}
	if err := prows.Err(); err != nil {
		return nil, fmt.Errorf("agreement %s parties: %w", reference, err)
	}

	rrows, err := db.query(ctx, "SELECT region_code, share FROM agreement_regions WHERE agreement_id = ? ORDER BY region_code", a.ID)
	if err != nil {
		return nil, fmt.Errorf("agreement %s regions: %w", reference, err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var r agreement.RegionShare
		if err := rrows.Scan(&r.Region, &r.Share); err != nil {
			return nil, fmt.Errorf("agreement %s regions: %w", reference, err)
		}
		a.Regions = append(a.Regions, r)
	}
	if err := rrows.Err(); err != nil {
		return nil, fmt.Errorf("agreement %s regions: %w", reference, err)
	}

	if a.Countries, err = db.strings(ctx, "SELECT country_code FROM agreement_countries WHERE agreement_id = ? ORDER BY country_code", a.ID); err != nil {
		return nil, fmt.Errorf("agreement %s countries: %w", reference, err)
	}
	if a.OtherActionAreas, err = db.strings(ctx, "SELECT action_area_code FROM agreement_action_areas WHERE agreement_id = ? ORDER BY action_area_code", a.ID); err != nil {
		return nil, fmt.Errorf("agreement %s action areas: %w", reference, err)
	}
	return a, nil
}

// CountAgreements returns how many agreements (amendments included) are stored.
func (db *DB) CountAgreements(ctx context.Context) (int, error) {
	var n int
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM agreements").Scan(&n); err != nil {
		return 0, fmt.Errorf("count agreements: %w", err)
	}
	return n, nil
}

// AgreementReferenceOf returns the reference of the agreement with id.
func (db *DB) AgreementReferenceOf(ctx context.Context, id int64) (string, error) {
	var ref string
	err := db.queryRow(ctx, "SELECT reference FROM agreements WHERE id = ?", id).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", fmt.Sprint(id))
	}
	if err != nil {
		return "", fmt.Errorf("agreement %d: %w", id, err)
	}
	return ref, nil
}
