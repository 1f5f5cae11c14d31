package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/i18n"
	"pactum/internal/user"
)

type loginView struct {
	page
	Username string
	Next     string
	Problem  string // why the last attempt failed, in the reader's language
	Notice   string // a message from the page that sent the reader here
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := loginView{page: s.newPage(r, "login.title"), Next: localPath(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "login", v)
}

// dummyHash is checked against when the user does not exist, so that the answer takes as long
// as for a wrong password and does not tell which user names exist. It is a hash of a password
// nobody uses, with the parameters of HashPassword: computing it would cost a hash of its own.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$uUAfvCAeDGVe7MatRl+bBQ$HnNCYjUH88Qmev6gtHb3PySfkgfBW2yEPVGhwJOHZF4"

// signInKeys are the throttle keys of a sign-in by name from the request's client address: the
// name is slowed down and locked per address, so that guesses from elsewhere cannot lock its
// owner out, and the address whatever the names it tries.
func signInKeys(r *http.Request, name string) []user.ThrottleKey {
	address := clientAddress(r)
	return []user.ThrottleKey{{Kind: user.ThrottleUser, Value: name, Address: address}, {Kind: user.ThrottleAddress, Value: address}}
}

// throttleProblem is what a refused attempt is told: how long the lock or the wait lasts.
func throttleProblem(w http.ResponseWriter, l *i18n.Localizer, now, until time.Time, locked bool) string {
	w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(now).Seconds())+1))
	if locked {
		return l.N("login.locked", int(until.Sub(now).Minutes())+1)
	}
	return l.N("login.slow_down", int(until.Sub(now).Seconds())+1)
}

// tooBusy answers a password form whose hash found no free slot: 503 with Retry-After, so that the
// person (or a client) tries again in a few seconds.
func tooBusy(w http.ResponseWriter, l *i18n.Localizer) string {
	w.Header().Set("Retry-After", strconv.Itoa(int(user.BusyRetryAfter.Seconds())))
	return l.N("error.busy", int(user.BusyRetryAfter.Seconds()))
}

// checkPassword checks the password typed for name (whose stored hash is hash, or "" when no such
// user exists) under the sign-in throttle. The attempt is counted before the check, so that a
// burst of attempts is throttled as if they came one after another. It answers the request and
// returns false when the attempt is refused (status and the problem shown), or when the password
// is wrong; ok means it was right.
func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request, name, hash, password string) (ok bool, status int, problem string, err error) {
	ctx := r.Context()
	l := localizer(r)
	keys := signInKeys(r, name)
	now := time.Now()
	until, locked, err := s.db.BeginSignIn(ctx, now, keys...)
	if err != nil {
		return false, 0, "", err
	}
	if !until.IsZero() {
		return false, http.StatusTooManyRequests, throttleProblem(w, l, now, until, locked), nil
	}
	known := hash != ""
	if !known {
		hash = dummyHash
	}
	ok, verr := s.opts.Passwords.Verify(ctx, password, hash)
	switch {
	case errors.Is(verr, user.ErrBusy):
		if err := s.db.TakeBackSignIn(context.WithoutCancel(ctx), keys...); err != nil {
			return false, 0, "", err
		}
		return false, http.StatusServiceUnavailable, tooBusy(w, l), nil
	case verr != nil && known:
		s.log.Error("verify password", "user", name, "err", verr)
	}
	if !ok || !known {
		s.log.Info("sign-in failed", "login", name, "address", clientAddress(r))
		// The wait counts from the failure's answer, not from its start: checking a password
		// takes time, which must not use up the wait.
		if err := s.db.EndFailedSignIn(ctx, time.Now(), keys...); err != nil {
			return false, 0, "", err
		}
		return false, http.StatusUnauthorized, "", nil
	}
	if err := s.db.EndSignIn(ctx, keys...); err != nil {
		return false, 0, "", err
	}
	return true, 0, "", nil
}

// login checks the credentials, starts a new session (a fresh token: the session is rotated at
// every sign-in) and goes back to where the user was heading. Repeated failures slow down the
// next attempts and then lock the user name from that client address, and the address, for a
// while.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localizer(r)
	login := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	refuse := func(status int, problem string) {
		v := loginView{page: s.newPage(r, "login.title"), Username: login, Next: next, Problem: problem}
		s.render(w, r, status, "login", v)
	}
	// What can be no account's name or address is refused before it is looked up or counted.
	if m := apperr.Text(login, user.MaxEmailLength, false); m != nil {
		refuse(http.StatusUnprocessableEntity, l.T(m.Key, m.Args...))
		return
	}

	// The user is looked up first so that failures count against the account whether its user
	// name or its e-mail address was typed; an unknown login counts against what was typed.
	u, err := s.db.UserByLogin(ctx, login)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.serverError(w, r, err)
		return
	}
	name, hash := login, ""
	if err == nil {
		name, hash = u.Username, u.PasswordHash
	}
	ok, status, problem, err := s.checkPassword(w, r, name, hash, password)
	switch {
	case err != nil:
		s.serverError(w, r, err)
		return
	case status == http.StatusUnauthorized || (ok && !u.Active):
		refuse(http.StatusUnauthorized, l.T("login.failed"))
		return
	case !ok:
		refuse(status, problem)
		return
	case !u.CanSignIn():
		refuse(http.StatusForbidden, l.T("login.unverified"))
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	if next == "/" {
		next = s.landing(u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// landing is the page a user starts from: the start page for staff, the account for others.
func (s *Server) landing(u *user.User) string {
	if u.Role.IsStaff() {
		return "/start"
	}
	return "/account"
}

// startSession ends the request's old session, if any, and opens a new one for u.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *user.User) error {
	ctx := r.Context()
	if old, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(ctx, user.HashSecret(old.Value)); err != nil {
			return err
		}
	}
	token, err := user.NewSecret("")
	if err != nil {
		return err
	}
	if err := s.db.CreateSession(ctx, user.HashSecret(token), u.ID); err != nil {
		return err
	}
	if err := s.db.RecordSignIn(ctx, u); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode,
	})
	s.log.Info("signed in", "user", u.Username)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(r.Context(), user.HashSecret(c.Value)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// serverError logs err with the request and shows the reader the error page: 503 with
// Retry-After when the database was taken by other work (a long import), 500 otherwise.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.CodeOf(err) == apperr.Busy {
		s.log.Warn("request refused: database busy", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		s.renderError(w, r, http.StatusServiceUnavailable)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.renderError(w, r, http.StatusInternalServerError)
}
