package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// throttleUsername is the value of the username column: the name of a user key, NULL for an
// address.
func throttleUsername(k user.ThrottleKey) any {
	if k.Kind == user.ThrottleAddress {
		return nil
	}
	return k.Name()
}

// scanThrottle reads a key's row, and reports whether there was one.
func scanThrottle(row *sql.Row) (user.ThrottleState, bool, error) {
	var st user.ThrottleState
	var lockedUntil sql.NullTime
	err := row.Scan(&st.Failures, &st.Last, &lockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("sign-in throttle: %w", err)
	}
	st.LockedUntil = lockedUntil.Time
	return st, true, nil
}

// BeginSignIn decides whether a sign-in attempt may check its password now and, when it may,
// counts it against every key as a failure before the check, in one step: a burst of attempts
// sent at once is then throttled like the same attempts one after the other, instead of all
// passing a check that none of them has counted yet. EndSignIn takes the count back when the
// password was right; EndFailedSignIn starts the wait from the failure's answer.
func (s *Accounts) BeginSignIn(ctx context.Context, now time.Time, keys ...user.ThrottleKey) (until time.Time, locked bool, err error) {
	now = now.UTC()
	var b user.SignInBlock
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		states := make([]user.ThrottleState, len(keys))
		for i, k := range keys {
			// The row is made first, so that concurrent attempts on PostgreSQL queue on its lock.
			if _, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, failures, last_failure_at, username) VALUES (?, 0, ?, ?)
				ON CONFLICT (key) DO NOTHING`, k.String(), now, throttleUsername(k)); err != nil {
				return fmt.Errorf("sign-in throttle: %w", err)
			}
			st, _, err := scanThrottle(tx.QueryRow(ctx, "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?"+tx.Dialect().ForUpdate(), k.String()))
			if err != nil {
				return err
			}
			states[i] = st
			b = b.And(st.BlockAt(k.Kind, now))
		}
		if !b.Until.IsZero() {
			return nil
		}
		for i, k := range keys {
			if err := countFailure(ctx, tx, now, k, states[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, err
	}
	return b.Until, b.Locked, nil
}

// countFailure adds a failure to a key whose row held st, locking it when it reaches the limit.
func countFailure(ctx context.Context, tx *sqldb.Tx, now time.Time, k user.ThrottleKey, st user.ThrottleState) error {
	failures := st.Failures
	if now.Sub(st.Last) > user.FailureWindow {
		failures = 0
	}
	failures++
	var lockedUntil any
	if user.LocksAfter(k.Kind, failures) {
		lockedUntil = now.Add(user.LockDuration)
	}
	_, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, failures, last_failure_at, locked_until, username) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
		locked_until = excluded.locked_until`, k.String(), failures, now, lockedUntil, throttleUsername(k))
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	return nil
}

// RecordSignInFailure counts a failed sign-in against each key, locking those that reach the limit,
// as a finished attempt would: for tests and tools that set a throttle up.
func (s *Accounts) RecordSignInFailure(ctx context.Context, now time.Time, keys ...user.ThrottleKey) error {
	now = now.UTC()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, k := range keys {
			st, _, err := scanThrottle(tx.QueryRow(ctx, "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?", k.String()))
			if err != nil {
				return err
			}
			if err := countFailure(ctx, tx, now, k, st); err != nil {
				return err
			}
		}
		return nil
	})
}

// EndFailedSignIn dates the failure that BeginSignIn counted from its answer: checking a
// password takes time, which must not use up the wait before the next attempt.
func (s *Accounts) EndFailedSignIn(ctx context.Context, now time.Time, keys ...user.ThrottleKey) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, "UPDATE login_throttle SET last_failure_at = ? WHERE key = ? AND last_failure_at < ?",
				now.UTC(), k.String(), now.UTC()); err != nil {
				return fmt.Errorf("sign-in throttle: %w", err)
			}
		}
		return nil
	})
}

// EndSignIn takes back the failure that BeginSignIn counted for an attempt whose password was
// right: a user name's failures from that address are forgotten, and an address keeps the
// failures of others (an office of many people shares one address).
func (s *Accounts) EndSignIn(ctx context.Context, keys ...user.ThrottleKey) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, k := range keys {
			query := "DELETE FROM login_throttle WHERE key = ?"
			if k.Kind == user.ThrottleAddress {
				query = "UPDATE login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0"
			}
			if _, err := tx.Exec(ctx, query, k.String()); err != nil {
				return fmt.Errorf("end sign-in: %w", err)
			}
		}
		return nil
	})
}

// UnlockName forgets the failures of a user name from every address: when an administrator
// unlocks an account, or its owner sets a new password through an e-mailed link.
func (s *Accounts) UnlockName(ctx context.Context, name string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		key := user.ThrottleKey{Kind: user.ThrottleUser, Value: name}
		if _, err := tx.Exec(ctx, "DELETE FROM login_throttle WHERE username = ?", key.Name()); err != nil {
			return fmt.Errorf("unlock %s: %w", name, err)
		}
		return nil
	})
}

// NameLocked reports whether a user name is locked from any address at now.
func (s *Accounts) NameLocked(ctx context.Context, now time.Time, name string) (bool, error) {
	key := user.ThrottleKey{Kind: user.ThrottleUser, Value: name}
	var locked bool
	err := s.db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM login_throttle WHERE username = ? AND locked_until > ?)", key.Name(), now.UTC()).Scan(&locked)
	if err != nil {
		return false, fmt.Errorf("is %s locked: %w", name, err)
	}
	return locked, nil
}

// CountLockedNames returns how many user names are locked, from any address, after repeated
// failed sign-ins.
func (s *Accounts) CountLockedNames(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, "SELECT COUNT(DISTINCT username) FROM login_throttle WHERE username IS NOT NULL AND locked_until > ?", now.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count locked names: %w", err)
	}
	return n, nil
}

// TakeBackSignIn uncounts the failure that BeginSignIn counted for an attempt whose password was
// not checked after all (no hashing slot was free in time).
func (s *Accounts) TakeBackSignIn(ctx context.Context, keys ...user.ThrottleKey) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, "UPDATE login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0", k.String()); err != nil {
				return fmt.Errorf("take back sign-in: %w", err)
			}
		}
		return nil
	})
}
