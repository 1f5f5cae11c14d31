package store

import (
	"context"
	"time"

	"pactum/internal/store/sqldb"
)

// SetAPITokenTimesForTest moves a token's last use and expiry (zero: none), as time passing would.
func (db *DB) SetAPITokenTimesForTest(ctx context.Context, id int64, lastUsed, expires time.Time) error {
	orNull := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ?, expires_at = ? WHERE id = ?", orNull(lastUsed), orNull(expires), id)
		return err
	})
}

// WaitForAPITokenTouchesForTest waits until the writes of tokens' last use that APITokenUser
// started in the background are done.
func (db *DB) WaitForAPITokenTouchesForTest() { db.Accounts.Close() }
