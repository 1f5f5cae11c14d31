package store_test

import (
	"errors"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/mail"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// --- sign-in throttling ---

// throttlePoints returns, from the policy of package user, after how many failures the next
// attempt must first wait, and after how many the name or address is locked.
func throttlePoints(t *testing.T, kind user.ThrottleKind) (waitAt, lockAt int) {
	t.Helper()
	for n := 1; n <= 1000; n++ {
		if waitAt == 0 && user.SignInDelay(kind, n) > 0 {
			waitAt = n
		}
		if user.LocksAfter(kind, n) {
			lockAt = n
			break
		}
	}
	// The store tests below need a policy that lets the first failure pass and slows down
	// guessing before it locks.
	if waitAt <= 1 || lockAt <= waitAt {
		t.Fatalf("throttle policy of kind %d: first wait after %d failures, lock after %d; want 1 < wait < lock", kind, waitAt, lockAt)
	}
	return waitAt, lockAt
}

// blockedUntil is SignInBlockedUntil that fails the test on an error.
func blockedUntil(t *testing.T, db *store.DB, now time.Time, keys ...user.ThrottleKey) (time.Time, bool) {
	t.Helper()
	until, locked, err := db.SignInBlockedUntil(t.Context(), now, keys...)
	if err != nil {
		t.Fatalf("sign-in blocked at %v: %v", now, err)
	}
	return until, locked
}

func mustFail(t *testing.T, db *store.DB, now time.Time, keys ...user.ThrottleKey) {
	t.Helper()
	if err := db.RecordSignInFailure(t.Context(), now, keys...); err != nil {
		t.Fatalf("record sign-in failure at %v: %v", now, err)
	}
}

// t0 is the start of the throttling scenarios: explicit times make them exact.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func TestSignInThrottleSlowsDownThenLocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			name string
			key  user.ThrottleKey
		}{
			{"user name", user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina"}},
			{"address", user.ThrottleKey{Kind: user.ThrottleAddress, Value: "192.0.2.7"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				key := c.key
				waitAt, lockAt := throttlePoints(t, key.Kind)
				if until, locked := blockedUntil(t, db, t0, key); locked || !until.IsZero() {
					t.Fatalf("before any failure: blocked until %v (locked %v), want free", until, locked)
				}
				// Each attempt comes as soon as it is allowed.
				now := t0
				var firstWait, lastWait time.Duration
				for n := 1; n < lockAt; n++ {
					mustFail(t, db, now, key)
					until, locked := blockedUntil(t, db, now, key)
					if locked {
						t.Fatalf("locked after %d failures, want the lock only after %d", n, lockAt)
					}
					if n < waitAt {
						if !until.IsZero() {
							t.Fatalf("after %d failures: wait until %v, want none before %d failures", n, until, waitAt)
						}
						now = now.Add(time.Second)
						continue
					}
					wait := user.SignInDelay(key.Kind, n)
					if !until.Equal(now.Add(wait)) {
						t.Fatalf("after %d failures at %v: wait until %v, want %v (%v)", n, now, until, now.Add(wait), wait)
					}
					if wait < lastWait {
						t.Errorf("after %d failures the wait shrank from %v to %v", n, lastWait, wait)
					}
					if firstWait == 0 {
						firstWait = wait
					}
					lastWait = wait
					if u, _ := blockedUntil(t, db, until.Add(-time.Millisecond), key); !u.Equal(until) {
						t.Errorf("after %d failures, just before the wait ends: blocked until %v, want %v", n, u, until)
					}
					if u, l := blockedUntil(t, db, until, key); l || !u.IsZero() {
						t.Errorf("after %d failures, when the wait ends: blocked until %v (locked %v), want free", n, u, l)
					}
					now = until
				}
				if lastWait <= firstWait {
					t.Errorf("the wait went from %v to %v over %d failures, want it to grow", firstWait, lastWait, lockAt-waitAt)
				}

				// The last failure locks, for LockDuration.
				mustFail(t, db, now, key)
				lockEnd := now.Add(user.LockDuration)
				for _, at := range []time.Time{now, lockEnd.Add(-time.Second)} {
					if until, locked := blockedUntil(t, db, at, key); !locked || !until.Equal(lockEnd) {
						t.Errorf("after %d failures, at %v: blocked until %v (locked %v), want locked until %v", lockAt, at, until, locked, lockEnd)
					}
				}
				if until, locked := blockedUntil(t, db, lockEnd, key); locked || !until.IsZero() {
					t.Errorf("when the lock ends: blocked until %v (locked %v), want free", until, locked)
				}
				// Once the lock is over and the failures are old, the count starts again.
				later := now.Add(max(user.LockDuration, user.FailureWindow) + time.Second)
				mustFail(t, db, later, key)
				if until, locked := blockedUntil(t, db, later, key); locked || !until.IsZero() {
					t.Errorf("first failure after the lock: blocked until %v (locked %v), want free", until, locked)
				}
			})
		}
	})
}

func TestSignInThrottleForgetsOldFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		waitAt, _ := throttlePoints(t, user.ThrottleUser)
		recent := user.ThrottleKey{Kind: user.ThrottleUser, Value: "recent"}
		old := user.ThrottleKey{Kind: user.ThrottleUser, Value: "old"}
		for range waitAt - 1 {
			mustFail(t, db, t0, recent, old)
		}
		// One more failure just inside the window counts with the others and brings a wait…
		inside := t0.Add(user.FailureWindow - time.Second)
		mustFail(t, db, inside, recent)
		want := inside.Add(user.SignInDelay(user.ThrottleUser, waitAt))
		if until, _ := blockedUntil(t, db, inside, recent); !until.Equal(want) {
			t.Errorf("failure %d within the window: blocked until %v, want %v", waitAt, until, want)
		}
		// …just outside it, the earlier ones are forgotten.
		outside := t0.Add(user.FailureWindow + time.Second)
		mustFail(t, db, outside, old)
		if until, locked := blockedUntil(t, db, outside, old); locked || !until.IsZero() {
			t.Errorf("a failure after %v without one: blocked until %v (locked %v), want the old failures forgotten", user.FailureWindow, until, locked)
		}
	})
}

func TestSignInThrottleUserAndAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		userWait, userLock := throttlePoints(t, user.ThrottleUser)
		addrWait, addrLock := throttlePoints(t, user.ThrottleAddress)
		// Several people may share an address: it must tolerate more failures than one name.
		if addrWait <= userWait || addrLock <= userLock {
			t.Fatalf("address waits after %d and locks after %d failures, user names after %d and %d; want addresses to tolerate more",
				addrWait, addrLock, userWait, userLock)
		}
		// The user name is counted in any case.
		typed := user.ThrottleKey{Kind: user.ThrottleUser, Value: "Amina"}
		name := user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina"}
		addr := user.ThrottleKey{Kind: user.ThrottleAddress, Value: "2001:db8::7"}
		other := user.ThrottleKey{Kind: user.ThrottleUser, Value: "ben"}

		now := t0
		for range userLock {
			mustFail(t, db, now, typed, addr)
			now = now.Add(time.Minute)
		}
		last := now.Add(-time.Minute)
		if until, locked := blockedUntil(t, db, now, name); !locked || !until.Equal(last.Add(user.LockDuration)) {
			t.Errorf("after %d failures: amina blocked until %v (locked %v), want locked until %v", userLock, until, locked, last.Add(user.LockDuration))
		}
		// The same failures do not lock the address: another name from it is not refused.
		if until, locked := blockedUntil(t, db, now, other, addr); locked || !until.IsZero() {
			t.Errorf("after %d failures from the address: ben blocked until %v (locked %v), want free", userLock, until, locked)
		}
		// A sign-in checks both keys: the lock of either refuses it.
		if until, locked := blockedUntil(t, db, now, name, addr); !locked || !until.Equal(last.Add(user.LockDuration)) {
			t.Errorf("amina from the address: blocked until %v (locked %v), want locked until %v", until, locked, last.Add(user.LockDuration))
		}

		// More failures from the address with other names reach the address's own wait, then its lock.
		for n := userLock + 1; n <= addrLock; n++ {
			mustFail(t, db, now, user.ThrottleKey{Kind: user.ThrottleUser, Value: "guess"}, addr)
			until, locked := blockedUntil(t, db, now, other, addr)
			switch {
			case n == addrLock:
				if !locked || !until.Equal(now.Add(user.LockDuration)) {
					t.Errorf("after %d failures from the address: blocked until %v (locked %v), want locked until %v", n, until, locked, now.Add(user.LockDuration))
				}
			case n < addrWait:
				if locked || !until.IsZero() {
					t.Errorf("after %d failures from the address: blocked until %v (locked %v), want free", n, until, locked)
				}
			default:
				if want := now.Add(user.SignInDelay(user.ThrottleAddress, n)); locked || !until.Equal(want) {
					t.Errorf("after %d failures from the address: blocked until %v (locked %v), want a wait until %v", n, until, locked, want)
				}
			}
			if n == addrWait {
				// Clearing a name (a successful sign-in) leaves the address's count alone.
				if err := db.ClearSignInFailures(ctx, user.ThrottleKey{Kind: user.ThrottleUser, Value: "AMINA"}); err != nil {
					t.Fatal(err)
				}
				if u, l := blockedUntil(t, db, now, name); l || !u.IsZero() {
					t.Errorf("after clearing amina: blocked until %v (locked %v), want free", u, l)
				}
				if u, _ := blockedUntil(t, db, now, addr); !u.Equal(until) {
					t.Errorf("after clearing amina the address is blocked until %v, want still %v", u, until)
				}
			}
			now = now.Add(time.Second)
		}

		// After the clearing amina's count started again: one failure brings no wait.
		mustFail(t, db, now, name)
		if until, locked := blockedUntil(t, db, now, name); locked || !until.IsZero() {
			t.Errorf("first failure after clearing: blocked until %v (locked %v), want free", until, locked)
		}
		if until, locked := blockedUntil(t, db, now, user.ThrottleKey{Kind: user.ThrottleAddress, Value: "198.51.100.1"}); locked || !until.IsZero() {
			t.Errorf("an address that never failed: blocked until %v (locked %v), want free", until, locked)
		}
	})
}

