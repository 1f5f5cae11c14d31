package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/money"
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

// addFieldErrors adds to errs, translated, the field errors of err on fields errs has none for:
// a form's own checks come first, the domain's rules add the rest.
func addFieldErrors(l *i18n.Localizer, errs formErrors, err error) {
	for field, m := range apperr.FieldsOf(err) {
		if _, ok := errs.Fields[field]; !ok {
			errs.Fields[field] = l.T(m.Key, m.Args...)
		}
	}
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

// pathID reads the number of the record the request's path names ({id}). It reports false when
// that is not a whole number above zero, which names no record: the handler then answers as it
// does for a record that does not exist, never as if the path named none (0, a new record).
func pathID(r *http.Request) (int64, bool) { return recordID(r.PathValue("id")) }

// recordID reads the number of a stored record; ok is false when s is not a whole number above
// zero, which no record has.
func recordID(s string) (id int64, ok bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// idField reads the number of the record a form's field names, such as the account chosen as a
// partner's owner: 0 for an empty field, which names none. Anything else that is not a whole
// number above zero (a form out of date or tampered with: its lists offer numbers only) puts the
// message key on field in errs, and gives 0.
func idField(value, field, key string, errs apperr.FieldErrors) int64 {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	id, ok := recordID(value)
	if !ok {
		errs.Add(field, key)
		return 0
	}
	return id
}

// idFields is idField for the values of a field sent several times (check boxes); an empty value
// names no record and is refused too.
func idFields(values []string, field, key string, errs apperr.FieldErrors) []int64 {
	var ids []int64
	for _, v := range values {
		id := idField(v, field, key, errs)
		if id == 0 {
			errs.Add(field, key) // an empty value; Add keeps a message already there
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// parseDate reads an optional date of a form into dst, adding a field error when it is not one.
func parseDate(value, field string, dst *civil.Date, errs apperr.FieldErrors) {
	if value == "" {
		return
	}
	d, err := civil.Parse(value)
	if err != nil {
		errs.Add(field, "error.date")
		return
	}
	*dst = d
}

// parseAmount reads an optional amount of a form into dst, adding a field error when it is not one.
func parseAmount(value, field string, dst *money.Amount, errs apperr.FieldErrors) {
	if value == "" {
		return
	}
	a, err := money.Parse(value)
	if err != nil {
		errs.Add(field, "error.amount")
		return
	}
	*dst = a
}

// knownAccounts puts the message key on field in errs when an account of ids (0 for none) does not
// exist: a list of people offers the accounts there were when its form was shown, and a record
// that names one there is not any more would fail in the store.
func (s *Server) knownAccounts(ctx context.Context, errs apperr.FieldErrors, field, key string, ids ...int64) error {
	for _, id := range ids {
		if id == 0 {
			continue
		}
		_, err := s.db.UserByID(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			errs.Add(field, key)
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addDomainErrors adds to errs the field errors of err, a domain's Validate, on fields errs has
// none for: a form's own checks (a date that is no date) come first, the domain's rules add the rest.
func addDomainErrors(errs apperr.FieldErrors, err error) {
	for field, m := range apperr.FieldsOf(err) {
		errs.Add(field, m.Key, m.Args...)
	}
}

// readForm parses the body of a form before its handler runs. Handlers read fields with
// PostFormValue, which drops a parse error: a body cut off at the size limit would reach them as
// a form with empty fields, and answer as if the user had sent those (a wrong password that
// counts against the account, a stale version). So a body over the limit is answered 413 here,
// and one that cannot be read 400; it reports whether the handler may go on. The limit keeps a
// multipart body within maxBodyBytes, so its parts stay in memory and leave no temporary files.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	// ParseMultipartForm drops the error of an encoded body, hence ParseForm first.
	err := r.ParseForm()
	if err == nil {
		err = r.ParseMultipartForm(maxBodyBytes)
	}
	if err == nil || errors.Is(err, http.ErrNotMultipart) {
		return true
	}
	s.log.Info("form refused", "method", r.Method, "path", r.URL.Path, "err", err)
	if bodyTooLarge(err) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge)
	} else {
		s.renderError(w, r, http.StatusBadRequest)
	}
	return false
}

// bodyTooLarge reports whether err comes from reading past a request's body limit.
func bodyTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}
