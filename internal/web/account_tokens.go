package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/user"
)

// tokenRow is an API token as the account page and the user page list it.
type tokenRow struct {
	ID                               int64
	Name, Created, LastUsed, Expires string
	Expired                          bool
}

// tokenRows lists a user's tokens in the reader's language.
func (s *Server) tokenRows(r *http.Request, userID int64) ([]tokenRow, error) {
	l := localizer(r)
	list, err := s.db.APITokens(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	rows := make([]tokenRow, len(list))
	for i, t := range list {
		rows[i] = tokenRow{ID: t.ID, Name: t.Name, Created: l.Date(civil.Of(t.CreatedAt)),
			LastUsed: l.T("account.tokens.never_used"), Expires: l.T("account.tokens.never_expires"), Expired: t.Expired(now)}
		if !t.LastUsedAt.IsZero() {
			rows[i].LastUsed = l.DateTime(t.LastUsedAt, false)
		}
		if !t.ExpiresAt.IsZero() {
			rows[i].Expires = l.DateTime(t.ExpiresAt, false)
		}
	}
	return rows, nil
}

// tokenLifetimes are the expiries the account page offers, in days; "never" is offered after them.
// A token lasts 90 days unless its owner chooses otherwise, so that a forgotten one ends by itself.
var tokenLifetimes = []int{30, 90, 365}

const defaultTokenLifetime = "90"

// tokenForm is what the account page's form for a new token sends.
type tokenForm struct {
	Name    string
	Expires string // a number of days from tokenLifetimes, or "never"
}

// expiryOptions lists the choices of expiry for a select.
func expiryOptions(l *i18n.Localizer, selected string) []option {
	var opts []option
	for _, days := range tokenLifetimes {
		v := strconv.Itoa(days)
		opts = append(opts, option{Value: v, Label: l.N("account.tokens.expires_in", days), Selected: v == selected})
	}
	return append(opts, option{Value: "never", Label: l.T("account.tokens.never_expires"), Selected: selected == "never"})
}

// expiryOf turns the form's choice into the token's expiry (zero: never); ok is false for a
// choice the form does not offer.
func expiryOf(choice string, now time.Time) (expires time.Time, ok bool) {
	if choice == "never" {
		return time.Time{}, true
	}
	days, err := strconv.Atoi(choice)
	if err != nil || !slices.Contains(tokenLifetimes, days) {
		return time.Time{}, false
	}
	return now.AddDate(0, 0, days), true
}

// createToken issues an API token to the signed-in user and shows it on the page it answers
// with, once: the token travels in no URL and no log, and only its hash is stored. The page is
// not cached (render sends no-store).
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	u := currentUser(r)
	l := localizer(r)
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name")), Expires: r.PostFormValue("expires")}
	refuse := func(status int, fe formErrors) {
		v, err := s.accountView(r, u)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.LanguageChoice = languageOptions(v.L, u.Language)
		v.TokenForm, v.TokenErrors, v.ExpiryChoice = form, fe, expiryOptions(v.L, form.Expires)
		s.render(w, r, status, "account", v)
	}
	if form.Name == "" {
		refuse(http.StatusUnprocessableEntity, fieldError(l, "name", "error.required"))
		return
	}
	expires, ok := expiryOf(form.Expires, time.Now())
	if !ok {
		refuse(http.StatusUnprocessableEntity, fieldError(l, "expires", "error.choose"))
		return
	}
	token, err := user.NewSecret(user.APITokenPrefix)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	t := &user.APIToken{UserID: u.ID, Name: form.Name, ExpiresAt: expires}
	if err := s.db.CreateAPIToken(r.Context(), t, user.HashSecret(token)); err != nil {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		refuse(statusOf(apperr.CodeOf(err)), fe)
		return
	}
	v, err := s.accountView(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.LanguageChoice = languageOptions(v.L, u.Language)
	v.NewToken = token
	s.render(w, r, http.StatusOK, "account", v)
}

// revokeOwnToken revokes a token of the signed-in user. A token of anyone else is not found,
// exactly as one that does not exist.
func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if !s.revokeToken(w, r, currentUser(r).ID, id) {
		return
	}
	http.Redirect(w, r, "/account?saved=token_revoked", http.StatusSeeOther)
}

// revokeUserToken lets an administrator revoke a token of the user whose page it is listed on.
func (s *Server) revokeUserToken(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	owner, err := s.db.UserByUsername(r.Context(), r.PathValue("username"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if !s.revokeToken(w, r, owner.ID, id) {
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(owner.Username)+"?saved=token_revoked", http.StatusSeeOther)
}

// revokeToken revokes token id of ownerID, or answers why it could not; it reports whether it did.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, ownerID, id int64) bool {
	err := s.db.RevokeAPIToken(r.Context(), ownerID, id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.notFound(w, r)
		return false
	case err != nil:
		s.serverError(w, r, err)
		return false
	}
	return true
}
