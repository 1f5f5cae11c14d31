package store_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// mustCreateToken issues a token named name to u under hash, expiring at expires (zero: never).
func mustCreateToken(t *testing.T, db *store.DB, u *user.User, name, hash string, expires time.Time) *user.APIToken {
	t.Helper()
	tok := &user.APIToken{UserID: u.ID, Name: name, ExpiresAt: expires}
	if err := db.CreateAPIToken(t.Context(), tok, hash); err != nil {
		t.Fatalf("create token %s of %s: %v", name, u.Username, err)
	}
	if tok.ID == 0 {
		t.Fatalf("token %s has no ID after CreateAPIToken", name)
	}
	return tok
}

// tokenNames lists the names of a user's tokens in the store's order.
func tokenNames(t *testing.T, db *store.DB, u *user.User) []string {
	t.Helper()
	list, err := db.APITokens(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, tok := range list {
		names = append(names, tok.Name)
	}
	return names
}

// tokenOf returns a user's token with id from the list.
func tokenOf(t *testing.T, db *store.DB, u *user.User, id int64) user.APIToken {
	t.Helper()
	list, err := db.APITokens(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range list {
		if tok.ID == id {
			return tok
		}
	}
	t.Fatalf("token %d is not among the tokens of %s", id, u.Username)
	return user.APIToken{}
}

func TestAPITokensAreListedWithTheirExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		other := mustCreateUser(t, db, newUser("other", user.RoleViewer, true))
		before := time.Now()
		forever := mustCreateToken(t, db, robot, "IATI export", "hash-forever", time.Time{})
		expires := time.Now().Add(90 * 24 * time.Hour)
		quarterly := mustCreateToken(t, db, robot, "Quarterly report", "hash-quarterly", expires)
		after := time.Now()
		mustCreateToken(t, db, other, "Someone else's", "hash-other", time.Time{})

		equal(t, "robot's tokens, newest first", tokenNames(t, db, robot), []string{"Quarterly report", "IATI export"})
		got := tokenOf(t, db, robot, quarterly.ID)
		checkStamp(t, "CreatedAt", got.CreatedAt, before, after)
		checkStamp(t, "ExpiresAt", got.ExpiresAt, expires, expires)
		if !got.LastUsedAt.IsZero() || got.UserID != robot.ID {
			t.Errorf("new token %+v: want never used, of export.robot", got)
		}
		if never := tokenOf(t, db, robot, forever.ID); !never.ExpiresAt.IsZero() {
			t.Errorf("token without expiry reads back expiring at %v", never.ExpiresAt)
		}

		// A token born expired, or with a name too long to list, is refused and not stored.
		wantCode(t, db.CreateAPIToken(t.Context(), &user.APIToken{UserID: robot.ID, Name: "late", ExpiresAt: time.Now().Add(-time.Minute)}, "hash-late"), apperr.Invalid)
		wantCode(t, db.CreateAPIToken(t.Context(), &user.APIToken{UserID: robot.ID, Name: strings.Repeat("n", user.MaxAPITokenName+1)}, "hash-long"), apperr.Invalid)
		equal(t, "robot's tokens after refusals", tokenNames(t, db, robot), []string{"Quarterly report", "IATI export"})

		// The trail records the expiry of a token that has one.
		created := onlyAuditEntry(t, db, audit.Filter{Entity: "api_token", EntityKey: strconv.FormatInt(quarterly.ID, 10)})
		if _, ok := created.Changes["expires_at"]; !ok || created.Changes["name"].After != "Quarterly report" {
			t.Errorf("creation of the quarterly token recorded as %+v, want its name and expiry", created.Changes)
		}
	})
}

func TestExpiredAPITokensAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		tok := mustCreateToken(t, db, robot, "IATI export", "hash-1", time.Now().Add(time.Hour))
		if u, err := db.APITokenUser(ctx, "hash-1"); err != nil || u.ID != robot.ID {
			t.Fatalf("live token: %+v, %v", u, err)
		}
		if err := db.SetAPITokenTimesForTest(ctx, tok.ID, time.Time{}, time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := db.APITokenUser(ctx, "hash-1")
		wantCode(t, err, apperr.Unauthorized)
		// It stays listed, marked expired, so that its owner sees why a program stopped working.
		if got := tokenOf(t, db, robot, tok.ID); !got.Expired(time.Now()) {
			t.Errorf("expired token listed as %+v, want it expired", got)
		}
	})
}

