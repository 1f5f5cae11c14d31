package web

import (
	"crypto/rand"
	"errors"
	"math/big"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/i18n"
	"pactum/internal/mail"
	"pactum/internal/user"
)

// linkMail writes the e-mail that carries a one-time link, in the recipient's language. A
// verification link goes to an address that nobody has proven yet, given by whoever filled in the
// registration form: it carries nothing they typed (their name would read as the bureau's words
// to whoever owns the address), only the bureau's own text.
func (s *Server) linkMail(l *i18n.Localizer, u *user.User, purpose, path, token string) mail.Message {
	link := s.opts.BaseURL + path + "?token=" + url.QueryEscape(token)
	toName := u.Name()
	if purpose == user.TokenVerify {
		toName = ""
	}
	return mail.Message{
		To:       u.Email,
		ToName:   toName,
		Language: l.Lang,
		Subject:  l.T("mail." + purpose + ".subject"),
		Text: l.T("mail."+purpose+".body", "name", toName, "link", link, "username", u.Username) +
			"\n\n-- \n" + l.T("mail.footer"),
	}
}

// mailLocalizer is the language of an e-mail to u: their preference, else the page's.
func (s *Server) mailLocalizer(r *http.Request, u *user.User) *i18n.Localizer {
	if s.bundle.Supported(u.Language) {
		return s.bundle.Localizer(u.Language)
	}
	return localizer(r)
}

func (s *Server) mailQueued() {
	if s.opts.MailQueued != nil {
		s.opts.MailQueued()
	}
}

// registerForm is what the registration form sends.
type registerForm struct {
	DisplayName, Organisation, Email, Language string
}

type registerView struct {
	page
	Form           registerForm
	Errors         formErrors
	LanguageChoice []option
	MinPassword    int
	Done           bool // registered: the page says to look for the e-mail
}

func (s *Server) registerView(r *http.Request, form registerForm, errs formErrors) registerView {
	v := registerView{page: s.newPage(r, "register.title"), Form: form, Errors: errs, MinPassword: user.MinPasswordLength}
	v.LanguageChoice = languageOptions(v.L, form.Language)
	return v
}

func (s *Server) showRegister(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "register", s.registerView(r, registerForm{Language: localizer(r).Lang}, formErrors{}))
}

// signupsPerAddress is how many accounts one client address may register in an hour: enough for
// the people of one office, too few to make Pactum a mail cannon or a password-hashing load.
const signupsPerAddress = 10

// register creates an external account, not yet able to sign in, and e-mails the link that
// verifies its address.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	form := registerForm{
		DisplayName:  strings.TrimSpace(r.PostFormValue("display_name")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")),
		Email:        strings.TrimSpace(r.PostFormValue("email")),
		Language:     r.PostFormValue("language"),
	}
	password, confirm := r.PostFormValue("password"), r.PostFormValue("confirm_password")
	errs := formErrors{Fields: map[string]string{}}
	if form.DisplayName == "" {
		errs.Fields["display_name"] = l.T("error.required")
	}
	if form.Organisation == "" {
		errs.Fields["organisation"] = l.T("error.required")
	}
	if _, err := netmail.ParseAddress(form.Email); err != nil {
		errs.Fields["email"] = l.T("error.email")
	}
	if err := user.CheckPassword(password); err != nil {
		fe, _ := explain(l, err)
		errs.Fields["password"] = fe.Fields["password"]
	} else if password != confirm {
		errs.Fields["confirm_password"] = l.T("account.error.confirm")
	}
	// The account's own rules are checked before the address is counted and the password hashed.
	u := &user.User{Username: usernameFrom(form.Email), Email: form.Email, DisplayName: form.DisplayName,
		Organisation: form.Organisation, Language: form.Language, Role: user.RoleExternal, Active: true}
	addFieldErrors(l, errs, u.Validate())
	if len(errs.Fields) > 0 {
		errs.Summary = l.T("error.invalid")
		s.render(w, r, http.StatusUnprocessableEntity, "register", s.registerView(r, form, errs))
		return
	}
	// Each sign-up costs a password hash and an e-mail: a client address gets a few an hour.
	allowed, retryAfter, err := s.db.CountRequest(r.Context(), time.Now(), "signup ip:"+clientAddress(r), signupsPerAddress, time.Hour)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !allowed {
		minutes := int(retryAfter.Minutes()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())+1))
		errs.Summary = l.N("register.error.too_many", minutes)
		s.render(w, r, http.StatusTooManyRequests, "register", s.registerView(r, form, errs))
		return
	}
	hash, err := s.opts.Passwords.Hash(r.Context(), password)
	if errors.Is(err, user.ErrBusy) {
		errs.Summary = tooBusy(w, l)
		s.render(w, r, http.StatusServiceUnavailable, "register", s.registerView(r, form, errs))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u.PasswordHash = hash
	token, err := user.NewSecret("")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ctx := audit.WithActor(r.Context(), audit.Actor{Username: u.Username})
	err = s.db.CreateUserWithLink(ctx, u, user.TokenVerify, user.HashSecret(token), s.linkMail(s.mailLocalizer(r, u), u, "verify", "/verify", token))
	if apperr.Is(err, apperr.Conflict) {
		if fe, ok := explain(l, err); ok && fe.Fields["username"] != "" && fe.Fields["email"] == "" {
			// The derived user name is taken: another derivation will do.
			u.Username = usernameFrom(form.Email + randomDigits())
			err = s.db.CreateUserWithLink(ctx, u, user.TokenVerify, user.HashSecret(token), s.linkMail(s.mailLocalizer(r, u), u, "verify", "/verify", token))
		}
	}
	if err != nil {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, statusOf(apperr.CodeOf(err)), "register", s.registerView(r, form, fe))
		return
	}
	s.mailQueued()
	v := s.registerView(r, form, formErrors{})
	v.Done = true
	s.render(w, r, http.StatusOK, "register", v)
}

