package store

import (
	"context"
	"fmt"

	"pactum/internal/audit"
	"pactum/internal/reference"
)

// ImportRates writes a checked rates file in one transaction: new rates, and rates that replace
// the stored rate of their currency and date (internal/importer plans them). It records one
// audit entry for the file (action import, entity currency_rate_import) with its counts, instead
// of one per rate. Agreements already stored keep the US dollar value they were saved with.
func (db *DB) ImportRates(ctx context.Context, file string, creates, updates []reference.Rate, unchanged int) error {
	return db.inTx(ctx, func(tx *Tx) error {
		stmt, err := tx.prepare(ctx, `INSERT INTO currency_rates (currency_code, valid_from, usd_per_unit) VALUES (?, ?, ?)
			ON CONFLICT (currency_code, valid_from) DO UPDATE SET usd_per_unit = excluded.usd_per_unit`)
		if err != nil {
			return fmt.Errorf("import rates: %w", err)
		}
		defer stmt.Close()
		for _, list := range [][]reference.Rate{creates, updates} {
			for _, r := range list {
				if _, err := stmt.ExecContext(ctx, r.Currency, r.ValidFrom, r.USDPerUnit); err != nil {
					return fmt.Errorf("import rate %s %s: %w", r.Currency, r.ValidFrom, err)
				}
			}
		}
		return recordAudit(ctx, tx, audit.ActionImport, "currency_rate_import", file, audit.Changes{
			"created":   {After: len(creates)},
			"updated":   {After: len(updates)},
			"unchanged": {After: unchanged},
		})
	})
}
