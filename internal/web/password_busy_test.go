package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"pactum/internal/i18n"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// When every password-hashing slot stays taken, the forms that hash a password answer 503 with
// Retry-After and what was typed, instead of hashing without bound; the attempts cost the person
// no throttle count, so the right password works at once when the server is free again.
func TestPasswordFormsAnswerBusyWhenHashingIsSaturated(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	saturated := user.NewHasher(0, 10*time.Millisecond)
	officer := app.sessionClient(user.RoleOfficer)
	app.server.opts.Passwords = saturated

	busy := func(what string, resp *http.Response, body string, kept string) {
		t.Helper()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s while hashing is saturated: status %d, want 503", what, resp.StatusCode)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", what)
		}
		if !strings.Contains(body, "checking many passwords") {
			t.Errorf("%s: the page does not say why", what)
		}
		if kept != "" && !strings.Contains(body, kept) {
			t.Errorf("%s: the form lost %s", what, kept)
		}
	}
	for i := range 12 { // more than the throttle's lock: none of them may count
		resp, body := app.postBody(app.client(""), "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})
		if i == 0 {
			busy("sign-in", resp, body, `value="viewer"`)
		} else if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("sign-in %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp, body := app.postBody(app.client(""), "/register", url.Values{"display_name": {"Lin Wei"}, "organisation": {"Example Telecom"},
		"email": {"lin.wei@example.com"}, "language": {"zh"}, "password": {"a long enough password"}, "confirm_password": {"a long enough password"}})
	busy("registration", resp, body, `value="lin.wei@example.com"`)
	if _, err := app.db.UserByLogin(t.Context(), "lin.wei@example.com"); err == nil {
		t.Error("a registration refused as busy created the account")
	}
	resp, body = app.postBody(officer, "/account/password", url.Values{"current_password": {testPassword},
		"new_password": {"a new long password"}, "confirm_password": {"a new long password"}})
	busy("password change", resp, body, "")

	app.server.opts.Passwords = user.NewHasher(2, time.Second)
	if r := app.post(app.client(""), "/login", url.Values{"username": {"viewer"}, "password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the right password once the server is free: status %d, want a sign-in", r.StatusCode)
	}
}

// A burst of sign-ins sent at once from one address is throttled as if sent one by one: only as
// many as the address's count lets through reach the (64 MiB) password check and fail, the rest
// are told to wait before any hashing.
func TestABurstOfBadSignInsIsThrottledBeforeHashing(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	app.server.opts.Passwords = user.NewHasher(2, time.Minute)
	checkedAt := 0
	for n := 1; user.SignInDelay(user.ThrottleAddress, n-1) == 0; n++ {
		checkedAt = n
	}
	const burst = 40
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			// Each attempt names another user: only the address's count throttles them.
			resp := app.post(app.client(""), "/login", url.Values{"username": {fmt.Sprintf("nobody-%d", i)}, "password": {"guess"}})
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	// On a loaded machine (the race detector beside other work) an attempt may find the database's
	// one writer busy for longer than a save waits, and is answered "busy, try again" (503)
	// instead of being counted and checked: never more are checked than one by one would be, and
	// every attempt the count lets through is checked unless it was told the server is busy.
	checked, busy := statuses[http.StatusUnauthorized], statuses[http.StatusServiceUnavailable]
	if checked > checkedAt || checked < checkedAt-busy || checked+busy+statuses[http.StatusTooManyRequests] != burst {
		t.Errorf("%d simultaneous bad sign-ins from one address: statuses %v, want %d checked (401) and %d told to wait (429), "+
			"a check replaced by a busy answer (503) at most", burst, statuses, checkedAt, burst-checkedAt)
	}
}

// BenchmarkSimultaneousBadSignIns sends 200 bad sign-ins at once, each from its own client
// address so that no throttle stops them, straight to the handler, and reports the peak of the
// Go heap while they are answered (peak-heap-MiB) and how many were checked (checked/op) or
// refused as busy (busy/op). The figures are in docs/performance.md.
func BenchmarkSimultaneousBadSignIns(b *testing.B) {
	bundle, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	app, err := New(storetest.OpenSQLite(b), bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{BaseURL: "http://bench"})
	if err != nil {
		b.Fatal(err)
	}
	handler := app.Handler()
	const burst = 200
	var peak uint64
	checked, busy, round := 0, 0, 0
	for b.Loop() {
		round++
		done := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var m runtime.MemStats
			var top uint64
			for {
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapAlloc)
				select {
				case <-done:
					sampled <- top
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() {
				form := url.Values{"username": {fmt.Sprintf("nobody-%d", i)}, "password": {"guess"}}
				req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// Addresses of no network: only their text reaches the handler.
				req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", round%250, i/250, 1+i%250)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				mu.Lock()
				defer mu.Unlock()
				switch rec.Code {
				case http.StatusUnauthorized:
					checked++
				case http.StatusServiceUnavailable:
					busy++
				}
			})
		}
		wg.Wait()
		close(done)
		peak = max(peak, <-sampled)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(checked)/float64(b.N), "checked/op")
	b.ReportMetric(float64(busy)/float64(b.N), "busy/op")
}
