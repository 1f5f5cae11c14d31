package agreements

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// agreementWriter writes agreements inside one transaction with prepared statements, and tells
// the derived data what changed.
type agreementWriter struct {
	tx                                             *sqldb.Tx
	agreement, title, party, region, country, area *sql.Stmt
	derived                                        *derived.Writer
}

func newAgreementWriter(ctx context.Context, tx *sqldb.Tx) (*agreementWriter, error) {
	w := &agreementWriter{tx: tx, derived: derived.NewWriter(tx, agreementsByIDs)}
	statements := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.agreement, `INSERT INTO agreements (reference, title, type_code, status, signed_on, start_on, end_on, amount_cents,
			currency_code, value_usd_cents, in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id,
			initiative, officer_id, office_code, confidential, notes, search_version, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`},
		{&w.title, "INSERT INTO agreement_translations (agreement_id, lang, title) VALUES (?, ?, ?)"},
		{&w.party, "INSERT INTO agreement_parties (agreement_id, partner_id, role) VALUES (?, ?, ?)"},
		{&w.region, "INSERT INTO agreement_regions (agreement_id, region_code, share) VALUES (?, ?, ?)"},
		{&w.country, "INSERT INTO agreement_countries (agreement_id, country_code) VALUES (?, ?)"},
		{&w.area, "INSERT INTO agreement_action_areas (agreement_id, action_area_code) VALUES (?, ?)"},
	}
	for _, s := range statements {
		stmt, err := tx.Prepare(ctx, s.query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare agreement statements: %w", err)
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
	w.derived.Close()
}

// insert stores a and its parties, regions, countries and titles, indexes it, and sets a.ID.
func (w *agreementWriter) insert(ctx context.Context, a *agreement.Agreement, now time.Time) error {
	err := w.agreement.QueryRowContext(ctx, a.Reference, a.Titles["en"], a.Type, a.Status, a.SignedOn, a.StartOn, a.EndOn,
		int64(a.Amount), a.Currency, int64(a.ValueUSD), int64(a.InKindUSD), a.PrimaryActionArea, sqldb.NullID(a.AmendsID),
		a.AmendmentKind, sqldb.NullID(a.FrameworkID), a.Initiative, sqldb.NullID(a.OfficerID), a.Office, a.Confidential, a.Notes,
		derived.AgreementSearchVersion, now, now).Scan(&a.ID)
	if err != nil {
		if sqldb.IsUniqueViolation(err) {
			msg := apperr.Msg("agreement.error.reference_taken", "reference", a.Reference)
			return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: apperr.FieldErrors{"reference": msg}, Err: err}
		}
		return fmt.Errorf("insert agreement %s: %w", a.Reference, err)
	}
	a.Version, a.CreatedAt, a.UpdatedAt = 1, now, now
	if err := w.writeDetails(ctx, a); err != nil {
		return err
	}
	return w.derived.Agreement(ctx, nil, a)
}

// writeDetails writes a's titles and lists; for an update the caller has cleared them first.
func (w *agreementWriter) writeDetails(ctx context.Context, a *agreement.Agreement) error {
	for _, lang := range reference.Languages {
		if title := a.Titles[lang]; lang != "en" && title != "" {
			if _, err := w.title.ExecContext(ctx, a.ID, lang, title); err != nil {
				return fmt.Errorf("agreement %s title %s: %w", a.Reference, lang, err)
			}
		}
	}
	seen := map[int64]bool{}
	for _, p := range a.Parties {
		if seen[p.PartnerID] {
			continue
		}
		seen[p.PartnerID] = true
		if _, err := w.party.ExecContext(ctx, a.ID, p.PartnerID, p.Role); err != nil {
			return fmt.Errorf("agreement %s party %d: %w", a.Reference, p.PartnerID, err)
		}
	}
	for _, r := range a.Regions {
		if _, err := w.region.ExecContext(ctx, a.ID, r.Region, r.Share); err != nil {
			return fmt.Errorf("agreement %s region %s: %w", a.Reference, r.Region, err)
		}
	}
	for _, c := range sqldb.Dedupe(a.Countries) {
		if _, err := w.country.ExecContext(ctx, a.ID, c); err != nil {
			return fmt.Errorf("agreement %s country %s: %w", a.Reference, c, err)
		}
	}
	for _, area := range sqldb.Dedupe(a.OtherActionAreas) {
		if area == a.PrimaryActionArea {
			continue
		}
		if _, err := w.area.ExecContext(ctx, a.ID, area); err != nil {
			return fmt.Errorf("agreement %s action area %s: %w", a.Reference, area, err)
		}
	}
	return nil
}

