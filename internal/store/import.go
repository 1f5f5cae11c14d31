package store

import (
	"context"

	"pactum/internal/partner"
	"pactum/internal/store/agreements"
	"pactum/internal/store/sqldb"
)

// PartnerImport is a checked partner file, ready to be written (internal/importer plans it).
type PartnerImport struct {
	// File names the file; it is the key of the import's audit entry.
	File string
	// Creates are new partners; Updates are stored partners with the file's columns applied, at
	// the Version that was read, so that a partner changed since then stops the import.
	Creates, Updates []*partner.Partner
	// Unchanged counts the rows that change nothing, for the audit entry.
	Unchanged int
	// Progress, when set, hears how many partners of Creates and Updates are written.
	Progress func(done, total int)
	// Job, when set, is the claimed import job this is; the import marks it done in its own
	// transaction.
	Job *ImportJob
}

// ApplyPartnerImport writes an import in one transaction: every partner or none. It records one
// audit entry for the import, with its counts and the keys it touched, instead of one per partner.
//
// One transaction keeps the promise that a file is imported whole or not at all, on both
// databases; on SQLite it holds the write connection for its duration (a few seconds for ten
// thousand rows), during which other writers wait.
func (db *DB) ApplyPartnerImport(ctx context.Context, imp PartnerImport) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := db.Partners.WriteImport(ctx, tx, imp.File, imp.Creates, imp.Updates, imp.Unchanged, imp.Progress)
		if err != nil || imp.Job == nil {
			return err
		}
		return finishImportJob(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}

// ImportAgreements runs write in one transaction with an AgreementImport to write through (see
// agreements.WriteImport). job, nil outside an import job, is the claimed job this is: the import
// marks it done in its own transaction.
func (db *DB) ImportAgreements(ctx context.Context, file string, job *ImportJob,
	write func(ctx context.Context, imp *agreements.AgreementImport) error) (agreements.AgreementImportSummary, error) {
	var summary agreements.AgreementImportSummary
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if summary, err = db.Agreements.WriteImport(ctx, tx, file, write); err != nil || job == nil {
			return err
		}
		return finishImportJob(ctx, tx, job, summary.Created, summary.Updated, summary.Unchanged)
	})
	return summary, err
}