// --- one-time links ---

// linkMail is the e-mail that carries a link to to.
func linkMail(to string) mail.Message {
	return mail.Message{To: to, Subject: "Pactum", Text: "https://pactum.example.org/account/link", Language: "en"}
}

func outboxTotal(t *testing.T, db *store.DB) int {
	t.Helper()
	_, total, err := db.MailOutbox(t.Context(), 500)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// wantField fails the test unless err carries code and a message on field.
func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	wantCode(t, err, code)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Fields[field].Key == "" {
		t.Errorf("error %v has no message on field %s", err, field)
	}
}

func TestCreateUserWithLinkStoresAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		nadia := newUser("nadia", user.RoleOfficer, true)
		nadia.PasswordHash = ""
		if err := db.CreateUserWithLink(ctx, nadia, user.TokenInvite, "invite-nadia", linkMail("nadia@example.org")); err != nil {
			t.Fatal(err)
		}
		if nadia.ID == 0 {
			t.Fatal("nadia has no ID after CreateUserWithLink")
		}
		for range 2 { // looking the token up does not use it
			u, err := db.TokenUser(ctx, "invite-nadia", user.TokenInvite)
			if err != nil || u.ID != nadia.ID || u.Username != "nadia" {
				t.Fatalf("invitation token belongs to %+v, %v; want nadia", u, err)
			}
		}
		_, err := db.TokenUser(ctx, "invite-nadia", user.TokenReset)
		wantCode(t, err, apperr.NotFound)
		queued, total, err := db.MailOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || queued[0].Message.To != "nadia@example.org" {
			t.Fatalf("outbox after the invitation: %d messages, want one to nadia@example.org", total)
		}

		// A refused account leaves neither a token nor an e-mail behind.
		sameName := newUser("nadia", user.RoleViewer, true)
		sameName.Email = "someone.else@example.org"
		wantField(t, db.CreateUserWithLink(ctx, sameName, user.TokenInvite, "invite-same-name", linkMail(sameName.Email)),
			apperr.Conflict, "username")
		sameEmail := newUser("nadia.two", user.RoleViewer, true)
		sameEmail.Email = "NADIA@Example.org"
		wantField(t, db.CreateUserWithLink(ctx, sameEmail, user.TokenInvite, "invite-same-email", linkMail("nadia.two@example.org")),
			apperr.Conflict, "email")
		// A message that cannot be sent undoes the account too.
		omar := newUser("omar", user.RoleViewer, true)
		bad := linkMail(omar.Email)
		bad.Subject = "Welcome\r\nBcc: everyone@example.org"
		wantCode(t, db.CreateUserWithLink(ctx, omar, user.TokenInvite, "invite-omar", bad), apperr.Invalid)
		_, err = db.UserByUsername(ctx, "omar")
		wantCode(t, err, apperr.NotFound)

		for _, hash := range []string{"invite-same-name", "invite-same-email", "invite-omar"} {
			_, err := db.TokenUser(ctx, hash, user.TokenInvite)
			wantCode(t, err, apperr.NotFound)
		}
		mustCount(t, "users", db.CountUsers, 1)
		if n := outboxTotal(t, db); n != 1 {
			t.Errorf("%d messages in the outbox after refused accounts, want the one invitation", n)
		}
	})
}

func TestSetPasswordWithToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		verifiedAt := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		amina := newUser("amina", user.RoleOfficer, true)
		amina.EmailVerifiedAt = verifiedAt
		mustCreateUser(t, db, amina)
		ben := mustCreateUser(t, db, newUser("ben", user.RoleViewer, true))
		for hash, id := range map[string]int64{"amina-laptop": amina.ID, "ben-laptop": ben.ID} {
			if err := db.CreateSession(ctx, hash, id); err != nil {
				t.Fatal(err)
			}
		}

		// A reset link: sets the password, keeps the earlier verification, ends the sessions.
		if sent, err := db.SendLink(ctx, amina.ID, user.TokenReset, "reset-amina", linkMail(amina.Email)); err != nil || !sent {
			t.Fatalf("send reset link: sent %v, %v", sent, err)
		}
		u, err := db.SetPasswordWithToken(ctx, "reset-amina", user.TokenReset, "$argon2id$new-amina")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != amina.ID || u.PasswordHash != "$argon2id$new-amina" || !u.EmailVerifiedAt.Equal(verifiedAt) {
			t.Errorf("after the reset: user %s, hash %q, verified %v; want amina, the new hash, still verified %v",
				u.Username, u.PasswordHash, u.EmailVerifiedAt, verifiedAt)
		}
		_, err = db.SessionUser(ctx, "amina-laptop")
		wantCode(t, err, apperr.Unauthorized)
		if s, err := db.SessionUser(ctx, "ben-laptop"); err != nil || s.ID != ben.ID {
			t.Errorf("ben's session after amina's reset: %+v, %v; want ben", s, err)
		}
		// The link is used up.
		_, err = db.SetPasswordWithToken(ctx, "reset-amina", user.TokenReset, "$argon2id$replayed")
		wantCode(t, err, apperr.NotFound)
		_, err = db.TokenUser(ctx, "reset-amina", user.TokenReset)
		wantCode(t, err, apperr.NotFound)
		if s, err := db.UserByUsername(ctx, "amina"); err != nil || s.PasswordHash != "$argon2id$new-amina" {
			t.Errorf("amina's hash after a second use of the link = %q, %v; want $argon2id$new-amina", s.PasswordHash, err)
		}

		// An invitation: refused under another purpose and left usable, then marks the address verified.
		nadia := newUser("nadia", user.RoleOfficer, true)
		nadia.PasswordHash = ""
		if err := db.CreateUserWithLink(ctx, nadia, user.TokenInvite, "invite-nadia", linkMail(nadia.Email)); err != nil {
			t.Fatal(err)
		}
		_, err = db.SetPasswordWithToken(ctx, "invite-nadia", user.TokenReset, "$argon2id$wrong-purpose")
		wantCode(t, err, apperr.NotFound)
		if s, err := db.UserByUsername(ctx, "nadia"); err != nil || s.PasswordHash != "" {
			t.Errorf("nadia's hash after the wrong purpose = %q, %v; want none", s.PasswordHash, err)
		}
		before := time.Now()
		u, err = db.SetPasswordWithToken(ctx, "invite-nadia", user.TokenInvite, "$argon2id$nadia")
		after := time.Now()
		if err != nil {
			t.Fatalf("the invitation after a use under the wrong purpose: %v", err)
		}
		if u.ID != nadia.ID || u.PasswordHash != "$argon2id$nadia" {
			t.Errorf("after the invitation: user %s, hash %q; want nadia, $argon2id$nadia", u.Username, u.PasswordHash)
		}
		checkStamp(t, "nadia's EmailVerifiedAt", u.EmailVerifiedAt, before, after)
		if s, err := db.UserByUsername(ctx, "nadia"); err != nil || s.PasswordHash != "$argon2id$nadia" || s.EmailVerifiedAt.IsZero() {
			t.Errorf("nadia stored = %+v, %v; want the new hash and a verified address", s, err)
		}
	})
}

