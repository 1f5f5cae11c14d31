package accounts

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
func (s *Accounts) CreateUser(ctx context.Context, u *user.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return createUser(ctx, tx, u) })
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

func (s *Accounts) userWhere(ctx context.Context, cond string, arg any, missing string) (*user.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "user.error.not_found", "username", missing)
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", missing, err)
	}
	return u, nil
}

// UserByUsername returns the account with username.
func (s *Accounts) UserByUsername(ctx context.Context, username string) (*user.User, error) {
	return s.userWhere(ctx, "username = ?", username, username)
}

// UserByID returns the account with id.
func (s *Accounts) UserByID(ctx context.Context, id int64) (*user.User, error) {
	return s.userWhere(ctx, "id = ?", id, fmt.Sprint(id))
}

// UserByLogin returns the account a person signs in as: by user name, or by e-mail address
// (any case), as external accounts sign in with their address.
func (s *Accounts) UserByLogin(ctx context.Context, login string) (*user.User, error) {
	if strings.Contains(login, "@") {
		return s.userWhere(ctx, "lower(email) = lower(?) AND email <> ''", login, login)
	}
	return s.UserByUsername(ctx, strings.ToLower(login))
}

// Users lists every account by username.
func (s *Accounts) Users(ctx context.Context) ([]*user.User, error) {
	rows, err := s.db.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY username")
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
func (s *Accounts) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UpdateUser saves an account's profile, role, region and status. It is refused with Conflict
// when the account changed since u.Version was read. Deactivating an account ends its sessions.
func (s *Accounts) UpdateUser(ctx context.Context, u *user.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
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
func (s *Accounts) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return setPasswordHash(ctx, tx, userID, hash) })
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
func (s *Accounts) RecordSignIn(ctx context.Context, u *user.User) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?", time.Now().UTC(), u.ID); err != nil {
			return fmt.Errorf("record sign-in of %s: %w", u.Username, err)
		}
		return tx.Audit(audit.WithActor(ctx, audit.Actor{UserID: u.ID, Username: u.Username}), audit.ActionSignIn, "user", u.Username, nil)
	})
}

// CountAdmins returns how many administrator accounts exist, active or not.
func (s *Accounts) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE role = ?", string(user.RoleAdmin)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count administrators: %w", err)
	}
	return n, nil
}
