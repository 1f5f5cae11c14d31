package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pactum/internal/apperr"
	"pactum/internal/i18n"
	"pactum/internal/user"
)

type contextKey int

const (
	userKey contextKey = iota
	localizerKey
)

// currentUser returns the signed-in user of the request, or nil.
func currentUser(r *http.Request) *user.User {
	u, _ := r.Context().Value(userKey).(*user.User)
	return u
}

// localizer returns the request's localizer, chosen once per request by withUser.
func localizer(r *http.Request) *i18n.Localizer {
	return r.Context().Value(localizerKey).(*i18n.Localizer)
}

const (
	sessionCookie  = "pactum_session"
	languageCookie = "pactum_lang"
)

// withUser finds the signed-in user from the session cookie, then the reader's language: the
// ?lang= parameter (remembered in a cookie), the cookie, the user's preference, Accept-Language,
// and English last.
func (s *Server) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var u *user.User
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && !strings.HasPrefix(r.URL.Path, "/static/") {
			found, err := s.db.SessionUser(ctx, user.HashSecret(c.Value))
			switch {
			case err == nil:
				u = found
			case apperr.Is(err, apperr.Unauthorized):
				clearCookie(w, r, sessionCookie)
			default:
				s.log.Error("read session", "err", err)
			}
		}
		lang := s.chooseLanguage(w, r, u)
		ctx = context.WithValue(ctx, userKey, u)
		ctx = context.WithValue(ctx, localizerKey, s.bundle.Localizer(lang))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) chooseLanguage(w http.ResponseWriter, r *http.Request, u *user.User) string {
	if lang := r.URL.Query().Get("lang"); s.bundle.Supported(lang) {
		http.SetCookie(w, &http.Cookie{
			Name: languageCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode,
		})
		return lang
	}
	if c, err := r.Cookie(languageCookie); err == nil && s.bundle.Supported(c.Value) {
		return c.Value
	}
	if u != nil && s.bundle.Supported(u.Language) {
		return u.Language
	}
	return s.bundle.Match(r.Header.Get("Accept-Language"))
}

// isSecure reports whether the client reached us over TLS, directly or through a proxy that says so.
func isSecure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode})
}

// contentSecurityPolicy allows only the server's own scripts, styles and images: no inline script.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if isSecure(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// maxBodyBytes bounds what a client may send to a route that does not declare more (see route.maxBody).
const maxBodyBytes = 1 << 20

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/static/") {
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if isAPI(r) {
					s.apiError(w, r, apperr.New(apperr.Internal, "error.page.internal_text"))
					return
				}
				s.renderError(w, r, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// refuseCrossOrigin answers an unsafe request that http.CrossOriginProtection turned away
// because it came from another site: a page in the reader's language, or for the API the JSON
// error its clients read.
func (s *Server) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.log.Info("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	if isAPI(r) {
		s.apiError(w, r, apperr.New(apperr.Forbidden, "error.page.cross_origin_text"))
		return
	}
	s.renderErrorPage(w, r, http.StatusForbidden, "error.page.cross_origin", "error.page.cross_origin_text")
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// safeNext returns a query-escaped local path to come back to after signing in.
func safeNext(requestURI string) string { return url.QueryEscape(requestURI) }

// maxLocalPath bounds a path to come back to: a longer one is no page of Pactum's.
const maxLocalPath = 2048

// localPath returns next when it is a path on this server, and "/" otherwise, so that a crafted
// sign-in link cannot send someone to another site. Browsers drop tabs and newlines from a
// Location, read a backslash as a slash and "//host" as another site, so a path with any of them,
// any other control or space character, a scheme or a host is refused.
func localPath(next string) string {
	if next == "" || len(next) > maxLocalPath || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c == '\\' || c == utf8.RuneError || unicode.IsControl(c) || unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}
