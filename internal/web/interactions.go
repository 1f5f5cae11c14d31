package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/interaction"
)

// interactionForm is what the interaction form sends, kept as typed when a save is refused.
type interactionForm struct {
	Type, OccurredOn, Subject, Place, Event, Summary, Outcome string
	Partners                                                  string // partner keys, separated by commas or spaces
	Contacts, Staff                                           []string
	Agreement, Concept, Sponsorship                           string
	EmailMessageID                                            string
	FollowUp                                                  followUpForm // asked for with a new interaction
	Version                                                   int
}

func (f interactionForm) partnerKeys() []string {
	var keys []string
	for _, k := range strings.FieldsFunc(strings.ToLower(f.Partners), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func parseInteractionForm(r *http.Request) interactionForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return interactionForm{Type: v("type"), OccurredOn: v("occurred_on"), Subject: v("subject"), Place: v("place"), Event: v("event"),
		Summary: v("summary"), Outcome: v("outcome"), Partners: v("partners"), Contacts: r.PostForm["contacts"], Staff: r.PostForm["staff"],
		Agreement: v("agreement"), Concept: v("concept"), Sponsorship: v("sponsorship"), EmailMessageID: v("email_message_id"),
		FollowUp: parseFollowUpForm(r), Version: formInt(v("version"), 0)}
}

type interactionFormView struct {
	page
	ID        int64
	Form      interactionForm
	Errors    formErrors
	Types     []option
	Staff     []checkOption
	Assignees []option
	Contacts  []checkOption
	Partners  []link
	FromEmail bool
}

func (s *Server) interactionFormView(r *http.Request, id int64, form interactionForm, errs formErrors) (interactionFormView, error) {
	ctx := r.Context()
	l := localizer(r)
	titleKey := "interaction.new"
	if id != 0 {
		titleKey = "interaction.edit"
	}
	v := interactionFormView{page: s.newPage(r, titleKey), ID: id, Form: form, Errors: errs}
	for _, t := range interaction.Types {
		v.Types = append(v.Types, option{Value: t, Label: l.T("interaction.type." + t), Selected: t == form.Type})
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return v, err
	}
	me := strconv.FormatInt(currentUser(r).ID, 10)
	v.Assignees = []option{{Value: "", Label: l.T("form.none")}}
	for _, u := range users {
		if !u.Role.IsStaff() || !u.Active {
			continue
		}
		id := strconv.FormatInt(u.ID, 10)
		v.Staff = append(v.Staff, checkOption{Value: id, Label: u.Name(), Checked: slices.Contains(form.Staff, id)})
		selected := id == form.FollowUp.Assignee || (form.FollowUp.Assignee == "" && id == me && form.FollowUp.Description == "")
		v.Assignees = append(v.Assignees, option{Value: id, Label: u.Name(), Selected: selected})
	}
	// The contacts of the partners named so far can be ticked.
	for _, key := range form.partnerKeys() {
		p, err := s.partnerByTypedKey(ctx, key)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return v, err
		}
		v.Partners = append(v.Partners, link{URL: "/partners/" + p.Key, Text: p.Name(l.Lang)})
		for _, c := range p.Contacts {
			id := strconv.FormatInt(c.ID, 10)
			v.Contacts = append(v.Contacts, checkOption{Value: id, Label: c.Name + " · " + p.Name(l.Lang), Checked: slices.Contains(form.Contacts, id)})
		}
	}
	return v, nil
}

func (s *Server) showNewInteraction(w http.ResponseWriter, r *http.Request) {
	form := interactionForm{Type: interaction.TypeBilateral, OccurredOn: civil.Of(time.Now()).String(), Partners: r.URL.Query().Get("partner"),
		Staff: []string{strconv.FormatInt(currentUser(r).ID, 10)}}
	v, err := s.interactionFormView(r, 0, form, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "interaction_form", v)
}

