package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// newToken finds the token a page shows once after its creation.
var newToken = regexp.MustCompile(`id="new-token" type="text" value="(` + user.APITokenPrefix + `[A-Za-z0-9_-]+)"`)

// apiStatus is the status the API answers a call with token.
func (a *testApp) apiStatus(token string) int {
	a.t.Helper()
	resp, _ := a.get(&http.Client{}, "/api/v1/partners", "Authorization", "Bearer "+token)
	return resp.StatusCode
}

// tokensOf returns the API tokens of the account username.
func (a *testApp) tokensOf(username string) []user.APIToken {
	a.t.Helper()
	u, err := a.db.UserByUsername(context.Background(), username)
	if err != nil {
		a.t.Fatal(err)
	}
	list, err := a.db.APITokens(context.Background(), u.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return list
}

// createTokenOnAccountPage creates a token through the account page's form and returns it.
func (a *testApp) createTokenOnAccountPage(c *http.Client, name, expires string) string {
	a.t.Helper()
	resp, body := a.postBody(c, "/account/tokens", url.Values{"name": {name}, "expires": {expires}})
	m := newToken.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		a.t.Fatalf("create token %q: %d, token shown: %v", name, resp.StatusCode, m)
	}
	return m[1]
}

func TestTheAccountPageCreatesListsAndRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		bundle, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		en := bundle.Localizer("en")
		c := app.client(user.RoleOfficer)
		if _, body := app.get(c, "/account"); !strings.Contains(body, "API tokens") || !strings.Contains(body, "You have no API tokens.") {
			t.Fatalf("account page without tokens:\n%s", body)
		}

		// A token needs a name, and one of the offered expiries; what was typed is kept.
		resp, body := app.postBody(c, "/account/tokens", url.Values{"name": {""}, "expires": {"90"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Please fill this in.") {
			t.Errorf("token without a name: %d", resp.StatusCode)
		}
		resp, body = app.postBody(c, "/account/tokens", url.Values{"name": {"Forever and a day"}, "expires": {"7"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Forever and a day"`) {
			t.Errorf("token with an expiry not offered: %d", resp.StatusCode)
		}
		if len(app.tokensOf("officer")) != 0 {
			t.Fatal("a refused form stored a token")
		}

		// The new token is shown once, in the answer to the form, never in an address nor in a
		// page that a cache may keep.
		resp, body = app.postBody(c, "/account/tokens", url.Values{"name": {"IATI export"}, "expires": {"90"}})
		m := newToken.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "will not show it again") {
			t.Fatalf("new token page: %d\n%s", resp.StatusCode, body)
		}
		token := m[1]
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Location") != "" {
			t.Errorf("new token page: Cache-Control %q, Location %q; want no-store and no redirect", resp.Header.Get("Cache-Control"), resp.Header.Get("Location"))
		}
		_, page := app.get(c, "/account")
		if strings.Contains(page, token) {
			t.Error("the account page shows the token a second time")
		}
		list := app.tokensOf("officer")
		if len(list) != 1 {
			t.Fatalf("officer has %d tokens, want 1", len(list))
		}
		tok := list[0]
		if d := time.Until(tok.ExpiresAt) - 90*24*time.Hour; d > time.Minute || d < -time.Minute {
			t.Errorf("token chosen to last 90 days expires at %v", tok.ExpiresAt)
		}
		// The list gives the name, the dates in the reader's language, and that it was never used.
		for _, want := range []string{"IATI export", en.Date(civil.Of(tok.CreatedAt)), en.DateTime(tok.ExpiresAt, false), "Never"} {
			if !strings.Contains(page, want) {
				t.Errorf("the account page lacks %q", want)
			}
		}
		fr := bundle.Localizer("fr")
		if _, page := app.get(c, "/account?lang=fr"); !strings.Contains(page, "Jetons d&#39;API") || !strings.Contains(page, fr.DateTime(tok.ExpiresAt, false)) {
			t.Error("the French account page lacks its title for tokens or the expiry in French")
		}
		app.get(c, "/?lang=en")

		// Using the token is noted (in the background: the call does not wait for the write).
		if status := app.apiStatus(token); status != http.StatusOK {
			t.Fatalf("API with the new token: %d", status)
		}
		deadline := time.Now().Add(5 * time.Second)
		for app.tokensOf("officer")[0].LastUsedAt.IsZero() && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		used := app.tokensOf("officer")[0].LastUsedAt
		if used.IsZero() {
			t.Fatal("the token's use was not noted")
		}
		if _, page := app.get(c, "/account"); !strings.Contains(page, en.DateTime(used, false)) {
			t.Errorf("the account page lacks the last use %q", en.DateTime(used, false))
		}

		// Nobody else can revoke it: to them it does not exist.
		revoke := "/account/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
		if resp := app.post(app.client(user.RoleViewer), revoke, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another user revoking the token: %d, want 404", resp.StatusCode)
		}
		if status := app.apiStatus(token); status != http.StatusOK {
			t.Fatalf("API after another user tried to revoke the token: %d", status)
		}
		resp = app.post(c, revoke, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?saved=token_revoked" {
			t.Fatalf("revoke: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, page := app.get(c, "/account?saved=token_revoked"); !strings.Contains(page, "The token is revoked") || strings.Contains(page, "IATI export") {
			t.Error("the account page after the revocation lacks the notice or still lists the token")
		}
		if status := app.apiStatus(token); status != http.StatusUnauthorized {
			t.Errorf("API with the revoked token: %d, want 401", status)
		}
		if resp := app.post(c, revoke, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoking the token again: %d, want 404", resp.StatusCode)
		}

		// The trail says who created and revoked it.
		entries, _, err := db.AuditEntries(context.Background(), audit.Filter{Entity: "api_token"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Action+" by "+e.Actor)
		}
		if strings.Join(got, ", ") != "delete by officer, create by officer" {
			t.Errorf("trail of the token: %v, want its creation and revocation by officer", got)
		}
	})
}

