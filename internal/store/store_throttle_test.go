package store_test

import (
	"sync"
	"testing"
	"time"

	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// A burst of sign-in attempts sent at once is throttled like the same attempts one after the
// other: as many reach the password check as the policy lets through before its first wait, the
// rest are refused before any password is hashed.
func TestABurstOfSignInsPassesNoMoreThanOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		waitAt, _ := throttlePoints(t, user.ThrottleUser)
		keys := []user.ThrottleKey{
			{Kind: user.ThrottleUser, Value: "amina", Address: "192.0.2.7"},
			{Kind: user.ThrottleAddress, Value: "192.0.2.7"},
		}
		const burst = 40
		var wg sync.WaitGroup
		var mu sync.Mutex
		admitted, refused := 0, 0
		for range burst {
			wg.Go(func() {
				until, _, err := db.BeginSignIn(t.Context(), t0, keys...)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("begin sign-in: %v", err)
				case until.IsZero():
					admitted++
				default:
					refused++
				}
			})
		}
		wg.Wait()
		if admitted != waitAt || refused != burst-waitAt {
			t.Errorf("%d attempts at once: %d reached the password check and %d were refused, want %d and %d",
				burst, admitted, refused, waitAt, burst-waitAt)
		}
	})
}

// A user name's failures are counted per client address: guesses from one address lock the name
// there only. Administrators see the name as locked and lift every lock of it at once.
func TestSignInLocksANameFromOneAddressOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		_, lockAt := throttlePoints(t, user.ThrottleUser)
		attacker := user.ThrottleKey{Kind: user.ThrottleUser, Value: "Amina", Address: "198.51.100.9"}
		office := user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina", Address: "192.0.2.7"}
		for range lockAt {
			mustFail(t, db, t0, attacker)
		}
		if _, locked := blockedUntil(t, db, t0, attacker); !locked {
			t.Fatalf("after %d failures from one address the name is not locked there", lockAt)
		}
		if until, locked := blockedUntil(t, db, t0, office); locked || !until.IsZero() {
			t.Errorf("the name from another address: blocked until %v (locked %v), want free", until, locked)
		}
		if until, _, err := db.BeginSignIn(ctx, t0, office, user.ThrottleKey{Kind: user.ThrottleAddress, Value: "192.0.2.7"}); err != nil || !until.IsZero() {
			t.Errorf("sign-in from the office: blocked until %v, %v; want it checked", until, err)
		}
		if locked, err := db.NameLocked(ctx, t0, "AMINA"); err != nil || !locked {
			t.Errorf("NameLocked: %v, %v; want the name shown as locked", locked, err)
		}
		// A second address locking the same name is still one locked account.
		for range lockAt {
			mustFail(t, db, t0, user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina", Address: "203.0.113.5"})
		}
		if n, err := db.CountLockedNames(ctx, t0); err != nil || n != 1 {
			t.Errorf("locked names: %d, %v; want 1", n, err)
		}
		if err := db.UnlockName(ctx, "amina"); err != nil {
			t.Fatal(err)
		}
		if locked, err := db.NameLocked(ctx, t0, "amina"); err != nil || locked {
			t.Errorf("after unlocking: locked %v, %v", locked, err)
		}
		if until, locked := blockedUntil(t, db, t0, attacker); locked || !until.IsZero() {
			t.Errorf("after unlocking, from the attacker's address: blocked until %v (locked %v), want free", until, locked)
		}
	})
}

// The failure counted before a password check is taken back when the password was right (the
// Name's count at that address ends, the address keeps others' failures) or was never checked.
func TestSignInCountTakenBackWhenNotAFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		addrWait, _ := throttlePoints(t, user.ThrottleAddress)
		addr := user.ThrottleKey{Kind: user.ThrottleAddress, Value: "192.0.2.7"}
		// Others' failures from the address, one short of its wait.
		for range addrWait - 1 {
			mustFail(t, db, t0, user.ThrottleKey{Kind: user.ThrottleUser, Value: "guess", Address: "192.0.2.7"}, addr)
		}
		name := user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina", Address: "192.0.2.7"}
		for range 5 {
			if until, _, err := db.BeginSignIn(ctx, t0, name, addr); err != nil || !until.IsZero() {
				t.Fatalf("a sign-in that succeeds: blocked until %v, %v", until, err)
			}
			if err := db.EndSignIn(ctx, name, addr); err != nil {
				t.Fatal(err)
			}
		}
		// Five good sign-ins later, the address is still one failure short of its wait.
		if until, _ := blockedUntil(t, db, t0, addr); !until.IsZero() {
			t.Errorf("after good sign-ins the address is blocked until %v", until)
		}
		mustFail(t, db, t0, addr)
		if until, _ := blockedUntil(t, db, t0, addr); until.IsZero() {
			t.Errorf("failure %d from the address brought no wait: good sign-ins were counted or others' failures forgotten", addrWait)
		}
		// An attempt that was never checked counts nothing.
		other := user.ThrottleKey{Kind: user.ThrottleUser, Value: "ben", Address: "203.0.113.5"}
		for range 10 {
			if _, _, err := db.BeginSignIn(ctx, t0, other); err != nil {
				t.Fatal(err)
			}
			if err := db.TakeBackSignIn(ctx, other); err != nil {
				t.Fatal(err)
			}
		}
		if until, locked := blockedUntil(t, db, t0, other); locked || !until.IsZero() {
			t.Errorf("after attempts taken back: blocked until %v (locked %v)", until, locked)
		}
	})
}

