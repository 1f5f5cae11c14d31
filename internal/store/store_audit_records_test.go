package store_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/money"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func TestAuditRecordsWhatADeletedInstalmentOrObligationHeld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ministry := newPartner("nordic-ministry", "Nordic Ministry", "government")
		mustCreatePartners(t, db, ministry)
		mustCreateAgreements(t, db, newAgreement("ITU-VC-2016-002", "voluntary_contribution", "2016-05-01", money.FromUnits(2_000_000), ministry.ID))
		officer := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		ctx := asActor(t, officer)

		i := agreement.Instalment{DueOn: civil.MustParse("2016-06-01"), Amount: money.FromUnits(600_000),
			ReceivedOn: civil.MustParse("2016-06-20"), Received: money.FromUnits(500_000), Note: "First tranche"}
		if err := db.SaveInstalment(ctx, "ITU-VC-2016-002", &i); err != nil {
			t.Fatal(err)
		}
		o := agreement.Obligation{Kind: agreement.ObligationFinancial, DueOn: civil.MustParse("2016-12-31"),
			SubmittedOn: civil.MustParse("2016-12-20"), Note: "Audited"}
		if err := db.SaveObligation(ctx, "ITU-VC-2016-002", &o); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteInstalment(ctx, "ITU-VC-2016-002", i.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteObligation(ctx, "ITU-VC-2016-002", o.ID); err != nil {
			t.Fatal(err)
		}

		instalmentKey := "ITU-VC-2016-002#instalment" + strconv.FormatInt(i.ID, 10)
		deleted := onlyAuditEntry(t, db, audit.Filter{EntityKey: instalmentKey, Action: audit.ActionDelete})
		if deleted.Entity != "agreement" || deleted.Actor != "amina" {
			t.Errorf("deletion of the instalment recorded on %s by %q, want agreement by amina", deleted.Entity, deleted.Actor)
		}
		equal(t, "fields of the deleted instalment", deleted.Changes, audit.Changes{
			"due_on":      {Before: "2016-06-01"},
			"amount":      {Before: "600000.00"},
			"received_on": {Before: "2016-06-20"},
			"received":    {Before: "500000.00"},
			"note":        {Before: "First tranche"},
		})

		obligationKey := "ITU-VC-2016-002#obligation" + strconv.FormatInt(o.ID, 10)
		deleted = onlyAuditEntry(t, db, audit.Filter{EntityKey: obligationKey, Action: audit.ActionDelete})
		if deleted.Entity != "agreement" || deleted.Actor != "amina" {
			t.Errorf("deletion of the obligation recorded on %s by %q, want agreement by amina", deleted.Entity, deleted.Actor)
		}
		equal(t, "fields of the deleted obligation", deleted.Changes, audit.Changes{
			"kind":         {Before: "financial"},
			"due_on":       {Before: "2016-12-31"},
			"submitted_on": {Before: "2016-12-20"},
			"note":         {Before: "Audited"},
		})

		// Deleting again finds nothing, and records nothing.
		wantCode(t, db.DeleteInstalment(ctx, "ITU-VC-2016-002", i.ID), apperr.NotFound)
		wantCode(t, db.DeleteObligation(ctx, "ITU-VC-2016-002", o.ID), apperr.NotFound)
		for _, key := range []string{instalmentKey, obligationKey} {
			if entries, total := mustAuditEntries(t, db, audit.Filter{EntityKey: key}); total != 2 {
				t.Errorf("trail of %s after deleting it twice: %v, want its creation and one deletion", key, entryLines(entries))
			}
		}
	})
}

func TestAuditRecordsANewAPITokenWithoutTheToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true))
		owner := mustCreateUser(t, db, newUser("reporting", user.RoleViewer, true))
		const hash = "5f2b9c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"
		before := time.Now()
		if err := db.CreateAPIToken(asActor(t, admin), &user.APIToken{UserID: owner.ID, Name: "Dashboard export"}, hash); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		created := onlyAuditEntry(t, db, audit.Filter{Entity: "api_token"})
		if created.Action != audit.ActionCreate || created.Actor != "admin" || created.UserID != admin.ID {
			t.Errorf("new API token recorded as %s by %q (user %d), want create by admin (user %d)",
				created.Action, created.Actor, created.UserID, admin.ID)
		}
		if _, err := strconv.ParseInt(created.EntityKey, 10, 64); err != nil {
			t.Errorf("API token recorded under %q, want its id", created.EntityKey)
		}
		checkStamp(t, "time of the API token's entry", created.At, before, after)
		equal(t, "fields of the new API token", created.Changes, audit.Changes{
			"owner": {After: "reporting"},
			"name":  {After: "Dashboard export"},
		})
		checkNoSecret(t, created, hash)

		// A token for no account is refused, and leaves no entry.
		wantCode(t, db.CreateAPIToken(asActor(t, admin), &user.APIToken{UserID: owner.ID + 100, Name: "Nobody's"}, "another-hash"), apperr.NotFound)
		if entries, total := mustAuditEntries(t, db, audit.Filter{Entity: "api_token"}); total != 1 {
			t.Errorf("API token entries after a refused token: %v, want one", entryLines(entries))
		}
	})
}

