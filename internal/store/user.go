package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

const userColumns = "id, username, email, display_name, password_hash, role, region_code, language, organisation, active, " +
	"email_verified_at, last_login_at, version, created_at, updated_at"

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
	var verified, lastLogin sql.NullTime
	dest := append([]any{&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.PasswordHash, &role, &region, &u.Language,
		&u.Organisation, &u.Active, &verified, &lastLogin, &u.Version, &u.CreatedAt, &u.UpdatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.Role, u.Region = user.Role(role), region.String
	u.EmailVerifiedAt, u.LastLoginAt = verified.Time, lastLogin.Time
	return u, nil
}

// auditUser is what the trail shows of an account: never its password hash.
func auditUser(u *user.User) audit.Record {
	return audit.Record{
		"email": u.Email, "display_name": u.DisplayName, "role": string(u.Role), "region": u.Region,
		"language": u.Language, "organisation": u.Organisation, "active": u.Active,
	}
}

// CreateUser stores a new account; its PasswordHash must be set.
func (db *DB) CreateUser(ctx context.Context, u *user.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error { return createUser(ctx, tx, u) })
}

// checkUnique refuses a user name or e-mail address another account (other than id) has, with the
// field at fault, so the form can say which.
func checkUnique(ctx context.Context, tx *sqldb.Tx, id int64, username, email string) error {
	rows, err := tx.Query(ctx, `SELECT username, email FROM users
		WHERE id <> ? AND (username = ? OR (email <> '' AND lower(email) = lower(?)))`, id, username, email)
	if err != nil {
		return fmt.Errorf("check user %s: %w", username, err)
	}
	defer rows.Close()
	fields := apperr.FieldErrors{}
	for rows.Next() {
		var otherName, otherEmail string
		if err := rows.Scan(&otherName, &otherEmail); err != nil {
			return fmt.Errorf("check user %s: %w", username, err)
		}
		if otherName == username {
			fields.Add("username", "user.error.username_taken", "username", username)
		}
		if email != "" && strings.EqualFold(otherEmail, email) {
			fields.Add("email", "user.error.email_taken")
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check user %s: %w", username, err)
	}
	if len(fields) > 0 {
		return &apperr.Error{Code: apperr.Conflict, Message: apperr.Msg("error.invalid"), Fields: fields}
	}
	return nil
}

func createUser(ctx context.Context, tx *sqldb.Tx, u *user.User) error {
	if err := checkUnique(ctx, tx, 0, u.Username, u.Email); err != nil {
		return err
	}
	now := time.Now().UTC()
	var verified any
	if !u.EmailVerifiedAt.IsZero() {
		verified = u.EmailVerifiedAt.UTC()
	}
	err := tx.QueryRow(ctx, `INSERT INTO users (username, email, display_name, password_hash, role, region_code, language,
		organisation, active, email_verified_at, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		u.Username, u.Email, u.DisplayName, u.PasswordHash, string(u.Role), sqldb.NullString(u.Region), u.Language,
		u.Organisation, u.Active, verified, now, now).Scan(&u.ID)
	if sqldb.IsUniqueViolation(err) {
		return apperr.Wrap(apperr.Conflict, err, "user.error.username_taken", "username", u.Username)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = 1, now, now
	return tx.Audit(ctx, audit.ActionCreate, "user", u.Username, audit.Diff(nil, auditUser(u)))
}

func (db *DB) userWhere(ctx context.Context, cond string, arg any, missing string) (*user.User, error) {
	u, err := scanUser(db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "user.error.not_found", "username", missing)
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", missing, err)
	}
	return u, nil
}

// UserByUsername returns the account with username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*user.User, error) {
	return db.userWhere(ctx, "username = ?", username, username)
}

// UserByID returns the account with id.
func (db *DB) UserByID(ctx context.Context, id int64) (*user.User, error) {
	return db.userWhere(ctx, "id = ?", id, fmt.Sprint(id))
}

// UserByLogin returns the account a person signs in as: by user name, or by e-mail address
// (any case), as external accounts sign in with their address.
func (db *DB) UserByLogin(ctx context.Context, login string) (*user.User, error) {
	if strings.Contains(login, "@") {
		return db.userWhere(ctx, "lower(email) = lower(?) AND email <> ''", login, login)
	}
	return db.UserByUsername(ctx, strings.ToLower(login))
}

// Users lists every account by username.
func (db *DB) Users(ctx context.Context) ([]*user.User, error) {
	rows, err := db.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
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
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UpdateUser saves an account's profile, role, region and status. It is refused with Conflict
// when the account changed since u.Version was read. Deactivating an account ends its sessions.
func (db *DB) UpdateUser(ctx context.Context, u *user.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", u.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "user.error.not_found", "username", u.Username)
		}
		if err != nil {
			return fmt.Errorf("update user %s: %w", u.Username, err)
		}
		if before.Version != u.Version {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		if err := checkUnique(ctx, tx, u.ID, before.Username, u.Email); err != nil {
			return err
		}
		now := time.Now().UTC()
		_, err = tx.Exec(ctx, `UPDATE users SET email = ?, display_name = ?, role = ?, region_code = ?, language = ?,
			organisation = ?, active = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			u.Email, u.DisplayName, string(u.Role), sqldb.NullString(u.Region), u.Language, u.Organisation, u.Active, now, u.ID)
		if sqldb.IsUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "user.error.email_taken")
		}
		if err != nil {
			return fmt.Errorf("update user %s: %w", u.Username, err)
		}
		if !u.Active {
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", u.ID); err != nil {
				return fmt.Errorf("end sessions of %s: %w", u.Username, err)
			}
		}
		u.Version, u.UpdatedAt = before.Version+1, now
		return tx.Audit(ctx, audit.ActionUpdate, "user", before.Username, audit.Diff(auditUser(before), auditUser(u)))
	})
}

