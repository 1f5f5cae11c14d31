package derived

import (
	"context"
	"fmt"

	"pactum/internal/store/sqldb"
)

// OptimizeSearch compacts the search indexes after many partners or agreements were written or
// rewritten: it merges their segments and drops the tombstones of replaced documents.
func OptimizeSearch(ctx context.Context, db *sqldb.DB) error {
	for _, table := range []string{"partner_search", "agreement_search"} {
		stmt := db.Dialect().OptimizeSearch(table)
		if stmt == "" {
			return nil
		}
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("optimize search index %s: %w", table, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
