package accounts

import (
	"context"

	"pactum/internal/store/sqldb"
)

// SpendLinkMailsForTest counts n link e-mails to address, as if sent within the hour.
func (s *Accounts) SpendLinkMailsForTest(ctx context.Context, address string, n int) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for range n {
			if _, err := mayMailLink(ctx, tx, address); err != nil {
				return err
			}
		}
		return nil
	})
}