// The failure's wait starts from its answer: a slow password check does not use it up.
func TestFailedSignInWaitsFromItsAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		waitAt, _ := throttlePoints(t, user.ThrottleUser)
		key := user.ThrottleKey{Kind: user.ThrottleUser, Value: "amina", Address: "192.0.2.7"}
		answered := t0
		for n := 1; n <= waitAt; n++ {
			begun := answered
			if until, _, err := db.BeginSignIn(ctx, begun, key); err != nil || !until.IsZero() {
				t.Fatalf("attempt %d: blocked until %v, %v", n, until, err)
			}
			answered = begun.Add(2 * time.Second) // the check took two seconds
			if err := db.EndFailedSignIn(ctx, answered, key); err != nil {
				t.Fatal(err)
			}
		}
		want := answered.Add(user.SignInDelay(user.ThrottleUser, waitAt))
		if until, _ := blockedUntil(t, db, answered, key); !until.Equal(want) {
			t.Errorf("after %d failures answered at %v: blocked until %v, want %v", waitAt, answered, until, want)
		}
	})
}

// A rate limit lets limit actions through in a window, also when they come at once, and refuses
// the rest until the window ends; keys are counted apart.
func TestCountRequestLimitsAWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const limit = 3
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowedCount := 0
		for range 20 {
			wg.Go(func() {
				allowed, _, err := db.CountRequest(ctx, t0, "signup ip:192.0.2.7", limit, time.Hour)
				if err != nil {
					t.Errorf("count request: %v", err)
				}
				mu.Lock()
				defer mu.Unlock()
				if allowed {
					allowedCount++
				}
			})
		}
		wg.Wait()
		if allowedCount != limit {
			t.Errorf("20 requests at once with a limit of %d: %d allowed", limit, allowedCount)
		}
		later := t0.Add(40 * time.Minute)
		allowed, retryAfter, err := db.CountRequest(ctx, later, "signup ip:192.0.2.7", limit, time.Hour)
		if err != nil || allowed || retryAfter != 20*time.Minute {
			t.Errorf("within the window: allowed %v, retry after %v, %v; want refused for 20 minutes", allowed, retryAfter, err)
		}
		if allowed, _, err := db.CountRequest(ctx, later, "signup ip:192.0.2.8", limit, time.Hour); err != nil || !allowed {
			t.Errorf("another key: allowed %v, %v", allowed, err)
		}
		for i := range limit {
			if allowed, _, err := db.CountRequest(ctx, t0.Add(time.Hour), "signup ip:192.0.2.7", limit, time.Hour); err != nil || !allowed {
				t.Errorf("request %d of the next window: allowed %v, %v", i+1, allowed, err)
			}
		}
	})
}

// The daily purge deletes only counts that can no longer refuse anything.
func TestPurgeCountersKeepsWhatStillRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		_, lockAt := throttlePoints(t, user.ThrottleUser)
		old := user.ThrottleKey{Kind: user.ThrottleUser, Value: "old", Address: "192.0.2.1"}
		locked := user.ThrottleKey{Kind: user.ThrottleUser, Value: "locked", Address: "192.0.2.1"}
		mustFail(t, db, t0, old)
		purgeAt := t0.Add(user.FailureWindow + time.Minute)
		lockedAt := purgeAt.Add(-time.Minute)
		for range lockAt {
			mustFail(t, db, lockedAt, locked)
		}
		if _, _, err := db.CountRequest(ctx, t0.Add(-25*time.Hour), "signup ip:192.0.2.1", 1, time.Hour); err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeCounters(ctx, purgeAt)
		if err != nil || n != 2 {
			t.Errorf("purge: %d rows, %v; want the old failure and the old request count", n, err)
		}
		if _, l := blockedUntil(t, db, purgeAt, locked); !l {
			t.Error("the purge lifted a lock that had not ended")
		}
	})
}
