package web

// Browser tests: a real Chromium, driven through the DevTools protocol with chromedp, signs in,
// switches languages and opens every page that the navigation offers each role, and axe-core
// checks each page for accessibility. They need Chromium and axe-core's axe.min.js, which is not
// kept in this repository: .ci/run installs it from npm into the user's cache folder and names it
// in PACTUM_AXE_JS.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"pactum/internal/i18n"
	"pactum/internal/user"
)

// browserHowTo says how to run the browser tests, for the skip and failure messages.
const browserHowTo = "install Chromium (apt-get install chromium, or name it in PACTUM_CHROMIUM) and axe-core " +
	"(npm install --no-save --prefix ~/.cache/pactum-test axe-core@4, or name its axe.min.js in PACTUM_AXE_JS), " +
	"then run go test ./internal/web/ -run Browser"

// browserDeps finds Chromium and axe-core. When one is missing the test skips, or fails when
// PACTUM_BROWSER_TESTS=1 says that they must run (as in CI).
func browserDeps(t *testing.T) (chromium string, axeJS []byte) {
	t.Helper()
	chromium = os.Getenv("PACTUM_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if st, err := os.Stat(chromium); err != nil || st.IsDir() {
		missing = append(missing, fmt.Sprintf("no Chromium at %s", chromium))
	}
	path := os.Getenv("PACTUM_AXE_JS")
	if path == "" {
		// Where .ci/run installs it.
		if cache, err := os.UserCacheDir(); err == nil {
			path = filepath.Join(cache, "pactum-test", "node_modules", "axe-core", "axe.min.js")
		}
	}
	if data, err := os.ReadFile(path); err != nil {
		missing = append(missing, fmt.Sprintf("cannot read axe-core (PACTUM_AXE_JS): %v", err))
	} else {
		axeJS = data
	}
	if len(missing) > 0 {
		msg := strings.Join(missing, "; ") + ". To run the browser tests, " + browserHowTo
		if os.Getenv("PACTUM_BROWSER_TESTS") == "1" {
			t.Fatal("PACTUM_BROWSER_TESTS=1 but " + msg)
		}
		t.Skip(msg)
	}
	return chromium, axeJS
}

// browser is one Chromium for the whole test; each subtest opens its own tab.
type browser struct {
	ctx   context.Context // the first tab's context; it owns the browser
	base  string          // the test server's URL
	axeJS string          // axe-core's source

	logged map[string]bool // minor and moderate violations logged so far, by rule and path
}

func startBrowser(t *testing.T, chromium string, axeJS []byte, app *testApp) *browser {
	t.Helper()
	profile := t.TempDir() // registered before the cleanups below, so removed after Chromium stops
	var output bytes.Buffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v\n%s", chromium, err, output.String())
	}
	return &browser{ctx: ctx, base: app.http.URL, axeJS: string(axeJS), logged: map[string]bool{}}
}

// tab opens a new tab in a browser context of its own, so that it has its own cookies (its own
// session and language), and closes it when the test ends.
func (b *browser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab, with no deadline
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// open loads path (or an absolute URL) and fails unless the server answers want.
func (b *browser) open(t *testing.T, ctx context.Context, path string, want int) *network.Response {
	t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	if int(resp.Status) != want {
		t.Fatalf("open %s: status %d, want %d", u, resp.Status, want)
	}
	return resp
}

// waitPage runs the actions (a click, a submit), waits for the page they lead to and returns its
// status.
func waitPage(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		t.Fatalf("wait for the next page: %v", err)
	}
	return int(resp.Status)
}