// CreateAgreements stores new agreements in one transaction: all of them or none. An amendment's
// AmendsID and an agreement's FrameworkID must name a stored agreement or one earlier in the list.
// A single agreement created by a person is recorded in the audit trail.
func (s *Agreements) CreateAgreements(ctx context.Context, agreements []*agreement.Agreement) error {
	now := time.Now().UTC()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, a := range agreements {
			if err := w.insert(ctx, a, now); err != nil {
				return err
			}
			if len(agreements) == 1 {
				if err := tx.Audit(ctx, audit.ActionCreate, "agreement", a.Reference, audit.Diff(nil, auditAgreement(a))); err != nil {
					return err
				}
			}
		}
		return w.derived.Flush(ctx)
	})
}

// auditAgreement is what the trail records of an agreement.
func auditAgreement(a *agreement.Agreement) audit.Record {
	parties := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		parties[i] = fmt.Sprintf("%d:%s", p.PartnerID, p.Role)
	}
	regions := make([]string, len(a.Regions))
	for i, r := range a.Regions {
		regions[i] = fmt.Sprintf("%s:%g", r.Region, r.Share)
	}
	r := audit.Record{
		"type": a.Type, "status": a.Status, "signed_on": a.SignedOn.String(), "start_on": a.StartOn.String(),
		"end_on": a.EndOn.String(), "amount": a.Amount.String(), "currency": a.Currency, "value_usd": a.ValueUSD.String(),
		"in_kind_usd": a.InKindUSD.String(), "action_area": a.PrimaryActionArea, "other_action_areas": audit.Set(a.OtherActionAreas),
		"parties": audit.Set(parties), "regions": audit.Set(regions), "countries": audit.Set(a.Countries), "amends_id": a.AmendsID,
		"amendment_kind": a.AmendmentKind, "framework_id": a.FrameworkID, "initiative": a.Initiative, "officer_id": a.OfficerID,
		"office": a.Office, "confidential": a.Confidential, "notes": a.Notes,
	}
	for _, lang := range reference.Languages {
		r["title_"+lang] = a.Titles[lang]
	}
	for k, v := range r {
		if id, ok := v.(int64); ok && id == 0 {
			r[k] = nil
		}
	}
	return r
}

