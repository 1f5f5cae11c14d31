package web

import (
	"net/http"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/interaction"
)

// addFollowUp adds a follow-up to an interaction.
func (s *Server) addFollowUp(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	typed := map[string]string{}
	for _, name := range []string{"followup_description", "followup_assignee", "followup_due_on"} {
		typed[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	f := interaction.FollowUp{InteractionID: id, Description: typed["followup_description"], Status: interaction.StatusOpen}
	f.AssigneeID, _ = strconv.ParseInt(typed["followup_assignee"], 10, 64)
	f.DueOn, _ = civil.Parse(typed["followup_due_on"])
	in, ok := s.editableInteraction(w, r, id)
	if !ok {
		return
	}
	if err := s.db.AddFollowUp(r.Context(), &f); err != nil {
		fe, ok := explain(localizer(r), err)
		if !ok || len(fe.Fields) == 0 {
			s.formErrorPage(w, r, err, "/interactions/"+strconv.FormatInt(id, 10))
			return
		}
		v, verr := s.interactionPage(r, in, typed, fe)
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
