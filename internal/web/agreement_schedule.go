package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
)

// instalmentForm is what a form of an instalment sends (the new one's, or a row's with its
// receipt); it is kept as typed when a save is refused.
type instalmentForm struct {
	DueOn, Amount, ReceivedOn, Received, Note string
}

func parseInstalmentForm(r *http.Request) instalmentForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return instalmentForm{DueOn: v("due_on"), Amount: v("amount"), ReceivedOn: v("received_on"), Received: v("received"), Note: v("note")}
}

// instalment turns the form into the instalment id (0 for a new one). The form's own checks come
// first, the domain's rules add the rest, all by field.
func (f instalmentForm) instalment(id int64) (agreement.Instalment, error) {
	i := agreement.Instalment{ID: id, Note: f.Note}
	errs := apperr.FieldErrors{}
	parseDate(f.DueOn, "due_on", &i.DueOn, errs)
	parseAmount(f.Amount, "amount", &i.Amount, errs)
	parseDate(f.ReceivedOn, "received_on", &i.ReceivedOn, errs)
	parseAmount(f.Received, "received", &i.Received, errs)
	addDomainErrors(errs, i.Validate())
	return i, errs.Err()
}

// obligationForm is what the form of a report owed to the funder sends; it is kept as typed when
// a save is refused.
type obligationForm struct {
	Kind, DueOn, SubmittedOn, Note string
}

func parseObligationForm(r *http.Request) obligationForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return obligationForm{Kind: v("kind"), DueOn: v("due_on"), SubmittedOn: v("submitted_on"), Note: v("note")}
}

// obligation turns the form into the report id (0 for a new one), as instalment does.
func (f obligationForm) obligation(id int64) (agreement.Obligation, error) {
	o := agreement.Obligation{ID: id, Kind: f.Kind, Note: f.Note}
	errs := apperr.FieldErrors{}
	parseDate(f.DueOn, "due_on", &o.DueOn, errs)
	parseDate(f.SubmittedOn, "submitted_on", &o.SubmittedOn, errs)
	addDomainErrors(errs, o.Validate())
	return o, errs.Err()
}

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
	form := parseInstalmentForm(r)
	i, err := form.instalment(id)
	if err == nil {
		err = s.db.SaveInstalment(r.Context(), a.Reference, &i)
	}
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Instalment: form, InstalmentID: id, Which: "instalment"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#money", http.StatusSeeOther)
}

// deleteInstalment deletes an instalment of the payment schedule.
func (s *Server) deleteInstalment(w http.ResponseWriter, r *http.Request) {
	s.deleteScheduleItem(w, r, "instalment", "#money", s.db.DeleteInstalment)
}

// deleteScheduleItem deletes a line of an agreement's schedule (which: instalment or obligation)
// with remove, then shows the agreement at anchor; a refusal is shown next to the line's form.
func (s *Server) deleteScheduleItem(w http.ResponseWriter, r *http.Request, which, anchor string,
	remove func(ctx context.Context, reference string, id int64) error) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	id, ok := s.scheduleItemID(w, r, a, which)
	if !ok {
		return
	}
	if err := remove(r.Context(), a.Reference, id); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: which}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1"+anchor, http.StatusSeeOther)
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
	form := parseObligationForm(r)
	o, err := form.obligation(id)
	if err == nil {
		err = s.db.SaveObligation(r.Context(), a.Reference, &o)
	}
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Obligation: form, ObligationID: id, Which: "obligation"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#obligations", http.StatusSeeOther)
}

// deleteObligation deletes a report owed to the funder.
func (s *Server) deleteObligation(w http.ResponseWriter, r *http.Request) {
	s.deleteScheduleItem(w, r, "obligation", "#obligations", s.db.DeleteObligation)
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
