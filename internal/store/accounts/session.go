package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// sessionTouchEvery limits writes: last_seen_at moves only when this much time has passed.
const sessionTouchEvery = time.Minute

// CreateSession stores a session for userID under the hash of its cookie value.
func (s *Accounts) CreateSession(ctx context.Context, tokenHash string, userID int64) error {
	now := time.Now().UTC()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?", now, now.Add(-user.IdleTimeout)); err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			tokenHash, userID, now, now, now.Add(user.SessionLifetime)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser returns the user of a live session and marks the session as used. An account that
// may no longer sign in has no live session.
func (s *Accounts) SessionUser(ctx context.Context, tokenHash string) (*user.User, error) {
	now := time.Now().UTC()
	var lastSeen time.Time
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumnsOf("u")+`, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?`,
		tokenHash, now, now.Add(-user.IdleTimeout)), &lastSeen)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !u.CanSignIn()) {
		return nil, apperr.New(apperr.Unauthorized, "auth.error.session_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if now.Sub(lastSeen) > sessionTouchEvery {
		s.touchSession(tokenHash, now)
	}
	return u, nil
}

// touchSession writes a session's last use in the background: reading a page must never wait
// for the write lock, which a long import may hold for a minute. One write per session is under
// way at a time; one that fails is made again at a later page view, as the session still looks
// stale then, long before its idle time (user.IdleTimeout) is up.
func (s *Accounts) touchSession(tokenHash string, now time.Time) {
	if _, writing := s.touching.LoadOrStore(tokenHash, true); writing {
		return
	}
	s.touches.Go(func() {
		defer s.touching.Delete(tokenHash)
		ctx, cancel := context.WithTimeout(context.Background(), user.IdleTimeout/4)
		defer cancel()
		_ = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?", now, tokenHash, now)
			return err
		})
	})
}

// DeleteSession ends a session (sign-out).
func (s *Accounts) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// EndOtherSessions ends every session of a user but the one with keepHash, after a password change.
func (s *Accounts) EndOtherSessions(ctx context.Context, userID int64, keepHash string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, keepHash); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		return nil
	})
}
