package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/eml"
	"pactum/internal/interaction"
)

// readEmail reads an uploaded .eml file and shows the new-interaction form filled in from it:
// an e-mail exchange on the message's date, with its subject and text, the partners recognised
// from the addresses and their contacts ticked. Nothing is saved until the officer confirms.
func (s *Server) readEmail(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	refuse := func(status int, key string) {
		v, err := s.interactionFormView(r, 0, interactionForm{Type: interaction.TypeEmail, OccurredOn: civil.Of(time.Now()).String()},
			formErrors{Summary: l.T(key)})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, status, "interaction_form", v)
	}
	file, _, err := r.FormFile("eml")
	switch {
	case bodyTooLarge(err):
		refuse(http.StatusRequestEntityTooLarge, "interaction.error.eml_too_large")
		return
	case err != nil:
		refuse(http.StatusUnprocessableEntity, "interaction.error.eml_missing")
		return
	}
	defer file.Close()
	msg, err := eml.Parse(file)
	switch {
	case errors.Is(err, eml.ErrTooLarge):
		refuse(http.StatusRequestEntityTooLarge, "interaction.error.eml_too_large")
		return
	case err != nil:
		refuse(http.StatusUnprocessableEntity, "interaction.error.eml_unreadable")
		return
	}
	// What the message holds is cut to the interaction's limits, so that the form it fills saves as
	// it is; a Message-ID longer than a header line is no real one, and is left out.
	form := interactionForm{Type: interaction.TypeEmail, Subject: cut(msg.Subject, interaction.MaxSubjectLength),
		Staff: []string{strconv.FormatInt(currentUser(r).ID, 10)}}
	if apperr.Text(msg.MessageID, interaction.MaxMessageIDLength, false) == nil {
		form.EmailMessageID = msg.MessageID
	}
	if form.Subject == "" {
		form.Subject = l.T("interaction.no_subject")
	}
	form.OccurredOn = civil.Of(time.Now()).String()
	if !msg.Date.IsZero() {
		form.OccurredOn = civil.Of(msg.Date.UTC()).String()
	}
	// Who wrote to whom heads the summary.
	var head []string
	if msg.From.Email != "" {
		head = append(head, l.T("interaction.email_from")+": "+addressList([]eml.Address{msg.From}))
	}
	if len(msg.To) > 0 {
		head = append(head, l.T("interaction.email_to")+": "+addressList(msg.To))
	}
	if len(msg.Cc) > 0 {
		head = append(head, l.T("interaction.email_cc")+": "+addressList(msg.Cc))
	}
	form.Summary = cut(strings.Join(head, "\n")+"\n\n"+msg.Text, interaction.MaxTextLength)
	matches, err := s.db.PartnersByAddresses(r.Context(), msg.Addresses())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var keys []string
	for _, m := range matches {
		keys = append(keys, m.PartnerKey)
		for _, c := range m.ContactIDs {
			form.Contacts = append(form.Contacts, strconv.FormatInt(c, 10))
		}
	}
	form.Partners = strings.Join(keys, ", ")
	// Staff whose addresses appear took part.
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, u := range users {
		if u.Role.IsStaff() && u.Email != "" && slices.Contains(msg.Addresses(), strings.ToLower(u.Email)) {
			if id := strconv.FormatInt(u.ID, 10); !slices.Contains(form.Staff, id) {
				form.Staff = append(form.Staff, id)
			}
		}
	}
	v, err := s.interactionFormView(r, 0, form, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.FromEmail = true
	s.render(w, r, http.StatusOK, "interaction_form", v)
}

// cut returns s, or when it is longer than max characters, its beginning and " …" in max.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-2]) + " …"
}

// addressList writes addresses as people read them: "Ana López <ana@condor.example>, …".
func addressList(list []eml.Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		switch {
		case a.Name != "" && a.Email != "":
			parts = append(parts, a.Name+" <"+a.Email+">")
		case a.Email != "":
			parts = append(parts, a.Email)
		default:
			parts = append(parts, a.Name)
		}
	}
	return strings.Join(parts, ", ")
}
