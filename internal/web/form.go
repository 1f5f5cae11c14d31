package web

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/i18n"
)

// formErrors is what a form page shows when a save is refused: a summary, and a message next to
// each field at fault, both in the reader's language.
type formErrors struct {
	Summary string
	Fields  map[string]string
}

// Has reports whether there is anything to show.
func (f formErrors) Has() bool { return f.Summary != "" || len(f.Fields) > 0 }

// explain translates an application error for a form. It returns ok=false for errors that are
// not the user's to fix, which the caller answers with the error page.
func explain(l *i18n.Localizer, err error) (formErrors, bool) {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code == apperr.Internal {
		return formErrors{}, false
	}
	f := formErrors{Summary: l.T(e.Message.Key, e.Message.Args...), Fields: map[string]string{}}
	for field, m := range e.Fields {
		f.Fields[field] = l.T(m.Key, m.Args...)
	}
	return f, true
}

// fieldError builds formErrors for one field.
func fieldError(l *i18n.Localizer, field, key string, args ...any) formErrors {
	return formErrors{Summary: l.T("error.invalid"), Fields: map[string]string{field: l.T(key, args...)}}
}

// clientAddress is the address the request came from, for throttling sign-in attempts.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// formInt reads a whole number from a form value, or fallback.
func formInt(s string, fallback int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fallback
	}
	return n
}
