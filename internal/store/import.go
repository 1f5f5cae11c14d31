package store

import (
	"context"
	"fmt"

	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store/agreements"
	"pactum/internal/store/importjobs"
	"pactum/internal/store/references"
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
	Job *importer.Job
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
		return importjobs.Finish(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}

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
	Job *importer.Job
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
		return importjobs.Finish(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}

// AgreementImportSession is the one transaction of an agreement file's import. Its owner (an
// adapter of internal/importflow) hands it to the importer, which looks rows up and writes them
// through it batch by batch (it is an importer.AgreementWriter), then ends it with Commit or
// Rollback. The store never calls back into the importer: the import flows one way, from the
// file through the importer into the store.
type AgreementImportSession struct {
	*agreements.AgreementImport
	tx *sqldb.Tx
}

// BeginAgreementImport starts the import of the agreement file named file (the key of its audit
// entry) in a transaction of its own, which holds the write connection until Commit or Rollback.
func (db *DB) BeginAgreementImport(ctx context.Context, file string) (*AgreementImportSession, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("import agreements: %w", err)
	}
	imp, err := db.Agreements.BeginImport(ctx, tx, file)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return &AgreementImportSession{AgreementImport: imp, tx: tx}, nil
}

// Commit finishes the import (the registry's derived data, the partners' figures, the audit
// entry), marks job done in the same transaction when it is set (a claimed import job), and
// commits: every agreement written through the session is kept, or, on an error, none.
func (s *AgreementImportSession) Commit(ctx context.Context, job *importer.Job) (agreements.AgreementImportSummary, error) {
	summary, err := s.Finish(ctx)
	if err == nil && job != nil {
		err = importjobs.Finish(ctx, s.tx, job, summary.Created, summary.Updated, summary.Unchanged)
	}
	if closeErr := s.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		s.tx.Rollback()
		return summary, sqldb.BusyOr(err)
	}
	return summary, s.tx.Commit()
}

// Rollback drops whatever the session wrote. It may be deferred: after Commit it does nothing.
func (s *AgreementImportSession) Rollback() {
	s.Close()
	s.tx.Rollback()
}
