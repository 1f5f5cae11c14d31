package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
)

// scheduleItemID reads the instalment or report of the path ({id}) on the agreement page a. A
// path that names none by number is answered as a line no longer on the agreement (404, the page
// saying so next to the form which), never taken for a new line.
func (s *Server) scheduleItemID(w http.ResponseWriter, r *http.Request, a *agreement.Agreement, which string) (int64, bool) {
	id, ok := pathID(r)
	if !ok {
		s.refusePageForm(w, r, a, pageForms{Which: which}, apperr.New(apperr.NotFound, "agreement.error.item_not_found"))
	}
	return id, ok
}

// saveInstalment adds an instalment (POST …/instalments) or saves one, such as its receipt
// (POST …/instalments/{id}).
func (s *Server) saveInstalment(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, ok = s.scheduleItemID(w, r, a, "instalment"); !ok {
			return
		}
	}
	values := map[string]string{}
	for _, name := range []string{"due_on", "amount", "received_on", "received", "note"} {
		values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	i := agreement.Instalment{ID: id, Note: values["note"]}
	errs := apperr.FieldErrors{}
	parseDate(values["due_on"], "due_on", &i.DueOn, errs)
	parseAmount(values["amount"], "amount", &i.Amount, errs)
	parseDate(values["received_on"], "received_on", &i.ReceivedOn, errs)
	parseAmount(values["received"], "received", &i.Received, errs)
	err := errs.Err()
	if err == nil {
		err = s.db.SaveInstalment(r.Context(), a.Reference, &i)
	}
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Instalment: values, InstalmentID: i.ID, Which: "instalment"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#money", http.StatusSeeOther)
}

func (s *Server) deleteInstalment(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	id, ok := s.scheduleItemID(w, r, a, "instalment")
	if !ok {
		return
	}
	if err := s.db.DeleteInstalment(r.Context(), a.Reference, id); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "instalment"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#money", http.StatusSeeOther)
}

// saveObligation adds a report owed to the funder or saves one, such as its submission date.
func (s *Server) saveObligation(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, ok = s.scheduleItemID(w, r, a, "obligation"); !ok {
			return
		}
	}
	values := map[string]string{}
	for _, name := range []string{"kind", "due_on", "submitted_on", "note"} {
		values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	o := agreement.Obligation{ID: id, Kind: values["kind"], Note: values["note"]}
	errs := apperr.FieldErrors{}
	parseDate(values["due_on"], "due_on", &o.DueOn, errs)
	parseDate(values["submitted_on"], "submitted_on", &o.SubmittedOn, errs)
	err := errs.Err()
	if err == nil {
		err = s.db.SaveObligation(r.Context(), a.Reference, &o)
	}
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Obligation: values, ObligationID: o.ID, Which: "obligation"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#obligations", http.StatusSeeOther)
}

func (s *Server) deleteObligation(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	id, ok := s.scheduleItemID(w, r, a, "obligation")
	if !ok {
		return
	}
	if err := s.db.DeleteObligation(r.Context(), a.Reference, id); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "obligation"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#obligations", http.StatusSeeOther)
}

// markObligationSubmitted records that a report was submitted today.
func (s *Server) markObligationSubmitted(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	id, ok := s.scheduleItemID(w, r, a, "obligation")
	if !ok {
		return
	}
	obligations, err := s.db.Obligations(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	i := slices.IndexFunc(obligations, func(o agreement.Obligation) bool { return o.ID == id })
	if i < 0 {
		s.refusePageForm(w, r, a, pageForms{Which: "obligation"}, apperr.New(apperr.NotFound, "agreement.error.item_not_found"))
		return
	}
	o := obligations[i]
	o.SubmittedOn = civil.Of(time.Now())
	if err := s.db.SaveObligation(r.Context(), a.Reference, &o); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "obligation"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#obligations", http.StatusSeeOther)
}
