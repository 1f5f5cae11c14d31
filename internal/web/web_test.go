package web

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/demo"
	"pactum/internal/i18n"
	"pactum/internal/importjob"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// testApp is a running Pactum on a test database, with one account per role.
type testApp struct {
	t       *testing.T
	db      *store.DB
	server  *Server
	http    *httptest.Server
	imports *importjob.Runner
}

// importMode is how a test app runs the import jobs its pages queue.
type importMode int

const (
	// importsAtOnce runs a job in the request that queues it: the confirmation finds it ended.
	importsAtOnce importMode = iota
	// importsPaused runs jobs only when the test calls app.imports.RunQueued.
	importsPaused
	// importsInTheBackground runs them in a worker loop, as pactum serve does.
	importsInTheBackground
)

const testPassword = "correct horse battery"

// roles are the accounts every test app has, by role; "" is the anonymous visitor.
var roles = []user.Role{"", user.RoleAdmin, user.RoleOfficer, user.RoleRegionalOfficer, user.RoleViewer, user.RoleExternal}

// demoData is the demo dataset of 2026-11-27, for the tests that need a registry of some size:
// loaded once per test binary and copied into each test's database (storetest.Template), as
// loading it takes seconds, and a minute under the race detector.
var demoData = &storetest.Template{Name: "demo", Load: func(ctx context.Context, db *store.DB) error {
	_, err := demo.Load(ctx, db, civil.MustParse("2026-11-27"))
	return err
}}

// testPasswordHash is a hash of testPassword, made once: an argon2id hash takes half a second, four
// under the race detector, and the accounts of every test app have one.
var testPasswordHash = sync.OnceValues(func() (string, error) {
	return user.HashPassword(context.Background(), testPassword)
})

// newTestApp starts Pactum on db with one account per role. Open db from demoData for a test app
// with the demo dataset.
func newTestApp(t *testing.T, db *store.DB) *testApp {
	t.Helper()
	return newTestAppImporting(t, db, importsAtOnce)
}

// newTestAppImporting is newTestApp with its import jobs run as mode says.
func newTestAppImporting(t *testing.T, db *store.DB, mode importMode) *testApp {
	t.Helper()
	ctx := context.Background()
	hash, err := testPasswordHash()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles[1:] {
		u := &user.User{Username: string(r), Role: r, Active: true, PasswordHash: hash}
		if r == user.RoleRegionalOfficer {
			u.Region = "AFR"
		}
		if r == user.RoleExternal {
			u.Email, u.EmailVerifiedAt = "external@example.org", time.Now()
		}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testLogOutput(), nil))
	imports := importjob.New(db, log)
	opts := Options{BaseURL: "https://pactum.example.org", ImportQueued: imports.Wake, ImportRowsDone: imports.RowsDone}
	switch mode {
	case importsAtOnce:
		opts.ImportQueued = func() {
			if err := imports.RunQueued(context.Background()); err != nil {
				t.Errorf("import jobs: %v", err)
			}
		}
	case importsInTheBackground:
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); imports.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	s, err := New(db, bundle, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &testApp{t: t, db: db, server: s, http: ts, imports: imports}
}

// client returns an HTTP client that keeps cookies and does not follow redirects, signed in as
// role (anonymous for "").
func (a *testApp) client(role user.Role) *http.Client {
	a.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if role != "" {
		resp := a.post(c, "/login", url.Values{"username": {string(role)}, "password": {testPassword}})
		if resp.StatusCode != http.StatusSeeOther {
			a.t.Fatalf("sign in as %s: status %d", role, resp.StatusCode)
		}
	}
	return c
}

// sessionClient returns a client with a new session of role made directly in the database, which
// is faster than signing in when a test needs many.
func (a *testApp) sessionClient(role user.Role) *http.Client {
	a.t.Helper()
	if role == "" {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return a.sessionFor(string(role))
}

// sessionFor returns a client signed in as the account username (a demo colleague, say).
func (a *testApp) sessionFor(username string) *http.Client {
	a.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, err := a.db.UserByUsername(context.Background(), username)
	if err != nil {
		a.t.Fatal(err)
	}
	secret, _ := user.NewSecret("")
	if err := a.db.CreateSession(context.Background(), user.HashSecret(secret), u.ID); err != nil {
		a.t.Fatal(err)
	}
	base, _ := url.Parse(a.http.URL)
	jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: secret, Path: "/"}})
	return c
}

