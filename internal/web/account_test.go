package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// postBody posts a form with headers given as name, value pairs, and reads the answer.
func (a *testApp) postBody(c *http.Client, path string, form url.Values, header ...string) (*http.Response, string) {
	a.t.Helper()
	return a.postForm(c, path, form.Encode(), header...)
}

func TestChangingThePasswordEndsOtherSessions(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	here, elsewhere := app.client(user.RoleOfficer), app.client(user.RoleOfficer)
	const newPassword = "a brand new passphrase"

	resp, body := app.postBody(here, "/account/password", url.Values{"current_password": {"wrong"}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This is not your current password.") {
		t.Fatalf("wrong current password: %d", resp.StatusCode)
	}
	resp, body = app.postBody(here, "/account/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}, "confirm_password": {newPassword + "!"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The two new passwords differ.") {
		t.Fatalf("confirmation differs: %d", resp.StatusCode)
	}
	resp, body = app.postBody(here, "/account/password", url.Values{"current_password": {testPassword}, "new_password": {"short"}, "confirm_password": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 10 characters") {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	resp, _ = app.postBody(here, "/account/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}, "confirm_password": {newPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", resp.StatusCode)
	}
	if resp, _ := app.get(here, "/account"); resp.StatusCode != http.StatusOK {
		t.Errorf("this session after the change: %d, want it kept", resp.StatusCode)
	}
	if resp, _ := app.get(elsewhere, "/account"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another session after the change: %d, want it ended", resp.StatusCode)
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {testPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", r.StatusCode)
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {newPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d", r.StatusCode)
	}
}

func TestTheChosenLanguageFollowsTheUser(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.client(user.RoleViewer)
	u, _ := app.db.UserByUsername(context.Background(), "viewer")
	resp, _ := app.postBody(c, "/account", url.Values{"display_name": {"Вера"}, "language": {"ru"}, "version": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save profile: %d", resp.StatusCode)
	}
	// On another device, with no cookie and an English browser, the preference decides.
	other := app.client(user.RoleViewer)
	_, body := app.get(other, "/start", "Accept-Language", "en")
	if m := htmlTag.FindStringSubmatch(body); m == nil || m[1] != "ru" || !strings.Contains(body, "Вера") {
		t.Errorf("after choosing Russian, a new session shows %v", m)
	}
	// A stale version is refused with the reason, and nothing is lost from the form.
	resp, body = app.postBody(c, "/account", url.Values{"display_name": {"Vera"}, "language": {"fr"}, "version": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Vera"`) {
		t.Errorf("stale profile save: %d", resp.StatusCode)
	}
	after, _ := app.db.UserByUsername(context.Background(), "viewer")
	if after.Version != u.Version+1 || after.DisplayName != "Вера" {
		t.Errorf("after a stale save the account is %+v", after)
	}
}

func TestRepeatedFailuresSlowDownThenLockSignIn(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.client("")
	for i := 0; i < 3; i++ {
		if r := app.post(c, "/login", url.Values{"username": {"viewer"}, "password": {"guess"}}); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, r.StatusCode)
		}
	}
	// Now even the right password must wait.
	resp, body := app.postBody(c, "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Please wait") {
		t.Fatalf("attempt right after three failures: %d", resp.StatusCode)
	}
	time.Sleep(1100 * time.Millisecond)
	if r := app.post(c, "/login", url.Values{"username": {"viewer"}, "password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the wait: %d", r.StatusCode)
	}

	// Ten failures from another address lock the user name there, not here: guessing from
	// elsewhere cannot lock a person out of their own office. The administrator sees the lock.
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		elsewhere := user.ThrottleKey{Kind: user.ThrottleUser, Value: "officer", Address: "192.0.2.66"}
		if err := app.db.RecordSignInFailure(ctx, time.Now(), elsewhere); err != nil {
			t.Fatal(err)
		}
	}
	_, page := app.get(app.client(user.RoleAdmin), "/admin/users/officer")
	if !strings.Contains(page, "Sign-in is locked") {
		t.Error("the user page does not say the account is locked")
	}
	if _, start := app.get(app.client(user.RoleAdmin), "/start"); !strings.Contains(start, "1 account is locked after failed sign-ins") {
		t.Error("the administrator's start page does not point at the locked account")
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in from this address while another address is locked out: %d", r.StatusCode)
	}

	// Ten failures from this address lock the user name here, whatever the password.
	key := user.ThrottleKey{Kind: user.ThrottleUser, Value: "officer", Address: "127.0.0.1"}
	for i := 0; i < 10; i++ {
		if err := app.db.RecordSignInFailure(ctx, time.Now(), key); err != nil {
			t.Fatal(err)
		}
	}
	resp, body = app.postBody(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "locked") {
		t.Fatalf("locked account: %d", resp.StatusCode)
	}
	if r := app.post(app.client(user.RoleAdmin), "/admin/users/officer/unlock", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", r.StatusCode)
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in after unlock: %d", r.StatusCode)
	}
}

func TestExternalAccountsSignInWithTheirEmailAndLandOnTheirAccount(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	r := app.post(app.client(""), "/login", url.Values{"username": {"External@Example.org"}, "password": {testPassword}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Errorf("external sign-in by e-mail: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if resp, _ := app.get(app.client(user.RoleExternal), "/start"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("external account on the staff start page: %d, want 403", resp.StatusCode)
	}
	// Failures by e-mail address count against the account, as failures by user name do.
	for i := 0; i < 3; i++ {
		app.post(app.client(""), "/login", url.Values{"username": {"EXTERNAL@example.org"}, "password": {"guess"}})
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"external"}, "password": {testPassword}}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sign-in by user name after three failures by e-mail: %d, want 429", r.StatusCode)
	}
}