func TestVerifyEmailLetsAnExternalAccountIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		acme := newUser("sponsor.acme", user.RoleExternal, true)
		acme.Organisation = "Acme Telecom"
		if err := db.CreateUserWithLink(ctx, acme, user.TokenVerify, "verify-acme", linkMail(acme.Email)); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "acme-session", acme.ID); err != nil {
			t.Fatal(err)
		}
		// Active but not verified: no session works.
		_, err := db.SessionUser(ctx, "acme-session")
		wantCode(t, err, apperr.Unauthorized)

		// Only a verification link verifies.
		if sent, err := db.SendLink(ctx, acme.ID, user.TokenReset, "reset-acme", linkMail(acme.Email)); err != nil || !sent {
			t.Fatalf("send reset link: sent %v, %v", sent, err)
		}
		_, err = db.VerifyEmail(ctx, "reset-acme")
		wantCode(t, err, apperr.NotFound)
		_, err = db.SessionUser(ctx, "acme-session")
		wantCode(t, err, apperr.Unauthorized)

		before := time.Now()
		u, err := db.VerifyEmail(ctx, "verify-acme")
		after := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != acme.ID {
			t.Errorf("verified %s, want sponsor.acme", u.Username)
		}
		checkStamp(t, "EmailVerifiedAt", u.EmailVerifiedAt, before, after)
		if s, err := db.SessionUser(ctx, "acme-session"); err != nil || s.ID != acme.ID {
			t.Errorf("session after verification: %+v, %v; want sponsor.acme", s, err)
		}
		_, err = db.VerifyEmail(ctx, "verify-acme")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestSendLinkAtMostOncePerMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		ben := mustCreateUser(t, db, newUser("ben", user.RoleViewer, true))
		carl := mustCreateUser(t, db, newUser("carl", user.RoleViewer, true))
		send := func(u *user.User, purpose, hash string, m mail.Message) bool {
			t.Helper()
			sent, err := db.SendLink(ctx, u.ID, purpose, hash, m)
			if err != nil {
				t.Fatalf("send %s link to %s: %v", purpose, u.Username, err)
			}
			return sent
		}
		tokenOwner := func(hash, purpose string) string {
			t.Helper()
			u, err := db.TokenUser(ctx, hash, purpose)
			if apperr.Is(err, apperr.NotFound) {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			return u.Username
		}

		if !send(amina, user.TokenReset, "reset-1", linkMail(amina.Email)) {
			t.Fatal("first reset link not sent")
		}
		if got := tokenOwner("reset-1", user.TokenReset); got != "amina" {
			t.Errorf("first reset link belongs to %q, want amina", got)
		}
		// A second request within the minute sends nothing and keeps the first link working.
		if send(amina, user.TokenReset, "reset-2", linkMail(amina.Email)) {
			t.Error("a second reset link within a minute was sent")
		}
		if got := tokenOwner("reset-2", user.TokenReset); got != "" {
			t.Errorf("the unsent reset link works for %q", got)
		}
		if got := tokenOwner("reset-1", user.TokenReset); got != "amina" {
			t.Errorf("first reset link after a refused second one belongs to %q, want amina", got)
		}
		if n := outboxTotal(t, db); n != 1 {
			t.Errorf("%d messages queued, want 1", n)
		}
		// The limit is per purpose and per account.
		if !send(amina, user.TokenVerify, "verify-1", linkMail(amina.Email)) {
			t.Error("a verification link right after a reset link was not sent")
		}
		if !send(ben, user.TokenReset, "reset-ben", linkMail(ben.Email)) {
			t.Error("ben's reset link right after amina's was not sent")
		}
		if n := outboxTotal(t, db); n != 3 {
			t.Errorf("%d messages queued, want 3", n)
		}

		// A message that cannot be queued stores no link, and does not count against the limit.
		bad := linkMail(carl.Email)
		bad.Text = " "
		_, err := db.SendLink(ctx, carl.ID, user.TokenReset, "reset-carl", bad)
		wantCode(t, err, apperr.Invalid)
		if got := tokenOwner("reset-carl", user.TokenReset); got != "" {
			t.Errorf("the link of an unqueued message works for %q", got)
		}
		if !send(carl, user.TokenReset, "reset-carl-2", linkMail(carl.Email)) {
			t.Error("carl's reset link after a failed one was not sent")
		}
		if n := outboxTotal(t, db); n != 4 {
			t.Errorf("%d messages queued, want 4", n)
		}
	})
}