func TestUsingAnAPITokenNotesItAtMostOnceAMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		tok := mustCreateToken(t, db, robot, "IATI export", "hash-1", time.Time{})
		use := func() time.Time {
			t.Helper()
			if _, err := db.APITokenUser(ctx, "hash-1"); err != nil {
				t.Fatal(err)
			}
			db.WaitForAPITokenTouchesForTest()
			return tokenOf(t, db, robot, tok.ID).LastUsedAt
		}
		before := time.Now()
		first := use()
		checkStamp(t, "first use", first, before, time.Now())

		// Within a minute of the last noted use, nothing is written.
		recent := time.Now().Add(-30 * time.Second).Truncate(time.Millisecond)
		if err := db.SetAPITokenTimesForTest(ctx, tok.ID, recent, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got := use(); !got.Equal(recent) {
			t.Errorf("use 30 s after the last: last use %v, want it left at %v", got, recent)
		}
		// Later, the use is noted again.
		if err := db.SetAPITokenTimesForTest(ctx, tok.ID, time.Now().Add(-2*time.Minute), time.Time{}); err != nil {
			t.Fatal(err)
		}
		before = time.Now()
		checkStamp(t, "use two minutes after the last", use(), before, time.Now())
	})
}

func TestRevokingAnAPIToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true))
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		other := mustCreateUser(t, db, newUser("other", user.RoleViewer, true))
		tok := mustCreateToken(t, db, robot, "IATI export", "hash-1", time.Time{})
		mustCreateToken(t, db, robot, "Dashboard", "hash-2", time.Time{})

		// Named as another user's token, it is not found, and keeps working.
		wantCode(t, db.RevokeAPIToken(asActor(t, other), other.ID, tok.ID), apperr.NotFound)
		if _, err := db.APITokenUser(ctx, "hash-1"); err != nil {
			t.Fatalf("token after another user's attempt to revoke it: %v", err)
		}
		if err := db.RevokeAPIToken(asActor(t, admin), robot.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.APITokenUser(ctx, "hash-1")
		wantCode(t, err, apperr.Unauthorized)
		equal(t, "robot's tokens after the revocation", tokenNames(t, db, robot), []string{"Dashboard"})
		wantCode(t, db.RevokeAPIToken(ctx, robot.ID, tok.ID), apperr.NotFound)

		revoked := onlyAuditEntry(t, db, audit.Filter{Entity: "api_token", Action: audit.ActionDelete})
		if revoked.Actor != "admin" || revoked.EntityKey != strconv.FormatInt(tok.ID, 10) {
			t.Errorf("revocation recorded as %s of %s by %s, want of token %d by admin", revoked.Action, revoked.EntityKey, revoked.Actor, tok.ID)
		}
		equal(t, "fields of the revoked token", revoked.Changes, audit.Changes{
			"owner": {Before: "export.robot"},
			"name":  {Before: "IATI export"},
		})
	})
}

// A new password revokes every API token of the account, whichever way it is set: a token is
// trust lent by the account, and a new password says that trust may have been abused.
func TestAPasswordChangeRevokesTheAccountsAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		other := mustCreateUser(t, db, newUser("other", user.RoleViewer, true))
		mustCreateToken(t, db, robot, "IATI export", "hash-1", time.Time{})
		mustCreateToken(t, db, robot, "Dashboard", "hash-2", time.Now().Add(time.Hour))
		mustCreateToken(t, db, other, "Other's", "hash-other", time.Time{})

		if err := db.SetPasswordHash(ctx, robot.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		for _, hash := range []string{"hash-1", "hash-2"} {
			_, err := db.APITokenUser(ctx, hash)
			wantCode(t, err, apperr.Unauthorized)
		}
		equal(t, "robot's tokens after the password change", tokenNames(t, db, robot), []string{})
		if _, err := db.APITokenUser(ctx, "hash-other"); err != nil {
			t.Errorf("another user's token after robot's password change: %v", err)
		}
		if _, total := mustAuditEntries(t, db, audit.Filter{Entity: "api_token", Action: audit.ActionDelete}); total != 2 {
			t.Errorf("%d revocations in the trail after the password change, want 2", total)
		}

		// A password set through a reset link revokes the tokens made since, too.
		mustCreateToken(t, db, robot, "New export", "hash-3", time.Time{})
		if sent, err := db.SendLink(ctx, robot.ID, user.TokenReset, "reset-robot", linkMail(robot.Email)); err != nil || !sent {
			t.Fatalf("reset link: sent %v, %v", sent, err)
		}
		if _, err := db.SetPasswordWithToken(ctx, "reset-robot", user.TokenReset, "$argon2id$reset"); err != nil {
			t.Fatal(err)
		}
		_, err := db.APITokenUser(ctx, "hash-3")
		wantCode(t, err, apperr.Unauthorized)
	})
}
