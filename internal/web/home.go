package web

import (
	"net/http"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/insight"
)

type homeView struct {
	page
}

func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", homeView{page: s.newPage(r, "home.title")})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound)
}

type startView struct {
	page
	Welcome    string
	Attention  []attentionItem
	Partners   int
	Agreements int
	Period     *insight.Report
	Alerts     []alertRow
}

// attentionItem is something on the start page that someone should act on.
type attentionItem struct {
	Text, URL string
}

// attention lists what needs the user's attention. Each module adds its own checks here, for
// the roles that can act on them.
func (s *Server) attention(r *http.Request) ([]attentionItem, error) {
	ctx := r.Context()
	l := localizer(r)
	u := currentUser(r)
	var items []attentionItem
	overdue, err := s.db.CountOverdueFollowUps(ctx, u.ID, civil.Of(time.Now()))
	if err != nil {
		return nil, err
	}
	if overdue > 0 {
		items = append(items, attentionItem{Text: l.N("start.attention.overdue", overdue), URL: "/follow-ups"})
	}
	if admins.allows(u) {
		failing, err := s.db.CountFailingMail(ctx)
		if err != nil {
			return nil, err
		}
		if failing > 0 {
			items = append(items, attentionItem{Text: l.N("start.attention.mail", failing), URL: "/admin/mail"})
		}
		locked, err := s.db.CountLockedNames(ctx, time.Now())
		if err != nil {
			return nil, err
		}
		if locked > 0 {
			items = append(items, attentionItem{Text: l.N("start.attention.locked", locked), URL: "/admin/users"})
		}
	}
	return items, nil
}

// showStart is the staff start page: what Pactum holds and the last four full years at a glance.
func (s *Server) showStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := startView{page: s.newPage(r, "start.title")}
	v.Welcome = v.L.T("start.welcome", "name", v.User.Name())
	var err error
	if v.Attention, err = s.attention(r); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Partners, err = s.db.CountPartners(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Agreements, err = s.db.CountAgreements(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Alerts, err = s.agreementAlerts(r, insight.Filter{}); err != nil {
		s.serverError(w, r, err)
		return
	}
	lastFullYear := time.Now().Year() - 1
	if v.Period, err = s.db.AgreementReport(ctx, insight.ByYear, lastFullYear-3, lastFullYear); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "start", v)
}

// alertRow is an agreement needing attention, as the start page lists it.
type alertRow struct {
	URL, Reference, Title, Text string
	Mine                        bool
}

// startAlerts is how many agreement alerts of each kind the start page lists.
const startAlerts = 8

// agreementAlerts lists, for the start page and the dashboard, reports overdue and agreements
// ending within 90 days among those the reader sees and the dashboard's filter selects, theirs
// first.
func (s *Server) agreementAlerts(r *http.Request, scope insight.Filter) ([]alertRow, error) {
	l := localizer(r)
	u := currentUser(r)
	f := agreement.Filter{Lang: l.Lang}
	readerFilter(&f, u)
	alerts, err := s.db.DashboardAlerts(r.Context(), civil.Of(time.Now()), f, scope, startAlerts)
	if err != nil {
		return nil, err
	}
	var rows []alertRow
	for _, a := range alerts {
		row := alertRow{URL: agreementURL(a.Reference), Reference: a.Reference, Title: a.Title, Mine: a.OfficerID == u.ID}
		if a.Kind == agreement.AlertObligationOverdue {
			row.Text = l.T("start.alert.overdue", "report", l.T("agreement.obligation."+a.ObligationKind), "date", l.Date(a.On))
		} else {
			row.Text = l.T("start.alert.ending", "date", l.Date(a.On))
		}
		rows = append(rows, row)
	}
	return rows, nil
}
