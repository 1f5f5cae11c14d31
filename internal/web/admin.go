package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/reference"
	"pactum/internal/user"
)

type adminView struct {
	page
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "admin", adminView{page: s.newPage(r, "admin.title")})
}

// regionOptions lists the regions (not "global") for a select, with "" first.
func (s *Server) regionOptions(r *http.Request, selected string) ([]option, error) {
	l := localizer(r)
	items, err := s.db.ReferenceItems(r.Context(), reference.ListRegion)
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: l.T("form.none"), Selected: selected == ""}}
	for _, it := range items {
		if it.Code == reference.RegionGLO {
			continue
		}
		opts = append(opts, option{Value: it.Code, Label: it.Labels.In(l.Lang, it.Code), Selected: it.Code == selected})
	}
	return opts, nil
}

func roleOptions(l interface{ T(string, ...any) string }, selected user.Role) []option {
	var opts []option
	for _, role := range user.Roles {
		opts = append(opts, option{Value: string(role), Label: l.T("role." + string(role)), Selected: role == selected})
	}
	return opts
}

type userRow struct {
	Username, Name, Email, Role, Region string
	Active                              bool
	LastSignIn                          string
}

type usersView struct {
	page
	Users  []userRow
	Notice string
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	regions, err := s.db.ReferenceItems(r.Context(), reference.ListRegion)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	regionLabel := map[string]string{}
	for _, it := range regions {
		regionLabel[it.Code] = it.Labels.In(l.Lang, it.Code)
	}
	v := usersView{page: s.newPage(r, "admin.users.title")}
	if r.URL.Query().Get("invited") != "" {
		v.Notice = l.T("admin.users.invited", "email", r.URL.Query().Get("invited"))
	}
	for _, u := range users {
		row := userRow{Username: u.Username, Name: u.DisplayName, Email: u.Email, Role: l.T("role." + string(u.Role)),
			Region: regionLabel[u.Region], Active: u.Active}
		if !u.LastLoginAt.IsZero() {
			row.LastSignIn = l.Date(civil.Of(u.LastLoginAt))
		}
		v.Users = append(v.Users, row)
	}
	s.render(w, r, http.StatusOK, "admin_users", v)
}

// userForm is what the user form sends.
type userForm struct {
	Username, Email, DisplayName, Organisation, Role, Region, Language string
	Active                                                             bool
	Version                                                            int
}

func userFormOf(u *user.User) userForm {
	return userForm{Username: u.Username, Email: u.Email, DisplayName: u.DisplayName, Organisation: u.Organisation,
		Role: string(u.Role), Region: u.Region, Language: u.Language, Active: u.Active, Version: u.Version}
}

func parseUserForm(r *http.Request) userForm {
	return userForm{
		Username:     strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))),
		Email:        strings.TrimSpace(r.PostFormValue("email")),
		DisplayName:  strings.TrimSpace(r.PostFormValue("display_name")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")),
		Role:         r.PostFormValue("role"),
		Region:       r.PostFormValue("region"),
		Language:     r.PostFormValue("language"),
		Active:       r.PostFormValue("active") == "1",
		Version:      formInt(r.PostFormValue("version"), 0),
	}
}

type userEditView struct {
	page
	Form           userForm
	Errors         formErrors
	Roles          []option
	Regions        []option
	LanguageChoice []option
	Locked         bool
	Notice         string
	New            bool       // the invitation form rather than the edit form
	Tokens         []tokenRow // the user's API tokens, which an administrator may revoke
}