func TestExternalAccountsCannotCreateTokens(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.client(user.RoleExternal)
	if _, body := app.get(c, "/account"); strings.Contains(body, `action="/account/tokens"`) {
		t.Error("the account page of an external account offers to create a token, which the API would refuse")
	}
	if resp := app.post(c, "/account/tokens", url.Values{"name": {"x"}, "expires": {"30"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("external account creating a token: %d, want 403", resp.StatusCode)
	}
}

func TestAdministratorsRevokeAUsersTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		token := app.token(user.RoleOfficer)
		id := strconv.FormatInt(app.tokensOf("officer")[0].ID, 10)
		admin := app.client(user.RoleAdmin)
		if _, page := app.get(admin, "/admin/users/officer"); !strings.Contains(page, `action="/admin/users/officer/tokens/`+id+`/revoke"`) {
			t.Fatalf("the user page lacks the officer's token:\n%s", page)
		}
		if _, page := app.get(admin, "/admin/users/viewer"); !strings.Contains(page, "This user has no API tokens.") {
			t.Error("the page of a user without tokens does not say so")
		}
		// Under another user's name the token is not found.
		if resp := app.post(admin, "/admin/users/viewer/tokens/"+id+"/revoke", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoking the officer's token as the viewer's: %d, want 404", resp.StatusCode)
		}
		resp := app.post(admin, "/admin/users/officer/tokens/"+id+"/revoke", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users/officer?saved=token_revoked" {
			t.Fatalf("revoke: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if status := app.apiStatus(token); status != http.StatusUnauthorized {
			t.Errorf("API with the token an administrator revoked: %d, want 401", status)
		}
		if _, page := app.get(admin, "/admin/users/officer?saved=token_revoked"); !strings.Contains(page, "The token is revoked") {
			t.Error("the user page does not confirm the revocation")
		}
	})
}

func TestTheAPIRefusesAnExpiredToken(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	u, err := app.db.UserByUsername(context.Background(), "viewer")
	if err != nil {
		t.Fatal(err)
	}
	token, _ := user.NewSecret(user.APITokenPrefix)
	expires := time.Now().Add(time.Second)
	if err := app.db.CreateAPIToken(context.Background(), &user.APIToken{UserID: u.ID, Name: "brief", ExpiresAt: expires}, user.HashSecret(token)); err != nil {
		t.Fatal(err)
	}
	if status := app.apiStatus(token); status != http.StatusOK {
		t.Fatalf("API before the expiry: %d", status)
	}
	time.Sleep(time.Until(expires) + 100*time.Millisecond)
	resp, body := app.get(&http.Client{}, "/api/v1/partners", "Authorization", "Bearer "+token)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") || !strings.Contains(body, `"error"`) {
		t.Errorf("API after the expiry: %d %q %s, want 401 invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
}

// A new password revokes the user's tokens, whether set on the account page or through a reset
// link (and by 'pactum user passwd', tested with the command).
func TestANewPasswordRevokesTheUsersTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		c := app.client(user.RoleOfficer)
		token := app.createTokenOnAccountPage(c, "Dashboard", "never")
		others := app.token(user.RoleViewer)
		const newPassword = "a brand new passphrase"
		resp, _ := app.postBody(c, "/account/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}, "confirm_password": {newPassword}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", resp.StatusCode)
		}
		if status := app.apiStatus(token); status != http.StatusUnauthorized {
			t.Errorf("API with a token made before the password change: %d, want 401", status)
		}
		if status := app.apiStatus(others); status != http.StatusOK {
			t.Errorf("API with another user's token: %d, want it kept", status)
		}
		if _, page := app.get(c, "/account?saved=password"); !strings.Contains(page, "your API tokens are revoked") || !strings.Contains(page, "You have no API tokens.") {
			t.Error("the account page after the password change does not say the tokens are revoked, or lists some")
		}

		// Through a reset link.
		token = app.createTokenOnAccountPage(c, "Dashboard again", "30")
		ctx := context.Background()
		u, _ := app.db.UserByUsername(ctx, "officer")
		u.Email = "officer@example.org"
		if err := app.db.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		app.postBody(app.client(""), "/password/forgot", url.Values{"login": {"officer"}})
		_, link, _ := app.lastLink("officer@example.org")
		resp, _ = app.postBody(app.client(""), "/password/reset", url.Values{"token": {link}, "password": {"my renewed passphrase"}, "confirm_password": {"my renewed passphrase"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset the password: %d", resp.StatusCode)
		}
		if status := app.apiStatus(token); status != http.StatusUnauthorized {
			t.Errorf("API with a token made before the reset: %d, want 401", status)
		}
	})
}
