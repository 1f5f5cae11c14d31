package web

import "net/http"

type outboxRow struct {
	To, Subject, Created, NextAttempt, LastError string
	Attempts                                     int
}

type outboxView struct {
	page
	Rows  []outboxRow
	Total int
}

// showOutbox lists the e-mail waiting to be sent: new messages, and those the mail server
// refused or could not take, with why; the sender keeps trying them.
func (s *Server) showOutbox(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	queued, total, err := s.db.MailOutbox(r.Context(), 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := outboxView{page: s.newPage(r, "admin.mail.title"), Total: total}
	for _, q := range queued {
		v.Rows = append(v.Rows, outboxRow{
			To: q.Message.To, Subject: q.Message.Subject, Attempts: q.Attempts, LastError: q.LastError,
			Created: l.DateTime(q.CreatedAt, false), NextAttempt: l.DateTime(q.NextAttemptAt, false),
		})
	}
	s.render(w, r, http.StatusOK, "admin_mail", v)
}
