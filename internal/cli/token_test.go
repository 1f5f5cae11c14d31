package cli_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/store"
	"pactum/internal/user"
)

// tokenRow finds a token's row in the output of 'token list' by its name: its ID, and the rest.
func tokenRow(t *testing.T, list, name string) (id, row string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(\d+)\s+` + regexp.QuoteMeta(name) + `\s.*$`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("token list has no token %q:\n%s", name, list)
	}
	return m[1], m[0]
}

// authenticates reports whether token opens the API in the database.
func (d database) authenticates(t *testing.T, token string) bool {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, d.vars["PACTUM_DATA"], d.vars["PACTUM_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.APITokenUser(ctx, user.HashSecret(token))
	if err != nil && !apperr.Is(err, apperr.Unauthorized) {
		t.Fatal(err)
	}
	return err == nil
}

// lastLine is the last line a command printed, where 'token create' prints the token.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

func TestTokenCreateListAndRevoke(t *testing.T) {
	for name, newDatabase := range newDatabases(t) {
		t.Run(name, func(t *testing.T) {
			d := newDatabase(t)
			if code, _, stderr := d.run(t, "alice-password-long\n", "user", "add", "alice", "--role", "viewer", "--password-stdin"); code != 0 {
				t.Fatalf("user add: exit %d: %s", code, stderr)
			}
			code, out, stderr := d.run(t, "", "token", "create", "alice", "--name", "IATI export", "--expires", "90d")
			if code != 0 {
				t.Fatalf("token create --expires 90d: exit %d: %s", code, stderr)
			}
			expiring := lastLine(out)
			if !strings.HasPrefix(expiring, user.APITokenPrefix) || !strings.Contains(out, "API token for alice, valid until ") {
				t.Errorf("token create --expires 90d printed:\n%s", out)
			}
			code, out, stderr = d.run(t, "", "token", "create", "alice", "--name", "Dashboard")
			if code != 0 {
				t.Fatalf("token create: exit %d: %s", code, stderr)
			}
			forever := lastLine(out)
			if !strings.HasPrefix(out, "API token for alice, shown only this once") || !strings.HasPrefix(forever, user.APITokenPrefix) {
				t.Errorf("token create without expiry printed:\n%s", out)
			}
			if code, _, stderr = d.run(t, "", "token", "create", "alice", "--name", "Dated", "--expires", "2999-01-31"); code != 0 {
				t.Fatalf("token create --expires 2999-01-31: exit %d: %s", code, stderr)
			}

			// Mistakes in the command line are usage errors; an expiry gone by is refused with the reason.
			for _, args := range [][]string{
				{"token", "create", "alice", "--expires", "soon"},
				{"token", "create", "alice", "--expires", "0d"},
				{"token", "revoke", "alice", "first"},
				{"token", "list"},
				{"token", "delete", "alice", "1"},
			} {
				if code, _, _ := d.run(t, "", args...); code != 2 {
					t.Errorf("pactum %v: exit %d, want 2", args, code)
				}
			}
			code, _, stderr = d.run(t, "", "token", "create", "alice", "--expires", "2001-01-31")
			if code != 1 || !strings.Contains(stderr, "The expiry must be in the future.") {
				t.Errorf("token create --expires 2001-01-31: exit %d: %s", code, stderr)
			}

			code, list, stderr := d.run(t, "", "token", "list", "alice")
			if code != 0 {
				t.Fatalf("token list: exit %d: %s", code, stderr)
			}
			if !strings.HasPrefix(list, "ID") || !strings.Contains(list, "LAST USED") {
				t.Errorf("token list has no header:\n%s", list)
			}
			inNinetyDays := time.Now().UTC().AddDate(0, 0, 90).Format("2006-01-02")
			id, row := tokenRow(t, list, "IATI export")
			if !strings.Contains(row, inNinetyDays) {
				t.Errorf("token expiring in 90 days listed as %q, want it to expire on %s", row, inNinetyDays)
			}
			if _, row := tokenRow(t, list, "Dated"); !strings.Contains(row, "2999-01-31T00:00:00Z") {
				t.Errorf("token expiring on 2999-01-31 listed as %q", row)
			}
			if _, row := tokenRow(t, list, "Dashboard"); !regexp.MustCompile(`never\s+never$`).MatchString(row) {
				t.Errorf("token never used nor expiring listed as %q", row)
			}

			if !d.authenticates(t, expiring) {
				t.Fatal("the new token does not open the API")
			}
			if code, out, stderr := d.run(t, "", "token", "revoke", "alice", id); code != 0 || !strings.Contains(out, "Revoked API token "+id+" of alice.") {
				t.Fatalf("token revoke: exit %d: %s%s", code, out, stderr)
			}
			if d.authenticates(t, expiring) {
				t.Error("the revoked token still opens the API")
			}
			if code, _, stderr := d.run(t, "", "token", "revoke", "alice", id); code != 1 || !strings.Contains(stderr, "There is no such token.") {
				t.Errorf("revoking the token again: exit %d: %s", code, stderr)
			}
			// Another user's token is not found under alice's name.
			if code, _, stderr := d.run(t, "", "user", "add", "bob", "--role", "viewer"); code != 0 {
				t.Fatalf("user add bob: exit %d: %s", code, stderr)
			}
			_, out, _ = d.run(t, "", "token", "create", "bob", "--name", "Bob's")
			bobs := lastLine(out)
			_, bobList, _ := d.run(t, "", "token", "list", "bob")
			bobID, _ := tokenRow(t, bobList, "Bob's")
			if code, _, _ := d.run(t, "", "token", "revoke", "alice", bobID); code != 1 || !d.authenticates(t, bobs) {
				t.Errorf("revoking bob's token as alice's: exit %d, want 1 and the token kept", code)
			}

			// A new password revokes the user's tokens.
			code, out, stderr = d.run(t, "", "user", "passwd", "alice")
			if code != 0 || !strings.Contains(out, "their API tokens revoked") {
				t.Fatalf("user passwd: exit %d: %s%s", code, out, stderr)
			}
			if d.authenticates(t, forever) {
				t.Error("a token survived the password change")
			}
			if _, list, _ = d.run(t, "", "token", "list", "alice"); strings.Contains(list, "Dashboard") {
				t.Errorf("tokens listed after the password change:\n%s", list)
			}
		})
	}
}
