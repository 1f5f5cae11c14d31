// Package jobs runs the work Pactum does on its own schedule: the daily reminders of follow-ups
// and of agreements (reports overdue, agreements ending). Every app server runs the loop; the
// database decides which one does a day's work, so a reminder goes out once however many servers
// there are.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/interaction"
	"pactum/internal/mail"
	"pactum/internal/store"
)

// checkEvery is how often a server looks whether a daily job is due.
const checkEvery = 15 * time.Minute

// Runner runs the daily jobs.
type Runner struct {
	DB      *store.DB
	Bundle  *i18n.Bundle
	BaseURL string
	Log     *slog.Logger
	// MailQueued, when set, is called after e-mail was queued, to send it at once.
	MailQueued func()
	// Now is the clock; tests set it.
	Now func() time.Time
}

// Run checks for due jobs at once and then every checkEvery until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	ticker := time.NewTicker(checkEvery)
	defer ticker.Stop()
	for {
		if err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("daily jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunDue runs each daily job that no server has run today.
func (r *Runner) RunDue(ctx context.Context) error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	today := civil.Of(now().UTC())
	purge, err := r.DB.ClaimDailyJob(ctx, "purge-counters", today)
	if err != nil {
		return err
	}
	if purge {
		n, err := r.DB.PurgeCounters(ctx, now())
		if err != nil {
			return err
		}
		r.Log.Info("old sign-in and request counts deleted", "rows", n)
	}
	claimed, err := r.DB.ClaimDailyJob(ctx, "followup-reminders", today)
	if err != nil || !claimed {
		return err
	}
	sent, err := r.DB.DueReminders(ctx, today, r.reminderMail)
	if err != nil {
		return fmt.Errorf("follow-up reminders: %w", err)
	}
	r.Log.Info("follow-up reminders queued", "emails", sent, "day", today.String())
	agreementsSent, err := r.DB.DueAgreementReminders(ctx, today, r.agreementReminderMail)
	if err != nil {
		return fmt.Errorf("agreement reminders: %w", err)
	}
	r.Log.Info("agreement reminders queued", "emails", agreementsSent, "day", today.String())
	if sent+agreementsSent > 0 && r.MailQueued != nil {
		r.MailQueued()
	}
	return nil
}

// agreementReminderMail writes the reminder to an agreement officer, in their language: reports
// owed to funders that are overdue, and agreements ending within 90 days.
func (r *Runner) agreementReminderMail(rem agreement.Reminder) (*mail.Message, error) {
	u, err := r.DB.UserByID(context.Background(), rem.UserID)
	if err != nil {
		return nil, err
	}
	l := r.Bundle.Localizer(u.Language)
	var lines []string
	for _, a := range rem.Alerts {
		what := l.T("start.alert.ending", "date", l.Date(a.On))
		if a.Kind == agreement.AlertObligationOverdue {
			what = l.T("start.alert.overdue", "report", l.T("agreement.obligation."+a.ObligationKind), "date", l.Date(a.On))
		}
		lines = append(lines, "- "+a.Reference+" "+a.Title+": "+what+"\n  "+r.BaseURL+"/agreements/"+url.PathEscape(a.Reference))
	}
	return &mail.Message{
		To: u.Email, ToName: u.Name(), Language: l.Lang,
		Subject: l.N("mail.agreement_reminder.subject", len(rem.Alerts)),
		Text: l.T("mail.agreement_reminder.body", "name", u.Name(), "list", strings.Join(lines, "\n")) +
			"\n\n-- \n" + l.T("mail.footer"),
	}, nil
}

// reminderMail writes the reminder to one assignee, in their language, listing their follow-ups
// due today or overdue.
func (r *Runner) reminderMail(rem interaction.Reminder) (*mail.Message, error) {
	u, err := r.DB.UserByID(context.Background(), rem.UserID)
	if err != nil {
		return nil, err
	}
	l := r.Bundle.Localizer(u.Language)
	var lines []string
	for _, f := range rem.FollowUps {
		line := "- " + f.Description + " (" + l.T("followup.due", "date", l.Date(f.DueOn)) + ")"
		if len(f.PartnerNames) > 0 {
			line += " · " + strings.Join(f.PartnerNames, ", ")
		}
		lines = append(lines, line)
	}
	return &mail.Message{
		To: u.Email, ToName: u.Name(), Language: l.Lang,
		Subject: l.N("mail.reminder.subject", len(rem.FollowUps)),
		Text: l.T("mail.reminder.body", "name", u.Name(), "list", strings.Join(lines, "\n"), "link", r.BaseURL+"/follow-ups") +
			"\n\n-- \n" + l.T("mail.footer"),
	}, nil
}
