package store

import (
	"context"
	"time"

	"pactum/internal/store/sqldb"
)

// This file is part of package store but built only for tests: it lets the external tests in
// store_user_test.go age a session, which no public method can do, while still running through
// storetest on both databases.

// SetSessionTimesForTest moves a session's last use and expiry.
func (db *DB) SetSessionTimesForTest(ctx context.Context, tokenHash string, lastSeen, expires time.Time) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
			lastSeen.UTC(), expires.UTC(), tokenHash)
		return err
	})
}

// SessionLastSeenForTest returns when a session was last used, and whether it exists at all.
func (db *DB) SessionLastSeenForTest(ctx context.Context, tokenHash string) (time.Time, bool, error) {
	var n int
	var lastSeen time.Time
	rows, err := db.Query(ctx, "SELECT last_seen_at FROM sessions WHERE token_hash = ?", tokenHash)
	if err != nil {
		return time.Time{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		n++
		if err := rows.Scan(&lastSeen); err != nil {
			return time.Time{}, false, err
		}
	}
	return lastSeen, n == 1, rows.Err()
}

// WaitForSessionTouchesForTest waits until the session writes SessionUser started in the
// background are done.
func (db *DB) WaitForSessionTouchesForTest() { db.Accounts.Close() }
