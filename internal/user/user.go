// Package user holds the people who sign in to Pactum — staff with their roles and external
// accounts — and the secrets that prove who they are: passwords, sessions and API tokens.
package user

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"pactum/internal/apperr"
	"pactum/internal/reference"
)

// Role decides what a user may see and change.
type Role string

// The roles. Staff roles first, from most to least powerful; external accounts see only their own records.
const (
	RoleAdmin           Role = "admin"
	RoleOfficer         Role = "officer"          // partnership officer: edits everything
	RoleRegionalOfficer Role = "regional_officer" // edits records of their region, reads the rest
	RoleViewer          Role = "viewer"           // reads
	RoleExternal        Role = "external"         // sponsors and prospective partners
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleRegionalOfficer, RoleViewer, RoleExternal}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// IsStaff reports whether the role belongs to the bureau's staff.
func (r Role) IsStaff() bool { return r.Valid() && r != RoleExternal }

// User is an account.
type User struct {
	ID           int64
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	Role         Role
	Region       string // for regional officers: the region they edit
	Language     string // preferred UI language, "" for none
	Organisation string // for external accounts: the company or agency they speak for
	Active       bool
	// EmailVerifiedAt is when the user proved the e-mail address is theirs (zero: not yet).
	EmailVerifiedAt time.Time
	LastLoginAt     time.Time
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CanSignIn reports whether the account may sign in: active, and for an external account with
// its e-mail address verified.
func (u *User) CanSignIn() bool {
	return u.Active && (u.Role != RoleExternal || !u.EmailVerifiedAt.IsZero())
}

// Name is what the interface calls the user: the display name, or the user name.
func (u *User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Limits of an account's texts and password, in characters (apperr.Text). The user name, at most
// 63, is bounded by usernamePattern.
const (
	MaxEmailLength    = 254 // the longest address SMTP carries (RFC 5321 with RFC 3696's erratum)
	MaxNameLength     = 300 // the display name and the organisation
	MaxPasswordLength = 1024
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Validate checks the account's fields (not its password, which is only ever hashed).
func (u *User) Validate() error {
	errs := apperr.FieldErrors{}
	if !usernamePattern.MatchString(u.Username) {
		errs.Add("username", "user.error.username")
	}
	errs.Line("email", u.Email, MaxEmailLength)
	if u.Email != "" && (!strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " \t\r\n<>")) {
		errs.Add("email", "error.email")
	}
	errs.Line("display_name", u.DisplayName, MaxNameLength)
	errs.Line("organisation", u.Organisation, MaxNameLength)
	if !u.Role.Valid() {
		errs.Add("role", "error.choose")
	}
	switch {
	case u.Role == RoleRegionalOfficer && u.Region == "":
		errs.Add("region", "user.error.region_required")
	case u.Region != "" && !slices.Contains(reference.Regions, u.Region):
		errs.Add("region", "error.choose")
	}
	if u.Language != "" && !reference.IsLanguage(u.Language) {
		errs.Add("language", "error.choose")
	}
	return errs.Err()
}

// CheckPassword tells whether a new password is acceptable.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLength:
		return apperr.FieldErrors{"password": apperr.Msg("user.error.password_short", "min", MinPasswordLength)}.Err()
	case n > MaxPasswordLength:
		return apperr.FieldErrors{"password": apperr.Msg("error.too_long", "count", MaxPasswordLength)}.Err()
	}
	return nil
}
