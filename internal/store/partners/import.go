package partners

import (
	"context"
	"fmt"
	"time"

	"pactum/internal/audit"
	"pactum/internal/partner"
	"pactum/internal/store/sqldb"
)

// WriteImport writes a checked partner file in tx, the import's transaction: the new partners
// (creates), the stored ones with the file's columns applied at the version that was read
// (updates), and one audit entry for the import with its counts and the keys it touched, instead
// of one per partner. progress, when set, hears how many partners are written. It takes the
// transaction so that the import job's record is marked done in the same one.
func (s *Partners) WriteImport(ctx context.Context, tx *sqldb.Tx, file string, creates, updates []*partner.Partner, unchanged int,
	progress func(done, total int)) error {
	if progress == nil {
		progress = func(int, int) {}
	}
	total := len(creates) + len(updates)
	now := time.Now().UTC()
	w, err := newPartnerWriter(ctx, tx, s.load)
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
	for _, p := range creates {
		if err := w.insert(ctx, p, now); err != nil {
			return err
		}
		if len(created) < audit.ListedKeys {
			created = append(created, p.Key)
		}
		step()
	}
	for _, p := range updates {
		if _, err := updatePartner(ctx, tx, w, p); err != nil {
			return fmt.Errorf("import partner %s: %w", p.Key, err)
		}
		if len(updated) < audit.ListedKeys {
			updated = append(updated, p.Key)
		}
		step()
	}
	if err := w.derived.Flush(ctx); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.ActionImport, "partner_import", file, audit.Changes{
		"created":      {After: len(creates)},
		"updated":      {After: len(updates)},
		"unchanged":    {After: unchanged},
		"created_keys": {After: created},
		"updated_keys": {After: updated},
	})
}

// PartnersByKeys returns the stored partners among keys, by key, with their texts and lists but
// not their contacts.
func (s *Partners) PartnersByKeys(ctx context.Context, keys []string) (map[string]*partner.Partner, error) {
	found := make(map[string]*partner.Partner, len(keys))
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := s.db.Query(ctx, "SELECT id FROM partners WHERE key IN ("+sqldb.Placeholders(len(chunk))+")", args...)
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
		list, err := s.partnersByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			found[p.Key] = p
		}
	}
	return found, nil
}