// SetPasswordHash replaces a user's password hash, ends their sessions and revokes their API
// tokens, so that a changed password locks out whoever knew the old one or anything it opened.
// The trail records that the password changed, never the hash.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error { return setPasswordHash(ctx, tx, userID, hash) })
}

func setPasswordHash(ctx context.Context, tx *sqldb.Tx, userID int64, hash string) error {
	var username string
	err := tx.QueryRow(ctx, "SELECT username FROM users WHERE id = ?", userID).Scan(&username)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "user.error.not_found", "username", fmt.Sprint(userID))
	}
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, time.Now().UTC(), userID); err != nil {
		return fmt.Errorf("set password of %s: %w", username, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("end sessions of %s: %w", username, err)
	}
	if err := revokeAPITokens(ctx, tx, userID, username); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.ActionUpdate, "user", username, audit.Changes{"password": {Before: "•••", After: "•••"}})
}

// RecordSignIn notes a successful sign-in: the time on the account, and an entry in the trail.
func (db *DB) RecordSignIn(ctx context.Context, u *user.User) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", time.Now().UTC(), u.ID); err != nil {
			return fmt.Errorf("record sign-in of %s: %w", u.Username, err)
		}
		return tx.Audit(audit.WithActor(ctx, audit.Actor{UserID: u.ID, Username: u.Username}), audit.ActionSignIn, "user", u.Username, nil)
	})
}

// sessionTouchEvery limits writes: last_seen_at moves only when this much time has passed.
const sessionTouchEvery = time.Minute

// CreateSession stores a session for userID under the hash of its cookie value.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, userID int64) error {
	now := time.Now().UTC()
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*user.User, error) {
	now := time.Now().UTC()
	var lastSeen time.Time
	u, err := scanUser(db.QueryRow(ctx, "SELECT "+userColumnsOf("u")+`, s.last_seen_at
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
		db.touchSession(tokenHash, now)
	}
	return u, nil
}

// touchSession writes a session's last use in the background: reading a page must never wait
// for the write lock, which a long import may hold for a minute. One write per session is under
// way at a time; one that fails is made again at a later page view, as the session still looks
// stale then, long before its idle time (user.IdleTimeout) is up.
func (db *DB) touchSession(tokenHash string, now time.Time) {
	if _, writing := db.touching.LoadOrStore(tokenHash, true); writing {
		return
	}
	db.touches.Go(func() {
		defer db.touching.Delete(tokenHash)
		ctx, cancel := context.WithTimeout(context.Background(), user.IdleTimeout/4)
		defer cancel()
		_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?", now, tokenHash, now)
			return err
		})
	})
}

// DeleteSession ends a session (sign-out).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// EndOtherSessions ends every session of a user but the one with keepHash, after a password change.
func (db *DB) EndOtherSessions(ctx context.Context, userID int64, keepHash string) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, keepHash); err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		return nil
	})
}

// CountAdmins returns how many administrator accounts exist, active or not.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE role = ?", string(user.RoleAdmin)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count administrators: %w", err)
	}
	return n, nil
}
