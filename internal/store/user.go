package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/user"
)

const userColumns = "id, username, email, display_name, password_hash, role, region_code, language, active, created_at, updated_at"

// userColumnsOf returns userColumns qualified with a table alias, for joins.
func userColumnsOf(alias string) string {
	cols := strings.Split(userColumns, ", ")
	for i := range cols {
		cols[i] = alias + "." + cols[i]
	}
	return strings.Join(cols, ", ")
}

// scanUser reads the columns of userColumns, then any extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*user.User, error) {
	u := &user.User{}
	var region sql.NullString
	var role string
	dest := append([]any{&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.PasswordHash, &role, &region, &u.Language,
		&u.Active, &u.CreatedAt, &u.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.Role, u.Region = user.Role(role), region.String
	return u, nil
}

// CreateUser stores a new account; its PasswordHash must be set.
func (db *DB) CreateUser(ctx context.Context, u *user.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := time.Now().UTC()
	return db.inTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `INSERT INTO users (username, email, display_name, password_hash, role, region_code, language,
			active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, u.Email, u.DisplayName, u.PasswordHash, string(u.Role), nullString(u.Region), u.Language, u.Active,
			now, now).Scan(&u.ID)
		if isUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "user.error.username_taken", "username", u.Username)
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", u.Username, err)
		}
		u.CreatedAt, u.UpdatedAt = now, now
		return nil
	})
}

// UserByUsername returns the account with username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*user.User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "user.error.not_found", "username", username)
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", username, err)
	}
	return u, nil
}

// Users lists every account by username.
func (db *DB) Users(ctx context.Context) ([]*user.User, error) {
	rows, err := db.query(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var list []*user.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		list = append(list, u)
	}
	return list, rows.Err()
}

// CountUsers returns how many accounts exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPasswordHash replaces a user's password hash and ends their sessions, so that a changed
// password locks out whoever knew the old one.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, time.Now().UTC(), userID)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "user.error.not_found", "username", userID)
		}
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", userID, err)
		}
		return nil
	})
}

// Session lifetimes: a session ends after IdleTimeout without a request, and at the latest
// SessionLifetime after sign-in.
const (
	IdleTimeout     = 2 * time.Hour
	SessionLifetime = 12 * time.Hour
	// sessionTouchEvery limits writes: last_seen_at moves only when this much time has passed.
	sessionTouchEvery = time.Minute
)

// CreateSession stores a session for userID under the hash of its cookie value.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, userID int64) error {
	now := time.Now().UTC()
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?", now, now.Add(-IdleTimeout)); err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		if _, err := tx.exec(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			tokenHash, userID, now, now, now.Add(SessionLifetime)); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser returns the active user of a live session and marks the session as used.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*user.User, error) {
	now := time.Now().UTC()
	var lastSeen time.Time
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumnsOf("u")+`, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? AND u.active = ?`,
		tokenHash, now, now.Add(-IdleTimeout), true), &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "auth.error.session_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if now.Sub(lastSeen) > sessionTouchEvery {
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", now, tokenHash)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return u, nil
}

// DeleteSession ends a session (sign-out).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// CreateAPIToken stores the hash of a new API token for userID.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name, tokenHash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
			userID, name, tokenHash, time.Now().UTC()); err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		return nil
	})
}

// APITokenUser returns the active user an API token belongs to.
func (db *DB) APITokenUser(ctx context.Context, tokenHash string) (*user.User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumnsOf("u")+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND u.active = ?`, tokenHash, true))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "auth.error.token")
	}
	if err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	return u, nil
}
