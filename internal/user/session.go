package user

import "time"

// Session lifetimes: a session ends after IdleTimeout without a request, and at the latest
// SessionLifetime after sign-in.
const (
	IdleTimeout     = 2 * time.Hour
	SessionLifetime = 12 * time.Hour
)

// Purposes of the one-time links e-mailed to a user: a link's token serves one purpose only.
const (
	TokenInvite = "invite" // an invited user sets a first password
	TokenReset  = "reset"  // a user who forgot the password sets a new one
	TokenVerify = "verify" // a registered external account proves its e-mail address
)
