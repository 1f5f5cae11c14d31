package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"pactum/internal/civil"
	"pactum/internal/config"
	"pactum/internal/store"
	"pactum/internal/user"
)

const tokenUsage = "want 'token create USERNAME', 'token list USERNAME' or 'token revoke USERNAME ID'"

func runToken(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "token", "token create USERNAME [--name NAME] [--expires 90d|YYYY-MM-DD|never] | token list USERNAME | token revoke USERNAME ID [flags]")
	name := fs.String("name", "", "create: what the token is for, to recognise it later")
	expires := fs.String("expires", "never", "create: when the token stops working: after a number of days (90d), on a date (2027-01-31, at 00:00 UTC) or never")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	wantArgs := map[string]int{"create": 2, "list": 2, "revoke": 3}
	if len(positional) == 0 || wantArgs[positional[0]] != len(positional) {
		return fmt.Errorf("%w: %s", errUsage, tokenUsage)
	}
	action := positional[0]
	// The arguments are checked before the database is opened, so that a typo costs nothing.
	var expiresAt time.Time
	var id int64
	switch action {
	case "create":
		if expiresAt, err = parseExpiry(*expires, time.Now()); err != nil {
			return err
		}
	case "revoke":
		if id, err = strconv.ParseInt(positional[2], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("%w: the token ID is the number 'token list' shows, not %q", errUsage, positional[2])
		}
	}
	db, err := openDatabase(ctx, &cfg, newLogger(&cfg, env.Stderr), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByUsername(ctx, positional[1])
	if err != nil {
		return describe(err)
	}
	switch action {
	case "list":
		return listTokens(ctx, env, db, u)
	case "revoke":
		if err := db.RevokeAPIToken(ctx, u.ID, id); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "Revoked API token %d of %s.\n", id, u.Username)
		return nil
	}
	token, err := user.NewSecret(user.APITokenPrefix)
	if err != nil {
		return err
	}
	t := &user.APIToken{UserID: u.ID, Name: *name, ExpiresAt: expiresAt}
	if err := db.CreateAPIToken(ctx, t, user.HashSecret(token)); err != nil {
		return describe(err)
	}
	validity := ""
	if !t.ExpiresAt.IsZero() {
		validity = ", valid until " + t.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(env.Stdout, "API token for %s%s, shown only this once (send it as 'Authorization: Bearer TOKEN'):\n%s\n", u.Username, validity, token)
	return nil
}

// listTokens prints a user's tokens, with the ID that 'token revoke' takes. Times are in UTC.
func listTokens(ctx context.Context, env Env, db *store.DB, u *user.User) error {
	list, err := db.APITokens(ctx, u.ID)
	if err != nil {
		return err
	}
	stamp := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return t.UTC().Format(time.RFC3339)
	}
	now := time.Now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED\tEXPIRES")
	for _, t := range list {
		expires := stamp(t.ExpiresAt, "never")
		if t.Expired(now) {
			expires += " (expired)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, stamp(t.CreatedAt, ""), stamp(t.LastUsedAt, "never"), expires)
	}
	return tw.Flush()
}

// parseExpiry reads --expires: "never", a number of days from now ("90d"), or a date, at whose
// start (00:00 UTC) the token stops working.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "never" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 {
			return now.UTC().AddDate(0, 0, n), nil
		}
	}
	if d, err := civil.Parse(s); err == nil && !d.IsZero() {
		return d.Time(), nil
	}
	return time.Time{}, fmt.Errorf("%w: --expires wants a number of days (90d), a date (2027-01-31) or never, not %q", errUsage, s)
}