// interactionOf turns the form into an interaction, resolving partner keys and the agreement
// reference; the problems of its fields go to errs.
func (s *Server) interactionOf(r *http.Request, form interactionForm, errs apperr.FieldErrors) (*interaction.Interaction, error) {
	ctx := r.Context()
	in := &interaction.Interaction{Type: form.Type, Subject: form.Subject, Place: form.Place, Event: form.Event, Summary: form.Summary,
		Outcome: form.Outcome, ConceptRef: form.Concept, SponsorshipRef: form.Sponsorship, EmailMessageID: form.EmailMessageID,
		Version: form.Version, CreatedBy: currentUser(r).ID}
	parseDate(form.OccurredOn, "occurred_on", &in.OccurredOn, errs)
	for _, key := range form.partnerKeys() {
		p, err := s.partnerByTypedKey(ctx, key)
		if apperr.Is(err, apperr.NotFound) {
			errs.Add("partners", "partner.error.not_found", "key", key)
			continue
		}
		if err != nil {
			return nil, err
		}
		in.PartnerIDs = append(in.PartnerIDs, p.ID)
	}
	in.ContactIDs = idFields(form.Contacts, "contacts", "error.people", errs)
	in.StaffIDs = idFields(form.Staff, "staff", "error.people", errs)
	if err := s.knownAccounts(ctx, errs, "staff", "error.people", in.StaffIDs...); err != nil {
		return nil, err
	}
	if form.Agreement != "" {
		a, err := s.linkTarget(ctx, currentUser(r), form.Agreement)
		if apperr.Is(err, apperr.NotFound) {
			errs.Add("agreement", "agreement.error.not_found", "reference", form.Agreement)
		} else if err != nil {
			return nil, err
		} else {
			in.AgreementID = a.ID
		}
	}
	if form.FollowUp.asked() {
		f, err := form.FollowUp.followUp(0)
		addDomainErrors(errs, err)
		if err := s.knownAccounts(ctx, errs, "followup_assignee", "error.person", f.AssigneeID); err != nil {
			return nil, err
		}
		in.FollowUps = []interaction.FollowUp{f}
	}
	addDomainErrors(errs, in.Validate())
	return in, nil
}

// saveInteraction creates (POST /interactions) or updates (POST /interactions/{id}) an interaction.
// The form does not show a link to an agreement the user may not see, so an update that names
// no agreement keeps such a link.
func (s *Server) saveInteraction(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	var id int64 // 0 for a new interaction (POST /interactions)
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = pathID(r); !ok {
			s.notFound(w, r)
			return
		}
		if _, ok := s.editableInteraction(w, r, id); !ok {
			return
		}
	}
	form := parseInteractionForm(r)
	fields := apperr.FieldErrors{}
	in, err := s.interactionOf(r, form, fields)
	if err == nil && len(in.PartnerIDs) > 0 {
		var may bool
		if may, err = s.mayEditInteraction(r, in.PartnerIDs); err == nil && !may {
			fields["partners"] = apperr.Msg("interaction.error.outside_region")
		}
	}
	if err == nil && id != 0 && form.Agreement == "" {
		in.AgreementID, err = s.hiddenAgreementOf(r, id)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	errs, _ := explain(l, fields.Err())
	if len(fields) == 0 {
		if id == 0 {
			err = s.db.CreateInteraction(r.Context(), in)
		} else {
			in.ID = id
			err = s.db.UpdateInteraction(r.Context(), in)
		}
		if err == nil {
			http.Redirect(w, r, "/interactions/"+strconv.FormatInt(in.ID, 10)+"?saved=1", http.StatusSeeOther)
			return
		}
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		errs = fe
	}
	if errs.Summary == "" {
		errs.Summary = l.T("error.invalid")
	}
	v, verr := s.interactionFormView(r, id, form, errs)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.FromEmail = form.EmailMessageID != ""
	s.render(w, r, http.StatusUnprocessableEntity, "interaction_form", v)
}

// hiddenAgreementOf returns the agreement interaction id is linked to when the user may not see
// it, and 0 when it is linked to none, to one they see, or there is no such interaction (the
// update then says so).
func (s *Server) hiddenAgreementOf(r *http.Request, id int64) (int64, error) {
	in, err := s.db.InteractionByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	ref, err := s.linkedAgreement(r.Context(), currentUser(r), in.AgreementID)
	if err != nil || ref != "" {
		return 0, err
	}
	return in.AgreementID, nil
}

