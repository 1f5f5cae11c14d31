package store_test

import (
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		regional := newUser("samir.arb", user.RoleRegionalOfficer, true)
		regional.Region, regional.Language, regional.DisplayName = "ARB", "ar", "سمير"
		before := time.Now()
		for _, u := range []*user.User{
			newUser("zoe.viewer", user.RoleViewer, true),
			newUser("admin", user.RoleAdmin, true),
			regional,
			newUser("sponsor.acme", user.RoleExternal, false),
		} {
			mustCreateUser(t, db, u)
		}
		after := time.Now()
		mustCount(t, "users", db.CountUsers, 4)

		got, err := db.UserByUsername(ctx, "samir.arb")
		if err != nil {
			t.Fatal(err)
		}
		checkStamp(t, "CreatedAt", got.CreatedAt, before, after)
		checkStamp(t, "UpdatedAt", got.UpdatedAt, before, after)
		got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
		equal(t, "user read back", got, &user.User{
			ID:           regional.ID,
			Username:     "samir.arb",
			Email:        "samir.arb@example.org",
			DisplayName:  "سمير",
			PasswordHash: "$argon2id$stand-in-for-samir.arb",
			Role:         user.RoleRegionalOfficer,
			Region:       "ARB",
			Language:     "ar",
			Active:       true,
			Version:      1,
		})

		list, err := db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range list {
			names = append(names, u.Username)
		}
		equal(t, "users by username", names, []string{"admin", "samir.arb", "sponsor.acme", "zoe.viewer"})
		if list[2].Active || list[2].Role != user.RoleExternal {
			t.Errorf("sponsor.acme = active %v, role %s; want inactive external", list[2].Active, list[2].Role)
		}
		if list[0].Region != "" {
			t.Errorf("admin region = %q, want none", list[0].Region)
		}

		wantCode(t, db.CreateUser(ctx, newUser("admin", user.RoleViewer, true)), apperr.Conflict)
		wantCode(t, db.CreateUser(ctx, newUser("Not A Username", user.RoleViewer, true)), apperr.Invalid)
		mustCount(t, "users after refused accounts", db.CountUsers, 4)
		if u, err := db.UserByUsername(ctx, "admin"); err != nil || u.Role != user.RoleAdmin {
			t.Errorf("admin after a duplicate = %+v, %v; want the first admin unchanged", u, err)
		}

		_, err = db.UserByUsername(ctx, "nobody")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		other := mustCreateUser(t, db, newUser("other", user.RoleViewer, true))
		gone := mustCreateUser(t, db, newUser("gone", user.RoleOfficer, false))

		sessionUser := func(hash string) string {
			t.Helper()
			u, err := db.SessionUser(ctx, hash)
			if apperr.Is(err, apperr.Unauthorized) {
				return ""
			}
			if err != nil {
				t.Fatalf("session %s: %v", hash, err)
			}
			return u.Username
		}
		for _, s := range []struct {
			hash string
			id   int64
		}{{"laptop", amina.ID}, {"phone", amina.ID}, {"other-laptop", other.ID}, {"gone-laptop", gone.ID}} {
			if err := db.CreateSession(ctx, s.hash, s.id); err != nil {
				t.Fatal(err)
			}
		}
		if got := sessionUser("laptop"); got != "amina" {
			t.Errorf("session laptop belongs to %q, want amina", got)
		}
		u, err := db.SessionUser(ctx, "laptop")
		if err != nil || u.ID != amina.ID || u.Role != user.RoleOfficer {
			t.Errorf("SessionUser(laptop) = %+v, %v; want amina the officer", u, err)
		}
		if got := sessionUser("gone-laptop"); got != "" {
			t.Errorf("an inactive user's session gave %q, want it refused", got)
		}
		_, err = db.SessionUser(ctx, "never-issued")
		wantCode(t, err, apperr.Unauthorized)

		// Signing out ends that session only.
		if err := db.DeleteSession(ctx, "phone"); err != nil {
			t.Fatal(err)
		}
		if got := sessionUser("phone"); got != "" {
			t.Errorf("deleted session gave %q, want it refused", got)
		}
		if got := sessionUser("laptop"); got != "amina" {
			t.Errorf("another session of the same user gave %q after sign-out, want amina", got)
		}

		// A new password ends every session of that user, and only of that user.
		if err := db.CreateSession(ctx, "phone-2", amina.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPasswordHash(ctx, amina.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		for _, hash := range []string{"laptop", "phone-2"} {
			if got := sessionUser(hash); got != "" {
				t.Errorf("session %s survived a password change as %q", hash, got)
			}
		}
		if got := sessionUser("other-laptop"); got != "other" {
			t.Errorf("another user's session gave %q after amina's password change, want other", got)
		}
		if u, err := db.UserByUsername(ctx, "amina"); err != nil || u.PasswordHash != "$argon2id$new" {
			t.Errorf("amina's hash after SetPasswordHash = %+v, %v; want $argon2id$new", u, err)
		}
		wantCode(t, db.SetPasswordHash(ctx, 987654321, "$argon2id$x"), apperr.NotFound)
	})
}

func TestSessionExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		for _, hash := range []string{"idle", "expired", "recent"} {
			if err := db.CreateSession(ctx, hash, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		age := func(hash string, lastSeen, expires time.Time) {
			t.Helper()
			if err := db.SetSessionTimesForTest(ctx, hash, lastSeen, expires); err != nil {
				t.Fatal(err)
			}
		}
		age("idle", now.Add(-user.IdleTimeout-time.Minute), now.Add(time.Hour))  // unused for too long
		age("expired", now.Add(-30*time.Second), now.Add(-time.Second))          // used lately, but past its lifetime
		age("recent", now.Add(-10*time.Minute), now.Add(user.SessionLifetime/2)) // still alive

		for _, hash := range []string{"idle", "expired"} {
			_, err := db.SessionUser(ctx, hash)
			wantCode(t, err, apperr.Unauthorized)
		}
		got, err := db.SessionUser(ctx, "recent")
		if err != nil || got.ID != u.ID {
			t.Fatalf("SessionUser(recent) = %+v, %v; want amina", got, err)
		}
		// Using a session keeps it alive: its last use moves to now (written in the background).
		db.WaitForSessionTouchesForTest()
		lastSeen, ok, err := db.SessionLastSeenForTest(ctx, "recent")
		if err != nil || !ok {
			t.Fatalf("session recent: exists %v, %v", ok, err)
		}
		if lastSeen.Before(now.Add(-time.Second)) {
			t.Errorf("session last used %v after a request at %v, want it moved forward", lastSeen, now)
		}

		// A new sign-in clears out the dead sessions.
		if err := db.CreateSession(ctx, "fresh", u.ID); err != nil {
			t.Fatal(err)
		}
		for hash, want := range map[string]bool{"idle": false, "expired": false, "recent": true, "fresh": true} {
			if _, ok, err := db.SessionLastSeenForTest(ctx, hash); err != nil || ok != want {
				t.Errorf("session %s stored = %v (%v), want %v", hash, ok, err, want)
			}
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		robot := mustCreateUser(t, db, newUser("export.robot", user.RoleViewer, true))
		retired := mustCreateUser(t, db, newUser("retired.robot", user.RoleViewer, false))
		if err := db.CreateAPIToken(ctx, &user.APIToken{UserID: robot.ID, Name: "IATI export"}, "token-hash-1"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAPIToken(ctx, &user.APIToken{UserID: retired.ID, Name: "old export"}, "token-hash-2"); err != nil {
			t.Fatal(err)
		}
		u, err := db.APITokenUser(ctx, "token-hash-1")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != robot.ID || u.Username != "export.robot" {
			t.Errorf("token belongs to %s (%d), want export.robot (%d)", u.Username, u.ID, robot.ID)
		}
		_, err = db.APITokenUser(ctx, "token-hash-2")
		wantCode(t, err, apperr.Unauthorized) // the user is inactive
		_, err = db.APITokenUser(ctx, "never-issued")
		wantCode(t, err, apperr.Unauthorized)
	})
}