var notUsername = regexp.MustCompile(`[^a-z0-9._-]+`)

// usernameFrom derives a user name from an e-mail address for a registered external account,
// which signs in with its address: "Ana.Lopez@example.org" gives "ana.lopez-4821".
func usernameFrom(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	name := strings.Trim(notUsername.ReplaceAllString(local, "-"), "-._")
	if len(name) > 40 {
		name = name[:40]
	}
	if name == "" {
		name = "partner"
	}
	return name + "-" + randomDigits()
}

func randomDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9000))
	return big.NewInt(0).Add(n, big.NewInt(1000)).String()
}

type messageView struct {
	page
	Heading, Text string
	LinkURL       string
	LinkText      string
}

// verify confirms an external account's e-mail address with the link that was sent to it.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	u, err := s.db.VerifyEmail(r.Context(), user.HashSecret(r.URL.Query().Get("token")))
	v := messageView{page: s.newPage(r, "verify.title")}
	v.Heading = v.Title
	switch {
	case err == nil:
		v.Text, v.LinkURL, v.LinkText = l.T("verify.done", "email", u.Email), "/login", l.T("nav.sign_in")
		s.render(w, r, http.StatusOK, "message", v)
	case apperr.Is(err, apperr.NotFound):
		v.Text, v.LinkURL, v.LinkText = l.T("account.error.link_expired"), "/password/forgot", l.T("verify.new_link")
		s.render(w, r, http.StatusGone, "message", v)
	default:
		s.serverError(w, r, err)
	}
}

type forgotView struct {
	page
	Login string
	Error string // what is wrong with Login
	Sent  bool
}

func (s *Server) showForgot(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", forgotView{page: s.newPage(r, "forgot.title")})
}

// forgot sends a password-reset link to the account's address, or for an external account whose
// address is not verified yet, a new verification link. The answer is the same whether or not the
// account exists, so the form does not tell who has an account.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	login := strings.TrimSpace(r.PostFormValue("login"))
	v := forgotView{page: s.newPage(r, "forgot.title"), Login: login, Sent: true}
	if m := apperr.Text(login, user.MaxEmailLength, false); m != nil {
		v.Sent, v.Error = false, localizer(r).T(m.Key, m.Args...)
		s.render(w, r, http.StatusUnprocessableEntity, "forgot", v)
		return
	}
	u, err := s.db.UserByLogin(r.Context(), login)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.serverError(w, r, err)
		return
	}
	if err == nil && u.Active && u.Email != "" {
		token, terr := user.NewSecret("")
		if terr != nil {
			s.serverError(w, r, terr)
			return
		}
		purpose, path := user.TokenReset, "/password/reset"
		if !u.CanSignIn() { // active, so an external account whose address is not verified yet
			purpose, path = user.TokenVerify, "/verify"
		}
		sent, serr := s.db.SendLink(r.Context(), u.ID, purpose, user.HashSecret(token), s.linkMail(s.mailLocalizer(r, u), u, purpose, path, token))
		if serr != nil {
			s.serverError(w, r, serr)
			return
		}
		if sent {
			s.mailQueued()
		}
	}
	s.render(w, r, http.StatusOK, "forgot", v)
}

type setPasswordView struct {
	page
	Token       string
	Action      string
	Username    string
	Errors      formErrors
	MinPassword int
}

// setPasswordPages are the two pages where a link from an e-mail sets a password.
var setPasswordPages = map[string]struct{ purpose, titleKey string }{
	"/password/reset": {user.TokenReset, "reset.title"},
	"/invite":         {user.TokenInvite, "invite.title"},
}

