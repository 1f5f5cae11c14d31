package web

import (
	"net/http"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/interaction"
)

// followUpForm is what the form of a follow-up sends, on an interaction's page or within the form
// of a new interaction; it is kept as typed when a save is refused.
type followUpForm struct {
	Description, Assignee, DueOn string
}

func parseFollowUpForm(r *http.Request) followUpForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return followUpForm{Description: v("followup_description"), Assignee: v("followup_assignee"), DueOn: v("followup_due_on")}
}

// asked reports whether the form asks for a follow-up: the form of a new interaction may leave it
// empty (its assignee is chosen beforehand).
func (f followUpForm) asked() bool { return f.Description != "" || f.DueOn != "" }

// followUp turns the form into an open follow-up of the interaction interactionID (0 for one
// being created). The form's own checks come first, the domain's rules add the rest, all by field.
func (f followUpForm) followUp(interactionID int64) (interaction.FollowUp, error) {
	fu := interaction.FollowUp{InteractionID: interactionID, Description: f.Description, Status: interaction.StatusOpen}
	errs := apperr.FieldErrors{}
	fu.AssigneeID = idField(f.Assignee, "followup_assignee", "error.person", errs)
	parseDate(f.DueOn, "followup_due_on", &fu.DueOn, errs)
	addDomainErrors(errs, fu.Validate())
	return fu, errs.Err()
}

// addFollowUp adds a follow-up to an interaction.
func (s *Server) addFollowUp(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	in, ok := s.editableInteraction(w, r, id)
	if !ok {
		return
	}
	form := parseFollowUpForm(r)
	f, err := form.followUp(id)
	if err == nil {
		known := apperr.FieldErrors{}
		if err = s.knownAccounts(r.Context(), known, "followup_assignee", "error.person", f.AssigneeID); err == nil {
			err = known.Err()
		}
	}
	if err == nil {
		err = s.db.AddFollowUp(r.Context(), &f)
	}
	if err != nil {
		fe, ok := explain(localizer(r), err)
		if !ok || len(fe.Fields) == 0 {
			s.formErrorPage(w, r, err, "/interactions/"+strconv.FormatInt(id, 10))
			return
		}
		v, verr := s.interactionPage(r, in, &form, fe)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		s.render(w, r, statusOf(apperr.CodeOf(err)), "interaction", v)
		return
	}
	http.Redirect(w, r, "/interactions/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

// setFollowUpStatus marks a follow-up done, cancelled or open again, then goes back where the
// user came from (the interaction or their follow-ups).
func (s *Server) setFollowUpStatus(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	back := localPath(r.PostFormValue("back"))
	// The person a follow-up is assigned to may close it; others need the right to edit its
	// interaction.
	f, err := s.db.FollowUpByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.AssigneeID != currentUser(r).ID {
		if _, ok := s.editableInteraction(w, r, f.InteractionID); !ok {
			return
		}
	}
	err = s.db.SetFollowUpStatus(r.Context(), id, formInt(r.PostFormValue("version"), 0), r.PostFormValue("status"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.formErrorPage(w, r, err, back)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type followUpsView struct {
	page
	Open, Closed []followUpRow
	Overdue      int
}

// showMyFollowUps lists the signed-in user's follow-ups: open ones by due date (overdue flagged),
// then the closed ones.
func (s *Server) showMyFollowUps(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	list, err := s.db.FollowUpsOf(r.Context(), currentUser(r).ID, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := followUpsView{page: s.newPage(r, "followup.mine")}
	rows := followUpRows(l, list)
	for i, f := range list {
		rows[i].Status = l.T("followup.status." + f.Status)
		rows[i].Open = f.Status == interaction.StatusOpen
		if rows[i].Open {
			v.Open = append(v.Open, rows[i])
			if rows[i].Overdue {
				v.Overdue++
			}
		} else {
			v.Closed = append(v.Closed, rows[i])
		}
	}
	s.render(w, r, http.StatusOK, "followups", v)
}