// --- accounts ---

func TestUserByLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := newUser("amina.diallo", user.RoleOfficer, true)
		amina.Email = "Amina.Diallo@Example.org"
		mustCreateUser(t, db, amina)
		ben := mustCreateUser(t, db, newUser("ben", user.RoleExternal, true))
		for login, want := range map[string]int64{
			"amina.diallo":             amina.ID,
			"Amina.Diallo":             amina.ID,
			"AMINA.DIALLO":             amina.ID,
			"Amina.Diallo@Example.org": amina.ID,
			"amina.diallo@example.org": amina.ID,
			"AMINA.DIALLO@EXAMPLE.ORG": amina.ID,
			"ben@example.org":          ben.ID,
			"BEN":                      ben.ID,
		} {
			u, err := db.UserByLogin(ctx, login)
			if err != nil || u.ID != want {
				t.Errorf("UserByLogin(%q) = %+v, %v; want user %d", login, u, err, want)
			}
		}
		for _, login := range []string{"nobody", "nobody@example.org", "amina.diallo@example", "example.org"} {
			_, err := db.UserByLogin(ctx, login)
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("UserByLogin(%q): %v, want not found", login, err)
			}
		}
	})
}

func TestUpdateUserChecksVersionAndEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		mustCreateUser(t, db, newUser("ben", user.RoleViewer, true))
		read := func() *user.User {
			t.Helper()
			u, err := db.UserByUsername(ctx, "amina")
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		updates := func() int {
			t.Helper()
			_, total := mustAuditEntries(t, db, audit.Filter{Entity: "user", EntityKey: "amina", Action: audit.ActionUpdate})
			return total
		}

		// Two people open the form; the first to save wins, the second is told.
		first, second := read(), read()
		first.DisplayName = "Amina D."
		if err := db.UpdateUser(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first.Version != 2 {
			t.Errorf("version after the first save = %d, want 2", first.Version)
		}
		second.DisplayName, second.Role = "Overwritten", user.RoleAdmin
		wantCode(t, db.UpdateUser(ctx, second), apperr.Conflict)
		if u := read(); u.DisplayName != "Amina D." || u.Role != user.RoleOfficer || u.Version != 2 {
			t.Errorf("after a stale save: %q, %s, version %d; want the first save kept (Amina D., officer, 2)", u.DisplayName, u.Role, u.Version)
		}
		if n := updates(); n != 1 {
			t.Errorf("%d updates of amina in the trail after a stale save, want 1", n)
		}

		// Another account's address, in any case, is refused on the e-mail field.
		u := read()
		u.Email = "BEN@example.org"
		wantField(t, db.UpdateUser(ctx, u), apperr.Conflict, "email")
		if got := read(); got.Email != "amina@example.org" || got.Version != 2 {
			t.Errorf("after a taken address: %q, version %d; want amina@example.org, 2", got.Email, got.Version)
		}
		// The account's own address in another case is not a conflict.
		u = read()
		u.Email = "Amina@Example.org"
		if err := db.UpdateUser(ctx, u); err != nil {
			t.Errorf("changing the case of one's own address: %v", err)
		}

		// Deactivating ends the account's sessions, and reactivating does not bring them back.
		for _, s := range []struct {
			hash string
			id   int64
		}{{"amina-laptop", amina.ID}, {"amina-phone", amina.ID}} {
			if err := db.CreateSession(ctx, s.hash, s.id); err != nil {
				t.Fatal(err)
			}
		}
		benUser, err := db.UserByUsername(ctx, "ben")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "ben-laptop", benUser.ID); err != nil {
			t.Fatal(err)
		}
		u = read()
		u.Active = false
		if err := db.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		for hash, want := range map[string]bool{"amina-laptop": false, "amina-phone": false, "ben-laptop": true} {
			if _, ok, err := db.SessionLastSeenForTest(ctx, hash); err != nil || ok != want {
				t.Errorf("session %s stored after deactivating amina = %v (%v), want %v", hash, ok, err, want)
			}
		}
		u.Active = true
		if err := db.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		_, err = db.SessionUser(ctx, "amina-laptop")
		wantCode(t, err, apperr.Unauthorized)

		ghost := newUser("ghost", user.RoleViewer, true)
		ghost.ID, ghost.Version = 987654321, 1
		wantCode(t, db.UpdateUser(ctx, ghost), apperr.NotFound)
	})
}