func (s *Server) showSetPassword(w http.ResponseWriter, r *http.Request) {
	which := setPasswordPages[r.URL.Path]
	token := r.URL.Query().Get("token")
	u, err := s.db.TokenUser(r.Context(), user.HashSecret(token), which.purpose)
	if apperr.Is(err, apperr.NotFound) {
		v := messageView{page: s.newPage(r, which.titleKey)}
		v.Heading, v.Text, v.LinkURL, v.LinkText = v.Title, v.L.T("account.error.link_expired"), "/password/forgot", v.L.T("verify.new_link")
		s.render(w, r, http.StatusGone, "message", v)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := setPasswordView{page: s.newPage(r, which.titleKey), Token: token, Action: r.URL.Path, Username: u.Username, MinPassword: user.MinPasswordLength}
	s.render(w, r, http.StatusOK, "set_password", v)
}

// setPassword sets the password with an e-mailed link and signs the person in.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	which := setPasswordPages[r.URL.Path]
	token := r.PostFormValue("token")
	password, confirm := r.PostFormValue("password"), r.PostFormValue("confirm_password")
	refuse := func(status int, errs formErrors) {
		v := setPasswordView{page: s.newPage(r, which.titleKey), Token: token, Action: r.URL.Path, Errors: errs, MinPassword: user.MinPasswordLength}
		if u, err := s.db.TokenUser(r.Context(), user.HashSecret(token), which.purpose); err == nil {
			v.Username = u.Username
		}
		s.render(w, r, status, "set_password", v)
	}
	if err := user.CheckPassword(password); err != nil {
		fe, _ := explain(l, err)
		refuse(http.StatusUnprocessableEntity, fe)
		return
	}
	if password != confirm {
		refuse(http.StatusUnprocessableEntity, fieldError(l, "confirm_password", "account.error.confirm"))
		return
	}
	// The link is checked before the password is hashed: a made-up token costs no hash.
	owner, err := s.db.TokenUser(r.Context(), user.HashSecret(token), which.purpose)
	if apperr.Is(err, apperr.NotFound) {
		refuse(http.StatusGone, formErrors{Summary: l.T("account.error.link_expired")})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	hash, err := s.opts.Passwords.Hash(r.Context(), password)
	if errors.Is(err, user.ErrBusy) {
		refuse(http.StatusServiceUnavailable, formErrors{Summary: tooBusy(w, l)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ctx := audit.WithActor(r.Context(), audit.Actor{UserID: owner.ID, Username: owner.Username})
	u, err := s.db.SetPasswordWithToken(ctx, user.HashSecret(token), which.purpose, hash)
	if apperr.Is(err, apperr.NotFound) {
		refuse(http.StatusGone, formErrors{Summary: l.T("account.error.link_expired")})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !u.CanSignIn() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if err := s.db.UnlockName(r.Context(), u.Username); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.landing(u), http.StatusSeeOther)
}

// showInvite shows the form that invites a new user.
func (s *Server) showInvite(w http.ResponseWriter, r *http.Request) {
	v, err := s.userEditView(r, "admin.users.invite", userForm{Role: string(user.RoleOfficer), Active: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.New = true
	s.render(w, r, http.StatusOK, "admin_user", v)
}

// invite creates a staff or external account and e-mails the invitation to set a first password.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	form := parseUserForm(r)
	form.Active = true
	refuse := func(status int, errs formErrors) {
		v, err := s.userEditView(r, "admin.users.invite", form)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.New, v.Errors = true, errs
		s.render(w, r, status, "admin_user", v)
	}
	u := &user.User{Username: form.Username, Email: form.Email, DisplayName: form.DisplayName, Organisation: form.Organisation,
		Role: user.Role(form.Role), Region: form.Region, Language: form.Language, Active: true}
	if u.Role != user.RoleRegionalOfficer {
		u.Region = ""
	}
	// The account's rules are checked before the password is hashed.
	errs := formErrors{Summary: l.T("error.invalid"), Fields: map[string]string{}}
	if _, err := netmail.ParseAddress(form.Email); err != nil {
		errs.Fields["email"] = l.T("error.email")
	}
	addFieldErrors(l, errs, u.Validate())
	if len(errs.Fields) > 0 {
		refuse(http.StatusUnprocessableEntity, errs)
		return
	}
	unusable, err := user.NewSecret("")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	hash, err := s.opts.Passwords.Hash(r.Context(), unusable) // replaced when the invitation is accepted
	if errors.Is(err, user.ErrBusy) {
		refuse(http.StatusServiceUnavailable, formErrors{Summary: tooBusy(w, l)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u.PasswordHash = hash
	token, err := user.NewSecret("")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	m := s.linkMail(s.mailLocalizer(r, u), u, "invite", "/invite", token)
	if err := s.db.CreateUserWithLink(r.Context(), u, user.TokenInvite, user.HashSecret(token), m); err != nil {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		refuse(statusOf(apperr.CodeOf(err)), fe)
		return
	}
	s.mailQueued()
	http.Redirect(w, r, "/admin/users?invited="+url.QueryEscape(u.Email), http.StatusSeeOther)
}
