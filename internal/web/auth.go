package web

import (
	"net/http"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/user"
)

type loginView struct {
	page
	Username string
	Next     string
	Failed   bool
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
// as for a wrong password and does not tell which user names exist.
var dummyHash, _ = user.HashPassword("pactum-dummy-password")

// login checks the credentials, starts a new session (a fresh token: the session is rotated at
// every sign-in) and goes back to where the user was heading.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))

	u, err := s.db.UserByUsername(ctx, username)
	hash := dummyHash
	if err == nil {
		hash = u.PasswordHash
	} else if !apperr.Is(err, apperr.NotFound) {
		s.serverError(w, r, err)
		return
	}
	ok, verr := user.VerifyPassword(password, hash)
	if verr != nil {
		s.log.Error("verify password", "user", username, "err", verr)
	}
	if err != nil || !ok || !u.Active {
		s.log.Info("sign-in failed", "user", username)
		v := loginView{page: s.newPage(r, "login.title"), Username: username, Next: next, Failed: true}
		s.render(w, r, http.StatusUnauthorized, "login", v)
		return
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(ctx, user.HashSecret(old.Value)); err != nil {
			s.log.Warn("end previous session", "err", err)
		}
	}
	token, err := user.NewSecret("")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.CreateSession(ctx, user.HashSecret(token), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: isSecure(r), SameSite: http.SameSiteLaxMode,
	})
	s.log.Info("signed in", "user", u.Username)
	if next == "/" && u.Role.IsStaff() {
		next = "/start"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
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