type interactionView struct {
	page
	I          *interaction.Interaction
	Type, Date string
	Partners   []link
	Contacts   []string
	Staff      []string
	Agreement  string
	FollowUps  []followUpRow
	Assignees  []option
	CanEdit    bool
	Notice     string
	Errors     formErrors   // of the follow-up form, when its save was refused
	FollowUp   followUpForm // what was typed into it then
	Refused    bool         // whether its save was refused, so that the page shows it open
}

func (s *Server) showInteraction(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	in, err := s.db.InteractionByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.interactionPage(r, in, nil, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "interaction", v)
}

// interactionPage builds the page of an interaction, with the follow-up form holding what was
// typed (followUp, nil when nothing was) and errs when its save was refused.
func (s *Server) interactionPage(r *http.Request, in *interaction.Interaction, followUp *followUpForm, errs formErrors) (interactionView, error) {
	ctx := r.Context()
	l := localizer(r)
	v := interactionView{page: s.newPage(r, "interaction.title"), I: in, Type: l.T("interaction.type." + in.Type), Date: l.Date(in.OccurredOn),
		Errors: errs}
	if followUp != nil {
		v.FollowUp, v.Refused = *followUp, true
	}
	var err error
	if v.CanEdit, err = s.mayEditInteraction(r, in.PartnerIDs); err != nil {
		return v, err
	}
	v.Title = in.Subject
	if r.URL.Query().Get("saved") != "" {
		v.Notice = l.T("form.saved")
	}
	for _, pid := range in.PartnerIDs {
		p, err := s.db.PartnerByID(ctx, pid)
		if err != nil {
			return v, err
		}
		v.Partners = append(v.Partners, link{URL: "/partners/" + p.Key, Text: p.Name(l.Lang)})
		for _, c := range p.Contacts {
			if slices.Contains(in.ContactIDs, c.ID) {
				v.Contacts = append(v.Contacts, c.Name)
			}
		}
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return v, err
	}
	for _, u := range users {
		if slices.Contains(in.StaffIDs, u.ID) {
			v.Staff = append(v.Staff, u.Name())
		}
		if u.Role.IsStaff() && u.Active {
			id := strconv.FormatInt(u.ID, 10)
			selected := id == v.FollowUp.Assignee || (!v.Refused && u.ID == currentUser(r).ID)
			v.Assignees = append(v.Assignees, option{Value: id, Label: u.Name(), Selected: selected})
		}
	}
	if v.Agreement, err = s.linkedAgreement(ctx, currentUser(r), in.AgreementID); err != nil {
		return v, err
	}
	v.FollowUps = followUpRows(l, in.FollowUps)
	for i := range v.FollowUps {
		v.FollowUps[i].Status = l.T("followup.status." + in.FollowUps[i].Status)
		v.FollowUps[i].Open = in.FollowUps[i].Status == interaction.StatusOpen
	}
	return v, nil
}

func (s *Server) showEditInteraction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	in, ok := s.editableInteraction(w, r, id)
	if !ok {
		return
	}
	var err error
	form := interactionForm{Type: in.Type, OccurredOn: in.OccurredOn.String(), Subject: in.Subject, Place: in.Place, Event: in.Event,
		Summary: in.Summary, Outcome: in.Outcome, Concept: in.ConceptRef, Sponsorship: in.SponsorshipRef, Version: in.Version}
	var keys []string
	for _, pid := range in.PartnerIDs {
		p, err := s.db.PartnerByID(ctx, pid)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		keys = append(keys, p.Key)
	}
	form.Partners = strings.Join(keys, ", ")
	for _, c := range in.ContactIDs {
		form.Contacts = append(form.Contacts, strconv.FormatInt(c, 10))
	}
	for _, u := range in.StaffIDs {
		form.Staff = append(form.Staff, strconv.FormatInt(u, 10))
	}
	if form.Agreement, err = s.linkedAgreement(ctx, currentUser(r), in.AgreementID); err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.interactionFormView(r, id, form, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "interaction_form", v)
}