func (a *testApp) get(c *http.Client, path string, header ...string) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.http.URL+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (a *testApp) post(c *http.Client, path string, form url.Values) *http.Response {
	a.t.Helper()
	resp, err := c.PostForm(a.http.URL+path, form)
	if err != nil {
		a.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (a *testApp) token(role user.Role) string {
	a.t.Helper()
	u, err := a.db.UserByUsername(context.Background(), string(role))
	if err != nil {
		a.t.Fatal(err)
	}
	token, _ := user.NewSecret(user.APITokenPrefix)
	if err := a.db.CreateAPIToken(context.Background(), &user.APIToken{UserID: u.ID, Name: "test"}, user.HashSecret(token)); err != nil {
		a.t.Fatal(err)
	}
	return token
}

func TestHealthzFollowsTheDatabase(t *testing.T) {
	db := storetest.OpenSQLite(t)
	app := newTestApp(t, db)
	c := app.client("")
	if resp, _ := app.get(c, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz with the database up: %d", resp.StatusCode)
	}
	db.Close()
	if resp, _ := app.get(c, "/healthz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d, want 503", resp.StatusCode)
	}
}

func TestSignInAndOut(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.client("")

	// A wrong password keeps the user name and says what went wrong, in the reader's language.
	resp := app.post(c, "/login?lang=fr", url.Values{"username": {"officer"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", strings.NewReader("username=officer&password=nope"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if !strings.Contains(string(body), "Le nom d&#39;utilisateur ou le mot de passe est incorrect.") || !strings.Contains(string(body), `value="officer"`) {
		t.Errorf("failed sign-in page lacks the French message or the typed user name:\n%s", body)
	}

	// The right password opens a session and leads to the start page, still in French.
	resp = app.post(c, "/login", url.Values{"username": {"officer"}, "password": {testPassword}, "next": {"/start"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/start" {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v: want HttpOnly and SameSite=Lax", session)
	}
	if resp, body := app.get(c, "/start"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bienvenue, officer.") {
		t.Fatalf("start page after sign-in: %d\n%s", resp.StatusCode, body)
	}

	// A redirect target elsewhere is ignored.
	other := app.client("")
	resp = app.post(other, "/login", url.Values{"username": {"viewer"}, "password": {testPassword}, "next": {"//evil.example/"}})
	if loc := resp.Header.Get("Location"); loc != "/start" {
		t.Errorf("sign in with next=//evil.example/: redirected to %q", loc)
	}

	// Signing out ends the session on the server, not only in the browser.
	app.post(c, "/logout", nil)
	if resp, _ := app.get(c, "/start"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("start page after sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	replay := &http.Client{CheckRedirect: c.CheckRedirect}
	req, _ = http.NewRequest(http.MethodGet, app.http.URL+"/start", nil)
	req.AddCookie(session)
	r3, err := replay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if r3.StatusCode != http.StatusSeeOther {
		t.Errorf("old session cookie after sign-out: status %d, want a redirect to sign in", r3.StatusCode)
	}
}

var htmlTag = regexp.MustCompile(`<html lang="([a-z]+)" dir="(ltr|rtl)">`)

func TestEveryLanguageSetsLangAndDirection(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	for _, lang := range i18n.Languages {
		c := app.client("")
		_, body := app.get(c, "/?lang="+lang)
		m := htmlTag.FindStringSubmatch(body)
		wantDir := "ltr"
		if lang == "ar" {
			wantDir = "rtl"
		}
		if m == nil || m[1] != lang || m[2] != wantDir {
			t.Errorf("?lang=%s: html tag %v, want lang=%s dir=%s", lang, m, lang, wantDir)
		}
		// The choice is remembered by a cookie.
		_, body = app.get(c, "/login")
		if m := htmlTag.FindStringSubmatch(body); m == nil || m[1] != lang {
			t.Errorf("after ?lang=%s the next page is in %v", lang, m)
		}
	}
	// Without a choice, Accept-Language decides, then English.
	_, body := app.get(app.client(""), "/", "Accept-Language", "ru-RU,ru;q=0.9")
	if m := htmlTag.FindStringSubmatch(body); m == nil || m[1] != "ru" {
		t.Errorf("Accept-Language ru: page in %v", m)
	}
	_, body = app.get(app.client(""), "/", "Accept-Language", "de-DE")
	if m := htmlTag.FindStringSubmatch(body); m == nil || m[1] != "en" {
		t.Errorf("Accept-Language de: page in %v, want English", m)
	}
}

// examples give a value for each wildcard of the route patterns, for walking the routes.
// PCT-2016-0005 is a demo contribution to Africa, which the regional officer (AFR) may edit.
var examples = map[string]string{"username": "viewer", "list": "currency", "code": "EUR", "key": "marula-telecom-group", "id": "1",
	"ref": "PCT-2016-0005"}

var wildcard = regexp.MustCompile(`\{([a-zA-Z_]+)(\.\.\.)?\}`)

// examplePath is a request's method and path that a route pattern matches, with the examples
// for its wildcards.
func examplePath(t *testing.T, pattern string) (method, path string) {
	t.Helper()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	path = strings.TrimSuffix(path, "{$}")
	path = wildcard.ReplaceAllStringFunc(path, func(w string) string {
		name := wildcard.FindStringSubmatch(w)[1]
		v, ok := examples[name]
		if !ok {
			t.Errorf("route %q: no example value for {%s}; add one to examples", pattern, name)
		}
		return v
	})
	return method, path
}

// TestEveryRouteDeclaresWhoMayUseIt walks the route table with every role and anonymously: each
// route answers those its declaration allows and refuses the others.
func TestEveryRouteDeclaresWhoMayUseIt(t *testing.T) {
	demoData.Each(t, walkRoutes)
}

// walkRoutes requests every route as every role; on both databases it also renders every page.
func walkRoutes(t *testing.T, db *store.DB) {
	app := newTestApp(t, db)
	// The example interaction is with a partner of the regional officer's region as well, so
	// that the walk meets the route's declaration, not the rule of regions (tested on its own).
	ctx := context.Background()
	in, err := db.InteractionByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	marula, err := db.PartnerByKey(ctx, examples["key"])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(in.PartnerIDs, marula.ID) {
		in.PartnerIDs = append(in.PartnerIDs, marula.ID)
		if err := db.UpdateInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, rt := range app.server.routes {
		if rt.access == 0 {
			t.Errorf("route %q declares no access", rt.pattern)
			continue
		}
		method, path := examplePath(t, rt.pattern)
		for _, r := range roles {
			var u *user.User
			if r != "" {
				u = &user.User{Role: r}
			}
			allowed := rt.access.allows(u)
			req, _ := http.NewRequest(method, app.http.URL+path, nil)
			client := app.sessionClient(r) // a fresh session: a route walked before may end one
			if rt.access == apiStaff {
				client = &http.Client{}
				if r != "" { // a fresh token too: a route walked before may revoke one
					req.Header.Set("Authorization", "Bearer "+app.token(r))
				}
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// Refusal is 403, or for an anonymous visitor a redirect to sign in, or 401 from the API;
			// a 401 from the sign-in form itself only says the (empty) credentials are wrong.
			refused := resp.StatusCode == http.StatusForbidden ||
				(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")) ||
				(resp.StatusCode == http.StatusUnauthorized && rt.access == apiStaff)
			if allowed == refused {
				t.Errorf("%s as %q: status %d; allowed by its declaration: %t", rt.pattern, r, resp.StatusCode, allowed)
			}
			// Whatever it is asked, a route never fails on its own side.
			if resp.StatusCode >= 500 {
				t.Errorf("%s as %q: status %d", rt.pattern, r, resp.StatusCode)
			}
		}
	}
}

func TestReportAPIGivesTheReportFigures(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		c := &http.Client{}
		token := app.token(user.RoleViewer)

		resp, body := app.get(c, "/api/v1/reports/agreements?from=2014&to=2017&by=region", "Authorization", "Bearer "+token)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("report: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var got struct {
			By   string `json:"by"`
			From int    `json:"from"`
			To   int    `json:"to"`
			Rows []struct {
				Key        string  `json:"key"`
				New        float64 `json:"new"`
				Amendments float64 `json:"amendments"`
				ValueUSD   float64 `json:"value_usd"`
			} `json:"rows"`
			Total struct {
				New        float64 `json:"new"`
				Amendments float64 `json:"amendments"`
				ValueUSD   float64 `json:"value_usd"`
			} `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("report JSON: %v\n%s", err, body)
		}
		want := map[string]float64{"AFR": 27.5, "AMS": 26, "ARB": 17, "ASP": 42, "CIS": 5, "EUR": 10.5, "GLO": 69}
		if got.By != "region" || got.From != 2014 || got.To != 2017 || len(got.Rows) != len(want) {
			t.Fatalf("report header or rows: %+v", got)
		}
		for _, row := range got.Rows {
			if row.New != want[row.Key] {
				t.Errorf("region %s: %v new agreements, want %v", row.Key, row.New, want[row.Key])
			}
		}
		if got.Total.New != 197 || got.Total.Amendments != 35 || got.Total.ValueUSD < 36.55e6 || got.Total.ValueUSD > 36.65e6 {
			t.Errorf("total: %+v, want 197 new, 35 amendments, USD 36.6 million", got.Total)
		}

		resp, body = app.get(c, "/api/v1/reports/agreements?from=2014&to=2017&by=year", "Authorization", "Bearer "+token, "Accept", "text/csv")
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(lines) != 6 ||
			lines[0] != "year,new,amendments,value_usd" || !strings.HasPrefix(lines[1], "2014,42,") || !strings.HasPrefix(lines[5], "total,197,35,") {
			t.Errorf("CSV report:\n%s", body)
		}
	})
}

func TestReportAPIRefusesWithoutAValidToken(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := &http.Client{}
	cases := []struct {
		name, auth string
		status     int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"unknown token", "Bearer pct_nothing", http.StatusUnauthorized},
		{"external account", "Bearer " + app.token(user.RoleExternal), http.StatusForbidden},
	}
	for _, tc := range cases {
		resp, body := app.get(c, "/api/v1/reports/agreements", "Authorization", tc.auth)
		if resp.StatusCode != tc.status || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s, want %d with a JSON error", tc.name, resp.StatusCode, body, tc.status)
		}
	}
	resp, body := app.get(c, "/api/v1/reports/agreements?by=colour", "Authorization", "Bearer "+app.token(user.RoleAdmin))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"by"`) {
		t.Errorf("unknown dimension: %d %s, want 422 naming the field", resp.StatusCode, body)
	}
}

func TestSecurityHeadersAndCrossOriginRequests(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	resp, _ := app.get(app.client(""), "/")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q: want scripts from self only, no unsafe-inline", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no X-Content-Type-Options: nosniff")
	}
	req, _ := http.NewRequest(http.MethodPost, app.http.URL+"/login", strings.NewReader("username=admin&password="+testPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: status %d, want 403", r.StatusCode)
	}
}

func TestUnknownPagesAnswer404InTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	resp, body := app.get(app.client(""), "/no-such-page?lang=es")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Página no encontrada") {
		t.Errorf("unknown page: %d\n%s", resp.StatusCode, body)
	}
}

// testLogOutput is where the server under test logs: nowhere, unless PACTUM_TEST_LOG is set.
func testLogOutput() io.Writer {
	if os.Getenv("PACTUM_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// Every raised body limit names a route of the table, so that a renamed route keeps its limit.
func TestUploadLimitsNameRoutes(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	patterns := map[string]bool{}
	for _, r := range app.server.routes {
		patterns[r.pattern] = true
	}
	for pattern, limit := range uploadLimits {
		if !patterns[pattern] || limit <= maxBodyBytes {
			t.Errorf("upload limit for %q (%d bytes) does not raise the limit of a route", pattern, limit)
		}
	}
}

// The mux serves only the route table, which the walk above checks: every handler the package
// registers takes its pattern from a route, so one registered any other way (as /static/ once
// was) fails here.
func TestOnlyTheRouteTableRegistersHandlers(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	registrations := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fun, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (fun.Sel.Name != "Handle" && fun.Sel.Name != "HandleFunc") || len(call.Args) != 2 {
				return true
			}
			registrations++
			if arg, ok := call.Args[0].(*ast.SelectorExpr); !ok || arg.Sel.Name != "pattern" {
				t.Errorf("%s: a handler is registered outside the route table; declare it in routeTable", fset.Position(call.Pos()))
			}
			return true
		})
	}
	if registrations == 0 {
		t.Error("found no handler registration: the test no longer sees how the mux is built")
	}
}

// postForm posts an encoded form body with headers given as name, value pairs, and reads the answer.
func (a *testApp) postForm(c *http.Client, path, body string, header ...string) (*http.Response, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.http.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestCrossOriginRequestsAreRefusedInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	fromElsewhere := []string{"Origin", "https://attacker.example", "Sec-Fetch-Site", "cross-site", "Accept-Language", "fr-FR,fr;q=0.9"}

	resp, body := app.postForm(app.client(""), "/login", "username=admin&password="+url.QueryEscape(testPassword), fromElsewhere...)
	if m := htmlTag.FindStringSubmatch(body); resp.StatusCode != http.StatusForbidden || m == nil || m[1] != "fr" ||
		!strings.Contains(body, "<h1>Demande provenant d&#39;un autre site</h1>") ||
		!strings.Contains(body, "parce qu&#39;elle provenait d&#39;un autre site") {
		t.Errorf("cross-site sign-in: %d, want 403 with the French page\n%s", resp.StatusCode, body)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			t.Error("a refused cross-site sign-in opened a session")
		}
	}

	// The API answers its own JSON error, with a code for programs and the message in French.
	resp, body = app.postForm(&http.Client{}, "/api/v1/partners", "", fromElsewhere...)
	var got apiErrorBody
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusForbidden ||
		resp.Header.Get("Content-Type") != "application/json; charset=utf-8" || got.Error.Code != apperr.Forbidden ||
		!strings.HasPrefix(got.Error.Message, "Pactum a refusé cette demande") {
		t.Errorf("cross-site API call: %d %s, want 403 with a French JSON error", resp.StatusCode, body)
	}
}

func TestServerErrorsShowTheErrorPageInTheReadersLanguage(t *testing.T) {
	db := storetest.OpenSQLite(t)
	app := newTestApp(t, db)
	frenchPage := func(what string, resp *http.Response, body string) {
		t.Helper()
		if m := htmlTag.FindStringSubmatch(body); resp.StatusCode != http.StatusInternalServerError || m == nil || m[1] != "fr" ||
			!strings.Contains(body, "<h1>Un problème est survenu</h1>") || !strings.Contains(body, "Pactum n&#39;a pas pu terminer cette demande, et rien n&#39;en a été enregistré.") {
			t.Errorf("%s: %d, want 500 with the French error page\n%s", what, resp.StatusCode, body)
		}
	}

	// A page whose template fails.
	app.server.templates.pages["login"] = template.Must(template.New("login").Parse(`{{define "layout"}}{{.NoSuchField}}{{end}}`))
	resp, body := app.get(app.client(""), "/login?lang=fr")
	frenchPage("a failing template", resp, body)

	// A handler that panics; an API handler that panics answers JSON.
	panicking := app.server.withUser(app.server.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	panicking.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/partners?lang=fr", nil))
	frenchPage("a panic", rec.Result(), rec.Body.String())
	rec = httptest.NewRecorder()
	panicking.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/partners?lang=fr", nil))
	var got apiErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusInternalServerError || got.Error.Code != apperr.Internal ||
		!strings.HasPrefix(got.Error.Message, "Pactum n'a pas pu terminer") {
		t.Errorf("a panic in the API: %d %s, want 500 with a French JSON error", rec.Code, rec.Body)
	}

	// The database gone while signing in.
	db.Close()
	resp, body = app.postForm(app.client(""), "/login?lang=fr", "username=officer&password=x")
	frenchPage("the database closed", resp, body)

	// When the error page itself fails, its texts still come, as plain text.
	app.server.templates.pages["error"] = app.server.templates.pages["login"]
	resp, body = app.get(app.client(""), "/no-such-page?lang=fr")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "Un problème est survenu") ||
		!strings.Contains(body, "Pactum n'a pas pu terminer cette demande, et rien n'en a été enregistré.") {
		t.Errorf("a failing error page: %d, want 500 with the French texts\n%s", resp.StatusCode, body)
	}
}

// A form larger than its route allows is refused as such, in the reader's language, before its
// handler runs: the handler would otherwise read an empty form.
func TestOversizedFormsAnswer413(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	padding := "&notes=" + strings.Repeat("x", 2<<20)
	tooLarge := func(what string, resp *http.Response, body string) {
		t.Helper()
		if m := htmlTag.FindStringSubmatch(body); resp.StatusCode != http.StatusRequestEntityTooLarge || m == nil || m[1] != "fr" ||
			!strings.Contains(body, "<h1>Envoi trop volumineux</h1>") {
			t.Errorf("%s: %d, want 413 with the French page\n%.500s", what, resp.StatusCode, body)
		}
	}

	// Oversized sign-ins are not failed attempts: after more of them than the throttle lets pass,
	// the right password still signs in at once.
	for i := range 4 {
		resp, body := app.postForm(app.client(""), "/login?lang=fr", "username=admin&password=wrong"+padding)
		tooLarge(fmt.Sprintf("sign-in %d", i+1), resp, body)
	}
	if resp := app.post(app.client(""), "/login", url.Values{"username": {"admin"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in after oversized attempts: %d, want 303", resp.StatusCode)
	}

	// An oversized profile is not mistaken for a stale one, and changes nothing.
	officer := app.sessionClient(user.RoleOfficer)
	resp, body := app.postForm(officer, "/account?lang=fr", "display_name=Someone+else&version=1"+padding)
	tooLarge("account", resp, body)
	if u, err := app.db.UserByUsername(context.Background(), "officer"); err != nil || u.DisplayName == "Someone else" {
		t.Errorf("the oversized profile was saved: %+v %v", u, err)
	}

	// Every other form route too, uploads apart (they answer on their own page).
	admin := app.sessionClient(user.RoleAdmin)
	for _, rt := range app.server.routes {
		if _, upload := uploadLimits[rt.pattern]; upload || !strings.HasPrefix(rt.pattern, "POST ") {
			continue
		}
		_, path := examplePath(t, rt.pattern)
		resp, body := app.postForm(admin, path+"?lang=fr", "version=1"+padding)
		tooLarge(rt.pattern, resp, body)
	}
}

// Each route that takes an upload answers a body over its limit with 413 on its own page.
func TestOversizedUploadsAnswer413(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	admin := app.sessionClient(user.RoleAdmin)
	for pattern, limit := range uploadLimits {
		_, path := examplePath(t, pattern)
		field := "file"
		if pattern == "POST /interactions/email" {
			field = "eml"
		}
		resp, _ := app.upload(admin, path, nil, field, "large.pdf", make([]byte, limit))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d, want 413", pattern, limit, resp.StatusCode)
		}
	}
}

// Times on Arabic pages are written with Arabic digits, like the dates before them, and the zone
// in Arabic.
func TestArabicPagesWriteTimesInArabic(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	resp, body := app.get(app.sessionClient(user.RoleAdmin), "/admin/audit?lang=ar")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "بالتوقيت العالمي المنسق") {
		t.Fatalf("audit trail in Arabic: %d, no time in Arabic\n%s", resp.StatusCode, body)
	}
	if latin := regexp.MustCompile(`[0-9]{2}:[0-9]{2}|UTC`).FindString(body); latin != "" {
		t.Errorf("the Arabic audit trail writes %q", latin)
	}
	if !regexp.MustCompile(`الساعة [٠-٩]{2}:[٠-٩]{2}:[٠-٩]{2}`).MatchString(body) {
		t.Error("the Arabic audit trail has no time of day in Arabic digits")
	}
}
