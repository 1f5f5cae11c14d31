package derived

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
)

// indexPartner writes p's search document, with its due-diligence status as stored; replace
// removes the one it had first. (Removing leaves a tombstone in SQLite's index that every search
// must skip, so a new partner, which has nothing to replace, does not.)
func (w *Writer) indexPartner(ctx context.Context, p *partner.Partner, replace bool) error {
	var dd string
	err := w.tx.QueryRow(ctx, "SELECT status FROM due_diligence WHERE partner_id = ?", p.ID).Scan(&dd)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("index partner %s: %w", p.Key, err)
	}
	if replace {
		if _, err := w.p.unindex.ExecContext(ctx, p.ID); err != nil {
			return fmt.Errorf("index partner %s: %w", p.Key, err)
		}
	}
	if _, err := w.p.index.ExecContext(ctx, p.ID, partnerDocument(p, dd)); err != nil {
		return fmt.Errorf("index partner %s: %w", p.Key, err)
	}
	if replace {
		if _, err := w.p.unsort.ExecContext(ctx, p.ID); err != nil {
			return fmt.Errorf("index partner %s: %w", p.Key, err)
		}
	}
	for _, lang := range reference.Languages {
		if _, err := w.p.sort.ExecContext(ctx, p.ID, lang, search.Fold(p.Name(lang))); err != nil {
			return fmt.Errorf("index partner %s: %w", p.Key, err)
		}
	}
	if _, err := w.p.codes.ExecContext(ctx, p.ID, partnerCodes(p, dd)); err != nil {
		return fmt.Errorf("index partner %s: %w", p.Key, err)
	}
	return nil
}
