package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

var mailLink = regexp.MustCompile(`https://pactum\.example\.org(/[a-z/]+)\?token=([A-Za-z0-9_%-]+)`)

// lastLink returns the path and token of the link in the newest e-mail to address, and the
// e-mail's subject and text.
func (a *testApp) lastLink(address string) (path, token, text string) {
	a.t.Helper()
	queued, _, err := a.db.MailOutbox(context.Background(), 100)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, q := range queued {
		if q.Message.To != address {
			continue
		}
		m := mailLink.FindStringSubmatch(q.Message.Text)
		if m == nil {
			a.t.Fatalf("no link in the e-mail to %s:\n%s", address, q.Message.Text)
		}
		path, text = m[1], q.Message.Subject+"\n"+q.Message.Text
		token, _ = url.QueryUnescape(m[2])
	}
	if path == "" {
		a.t.Fatalf("no e-mail to %s in the outbox", address)
	}
	return path, token, text
}

func TestRegistrationNeedsAVerifiedAddress(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.client("")
	form := url.Values{"display_name": {"Ana López"}, "organisation": {"Cóndor Conecta"}, "email": {"ana@condor.example"},
		"password": {"short"}, "confirm_password": {"short"}, "language": {"es"}}
	resp, body := app.postBody(c, "/register?lang=es", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Cóndor Conecta"`) || !strings.Contains(body, "al menos 10 caracteres") {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	form.Set("password", "un secreto bastante largo")
	form.Set("confirm_password", "un secreto bastante largo")
	if resp, body := app.postBody(c, "/register", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, "ana@condor.example") {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	// Before the address is confirmed, the account cannot sign in.
	if r := app.post(app.client(""), "/login", url.Values{"username": {"ana@condor.example"}, "password": {"un secreto bastante largo"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("sign in before verification: %d, want 403", r.StatusCode)
	}
	if _, outbox := app.get(app.client(user.RoleAdmin), "/admin/mail"); !strings.Contains(outbox, "ana@condor.example") || !strings.Contains(outbox, "1 message waiting") {
		t.Error("the outbox page does not list the verification e-mail")
	}
	path, token, text := app.lastLink("ana@condor.example")
	if path != "/verify" || strings.Contains(text, "Ana López") || !strings.Contains(text, "Hola:") || !strings.Contains(text, "Confirme") {
		t.Errorf("verification e-mail (want it in Spanish, without the name typed in the form):\n%s", text)
	}
	if resp, _ := app.get(c, "/verify?token="+url.QueryEscape(token)); resp.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d", resp.StatusCode)
	}
	if resp, _ := app.get(c, "/verify?token="+url.QueryEscape(token)); resp.StatusCode != http.StatusGone {
		t.Errorf("the verification link works twice: %d", resp.StatusCode)
	}
	r := app.post(app.client(""), "/login", url.Values{"username": {"ana@condor.example"}, "password": {"un secreto bastante largo"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
		t.Errorf("sign in after verification: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	u, err := app.db.UserByLogin(context.Background(), "ana@condor.example")
	if err != nil || u.Role != user.RoleExternal || u.Organisation != "Cóndor Conecta" {
		t.Errorf("registered account: %+v %v", u, err)
	}
	// The same address cannot register twice.
	resp, body = app.postBody(app.client(""), "/register", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Another account already uses this e-mail address.") {
		t.Errorf("second registration with the same address: %d", resp.StatusCode)
	}
}

func TestForgottenPasswordIsResetByAnEmailedLink(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	u, _ := app.db.UserByUsername(ctx, "officer")
	u.Email = "officer@example.org"
	if err := app.db.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	c := app.client("")
	_, known := app.postBody(c, "/password/forgot", url.Values{"login": {"officer"}})
	_, unknown := app.postBody(c, "/password/forgot", url.Values{"login": {"nobody@example.org"}})
	if !strings.Contains(known, "If an account matches") || !strings.Contains(unknown, "If an account matches") {
		t.Fatal("the forgotten-password page does not answer the same for known and unknown accounts")
	}
	path, token, _ := app.lastLink("officer@example.org")
	if path != "/password/reset" {
		t.Fatalf("reset link path %q", path)
	}
	// Asking again at once sends no second e-mail.
	app.postBody(c, "/password/forgot", url.Values{"login": {"officer@example.org"}})
	if queued, _, _ := app.db.MailOutbox(ctx, 100); len(queued) != 1 {
		t.Errorf("%d e-mails after two requests in a minute, want 1", len(queued))
	}
	if resp, body := app.get(c, "/password/reset?token="+url.QueryEscape(token)); resp.StatusCode != http.StatusOK || !strings.Contains(body, "officer") {
		t.Fatalf("reset page: %d", resp.StatusCode)
	}
	resp, _ := app.postBody(c, "/password/reset", url.Values{"token": {token}, "password": {"my renewed passphrase"}, "confirm_password": {"my renewed passphrase"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/start" {
		t.Fatalf("set the new password: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"officer"}, "password": {testPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password after reset: %d", r.StatusCode)
	}
	if resp, _ := app.postBody(app.client(""), "/password/reset", url.Values{"token": {token}, "password": {"yet another passphrase"}, "confirm_password": {"yet another passphrase"}}); resp.StatusCode != http.StatusGone {
		t.Errorf("reset link used twice: %d, want 410", resp.StatusCode)
	}
}

func TestAnInvitedUserChoosesAPassword(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	admin := app.client(user.RoleAdmin)
	form := url.Values{"username": {"amina"}, "email": {"amina@example.org"}, "display_name": {"أمينة"}, "role": {"regional_officer"}, "region": {"ARB"}, "language": {"ar"}}
	resp, _ := app.postBody(admin, "/admin/users", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	path, token, text := app.lastLink("amina@example.org")
	if path != "/invite" || !strings.Contains(text, "amina") || !strings.Contains(text, "Pactum") || !strings.ContainsAny(text, "ابتث") {
		t.Errorf("invitation e-mail (want it in Arabic):\n%s", text)
	}
	c := app.client("")
	resp, _ = app.postBody(c, "/invite", url.Values{"token": {token}, "password": {"كلمة مرور طويلة جدا"}, "confirm_password": {"كلمة مرور طويلة جدا"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/start" {
		t.Fatalf("accept the invitation: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := app.get(c, "/start"); !strings.Contains(body, `lang="ar" dir="rtl"`) {
		t.Error("the invited user's start page is not in Arabic")
	}
	// The same user name cannot be invited twice.
	resp, body := app.postBody(admin, "/admin/users", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "is taken") {
		t.Errorf("inviting amina twice: %d", resp.StatusCode)
	}
}

// One client address registers a few accounts an hour: each costs a password hash and an e-mail,
// so an address may not make Pactum hash and mail without end. The refusal keeps the form.
func TestRegistrationsPerAddressAreLimited(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	register := func(i int) (*http.Response, string) {
		return app.postBody(app.client(""), "/register", url.Values{"display_name": {"Ana"}, "organisation": {"Condor"},
			"email": {fmt.Sprintf("ana%d@condor.example", i)}, "language": {"es"}, "password": {"a long enough password"}, "confirm_password": {"a long enough password"}})
	}
	for i := range signupsPerAddress {
		if resp, _ := register(i); resp.StatusCode != http.StatusOK {
			t.Fatalf("registration %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp, body := register(signupsPerAddress)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("registration %d from one address: status %d, Retry-After %q; want 429 with Retry-After", signupsPerAddress+1, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "Too many accounts were registered from your network") || !strings.Contains(body, fmt.Sprintf("ana%d@condor.example", signupsPerAddress)) {
		t.Error("the refusal does not say why, or lost the form")
	}
	if _, err := app.db.UserByLogin(t.Context(), fmt.Sprintf("ana%d@condor.example", signupsPerAddress)); err == nil {
		t.Error("the refused registration created an account")
	}
}

// The verification e-mail goes to an address nobody has proven: it carries none of the text the
// registration form was given, so that it cannot carry someone's message in the bureau's name.
func TestVerificationMailCarriesNoTextOfTheForm(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	resp, _ := app.postBody(app.client(""), "/register", url.Values{"display_name": {"Claim your prize at http://evil.example"},
		"organisation": {"Prize Office"}, "email": {"victim@example.org"}, "language": {"fr"},
		"password": {"a long enough password"}, "confirm_password": {"a long enough password"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	queued, n, err := app.db.MailOutbox(t.Context(), 10)
	if err != nil || n != 1 {
		t.Fatalf("outbox: %d, %v", n, err)
	}
	m := queued[0].Message
	for _, typed := range []string{"evil.example", "Claim your prize", "Prize Office"} {
		if strings.Contains(m.Text, typed) || strings.Contains(m.Subject, typed) || strings.Contains(m.ToName, typed) {
			t.Errorf("the verification e-mail carries %q: to %q, %q", typed, m.ToName, m.Text)
		}
	}
	if m.To != "victim@example.org" || !strings.Contains(m.Text, "/verify?token=") || !strings.HasPrefix(m.Text, "Bonjour,") {
		t.Errorf("the verification e-mail: to %q, %q", m.To, m.Text)
	}
}