func (s *Server) userEditView(r *http.Request, titleKey string, form userForm) (userEditView, error) {
	v := userEditView{page: s.newPage(r, titleKey), Form: form}
	v.Roles = roleOptions(v.L, user.Role(form.Role))
	v.LanguageChoice = languageOptions(v.L, form.Language)
	var err error
	v.Regions, err = s.regionOptions(r, form.Region)
	return v, err
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.db.UserByUsername(r.Context(), r.PathValue("username"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.userEditView(r, "admin.users.edit", userFormOf(u))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Title = u.Username
	v.Locked, err = s.db.NameLocked(r.Context(), time.Now(), u.Username)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Tokens, err = s.tokenRows(r, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("saved") {
	case "1":
		v.Notice = v.L.T("form.saved")
	case "unlocked":
		v.Notice = v.L.T("admin.users.unlocked")
	case "token_revoked":
		v.Notice = v.L.T("account.tokens.revoked")
	}
	s.render(w, r, http.StatusOK, "admin_user", v)
}

func (s *Server) saveUser(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	ctx := r.Context()
	u, err := s.db.UserByUsername(ctx, r.PathValue("username"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	form := parseUserForm(r)
	form.Username = u.Username
	me := currentUser(r)
	if u.ID == me.ID && (!form.Active || form.Role != string(user.RoleAdmin)) {
		// An administrator cannot lock themselves out of administration.
		v, verr := s.userEditView(r, "admin.users.edit", form)
		if verr == nil {
			v.Tokens, verr = s.tokenRows(r, u.ID)
		}
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.Title, v.Errors = u.Username, fieldError(v.L, "role", "admin.users.error.self")
		s.render(w, r, http.StatusUnprocessableEntity, "admin_user", v)
		return
	}
	u.Email, u.DisplayName, u.Organisation = form.Email, form.DisplayName, form.Organisation
	u.Role, u.Region, u.Language, u.Active, u.Version = user.Role(form.Role), form.Region, form.Language, form.Active, form.Version
	if u.Role != user.RoleRegionalOfficer {
		u.Region = ""
	}
	if err := s.db.UpdateUser(ctx, u); err != nil {
		fe, ok := explain(localizer(r), err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		v, verr := s.userEditView(r, "admin.users.edit", form)
		if verr == nil {
			v.Tokens, verr = s.tokenRows(r, u.ID)
		}
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		v.Title, v.Errors = u.Username, fe
		s.render(w, r, statusOf(apperr.CodeOf(err)), "admin_user", v)
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(u.Username)+"?saved=1", http.StatusSeeOther)
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	username := r.PathValue("username")
	if _, err := s.db.UserByUsername(r.Context(), username); apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.UnlockName(r.Context(), username); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.RecordAudit(r.Context(), audit.ActionUpdate, "user", username, audit.Changes{"locked": {Before: true, After: false}}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+url.PathEscape(username)+"?saved=unlocked", http.StatusSeeOther)
}

type auditRow struct {
	At, Actor, Action, Entity, Key string
	Changes                        []auditChange
}

type auditChange struct {
	Field, Before, After string
}

type auditView struct {
	page
	Filter   audit.Filter
	From, To string
	Errors   formErrors // of the dates
	Entities []option
	Actions  []option
	Rows     []auditRow
	Total    int
	Pages    pager
}

// pager links the pages of a long list.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(r *http.Request, page, total, perPage int) pager {
	p := pager{Page: page, Pages: max(1, (total+perPage-1)/perPage)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

const auditPerPage = 50

// showAudit lists the audit trail, newest first, filtered by kind of record, key, person, action
// and dates.
func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	q := r.URL.Query()
	v := auditView{page: s.newPage(r, "admin.audit.title"), From: q.Get("from"), To: q.Get("to")}
	v.Filter = audit.Filter{Entity: q.Get("entity"), EntityKey: searchText(q.Get("key")), Actor: searchText(q.Get("actor")),
		Action: q.Get("action"), Limit: auditPerPage}
	// A date that is no date filters nothing and says so next to its field.
	dates := apperr.FieldErrors{}
	parseDate(strings.TrimSpace(v.From), "from", &v.Filter.From, dates)
	parseDate(strings.TrimSpace(v.To), "to", &v.Filter.To, dates)
	v.Errors, _ = explain(l, dates.Err())
	entities, err := s.db.AuditEntities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range entities {
		v.Entities = append(v.Entities, option{Value: e, Label: auditKindLabel(l, e), Selected: e == v.Filter.Entity})
	}
	slices.SortFunc(v.Entities, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	v.Entities = append([]option{{Value: "", Label: l.T("form.all")}}, v.Entities...)
	v.Actions = []option{{Value: "", Label: l.T("form.all")}}
	for _, a := range audit.Actions {
		v.Actions = append(v.Actions, option{Value: a, Label: l.T("audit.action." + a), Selected: a == v.Filter.Action})
	}
	var total int
	entries, page, err := onPage(pageParam(q.Get("page")), auditPerPage, func(offset int) ([]audit.Entry, int, error) {
		v.Filter.Offset = offset
		entries, n, err := s.db.AuditEntries(r.Context(), v.Filter)
		total = n
		return entries, n, err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Total, v.Pages = total, newPager(r, page, total, auditPerPage)
	for _, e := range entries {
		row := auditRow{At: l.DateTime(e.At, true), Actor: e.Actor,
			Action: l.T("audit.action." + e.Action), Entity: auditKindLabel(l, e.Entity), Key: e.EntityKey}
		for f, c := range e.Changes {
			row.Changes = append(row.Changes, auditChange{Field: auditFieldLabel(l, e.Entity, f), Before: auditValue(c.Before), After: auditValue(c.After)})
		}
		slices.SortFunc(row.Changes, func(a, b auditChange) int { return strings.Compare(a.Field, b.Field) })
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "admin_audit", v)
}

// auditKindLabel names a kind of record in the reader's language. A kind no longer listed in
// audit.Kinds, from an older version, shows as it was recorded.
func auditKindLabel(l *i18n.Localizer, kind string) string {
	if !slices.Contains(audit.Kinds, kind) {
		return kind
	}
	return l.T("audit.kind." + kind)
}

// auditFieldLabel names a field recorded in an entry of kind in the reader's language, one kept
// in each language (name_fr) with the language's name. A field no longer listed in audit.Fields
// shows as it was recorded.
func auditFieldLabel(l *i18n.Localizer, kind, field string) string {
	if name, lang, ok := audit.FieldLanguage(field); ok {
		return l.T("audit.field."+name+"_in", "language", languageNames[lang])
	}
	if slices.Contains(audit.KindFields[kind], field) {
		return l.T("audit.field." + kind + "." + field)
	}
	if !slices.Contains(audit.Fields, field) {
		return field
	}
	return l.T("audit.field." + field)
}

// auditValue writes a recorded value for the audit page.
func auditValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = auditValue(p)
		}
		return strings.Join(parts, ", ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}
