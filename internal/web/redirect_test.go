package web

import (
	"net/http"
	"net/url"
	"testing"

	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// hostileNext are the usual ways of smuggling another site into a "come back to" parameter:
// browsers drop tabs and newlines from a Location, read a backslash as a slash, and "//host"
// (or a scheme) as another site.
var hostileNext = []string{
	"//evil.example/phish", "/\t/evil.example/phish", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
	"/\\evil.example", "\\\\evil.example", "/\\/evil.example", "https://evil.example/", "http:/evil.example",
	"javascript:alert(1)", "evil.example", " /start", "/\u00a0/evil.example", "/\u2028/evil.example", "/\u200b/evil.example",
	"///evil.example", "/%2F%2Fevil.example", "/\x00/evil.example", "/\x7f/evil.example", "//@evil.example",
	"/start\xff", "\uff0f\uff0fevil.example",
}

func TestLocalPathRefusesEveryWayToAnotherSite(t *testing.T) {
	for _, next := range hostileNext {
		if got := localPath(next); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", next, got)
		}
	}
	for _, next := range []string{"/start", "/partners?q=union&type=un_agency", "/agreements/PCT-2016-0001#money", "/interactions/12?saved=1", "/partners/%E7%94%B5%E4%BF%A1"} {
		if got := localPath(next); got != next {
			t.Errorf("localPath(%q) = %q, want it kept", next, got)
		}
	}
}

// After signing in, and after a follow-up's status changes, Pactum goes back only to its own pages.
func TestRedirectsStayOnPactum(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	signedIn := app.sessionClient(user.RoleOfficer)
	for _, next := range hostileNext {
		resp := app.post(app.client(""), "/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {next}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/start" {
			t.Errorf("sign in with next=%q: %d to %q, want /start", next, resp.StatusCode, loc)
		}
		resp, _ = app.get(signedIn, "/login?next="+url.QueryEscape(next))
		// An address with text no database takes (a NUL, invalid UTF-8) is refused whole, and
		// leads nowhere either.
		refused := !storable(next) && resp.StatusCode == http.StatusBadRequest && resp.Header.Get("Location") == ""
		if loc := resp.Header.Get("Location"); !refused && (resp.StatusCode != http.StatusSeeOther || loc != "/") {
			t.Errorf("signed in, /login?next=%q: %d to %q, want /", next, resp.StatusCode, loc)
		}
	}
	resp := app.post(app.client(""), "/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {"/partners?q=union"}})
	if loc := resp.Header.Get("Location"); loc != "/partners?q=union" {
		t.Errorf("sign in with a local next: to %q", loc)
	}
}
