package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"pactum/internal/agreement"
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

// An officer hears of a report overdue and of an agreement coming to its end, once, in their
// language, with links to the agreements; agreements without an officer remind no one.
func TestAgreementRemindersGoToTheOfficer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bundle, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		officer := &user.User{Username: "irina", DisplayName: "Ирина", Email: "irina@bureau.example", Role: user.RoleOfficer,
			Language: "ru", Active: true, PasswordHash: "x"}
		if err := db.CreateUser(ctx, officer); err != nil {
			t.Fatal(err)
		}
		p := &partner.Partner{Key: "steppe-fund", Texts: map[string]partner.Text{"en": {Name: "Steppe Fund"}},
			Type: "foundation", Membership: "none", Status: partner.StatusActive}
		if err := db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
			t.Fatal(err)
		}
		today := civil.MustParse("2026-03-10")
		newAgreement := func(ref string, officerID int64, end civil.Date) *agreement.Agreement {
			return &agreement.Agreement{Reference: ref, Titles: map[string]string{"en": "Agreement " + ref}, Type: "voluntary_contribution",
				Status: agreement.StatusActive, SignedOn: today.AddDays(-700), StartOn: today.AddDays(-690), EndOn: end,
				Currency: "USD", PrimaryActionArea: "generic", Parties: []agreement.Party{{PartnerID: p.ID, Role: agreement.RoleFunder}},
				Regions: agreement.EqualShares("CIS"), OfficerID: officerID}
		}
		mine := newAgreement("PCT-2024-0007", officer.ID, today.AddDays(40))
		nobodys := newAgreement("PCT-2024-0008", 0, today.AddDays(20))
		if err := db.CreateAgreements(ctx, []*agreement.Agreement{mine, nobodys}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveObligation(ctx, mine.Reference, &agreement.Obligation{Kind: agreement.ObligationFinancial, DueOn: today.AddDays(-3)}); err != nil {
			t.Fatal(err)
		}
		now := today.Time().Add(8 * time.Hour)
		runner := &jobs.Runner{DB: db, Bundle: bundle, BaseURL: "https://pactum.example.org",
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
		if err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		queued, _, err := db.MailOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(queued) != 1 {
			t.Fatalf("%d e-mails queued, want 1 to the officer", len(queued))
		}
		m := queued[0].Message
		if m.To != "irina@bureau.example" || m.Language != "ru" || !strings.Contains(m.Text, "https://pactum.example.org/agreements/PCT-2024-0007") ||
			strings.Contains(m.Text, "PCT-2024-0008") || strings.Count(m.Text, "/agreements/PCT-2024-0007") != 2 {
			t.Errorf("reminder e-mail to %s (%s):\n%s", m.To, m.Language, m.Text)
		}
		now = now.Add(24 * time.Hour)
		if err := runner.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if queued, _, _ = db.MailOutbox(ctx, 100); len(queued) != 1 {
			t.Errorf("the next day: %d e-mails, want still 1", len(queued))
		}
	})
}
