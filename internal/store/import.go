package store

import (
	"context"
	"fmt"
	"time"

	"pactum/internal/audit"
	"pactum/internal/partner"
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

// auditedKeys is how many keys of created and updated partners an import's audit entry lists.
const auditedKeys = 1000

// ApplyPartnerImport writes an import in one transaction: every partner or none. It records one
// audit entry for the import, with its counts and the keys it touched, instead of one per partner.
//
// One transaction keeps the promise that a file is imported whole or not at all, on both
// databases; on SQLite it holds the write connection for its duration (a few seconds for ten
// thousand rows), during which other writers wait.
func (db *DB) ApplyPartnerImport(ctx context.Context, imp PartnerImport) error {
	progress := imp.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	total := len(imp.Creates) + len(imp.Updates)
	now := time.Now().UTC()
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		w, err := newPartnerWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		done := 0
		step := func() {
			done++
			if done%100 == 0 || done == total {
				progress(done, total)
			}
		}
		var created, updated []string
		for _, p := range imp.Creates {
			if err := w.insert(ctx, p, now); err != nil {
				return err
			}
			if len(created) < auditedKeys {
				created = append(created, p.Key)
			}
			step()
		}
		for _, p := range imp.Updates {
			if _, err := updatePartner(ctx, tx, w, p); err != nil {
				return fmt.Errorf("import partner %s: %w", p.Key, err)
			}
			if len(updated) < auditedKeys {
				updated = append(updated, p.Key)
			}
			step()
		}
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		err = tx.Audit(ctx, audit.ActionImport, "partner_import", imp.File, audit.Changes{
			"created":      {After: len(imp.Creates)},
			"updated":      {After: len(imp.Updates)},
			"unchanged":    {After: imp.Unchanged},
			"created_keys": {After: created},
			"updated_keys": {After: updated},
		})
		if err != nil || imp.Job == nil {
			return err
		}
		return finishImportJob(ctx, tx, imp.Job, len(imp.Creates), len(imp.Updates), imp.Unchanged)
	})
}

// PartnersByKeys returns the stored partners among keys, by key, with their texts and lists but
// not their contacts.
func (db *DB) PartnersByKeys(ctx context.Context, keys []string) (map[string]*partner.Partner, error) {
	found := make(map[string]*partner.Partner, len(keys))
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := db.Query(ctx, "SELECT id FROM partners WHERE key IN ("+sqldb.Placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("partners by key: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("partners by key: %w", err)
			}
			ids = append(ids, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("partners by key: %w", err)
		}
		if len(ids) == 0 {
			continue
		}
		list, err := db.partnersByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			found[p.Key] = p
		}
	}
	return found, nil
}
