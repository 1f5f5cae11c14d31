package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// apiTokenTouchEvery limits writes as sessionTouchEvery does: a token's last_used_at moves only
// when this much time has passed, so a script calling the API in a loop does not write each time.
const apiTokenTouchEvery = time.Minute

const apiTokenColumns = "id, user_id, name, created_at, last_used_at, expires_at"

func scanAPIToken(row interface{ Scan(...any) error }) (user.APIToken, error) {
	var t user.APIToken
	var lastUsed, expires sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &lastUsed, &expires); err != nil {
		return t, err
	}
	t.LastUsedAt, t.ExpiresAt = lastUsed.Time, expires.Time
	return t, nil
}

// auditAPIToken is what the trail shows of a token: its owner, name and expiry, never the token
// nor its hash, for the trail is read by people the token's owner never gave it to. A token that
// never expires records no expiry rather than an empty one.
func auditAPIToken(owner string, t *user.APIToken) audit.Record {
	r := audit.Record{"owner": owner, "name": t.Name}
	if !t.ExpiresAt.IsZero() {
		r["expires_at"] = t.ExpiresAt
	}
	return r
}

// CreateAPIToken stores the hash of a new API token for t.UserID with t's name and expiry, and
// sets t.ID and t.CreatedAt.
func (s *Accounts) CreateAPIToken(ctx context.Context, t *user.APIToken, tokenHash string) error {
	now := time.Now().UTC()
	if err := t.Validate(now); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var owner string
		err := tx.QueryRow(ctx, "SELECT username FROM users WHERE id = ?", t.UserID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "user.error.not_found", "username", fmt.Sprint(t.UserID))
		}
		if err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		var expires any
		if !t.ExpiresAt.IsZero() {
			t.ExpiresAt = t.ExpiresAt.UTC()
			expires = t.ExpiresAt
		}
		if err := tx.QueryRow(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			t.UserID, t.Name, tokenHash, now, expires).Scan(&t.ID); err != nil {
			return fmt.Errorf("create API token for %s: %w", owner, err)
		}
		t.CreatedAt = now
		return tx.Audit(ctx, audit.ActionCreate, "api_token", fmt.Sprint(t.ID), audit.Diff(nil, auditAPIToken(owner, t)))
	})
}

// APITokenUser returns the active user a live API token belongs to, and notes when the token
// was used (in the background, at most once every apiTokenTouchEvery). An expired token is
// refused like an unknown one.
func (s *Accounts) APITokenUser(ctx context.Context, tokenHash string) (*user.User, error) {
	now := time.Now().UTC()
	var id int64
	var lastUsed sql.NullTime
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumnsOf("u")+`, t.id, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND u.active = ? AND (t.expires_at IS NULL OR t.expires_at > ?)`, tokenHash, true, now), &id, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "auth.error.token")
	}
	if err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > apiTokenTouchEvery {
		s.touchAPIToken(id, now)
	}
	return u, nil
}

// touchAPIToken writes a token's last use in the background, as touchSession does a session's:
// an API call must never wait for the write lock a long import may hold. One write per token is
// under way at a time; one that fails is made again at a later call, as the token still looks
// unused then.
func (s *Accounts) touchAPIToken(id int64, now time.Time) {
	key := fmt.Sprint("api_token ", id)
	if _, writing := s.touching.LoadOrStore(key, true); writing {
		return
	}
	s.touches.Go(func() {
		defer s.touching.Delete(key)
		ctx, cancel := context.WithTimeout(context.Background(), apiTokenTouchEvery)
		defer cancel()
		_ = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)", now, id, now)
			return err
		})
	})
}

// APITokens lists the tokens of a user, newest first, expired ones included so that their owner
// sees why a program stopped working.
func (s *Accounts) APITokens(ctx context.Context, userID int64) ([]user.APIToken, error) {
	return apiTokensOf(ctx, s.db, userID)
}

func apiTokensOf(ctx context.Context, q sqldb.Querier, userID int64) ([]user.APIToken, error) {
	rows, err := q.Query(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("API tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	var list []user.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("API tokens of user %d: %w", userID, err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("API tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// RevokeAPIToken deletes token id of the user ownerID. Who may revoke is decided by who names
// the owner: the account page names the signed-in user, the user page (administrators only) the
// user shown. A token of another owner is NotFound, as one that does not exist, so that nobody
// learns of tokens that are not theirs.
func (s *Accounts) RevokeAPIToken(ctx context.Context, ownerID, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var owner string
		t, err := scanAPIToken(tx.QueryRow(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE id = ? AND user_id = ?", id, ownerID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "account.tokens.error.not_found")
		}
		if err != nil {
			return fmt.Errorf("revoke API token %d: %w", id, err)
		}
		if err := tx.QueryRow(ctx, "SELECT username FROM users WHERE id = ?", ownerID).Scan(&owner); err != nil {
			return fmt.Errorf("revoke API token %d: %w", id, err)
		}
		return deleteAPITokens(ctx, tx, owner, []user.APIToken{t})
	})
}

// revokeAPITokens deletes every token of a user whose password changed: a token is trust lent
// by the account, and a new password says that trust may have been abused.
func revokeAPITokens(ctx context.Context, tx *sqldb.Tx, userID int64, owner string) error {
	list, err := apiTokensOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	return deleteAPITokens(ctx, tx, owner, list)
}

// deleteAPITokens deletes tokens of owner, each with its entry in the trail.
func deleteAPITokens(ctx context.Context, tx *sqldb.Tx, owner string, list []user.APIToken) error {
	for i := range list {
		t := &list[i]
		if _, err := tx.Exec(ctx, "DELETE FROM api_tokens WHERE id = ?", t.ID); err != nil {
			return fmt.Errorf("revoke API token %d of %s: %w", t.ID, owner, err)
		}
		if err := tx.Audit(ctx, audit.ActionDelete, "api_token", fmt.Sprint(t.ID), audit.Diff(auditAPIToken(owner, t), nil)); err != nil {
			return err
		}
	}
	return nil
}
