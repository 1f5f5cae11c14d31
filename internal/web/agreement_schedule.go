package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
)

// saveInstalment adds an instalment (POST …/instalments) or saves one, such as its receipt
// (POST …/instalments/{id}).
func (s *Server) saveInstalment(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	values := map[string]string{}
	for _, name := range []string{"due_on", "amount", "received_on", "received", "note"} {
		values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	i := agreement.Instalment{Note: values["note"]}
	i.ID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
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
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
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
	values := map[string]string{}
	for _, name := range []string{"kind", "due_on", "submitted_on", "note"} {
		values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	o := agreement.Obligation{Kind: values["kind"], Note: values["note"]}
	o.ID, _ = strconv.ParseInt(r.PathValue("id"), 10, 64)
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
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
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
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
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
