// Package web serves Pactum's pages and API: server-rendered HTML that works without JavaScript,
// in six languages, and a JSON API under /api/v1 for integrators.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"pactum/internal/i18n"
	"pactum/internal/store"
	"pactum/internal/user"
)

// Server holds what the handlers need; it keeps no per-user state of its own (sessions are in the
// database), so several servers can share one PostgreSQL database.
type Server struct {
	db        *store.DB
	bundle    *i18n.Bundle
	templates *templates
	log       *slog.Logger
	opts      Options
	routes    []route
	mux       *http.ServeMux
}

// Options are the settings of the web application.
type Options struct {
	// BaseURL is the address people reach Pactum at, such as https://pactum.example.org; links
	// in e-mails start with it. It is configured, never taken from a request's Host header,
	// which a client chooses.
	BaseURL string
	// MailQueued, when set, is called after a request queued e-mail, to send it without waiting
	// for the sender's next round.
	MailQueued func()
	// ImportQueued, when set, is called after a request queued an import job, to start it without
	// waiting for the import worker's next round.
	ImportQueued func()
	// ImportRowsDone, when set, says how many rows of a job this server's import worker has done
	// while it runs it (importjob.Runner.RowsDone): on SQLite the database learns it only at the end.
	ImportRowsDone func(id int64) (int, bool)
	// Passwords hashes and checks passwords a few at a time; nil means the process's own,
	// user.Passwords. Tests pass a saturated one.
	Passwords *user.Hasher
}

// New prepares the server: it parses every template and fails fast on an error in one.
func New(db *store.DB, bundle *i18n.Bundle, log *slog.Logger, opts Options) (*Server, error) {
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.Passwords == nil {
		opts.Passwords = user.Passwords
	}
	s := &Server{db: db, bundle: bundle, templates: tmpl, log: log, opts: opts, mux: http.NewServeMux()}
	s.routes = s.routeTable()
	// The table is the only source of handlers: the authorisation test walks it, so a handler
	// registered any other way would be served without ever being checked.
	for _, r := range s.routes {
		s.mux.Handle(r.pattern, s.guard(r))
	}
	return s, nil
}

// Handler returns the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	protect := http.NewCrossOriginProtection()
	protect.SetDenyHandler(s.withUser(http.HandlerFunc(s.refuseCrossOrigin)))
	var h http.Handler = s.mux
	// Panics are recovered inside withUser, so that the error page knows the reader's language
	// and account.
	h = s.recoverPanics(h)
	h = s.withUser(h)
	h = protect.Handler(h)
	h = securityHeaders(h)
	h = s.logRequests(h)
	return h
}

// HTTPServer wraps the handler in an http.Server with timeouts that keep slow or stuck clients
// from holding connections open.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// healthz answers 200 when the database answers, 503 when it does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Health(ctx); err != nil {
		s.log.Warn("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		if errors.Is(err, store.ErrSchemaBehind) {
			w.Write([]byte("database schema missing or not up to date\n"))
		} else {
			w.Write([]byte("database unreachable\n"))
		}
		return
	}
	w.Write([]byte("ok\n"))
}
