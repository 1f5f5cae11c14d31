package partners

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/document"
	"pactum/internal/partner"
	"pactum/internal/store/sqldb"
)

// DueDiligenceOf returns the due-diligence record of a partner, or nil when it has none.
func (s *Partners) DueDiligenceOf(ctx context.Context, partnerID int64) (*partner.DueDiligence, error) {
	return dueDiligenceOf(ctx, s.db, partnerID)
}

func dueDiligenceOf(ctx context.Context, q sqldb.Querier, partnerID int64) (*partner.DueDiligence, error) {
	d := &partner.DueDiligence{PartnerID: partnerID}
	var reviewer sql.NullInt64
	err := q.QueryRow(ctx, `SELECT status, risk_rating, reviewer_id, reviewed_on, recheck_on, notes, version, updated_at
		FROM due_diligence WHERE partner_id = ?`, partnerID).
		Scan(&d.Status, &d.RiskRating, &reviewer, &d.ReviewedOn, &d.RecheckOn, &d.Notes, &d.Version, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("due diligence of %d: %w", partnerID, err)
	}
	d.ReviewerID = reviewer.Int64
	return d, nil
}

func auditDueDiligence(d *partner.DueDiligence) audit.Record {
	if d == nil {
		return nil
	}
	return audit.Record{"status": d.Status, "risk_rating": d.RiskRating, "reviewer_id": sqldb.NullID(d.ReviewerID),
		"reviewed_on": d.ReviewedOn, "recheck_on": d.RecheckOn, "notes": d.Notes}
}

// SaveDueDiligence creates or updates a partner's due-diligence record. Version 0 means a new
// record; otherwise it must match the stored one.
func (s *Partners) SaveDueDiligence(ctx context.Context, partnerKey string, d *partner.DueDiligence) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM partners WHERE key = ?", partnerKey).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "partner.error.not_found", "key", partnerKey)
		}
		if err != nil {
			return fmt.Errorf("due diligence: %w", err)
		}
		d.PartnerID = id
		before, err := dueDiligenceOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if (before == nil && d.Version != 0) || (before != nil && before.Version != d.Version) {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		now := time.Now().UTC()
		if before == nil {
			_, err = tx.Exec(ctx, `INSERT INTO due_diligence (partner_id, status, risk_rating, reviewer_id, reviewed_on, recheck_on,
				notes, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
				id, d.Status, d.RiskRating, sqldb.NullID(d.ReviewerID), d.ReviewedOn, d.RecheckOn, d.Notes, now)
		} else {
			_, err = tx.Exec(ctx, `UPDATE due_diligence SET status = ?, risk_rating = ?, reviewer_id = ?, reviewed_on = ?,
				recheck_on = ?, notes = ?, version = version + 1, updated_at = ? WHERE partner_id = ?`,
				d.Status, d.RiskRating, sqldb.NullID(d.ReviewerID), d.ReviewedOn, d.RecheckOn, d.Notes, now, id)
		}
		if err != nil {
			return fmt.Errorf("save due diligence: %w", err)
		}
		d.Version++
		d.UpdatedAt = now
		// The list filters by due diligence through the search index: the partner's document changes.
		p, err := partnerByKey(ctx, tx, partnerKey)
		if err != nil {
			return err
		}
		w, err := newPartnerWriter(ctx, tx, s.load)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.derived.Partner(ctx, p, p); err != nil {
			return err
		}
		action := audit.ActionUpdate
		if before == nil {
			action = audit.ActionCreate
		}
		return tx.Audit(ctx, action, "due_diligence", partnerKey, audit.Diff(auditDueDiligence(before), auditDueDiligence(d)))
	})
}

// AddDocument stores a file as the next version of its name under its owner.
func (s *Partners) AddDocument(ctx context.Context, doc *document.Document, auditEntity, auditKey string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM documents WHERE owner_type = ? AND owner_id = ? AND filename = ?",
			doc.OwnerType, doc.OwnerID, doc.Filename).Scan(&doc.Version)
		if err != nil {
			return fmt.Errorf("add document: %w", err)
		}
		doc.UploadedAt = time.Now().UTC()
		err = tx.QueryRow(ctx, `INSERT INTO documents (owner_type, owner_id, filename, content_type, size, sha256, version, data,
			uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			doc.OwnerType, doc.OwnerID, doc.Filename, doc.ContentType, doc.Size, doc.SHA256, doc.Version, doc.Data,
			sqldb.NullID(doc.UploadedBy), doc.UploadedAt).Scan(&doc.ID)
		if err != nil {
			return fmt.Errorf("add document: %w", err)
		}
		return tx.Audit(ctx, audit.ActionCreate, auditEntity, auditKey,
			audit.Changes{"document": {After: fmt.Sprintf("%s (v%d, %d bytes, sha256 %s)", doc.Filename, doc.Version, doc.Size, doc.SHA256[:12])}})
	})
}

// Documents lists the files of an owner without their contents, newest version first per name.
func (s *Partners) Documents(ctx context.Context, ownerType string, ownerID int64) ([]document.Document, error) {
	rows, err := s.db.Query(ctx, `SELECT d.id, d.filename, d.content_type, d.size, d.sha256, d.version, COALESCE(d.uploaded_by, 0),
		COALESCE(u.username, ''), d.uploaded_at FROM documents d LEFT JOIN users u ON u.id = d.uploaded_by
		WHERE d.owner_type = ? AND d.owner_id = ? ORDER BY d.filename, d.version DESC`, ownerType, ownerID)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var list []document.Document
	for rows.Next() {
		d := document.Document{OwnerType: ownerType, OwnerID: ownerID}
		if err := rows.Scan(&d.ID, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.Version, &d.UploadedBy, &d.UploaderName, &d.UploadedAt); err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// DocumentByID returns a file with its contents.
func (s *Partners) DocumentByID(ctx context.Context, id int64) (*document.Document, error) {
	d := &document.Document{ID: id}
	err := s.db.QueryRow(ctx, `SELECT owner_type, owner_id, filename, content_type, size, sha256, version, data, uploaded_at
		FROM documents WHERE id = ?`, id).
		Scan(&d.OwnerType, &d.OwnerID, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.Version, &d.Data, &d.UploadedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.page.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("document %d: %w", id, err)
	}
	return d, nil
}
