package store

import (
	"context"

	"pactum/internal/reference"
	"pactum/internal/store/references"
	"pactum/internal/store/sqldb"
)

// RateImport is a checked rates file, ready to be written (internal/importer plans it). It is not
// a domain shape: it names the claimed import job, which package store keeps.
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
// already stored keep the US dollar value they were saved with. The room references writes the
// rates; this marks the import job done in the same transaction.
func (db *DB) ImportRates(ctx context.Context, imp RateImport) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := references.WriteRateImport(ctx, tx, imp.File, imp.Creates, imp.Updates, imp.Unchanged)
		if err != nil || imp.Job == nil {
			return err
		}
		return finishImportJob(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}
