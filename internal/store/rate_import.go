package store

import (
	"context"
	"fmt"

	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// RateImport is a checked rates file, ready to be written (internal/importer plans it).
type RateImport struct {
	// File names the file; it is the key of the import's audit entry.
	File string
	// Creates are new rates; Updates replace the stored rate of their currency and date.
	Creates, Updates []reference.Rate
	// Unchanged counts the rates of the file stored as they are, for the audit entry.
	Unchanged int
	// Job, when set, is the claimed import job this is; the import marks it done in its own
	// transaction.
	Job *ImportJob
}

// ImportRates writes a checked rates file in one transaction: new rates, and rates that replace
// the stored rate of their currency and date. It records one audit entry for the file (action
// import, entity currency_rate_import) with its counts, instead of one per rate. Agreements
// already stored keep the US dollar value they were saved with.
func (db *DB) ImportRates(ctx context.Context, imp RateImport) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		stmt, err := tx.Prepare(ctx, `INSERT INTO currency_rates (currency_code, valid_from, usd_per_unit) VALUES (?, ?, ?)
			ON CONFLICT (currency_code, valid_from) DO UPDATE SET usd_per_unit = excluded.usd_per_unit`)
		if err != nil {
			return fmt.Errorf("import rates: %w", err)
		}
		defer stmt.Close()
		for _, list := range [][]reference.Rate{imp.Creates, imp.Updates} {
			for _, r := range list {
				if _, err := stmt.ExecContext(ctx, r.Currency, r.ValidFrom, r.USDPerUnit); err != nil {
					return fmt.Errorf("import rate %s %s: %w", r.Currency, r.ValidFrom, err)
				}
			}
		}
		err = tx.Audit(ctx, audit.ActionImport, "currency_rate_import", imp.File, audit.Changes{
			"created":   {After: len(imp.Creates)},
			"updated":   {After: len(imp.Updates)},
			"unchanged": {After: imp.Unchanged},
		})
		if err != nil || imp.Job == nil {
			return err
		}
		return finishImportJob(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}
