package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/interaction"
	"pactum/internal/jobs"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func TestFollowUpRemindersGoOutOnceADay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bundle, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		officer := &user.User{Username: "amina", DisplayName: "Amina", Email: "amina@bureau.example", Role: user.RoleOfficer,
			Language: "fr", Active: true, PasswordHash: "x"}
		silent := &user.User{Username: "noemail", Role: user.RoleOfficer, Active: true, PasswordHash: "x"}
		for _, u := range []*user.User{officer, silent} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		p := &partner.Partner{Key: "kestrel-bank", Texts: map[string]partner.Text{"en": {Name: "Kestrel Development Bank"}},
			Type: "development_bank", Membership: "none", Status: partner.StatusActive}
		if err := db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
			t.Fatal(err)
		}
		today := civil.MustParse("2026-03-10")
		in := &interaction.Interaction{Type: interaction.TypeCall, OccurredOn: today.AddDays(-20), Subject: "Call on the loan",
			PartnerIDs: []int64{p.ID}, FollowUps: []interaction.FollowUp{
				{Description: "Send the concept note", AssigneeID: officer.ID, DueOn: today.AddDays(-2), Status: interaction.StatusOpen},
				{Description: "Share the budget", AssigneeID: officer.ID, DueOn: today.AddDays(1), Status: interaction.StatusOpen},
				{Description: "Already done", AssigneeID: officer.ID, DueOn: today.AddDays(-5), Status: interaction.StatusDone},
				{Description: "Nobody to tell", AssigneeID: silent.ID, DueOn: today.AddDays(-1), Status: interaction.StatusOpen},
			}}
		if err := db.CreateInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
		now := today.Time().Add(8 * time.Hour)
		runner := &jobs.Runner{DB: db, Bundle: bundle, BaseURL: "https://pactum.example.org",
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}

		outbox := func() []string {
			queued, _, err := db.MailOutbox(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, q := range queued {
				texts = append(texts, q.Message.To+"|"+q.Message.Subject+"|"+q.Message.Text)
			}
			return texts
		}
		if err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		mails := outbox()
		if len(mails) != 1 {
			t.Fatalf("after the first run: %d e-mails, want 1: %q", len(mails), mails)
		}
		m := mails[0]
		if !strings.HasPrefix(m, "amina@bureau.example|Pactum : 1 action de suivi") || !strings.Contains(m, "Send the concept note") ||
			strings.Contains(m, "Share the budget") || strings.Contains(m, "Already done") || !strings.Contains(m, "https://pactum.example.org/follow-ups") {
			t.Errorf("reminder e-mail:\n%s", m)
		}
		// Another server, or the same one later in the day, sends nothing more.
		if err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox()); n != 1 {
			t.Errorf("after a second run the same day: %d e-mails, want 1", n)
		}
		// The next day both open follow-ups are due: one new reminder lists the two.
		now = now.Add(24 * time.Hour)
		if err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		mails = outbox()
		if len(mails) != 2 || !strings.Contains(mails[1], "2 actions de suivi") || !strings.Contains(mails[1], "Share the budget") {
			t.Errorf("the next day: %q", mails)
		}
	})
}