// UpdateAgreement saves an agreement read at a.Version. It is refused with Conflict when someone
// saved it since (the caller shows both versions), and with NotFound when it was deleted.
func (s *Agreements) UpdateAgreement(ctx context.Context, a *agreement.Agreement) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := agreementByReference(ctx, tx, a.Reference)
		if err != nil {
			return err
		}
		if before.Deleted() {
			return apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", a.Reference)
		}
		if before.Version != a.Version {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		if a.AmendsID == before.ID || (a.FrameworkID != 0 && a.FrameworkID == before.ID) {
			return apperr.FieldErrors{"amends": apperr.Msg("agreement.error.amends_itself")}.Err()
		}
		a.ID = before.ID
		now := time.Now().UTC()
		_, err = tx.Exec(ctx, `UPDATE agreements SET title = ?, type_code = ?, status = ?, signed_on = ?, start_on = ?, end_on = ?,
			amount_cents = ?, currency_code = ?, value_usd_cents = ?, in_kind_usd_cents = ?, primary_action_area_code = ?,
			amends_id = ?, amendment_kind = ?, framework_id = ?, initiative = ?, officer_id = ?, office_code = ?, confidential = ?,
			notes = ?, search_version = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			a.Titles["en"], a.Type, a.Status, a.SignedOn, a.StartOn, a.EndOn, int64(a.Amount), a.Currency, int64(a.ValueUSD),
			int64(a.InKindUSD), a.PrimaryActionArea, sqldb.NullID(a.AmendsID), a.AmendmentKind, sqldb.NullID(a.FrameworkID), a.Initiative,
			sqldb.NullID(a.OfficerID), a.Office, a.Confidential, a.Notes, derived.AgreementSearchVersion, now, a.ID)
		if err != nil {
			return fmt.Errorf("update agreement %s: %w", a.Reference, err)
		}
		for _, table := range []string{"agreement_translations", "agreement_parties", "agreement_regions", "agreement_countries",
			"agreement_action_areas"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE agreement_id = ?", a.ID); err != nil {
				return fmt.Errorf("update agreement %s: %w", a.Reference, err)
			}
		}
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.writeDetails(ctx, a); err != nil {
			return err
		}
		if err := w.derived.Agreement(ctx, before, a); err != nil {
			return err
		}
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		a.Version, a.CreatedAt, a.UpdatedAt = before.Version+1, before.CreatedAt, now
		return tx.Audit(ctx, audit.ActionUpdate, "agreement", a.Reference, audit.Diff(auditAgreement(before), auditAgreement(a)))
	})
}

// partyIDs returns the partners party to any of the agreements, each once.
func partyIDs(agreements ...*agreement.Agreement) []int64 {
	var ids []int64
	for _, a := range agreements {
		for _, p := range a.Parties {
			if !slices.Contains(ids, p.PartnerID) {
				ids = append(ids, p.PartnerID)
			}
		}
	}
	return ids
}

// DeleteAgreement deletes an agreement read at version, keeping it restorable: it leaves the
// registry, searches, reports and partners' figures, but nothing of it is erased. An agreement
// with live amendments is refused; they are deleted first.
func (s *Agreements) DeleteAgreement(ctx context.Context, reference string, version int) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		a, err := agreementByReference(ctx, tx, reference)
		if err != nil {
			return err
		}
		if a.Deleted() {
			return nil
		}
		if a.Version != version {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		var amendments int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM agreements WHERE amends_id = ? AND deleted_at IS NULL", a.ID).Scan(&amendments); err != nil {
			return fmt.Errorf("delete agreement %s: %w", reference, err)
		}
		if amendments > 0 {
			return apperr.New(apperr.Conflict, "agreement.error.has_amendments", "count", amendments)
		}
		actor := audit.ActorFrom(ctx)
		if _, err := tx.Exec(ctx, "UPDATE agreements SET deleted_at = ?, deleted_by = ?, version = version + 1 WHERE id = ?",
			time.Now().UTC(), actor.Username, a.ID); err != nil {
			return fmt.Errorf("delete agreement %s: %w", reference, err)
		}
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.derived.Agreement(ctx, a, nil); err != nil {
			return err
		}
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.ActionDelete, "agreement", reference, audit.Diff(auditAgreement(a), nil))
	})
}

// RestoreAgreement brings a deleted agreement back as it was.
func (s *Agreements) RestoreAgreement(ctx context.Context, reference string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		a, err := agreementByReference(ctx, tx, reference)
		if err != nil {
			return err
		}
		if !a.Deleted() {
			return nil
		}
		if a.AmendsID != 0 {
			var amendedDeleted bool
			if err := tx.QueryRow(ctx, "SELECT deleted_at IS NOT NULL FROM agreements WHERE id = ?", a.AmendsID).Scan(&amendedDeleted); err != nil {
				return fmt.Errorf("restore agreement %s: %w", reference, err)
			}
			if amendedDeleted {
				return apperr.New(apperr.Conflict, "agreement.error.amended_deleted")
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE agreements SET deleted_at = NULL, deleted_by = '', version = version + 1 WHERE id = ?", a.ID); err != nil {
			return fmt.Errorf("restore agreement %s: %w", reference, err)
		}
		a.DeletedAt = time.Time{}
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.derived.Agreement(ctx, nil, a); err != nil {
			return err
		}
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.ActionUpdate, "agreement", reference, audit.Changes{"deleted": {Before: true, After: false}})
	})
}

// ReindexAgreements indexes every agreement indexed with an older version of its search document
// (or never), in batches, and returns how many it indexed.
func (s *Agreements) ReindexAgreements(ctx context.Context) (int, error) {
	total := 0
	for {
		ids, err := sqldb.QueryIDs(ctx, s.db, "SELECT id FROM agreements WHERE search_version < ? ORDER BY id LIMIT 5000", derived.AgreementSearchVersion)
		if err != nil {
			return total, fmt.Errorf("reindex agreements: %w", err)
		}
		if len(ids) == 0 {
			if total > 0 {
				return total, derived.OptimizeSearch(ctx, s.db)
			}
			return total, nil
		}
		if err := s.db.InTx(ctx, func(tx *sqldb.Tx) error { return derived.Rederive(ctx, tx, agreementsByIDs, ids) }); err != nil {
			return total, err
		}
		total += len(ids)
	}
}
