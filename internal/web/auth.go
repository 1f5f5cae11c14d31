package web

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/store"
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
// as for a wrong password and does not tell which user names exist. It is made at its first use,
// not at every start of every command (an argon2id hash takes a quarter of a second and 64 MiB).
var dummyHash = sync.OnceValue(func() string {
	h, _ := user.HashPassword("pactum-dummy-password")
	return h
})

// login checks the credentials, starts a new session (a fresh token: the session is rotated at
// every sign-in) and goes back to where the user was heading. Repeated failures slow down the
// next attempts and then lock the user name, and the client address, for a while.
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
	} else {
		hash = dummyHash()
	}
	now := time.Now()
	keys := []store.ThrottleKey{{Kind: user.ThrottleUser, Value: name}, {Kind: user.ThrottleAddress, Value: clientAddress(r)}}
	until, locked, terr := s.db.SignInBlockedUntil(ctx, now, keys...)
	if terr != nil {
		s.serverError(w, r, terr)
		return
	}
	if locked {
		minutes := int(until.Sub(now).Minutes()) + 1
		refuse(http.StatusTooManyRequests, l.N("login.locked", minutes))
		return
	}
	if !until.IsZero() {
		seconds := int(until.Sub(now).Seconds()) + 1
		refuse(http.StatusTooManyRequests, l.N("login.slow_down", seconds))
		return
	}
	ok, verr := user.VerifyPassword(password, hash)
	if verr != nil && err == nil {
		s.log.Error("verify password", "user", u.Username, "err", verr)
	}
	if err != nil || !ok || !u.Active {
		s.log.Info("sign-in failed", "login", login, "address", clientAddress(r))
		// The wait counts from the failure's answer, not from its start: checking a password
		// takes time, which must not use up the wait.
		if err := s.db.RecordSignInFailure(ctx, time.Now(), keys...); err != nil {
			s.serverError(w, r, err)
			return
		}
		refuse(http.StatusUnauthorized, l.T("login.failed"))
		return
	}
	if !u.CanSignIn() {
		refuse(http.StatusForbidden, l.T("login.unverified"))
		return
	}
	if err := s.db.ClearSignInFailures(ctx, keys[0]); err != nil {
		s.serverError(w, r, err)
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

// serverError logs err with the request and shows the reader the error page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.renderError(w, r, http.StatusInternalServerError)
}
