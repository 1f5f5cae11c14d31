package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"pactum/internal/i18n"
	"pactum/internal/user"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// staticURLs maps each static file's name to a URL that holds its content hash, so that browsers
// may cache it for a year and still see every change.
var staticURLs = func() map[string]string {
	urls := map[string]string{}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		urls[name] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		return nil
	})
	return urls
}()

// serveStatic serves /static/{hash}/{name}; a stale hash still gets the current file.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	_, name, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(name, "..") {
		s.notFound(w, r)
		return
	}
	data, err := staticFiles.ReadFile("static/" + name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(data)
}

// templates holds one parsed template set per page, each with the shared layout.
type templates struct {
	pages map[string]*template.Template
}

// functions are the template functions. They hold no request state: the reader's language
// travels in the page data (page.L), never in a shared function.
var functions = template.FuncMap{
	// dict builds the argument of a form-control template: dict "Name" "email" "Label" "E-mail" ….
	"dict": func(pairs ...any) (map[string]any, error) {
		if len(pairs)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			k, ok := pairs[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", pairs[i])
			}
			m[k] = pairs[i+1]
		}
		return m, nil
	},
	"static": func(name string) (string, error) {
		u, ok := staticURLs[name]
		if !ok {
			return "", fmt.Errorf("no static file %q", name)
		}
		return u, nil
	},
}

func parseTemplates() (*templates, error) {
	layouts, err := fs.Glob(templateFiles, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		files := append(append([]string{}, layouts...), p)
		tmpl, err := template.New(name).Funcs(functions).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		t.pages[name] = tmpl
	}
	return t, nil
}

// page is what every page's view holds: the reader's language, the user, and the layout's needs.
type page struct {
	L     *i18n.Localizer
	User  *user.User
	Title string
	Path  string
	// LanguageLinks are the language switcher's links; the name is unusual on purpose, so that no
	// page view's own field hides it.
	LanguageLinks []languageLink
	Nav           []navLink
}

type languageLink struct {
	Code, Name, URL string
	Current         bool
}

// option is one choice of a select control.
type option struct {
	Value, Label string
	Selected     bool
}

type navLink struct {
	Label, URL string
	Current    bool
}

// languageNames are each language's name in itself, as a language switcher shows them.
var languageNames = map[string]string{
	"ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ru": "Русский", "zh": "中文",
}

// newPage fills the common part of a view for the request.
func (s *Server) newPage(r *http.Request, titleKey string) page {
	l := localizer(r)
	u := currentUser(r)
	p := page{L: l, User: u, Title: l.T(titleKey), Path: r.URL.Path}
	for _, code := range []string{"ar", "en", "es", "fr", "ru", "zh"} {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("lang", code)
		p.LanguageLinks = append(p.LanguageLinks, languageLink{Code: code, Name: languageNames[code], URL: r.URL.Path + "?" + q.Encode(), Current: code == l.Lang})
	}
	for _, n := range s.navigation(u) {
		current := r.URL.Path == n.url || (n.url != "/" && strings.HasPrefix(r.URL.Path, n.url+"/"))
		p.Nav = append(p.Nav, navLink{Label: l.T(n.labelKey), URL: n.url, Current: current})
	}
	return p
}

// navEntry is one module in the navigation, shown to those its route lets in.
type navEntry struct {
	labelKey, url string
	access        access
	guestOnly     bool // shown only to visitors who are not signed in
}

// navigation lists the modules the user may open. It grows as modules are built; no entry
// points at a page that does not exist.
func (s *Server) navigation(u *user.User) []navEntry {
	all := []navEntry{
		{"nav.home", "/", anyone, false},
		{"nav.register", "/register", anyone, true},
		{"nav.start", "/start", staff, false},
		{"nav.partners", "/partners", staff, false},
		{"nav.agreements", "/agreements", staff, false},
		{"nav.insights", "/insights", staff, false},
		{"nav.followups", "/follow-ups", staff, false},
		{"nav.admin", "/admin", admins, false},
	}
	var list []navEntry
	for _, n := range all {
		if n.access.allows(u) && !(n.guestOnly && u != nil) {
			list = append(list, n)
		}
	}
	return list
}

// render writes a page with a status, buffering it so that a template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	var buf bytes.Buffer
	tmpl, ok := s.templates.pages[name]
	var err error
	if !ok {
		err = fmt.Errorf("no page template %q", name)
	} else {
		err = tmpl.ExecuteTemplate(&buf, "layout", view)
	}
	if err != nil {
		s.log.Error("render", "method", r.Method, "path", r.URL.Path, "page", name, "err", err)
		if name != "error" {
			s.renderError(w, r, http.StatusInternalServerError)
			return
		}
		// The error page itself failed: its texts still reach the reader, without the layout.
		l := localizer(r)
		http.Error(w, l.T("error.page.internal")+"\n\n"+l.T("error.page.internal_text"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorView struct {
	page
	Heading, Text string
}

// errorKeys maps the statuses that have an error page to their texts.
var errorKeys = map[int][2]string{
	http.StatusBadRequest:            {"error.page.bad_request", "error.page.bad_request_text"},
	http.StatusNotFound:              {"error.page.not_found", "error.page.not_found_text"},
	http.StatusForbidden:             {"error.page.forbidden", "error.page.forbidden_text"},
	http.StatusRequestEntityTooLarge: {"error.page.too_large", "error.page.too_large_text"},
	http.StatusInternalServerError:   {"error.page.internal", "error.page.internal_text"},
	http.StatusServiceUnavailable:    {"error.page.busy", "error.page.busy_text"},
}

// renderError shows the error page for status in the reader's language.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int) {
	keys, ok := errorKeys[status]
	if !ok {
		keys = errorKeys[http.StatusInternalServerError]
	}
	s.renderErrorPage(w, r, status, keys[0], keys[1])
}

// renderErrorPage shows the error page with a heading and a text of its own, for refusals that
// a status alone does not explain.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, headingKey, textKey string) {
	v := errorView{page: s.newPage(r, headingKey)}
	v.Heading, v.Text = v.Title, v.L.T(textKey)
	s.render(w, r, status, "error", v)
}

// attachment makes the response a file to download named filename, which no cache keeps: an
// export holds what its reader may see, and a shared proxy or the browser's disk cache must not
// hand it to anyone else.
func attachment(w http.ResponseWriter, filename string) {
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	w.Header().Set("Cache-Control", "private, no-store")
}
