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
	"pactum/internal/mail"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// tokenLifetimes says how long each kind of e-mailed link stays valid.
var tokenLifetimes = map[string]time.Duration{
	user.TokenInvite: 7 * 24 * time.Hour,
	user.TokenReset:  time.Hour,
	user.TokenVerify: 3 * 24 * time.Hour,
}

// createUserToken stores the hash of a one-time token, replacing earlier tokens of the same
// purpose for the user so that only the latest link works.
func createUserToken(ctx context.Context, tx *sqldb.Tx, userID int64, purpose, tokenHash string) error {
	now := time.Now().UTC()
	if _, err := tx.Exec(ctx, "DELETE FROM user_tokens WHERE user_id = ? AND purpose = ?", userID, purpose); err != nil {
		return fmt.Errorf("replace %s token: %w", purpose, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		tokenHash, userID, purpose, now, now.Add(tokenLifetimes[purpose])); err != nil {
		return fmt.Errorf("create %s token: %w", purpose, err)
	}
	return nil
}

// TokenUser returns the user a live one-time token belongs to, without using the token up.
func (s *Accounts) TokenUser(ctx context.Context, tokenHash, purpose string) (*user.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumnsOf("u")+`
		FROM user_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.purpose = ? AND t.expires_at > ?`, tokenHash, purpose, time.Now().UTC()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "account.error.link_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("%s token: %w", purpose, err)
	}
	return u, nil
}

// useToken deletes a live token in tx and returns its user's ID.
func useToken(ctx context.Context, tx *sqldb.Tx, tokenHash, purpose string) (int64, error) {
	var userID int64
	err := tx.QueryRow(ctx, "SELECT user_id FROM user_tokens WHERE token_hash = ? AND purpose = ? AND expires_at > ?",
		tokenHash, purpose, time.Now().UTC()).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "account.error.link_expired")
	}
	if err != nil {
		return 0, fmt.Errorf("%s token: %w", purpose, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM user_tokens WHERE token_hash = ?", tokenHash); err != nil {
		return 0, fmt.Errorf("use %s token: %w", purpose, err)
	}
	return userID, nil
}

// SetPasswordWithToken sets a new password with an invitation or reset link, which it uses up.
// Following an e-mailed link proves the address, so it is marked verified.
func (s *Accounts) SetPasswordWithToken(ctx context.Context, tokenHash, purpose, passwordHash string) (*user.User, error) {
	var u *user.User
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := useToken(ctx, tx, tokenHash, purpose)
		if err != nil {
			return err
		}
		if err := setPasswordHash(ctx, tx, id, passwordHash); err != nil {
			return err
		}
		u, err = verifyEmail(ctx, tx, id)
		return err
	})
	return u, err
}

// VerifyEmail uses up a verification link and marks the account's address as verified.
func (s *Accounts) VerifyEmail(ctx context.Context, tokenHash string) (*user.User, error) {
	var u *user.User
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := useToken(ctx, tx, tokenHash, user.TokenVerify)
		if err != nil {
			return err
		}
		u, err = verifyEmail(ctx, tx, id)
		return err
	})
	return u, err
}

// verifyEmail marks the address of account id verified, as following a link sent to it proves,
// and returns the account. An address verified before keeps the date of its first verification,
// and the trail gets no new entry. Only the account's owner can follow the link, so the trail
// records the owner as the one who verified, whatever ctx says.
func verifyEmail(ctx context.Context, tx *sqldb.Tx, id int64) (*user.User, error) {
	before, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("verify e-mail of user %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?", time.Now().UTC(), id); err != nil {
		return nil, fmt.Errorf("verify e-mail of %s: %w", before.Username, err)
	}
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("verify e-mail of %s: %w", before.Username, err)
	}
	owner := audit.WithActor(ctx, audit.Actor{UserID: u.ID, Username: u.Username})
	return u, tx.Audit(owner, audit.ActionUpdate, "user", u.Username,
		audit.Diff(audit.Record{"email_verified_at": before.EmailVerifiedAt}, audit.Record{"email_verified_at": u.EmailVerifiedAt}))
}

// CreateUserWithLink creates an account and, in the same transaction, a one-time token for it
// and the e-mail that carries the link: an invitation to set a first password, or the
// verification of a registered external account. Either everything is stored or nothing.
func (s *Accounts) CreateUserWithLink(ctx context.Context, u *user.User, purpose, tokenHash string, m mail.Message) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := createUser(ctx, tx, u); err != nil {
			return err
		}
		if err := createUserToken(ctx, tx, u.ID, purpose, tokenHash); err != nil {
			return err
		}
		allowed, err := mayMailLink(ctx, tx, m.To)
		if err != nil {
			return err
		}
		if !allowed {
			errs := apperr.FieldErrors{}
			errs.Add("email", "register.error.mail_limit")
			return errs.Err()
		}
		return tx.EnqueueMail(ctx, m)
	})
}

// linkMailsPerRecipient is how many e-mails carrying a link (verification, password reset) an
// address receives in an hour at most, whoever asks: the public forms must not make Pactum flood
// someone's mailbox, nor send its mail to a list of victims.
const linkMailsPerRecipient = 3

// mayMailLink counts a link e-mail to address and reports whether it is within the hourly limit.
func mayMailLink(ctx context.Context, tx *sqldb.Tx, address string) (bool, error) {
	allowed, _, err := countRequest(ctx, tx, time.Now().UTC(), linkMailKey(address), linkMailsPerRecipient, time.Hour)
	return allowed, err
}

// resetInterval is the least time between two reset e-mails to one account, so that the form
// cannot be used to flood someone's mailbox.
const resetInterval = time.Minute

// SendLink creates a one-time token for an existing account and queues the e-mail that carries
// it (a password reset, or a new verification link). It sends nothing when a link of the same
// purpose went out less than a minute ago, or when the address had its hourly share of link
// e-mails (linkMailsPerRecipient), and reports whether it sent one.
func (s *Accounts) SendLink(ctx context.Context, userID int64, purpose, tokenHash string, m mail.Message) (bool, error) {
	sent := false
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var recent bool
		err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM user_tokens WHERE user_id = ? AND purpose = ? AND created_at > ?)",
			userID, purpose, time.Now().UTC().Add(-resetInterval)).Scan(&recent)
		if err != nil {
			return fmt.Errorf("%s link: %w", purpose, err)
		}
		if recent {
			return nil
		}
		if allowed, err := mayMailLink(ctx, tx, m.To); err != nil || !allowed {
			return err
		}
		if err := createUserToken(ctx, tx, userID, purpose, tokenHash); err != nil {
			return err
		}
		if err := tx.EnqueueMail(ctx, m); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent && err == nil, err
}

// linkMailKey is the request count of the link e-mails to an address.
func linkMailKey(address string) string { return "mail to:" + strings.ToLower(address) }
