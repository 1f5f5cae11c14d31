package relations

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pactum/internal/audit"
	"pactum/internal/partner"
	"pactum/internal/store/sqldb"
)

// Recognitions returns the recognitions of any of the partners partnerIDs, latest first.
func (s *Relations) Recognitions(ctx context.Context, partnerIDs []int64) ([]partner.Recognition, error) {
	if len(partnerIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(partnerIDs))
	for i, id := range partnerIDs {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, "SELECT id, partner_id, title, event, awarded_on, description FROM recognitions WHERE partner_id IN ("+
		sqldb.Placeholders(len(partnerIDs))+") ORDER BY awarded_on DESC, id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("recognitions: %w", err)
	}
	defer rows.Close()
	var list []partner.Recognition
	for rows.Next() {
		var r partner.Recognition
		if err := rows.Scan(&r.ID, &r.PartnerID, &r.Title, &r.Event, &r.AwardedOn, &r.Description); err != nil {
			return nil, fmt.Errorf("recognitions: %w", err)
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// AddRecognitions records recognitions of partners (PartnerID set), in one transaction.
func (s *Relations) AddRecognitions(ctx context.Context, list []partner.Recognition) error {
	for i := range list {
		list[i].Title, list[i].Event, list[i].Description = strings.TrimSpace(list[i].Title), strings.TrimSpace(list[i].Event), strings.TrimSpace(list[i].Description)
		if err := list[i].Validate(); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for i := range list {
			r := &list[i]
			var key string
			err := tx.QueryRow(ctx, `INSERT INTO recognitions (partner_id, title, event, awarded_on, description, created_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.PartnerID, r.Title, r.Event, r.AwardedOn, r.Description, time.Now().UTC()).Scan(&r.ID)
			if err != nil {
				return fmt.Errorf("add recognition: %w", err)
			}
			if err := tx.QueryRow(ctx, "SELECT key FROM partners WHERE id = ?", r.PartnerID).Scan(&key); err != nil {
				return fmt.Errorf("add recognition: %w", err)
			}
			if len(list) == 1 {
				err := tx.Audit(ctx, audit.ActionCreate, "recognition", key,
					audit.Diff(nil, audit.Record{"title": r.Title, "event": r.Event, "awarded_on": r.AwardedOn, "description": r.Description}))
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}
