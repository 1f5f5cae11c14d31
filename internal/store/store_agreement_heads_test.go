package store_test

import (
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// TestAgreementHeadsTellWhoMaySeeThem reads the heads that links and imports follow: enough of
// each agreement to link to it and to apply the confidentiality rule, deleted ones included.
func TestAgreementHeadsTellWhoMaySeeThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ministry := newPartner("nordic-ministry", "Nordic Ministry", "government")
		mustCreatePartners(t, db, ministry)
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		readers := map[*user.User]bool{
			amina: true,
			mustCreateUser(t, db, newUser("ada", user.RoleAdmin, true)):     true,
			mustCreateUser(t, db, newUser("bruno", user.RoleOfficer, true)): false,
			mustCreateUser(t, db, newUser("vera", user.RoleViewer, true)):   false,
		}
		open := newAgreement("OPEN-1", "cooperation", "2024-01-10", 10_000, ministry.ID)
		secret := newAgreement("SECRET-1", "mou", "2024-02-10", 0, ministry.ID)
		secret.Confidential, secret.OfficerID = true, amina.ID
		gone := newAgreement("GONE-1", "cooperation", "2024-03-10", 5_000, ministry.ID)
		mustCreateAgreements(t, db, open, secret, gone)
		if err := db.DeleteAgreement(ctx, gone.Reference, gone.Version); err != nil {
			t.Fatal(err)
		}

		heads, err := db.AgreementHeads(ctx, []string{"OPEN-1", "SECRET-1", "GONE-1", "NOWHERE-1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(heads) != 3 || heads["NOWHERE-1"] != nil {
			t.Fatalf("heads of %d agreements: %v", len(heads), heads)
		}
		h := heads["SECRET-1"]
		if h.ID != secret.ID || h.Reference != "SECRET-1" || h.Type != "mou" || !h.Confidential || h.OfficerID != amina.ID || h.Deleted() {
			t.Errorf("the confidential agreement's head: %+v", h)
		}
		if h := heads["GONE-1"]; h.ID != gone.ID || !h.Deleted() || h.Confidential || h.OfficerID != 0 {
			t.Errorf("the deleted agreement's head: %+v", h)
		}
		for u, sees := range readers {
			if agreement.CanSee(u, h) != sees || !agreement.CanSee(u, heads["OPEN-1"]) {
				t.Errorf("%s (%s) sees the confidential agreement: %t, the ordinary one: %t", u.Username, u.Role,
					agreement.CanSee(u, h), agreement.CanSee(u, heads["OPEN-1"]))
			}
		}
	})
}
