package accounts

import (
	"context"
	"fmt"
	"time"

	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// CountRequest counts one action against key in a fixed window of the given length and reports
// whether it is within limit. A refused action is not counted, and retryAfter says when the
// window ends. Check and count are one step, so that actions sent at once cannot all pass.
// Keys name what they count, such as "signup ip:192.0.2.7" or "mail to:someone@example.org".
func (s *Accounts) CountRequest(ctx context.Context, now time.Time, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error) {
	now = now.UTC()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		allowed, retryAfter, err = countRequest(ctx, tx, now, key, limit, window)
		return err
	})
	return allowed, retryAfter, err
}

// countRequest is CountRequest inside a transaction, for a write that goes with the count.
func countRequest(ctx context.Context, tx *sqldb.Tx, now time.Time, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error) {
	if _, err := tx.Exec(ctx, "INSERT INTO request_counts (key, window_start, count) VALUES (?, ?, 0) ON CONFLICT (key) DO NOTHING", key, now); err != nil {
		return false, 0, fmt.Errorf("count %s: %w", key, err)
	}
	var start time.Time
	var count int
	if err := tx.QueryRow(ctx, "SELECT window_start, count FROM request_counts WHERE key = ?"+tx.Dialect().ForUpdate(), key).Scan(&start, &count); err != nil {
		return false, 0, fmt.Errorf("count %s: %w", key, err)
	}
	if !now.Before(start.Add(window)) {
		start, count = now, 0
	}
	if count >= limit {
		return false, start.Add(window).Sub(now), nil
	}
	if _, err := tx.Exec(ctx, "UPDATE request_counts SET window_start = ?, count = ? WHERE key = ?", start, count+1, key); err != nil {
		return false, 0, fmt.Errorf("count %s: %w", key, err)
	}
	return true, 0, nil
}

// PurgeCounters deletes the counts that can no longer refuse anything: sign-in failures older
// than the failure window and not locked, and request counts whose window started over a day ago
// (no rate limit has a longer window). A daily job runs it.
func (s *Accounts) PurgeCounters(ctx context.Context, now time.Time) (int64, error) {
	now = now.UTC()
	var n int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM login_throttle WHERE last_failure_at < ? AND (locked_until IS NULL OR locked_until < ?)",
			now.Add(-user.FailureWindow), now)
		if err != nil {
			return fmt.Errorf("purge sign-in failures: %w", err)
		}
		throttles, _ := res.RowsAffected()
		res, err = tx.Exec(ctx, "DELETE FROM request_counts WHERE window_start < ?", now.Add(-24*time.Hour))
		if err != nil {
			return fmt.Errorf("purge request counts: %w", err)
		}
		requests, _ := res.RowsAffected()
		n = throttles + requests
		return nil
	})
	return n, err
}