func TestAuditRecordsAVerifiedAddressAsTheOwnersChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		acme := newUser("sponsor.acme", user.RoleExternal, true)
		if err := db.CreateUserWithLink(ctx, acme, user.TokenVerify, "verify-acme", linkMail(acme.Email)); err != nil {
			t.Fatal(err)
		}
		before := time.Now()
		u, err := db.VerifyEmail(ctx, "verify-acme") // nobody is signed in: the link says who
		after := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		verified := onlyAuditEntry(t, db, audit.Filter{EntityKey: "sponsor.acme", Action: audit.ActionUpdate})
		if verified.Entity != "user" || verified.Actor != "sponsor.acme" || verified.UserID != acme.ID {
			t.Errorf("verification recorded on %s by %q (user %d), want user by sponsor.acme (user %d)",
				verified.Entity, verified.Actor, verified.UserID, acme.ID)
		}
		checkStamp(t, "time of the verification's entry", verified.At, before, after)
		equal(t, "fields of the verification", verified.Changes, audit.Changes{
			"email_verified_at": {After: u.EmailVerifiedAt.UTC().Format(time.RFC3339)},
		})

		// An invitation also proves the address: the trail has the password and the verification.
		nadia := newUser("nadia", user.RoleOfficer, true)
		nadia.PasswordHash = ""
		if err := db.CreateUserWithLink(ctx, nadia, user.TokenInvite, "invite-nadia", linkMail(nadia.Email)); err != nil {
			t.Fatal(err)
		}
		u, err = db.SetPasswordWithToken(ctx, "invite-nadia", user.TokenInvite, "$argon2id$nadia")
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		updates, _ := mustAuditEntries(t, db, audit.Filter{EntityKey: "nadia", Action: audit.ActionUpdate})
		for _, e := range updates {
			fields = append(fields, e.Changes.Fields()...)
			if _, ok := e.Changes["email_verified_at"]; ok && e.Actor != "nadia" {
				t.Errorf("nadia's verification recorded by %q, want nadia", e.Actor)
			}
		}
		equal(t, "fields nadia's invitation changed", fields, []string{"email_verified_at", "password"})
		if c := updates[0].Changes["email_verified_at"]; c.Before != nil || c.After != u.EmailVerifiedAt.UTC().Format(time.RFC3339) {
			t.Errorf("nadia's verification recorded as %v, want from nothing to %v", c, u.EmailVerifiedAt)
		}

		// A reset of an address verified before changes only the password.
		if sent, err := db.SendLink(ctx, acme.ID, user.TokenReset, "reset-acme", linkMail(acme.Email)); err != nil || !sent {
			t.Fatalf("send reset link: sent %v, %v", sent, err)
		}
		if _, err := db.SetPasswordWithToken(ctx, "reset-acme", user.TokenReset, "$argon2id$acme"); err != nil {
			t.Fatal(err)
		}
		updates, _ = mustAuditEntries(t, db, audit.Filter{EntityKey: "sponsor.acme", Action: audit.ActionUpdate})
		equal(t, "entries of sponsor.acme after a reset", len(updates), 2)
		equal(t, "fields the reset changed", updates[0].Changes.Fields(), []string{"password"})
	})
}

func TestAuditRecordsFollowUpsCreatedWithTheirInteraction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		officer := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		bank := newPartner("kestrel-bank", "Kestrel Development Bank", "development_bank")
		mustCreatePartners(t, db, bank)
		in := &interaction.Interaction{Type: interaction.TypeCall, OccurredOn: civil.MustParse("2026-03-01"), Subject: "Call on the loan",
			PartnerIDs: []int64{bank.ID}, FollowUps: []interaction.FollowUp{
				{Description: "Send the concept note", AssigneeID: officer.ID, DueOn: civil.MustParse("2026-03-15"), Status: interaction.StatusOpen},
			}}
		if err := db.CreateInteraction(asActor(t, officer), in); err != nil {
			t.Fatal(err)
		}
		f := in.FollowUps[0]
		created := onlyAuditEntry(t, db, audit.Filter{Entity: "follow_up", EntityKey: fmt.Sprint(f.ID)})
		if created.Action != audit.ActionCreate || created.Actor != "amina" {
			t.Errorf("follow-up recorded as %s by %q, want create by amina", created.Action, created.Actor)
		}
		equal(t, "fields of the follow-up", created.Changes, audit.Changes{
			"description": {After: "Send the concept note"},
			"assignee_id": {After: float64(officer.ID)},
			"due_on":      {After: "2026-03-15"},
			"status":      {After: "open"},
		})
		onlyAuditEntry(t, db, audit.Filter{Entity: "interaction", EntityKey: fmt.Sprint(in.ID), Action: audit.ActionCreate})
	})
}

// The audit page labels every kind of record and field in the reader's language from the lists of
// package audit, so the store refuses an entry that names anything else.
func TestAuditRefusesKindsAndFieldsWithoutALabel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.RecordAudit(ctx, audit.ActionUpdate, "gadget", "g1", audit.Changes{"name": {Before: "a", After: "b"}}); err == nil {
			t.Error("an entry about an unlisted kind of record was recorded")
		}
		if err := db.RecordAudit(ctx, audit.ActionUpdate, "partner", "p1", audit.Changes{"colour": {Before: "a", After: "b"}}); err == nil {
			t.Error("an entry with an unlisted field was recorded")
		}
		if err := db.RecordAudit(ctx, audit.ActionUpdate, "partner", "p1", audit.Changes{"name_xx": {Before: "a", After: "b"}}); err == nil {
			t.Error("an entry with a text field in an unknown language was recorded")
		}
		if entries, total := mustAuditEntries(t, db, audit.Filter{}); total != 0 {
			t.Errorf("trail after refused entries: %v, want none", entryLines(entries))
		}
		if err := db.RecordAudit(ctx, audit.ActionUpdate, "reference_region", "AFR", audit.Changes{"label_fr": {Before: "Afrique", After: "Afrique subsaharienne"}}); err != nil {
			t.Errorf("an entry of a listed kind and text field: %v", err)
		}
	})
}
