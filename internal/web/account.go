package web

import (
	"errors"
	"net/http"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/user"
)

// profileForm is what the account page's profile form sends.
type profileForm struct {
	DisplayName  string
	Organisation string
	Language     string
	Version      int
}

type accountView struct {
	page
	Profile        profileForm
	ProfileErrors  formErrors
	PasswordErrors formErrors
	LanguageChoice []option
	Notice         string
	MinPassword    int
	// Tokens are the user's API tokens. Only staff may create one (the API serves staff), but
	// anyone may see and revoke the tokens they have.
	Tokens          []tokenRow
	CanCreateTokens bool
	TokenForm       tokenForm
	TokenErrors     formErrors
	ExpiryChoice    []option
	NewToken        string // the token just created, shown on this page only
}

func (s *Server) accountView(r *http.Request, u *user.User) (accountView, error) {
	v := accountView{page: s.newPage(r, "account.title"), MinPassword: user.MinPasswordLength}
	v.Profile = profileForm{DisplayName: u.DisplayName, Organisation: u.Organisation, Language: u.Language, Version: u.Version}
	v.CanCreateTokens = u.Role.IsStaff()
	v.TokenForm = tokenForm{Expires: defaultTokenLifetime}
	v.ExpiryChoice = expiryOptions(v.L, v.TokenForm.Expires)
	var err error
	v.Tokens, err = s.tokenRows(r, u.ID)
	return v, err
}

// languageOptions lists the UI languages for a select, each in its own name, with "" for "as the browser asks".
func languageOptions(l interface{ T(string, ...any) string }, selected string) []option {
	opts := []option{{Value: "", Label: l.T("account.language_auto"), Selected: selected == ""}}
	for _, code := range []string{"ar", "en", "es", "fr", "ru", "zh"} {
		opts = append(opts, option{Value: code, Label: languageNames[code], Selected: code == selected})
	}
	return opts
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	v, err := s.accountView(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.LanguageChoice = languageOptions(v.L, u.Language)
	switch r.URL.Query().Get("saved") {
	case "profile":
		v.Notice = v.L.T("account.profile_saved")
	case "password":
		v.Notice = v.L.T("account.password_changed")
	case "token_revoked":
		v.Notice = v.L.T("account.tokens.revoked")
	}
	s.render(w, r, http.StatusOK, "account", v)
}

// actorContext returns the request's context with the signed-in user as the actor of changes.
func actorContext(r *http.Request) *http.Request {
	u := currentUser(r)
	if u == nil {
		return r
	}
	return r.WithContext(audit.WithActor(r.Context(), audit.Actor{UserID: u.ID, Username: u.Username}))
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	u := *currentUser(r)
	form := profileForm{
		DisplayName:  strings.TrimSpace(r.PostFormValue("display_name")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")),
		Language:     r.PostFormValue("language"),
		Version:      formInt(r.PostFormValue("version"), 0),
	}
	u.DisplayName, u.Organisation, u.Language, u.Version = form.DisplayName, form.Organisation, form.Language, form.Version
	if err := s.db.UpdateUser(r.Context(), &u); err != nil {
		fe, ok := explain(localizer(r), err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		v, verr := s.accountView(r, &u)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.Profile, v.ProfileErrors = form, fe
		v.LanguageChoice = languageOptions(v.L, form.Language)
		s.render(w, r, statusOf(apperr.CodeOf(err)), "account", v)
		return
	}
	// The new language takes effect at once: the cookie of the language switcher follows it.
	if u.Language != "" {
		http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: u.Language, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, "/account?saved=profile", http.StatusSeeOther)
}

// changePassword checks the current password and sets the new one; the user's other sessions end,
// this one stays, and the user's API tokens are revoked (SetPasswordHash).
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	ctx := r.Context()
	l := localizer(r)
	u := currentUser(r)
	current, next, confirm := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	refuseWith := func(status int, fe formErrors) {
		v, err := s.accountView(r, u)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.LanguageChoice = languageOptions(v.L, u.Language)
		v.PasswordErrors = fe
		s.render(w, r, status, "account", v)
	}
	refuse := func(fe formErrors) { refuseWith(http.StatusUnprocessableEntity, fe) }
	// The current password is checked under the sign-in throttle: a stolen session must not be
	// a way to guess it quickly, nor to make the server hash without bound.
	ok, status, problem, err := s.checkPassword(w, r, u.Username, u.PasswordHash, current)
	switch {
	case err != nil:
		s.serverError(w, r, err)
		return
	case status == http.StatusUnauthorized:
		refuse(fieldError(l, "current_password", "account.error.current_password"))
		return
	case !ok:
		refuseWith(status, formErrors{Summary: problem, Fields: map[string]string{"current_password": problem}})
		return
	}
	if err := user.CheckPassword(next); err != nil {
		fe, _ := explain(l, err)
		fe.Fields["new_password"] = fe.Fields["password"]
		refuse(fe)
		return
	}
	if next != confirm {
		refuse(fieldError(l, "confirm_password", "account.error.confirm"))
		return
	}
	hash, err := s.opts.Passwords.Hash(ctx, next)
	if errors.Is(err, user.ErrBusy) {
		refuseWith(http.StatusServiceUnavailable, formErrors{Summary: tooBusy(w, l)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.SetPasswordHash(ctx, u.ID, hash); err != nil {
		s.serverError(w, r, err)
		return
	}
	// SetPasswordHash ended every session, this one included: open a fresh one.
	u.PasswordHash = hash
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?saved=password", http.StatusSeeOther)
}
