package web

import (
	"net/http"
	"time"

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
	Partners   int
	Agreements int
	Period     *insight.Report
}

// showStart is the staff start page: what Pactum holds and the last four full years at a glance.
func (s *Server) showStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := startView{page: s.newPage(r, "start.title")}
	name := v.User.DisplayName
	if name == "" {
		name = v.User.Username
	}
	v.Welcome = v.L.T("start.welcome", "name", name)
	var err error
	if v.Partners, err = s.db.CountPartners(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Agreements, err = s.db.CountAgreements(ctx); err != nil {
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
