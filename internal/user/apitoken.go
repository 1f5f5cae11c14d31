package user

import (
	"time"

	"pactum/internal/apperr"
)

// APIToken is what is known of an API token once it is issued: the token itself is shown to its
// owner once and only its hash is kept (HashSecret).
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string // what the token is for, so that its owner recognises it in the list
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	ExpiresAt  time.Time // zero: never expires
}

// MaxAPITokenName is the longest token name accepted, in characters: a name is a label in a list.
const MaxAPITokenName = 100

// Expired reports whether the token no longer works at now.
func (t *APIToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Validate checks a new token at now: a name of at most MaxAPITokenName characters, and an
// expiry, if any, still to come — a token born expired would only puzzle its owner.
func (t *APIToken) Validate(now time.Time) error {
	errs := apperr.FieldErrors{}
	if len([]rune(t.Name)) > MaxAPITokenName {
		errs.Add("name", "account.tokens.error.name_long", "max", MaxAPITokenName)
	}
	if t.Expired(now) {
		errs.Add("expires", "account.tokens.error.expired")
	}
	return errs.Err()
}