func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func pageURL(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// checkLangDir fails unless the page's <html> says lang and the direction of lang.
func checkLangDir(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	got := evalJS[struct{ Lang, Dir string }](t, ctx, `({lang: document.documentElement.lang, dir: document.documentElement.dir})`)
	wantDir := "ltr"
	if lang == "ar" {
		wantDir = "rtl"
	}
	if got.Lang != lang || got.Dir != wantDir {
		t.Errorf("%s: <html lang=%q dir=%q>, want lang=%q dir=%q", pageURL(t, ctx), got.Lang, got.Dir, lang, wantDir)
	}
}

// signIn types the user name and password of role into the sign-in form, submits it and
// returns the page the server leads to.
func (b *browser) signIn(t *testing.T, ctx context.Context, role user.Role) *url.URL {
	t.Helper()
	b.open(t, ctx, "/login", http.StatusOK)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#username"), string(role)),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
	); err != nil {
		t.Fatalf("fill in the sign-in form: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	if err != nil {
		t.Fatalf("sign in as %s: %v", role, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("sign in as %s: %s answers %d: %s", role, resp.URL, resp.Status,
			strings.Join(strings.Fields(evalJS[string](t, ctx, `(document.querySelector('main') || document.body).innerText`)), " "))
	}
	return pageURL(t, ctx)
}

type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Nodes                     []struct{ Target, HTML, Summary string }
}

// axeRun is run in the page once axe-core is injected: it resolves to the violations, each
// node's target flattened to one selector string.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help, helpURL: v.helpUrl,
  nodes: v.nodes.map(n => ({
    target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)).join(' '),
    html: n.html, summary: n.failureSummary || ''}))})))`

// axe injects axe-core into the open page through the DevTools protocol (which the page's
// Content-Security-Policy does not restrict) and returns its violations.
func (b *browser) axe(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](b.axeJS)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	if !evalJS[bool](t, ctx, `typeof window.axe === 'object' && typeof window.axe.run === 'function'`) {
		t.Fatal("axe-core did not load into the page")
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	return v
}

// audit runs axe-core on the open page: serious and critical violations fail the test, the
// others are logged.
func (b *browser) audit(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	page := pageURL(t, ctx)
	lang := evalJS[string](t, ctx, `document.documentElement.lang`)
	for _, v := range b.axe(t, ctx) {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("    %s\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		msg := fmt.Sprintf("axe %s violation %s on %s (as %s, lang %s): %s (%s)\n%s",
			v.Impact, v.ID, page.RequestURI(), who, lang, v.Help, v.HelpURL, strings.Join(nodes, "\n"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
			continue
		}
		if key := v.ID + " " + page.Path; !b.logged[key] {
			b.logged[key] = true
			t.Log(msg + "\n    (not serious; logged once per rule and page)")
		}
	}
}

func roleLabel(r user.Role) string {
	if r == "" {
		return "anonymous"
	}
	return string(r)
}

func urlWithLang(u *url.URL, lang string) string {
	v := *u
	q := v.Query()
	q.Set("lang", lang)
	v.RawQuery = q.Encode()
	return v.String()
}

// TestBrowser drives the application in Chromium. Pages are found through the navigation, so
// every module added to it is checked without a change here.
func TestBrowser(t *testing.T) {
	chromium, axeJS := browserDeps(t)
	app := newTestApp(t, demoData.OpenSQLite(t))
	b := startBrowser(t, chromium, axeJS, app)

	t.Run("SignIn", func(t *testing.T) {
		for _, role := range roles[1:] {
			t.Run(roleLabel(role), func(t *testing.T) {
				ctx := b.tab(t)
				landed := b.signIn(t, ctx, role)
				if landed.Path == "/login" {
					t.Errorf("signed in as %s: still on the sign-in page", role)
				}
				account := evalJS[string](t, ctx, `(document.querySelector('header .account') || {}).textContent || ''`)
				if !strings.Contains(account, string(role)) {
					t.Errorf("signed in as %s: landed on %s, whose header says %q", role, landed.Path, strings.Join(strings.Fields(account), " "))
				}
			})
		}
	})

	t.Run("LanguageSwitch", func(t *testing.T) {
		ctx := b.tab(t)
		b.open(t, ctx, "/", http.StatusOK)
		seen := map[string]string{}
		for _, lang := range []string{"ar", "en", "es", "fr", "ru", "zh"} {
			link := chromedp.CSS(fmt.Sprintf(`nav.languages a[hreflang="%s"]`, lang))
			if status := waitPage(t, ctx, chromedp.Click(link)); status != http.StatusOK {
				t.Fatalf("switch to %s: status %d", lang, status)
			}
			checkLangDir(t, ctx, lang)
			current := evalJS[string](t, ctx, `(document.querySelector('nav.languages a[aria-current]') || {}).hreflang || ''`)
			if current != lang {
				t.Errorf("%s: the switcher marks %q as the current language", lang, current)
			}
			signIn := strings.TrimSpace(evalJS[string](t, ctx, `(document.querySelector('.account a[href="/login"]') || {}).textContent || ''`))
			if want := app.server.bundle.Localizer(lang).T("nav.sign_in"); signIn != want {
				t.Errorf("%s: the sign-in link says %q, want %q", lang, signIn, want)
			}
			if other, ok := seen[signIn]; ok {
				t.Errorf("%s: the sign-in link says %q, as in %s", lang, signIn, other)
			}
			seen[signIn] = lang

			// The layout mirrors: the header runs right to left in Arabic, with the brand at the
			// right edge, and left to right elsewhere, with the brand at the left.
			layout := evalJS[struct {
				Direction                string
				Left, Right, ViewportWid float64
			}](t, ctx, `(() => {
				const r = document.querySelector('.top .brand').getBoundingClientRect();
				return {direction: getComputedStyle(document.querySelector('.top .bar')).direction,
					left: r.left, right: r.right, viewportWid: document.documentElement.clientWidth};
			})()`)
			fromLeft, fromRight := layout.Left, layout.ViewportWid-layout.Right
			if lang == "ar" {
				if layout.Direction != "rtl" || fromRight >= fromLeft {
					t.Errorf("ar: header direction %q, brand %.0fpx from the left and %.0fpx from the right; want rtl, at the right",
						layout.Direction, fromLeft, fromRight)
				}
			} else if layout.Direction != "ltr" || fromLeft >= fromRight {
				t.Errorf("%s: header direction %q, brand %.0fpx from the left and %.0fpx from the right; want ltr, at the left",
					lang, layout.Direction, fromLeft, fromRight)
			}
		}
	})

	t.Run("Accessibility", func(t *testing.T) {
		// The harness itself: axe-core loads despite the page's Content-Security-Policy, and
		// finds violations planted in a page.
		t.Run("harness", func(t *testing.T) {
			ctx := b.tab(t)
			resp := b.open(t, ctx, "/", http.StatusOK)
			if csp, _ := resp.Headers["Content-Security-Policy"].(string); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("the page's Content-Security-Policy is %q; this check means to show that axe-core runs under script-src 'self'", csp)
			}
			evalJS[bool](t, ctx, `document.querySelector('main').insertAdjacentHTML('beforeend',
				'<img src="/static/none.png"><button></button>'), true`)
			var ids []string
			for _, v := range b.axe(t, ctx) {
				ids = append(ids, v.ID)
			}
			if !slices.Contains(ids, "image-alt") || !slices.Contains(ids, "button-name") {
				t.Errorf("axe-core found %v on a page with an image without alt text and an empty button", ids)
			}
		})

		// The administrator sees every module, so its pages are checked in all six languages, one
		// step past the navigation; the other roles' navigation is checked left-to-right and
		// right-to-left, in English and Arabic.
		for _, role := range roles {
			t.Run(roleLabel(role), func(t *testing.T) {
				ctx := b.tab(t)
				start := &url.URL{Path: "/"}
				if role != "" {
					start = b.signIn(t, ctx, role)
				}
				langs, deep := []string{"en", "ar"}, false
				if role == user.RoleAdmin {
					langs, deep = i18n.Languages, true
				}
				for _, lang := range langs {
					t.Run(lang, func(t *testing.T) {
						b.open(t, ctx, urlWithLang(start, lang), http.StatusOK)
						links := evalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('nav.modules a'), a => a.href)`)
						if len(links) == 0 {
							t.Fatalf("the start page %s shows %s no navigation", start.Path, roleLabel(role))
						}
						if lang == i18n.Languages[0] {
							t.Logf("%s starts on %s; the navigation leads to %v", roleLabel(role), start.Path, links)
						}
						// The account page, linked from the header, is every signed-in user's too.
						links = append(links, evalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('header a.who'), a => a.href)`)...)
						visited := map[string]bool{}
						for _, link := range links {
							if !strings.HasPrefix(link, b.base+"/") {
								t.Errorf("navigation link %s leaves the application", link)
								continue
							}
							b.open(t, ctx, link, http.StatusOK)
							checkLangDir(t, ctx, lang)
							b.audit(t, ctx, roleLabel(role))
							visited[shapeOf(link)] = true
							if !deep {
								continue
							}
							// One step further: the pages a module's page links to (the
							// administration's users, lists, outbox and trail, a partner's
							// profile), one page of each shape.
							inner := evalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('main a[href^="/"]'), a => new URL(a.getAttribute('href'), location.href).href)`)
							for _, next := range inner {
								if visited[shapeOf(next)] || isDownload(next) {
									continue
								}
								visited[shapeOf(next)] = true
								b.open(t, ctx, next, http.StatusOK)
								checkLangDir(t, ctx, lang)
								b.audit(t, ctx, roleLabel(role))
							}
						}
					})
				}
			})
		}

		// Pages outside the navigation: the sign-in form, empty and after a failed attempt, and
		// the page for an unknown address.
		t.Run("outside-navigation", func(t *testing.T) {
			ctx := b.tab(t)
			for _, lang := range i18n.Languages {
				t.Run(lang, func(t *testing.T) {
					b.open(t, ctx, "/login?lang="+lang, http.StatusOK)
					checkLangDir(t, ctx, lang)
					b.audit(t, ctx, "anonymous")

					if err := chromedp.Do(ctx,
						chromedp.SendKeys(chromedp.CSS("#username"), "nobody-"+lang), // a name of its own, not to be throttled
						chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
					); err != nil {
						t.Fatal(err)
					}
					if status := waitPage(t, ctx, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))); status != http.StatusUnauthorized {
						t.Fatalf("failed sign-in: status %d, want 401", status)
					}
					checkLangDir(t, ctx, lang)
					b.audit(t, ctx, "anonymous, failed sign-in")

					b.open(t, ctx, "/no-such-page", http.StatusNotFound)
					checkLangDir(t, ctx, lang)
					b.audit(t, ctx, "anonymous")

					// The pages e-mailed links and the sign-in form lead to.
					for _, page := range []struct {
						path   string
						status int
					}{
						{"/password/forgot", http.StatusOK},
						{"/password/reset?token=expired", http.StatusGone},
						{"/verify?token=expired", http.StatusGone},
					} {
						b.open(t, ctx, page.path, page.status)
						checkLangDir(t, ctx, lang)
						b.audit(t, ctx, "anonymous")
					}
				})
			}
		})
	})
}

// pathOf returns the path of an absolute URL, to tell pages apart whatever their query.
func pathOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	return u.Path
}

// isDownload reports whether a link leads to a file rather than a page: exports and documents.
func isDownload(link string) bool {
	p := pathOf(link)
	return strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, ".pdf") ||
		strings.HasPrefix(p, "/documents/") || p == "/insights/export"
}

// routeWords are the fixed words of the application's paths; other segments are keys and ids.
var routeWords = map[string]bool{"new": true, "edit": true, "due-diligence": true, "users": true, "reference": true, "audit": true,
	"mail": true, "contacts": true, "recognitions": true, "follow-ups": true, "import": true, "deleted": true, "agreements": true,
	"status": true, "export": true}

// shapeOf returns the shape of a link's path, with keys and ids replaced by "*", so that one
// partner's profile stands for all of them: /partners/kestrel-bank → /partners/*.
func shapeOf(link string) string {
	segments := strings.Split(strings.Trim(pathOf(link), "/"), "/")
	for i := 1; i < len(segments); i++ {
		if !routeWords[segments[i]] {
			segments[i] = "*"
		}
	}
	return "/" + strings.Join(segments, "/")
}
