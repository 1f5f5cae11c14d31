package store_test

import (
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func TestPartnerRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		owner := mustCreateUser(t, db, newUser("amina.officer", user.RoleOfficer, true))
		parent := newPartner("friends-of-itu", "Friends of ITU", "foundation")
		mustCreatePartners(t, db, parent)

		p := &partner.Partner{
			Key: "digital-futures-fund",
			Texts: map[string]partner.Text{
				"en": {Name: "Digital Futures Fund", Acronym: "DFF", Mandate: "Connect every school.", Strategy: "Grants for rural broadband."},
				"fr": {Name: "Fonds pour l'avenir numérique", Acronym: "FAN", Mandate: "Connecter chaque école.", Strategy: "Subventions au haut débit rural."},
				"ar": {Name: "صندوق المستقبل الرقمي"},
				"zh": {Name: "数字未来基金", Acronym: "数基"},
			},
			Type:           "foundation",
			Membership:     "sector_member",
			Country:        "CH",
			Website:        "https://dff.example.org",
			Status:         partner.StatusProspect,
			ParentID:       parent.ID,
			OwnerID:        owner.ID,
			Notes:          "Met at WTDC-17; follow up in Q3.",
			ActionAreas:    []string{"infrastructure", "capacity_building"},
			Regions:        []string{"EUR", "AFR"},
			Countries:      []string{"SN", "KE", "SN"},
			FinancingTypes: []string{"in_kind", "grant"},
			Tags:           []string{"schools", "broadband", "schools"},
			Contacts: []partner.Contact{
				{Name: "Chen Wei", Title: "Analyst", Language: "zh"},
				{Name: "Zoé Martin", Title: "Director", Email: "zoe@dff.example.org", Phone: "+41 22 730 00 00", Language: "fr", Primary: true},
				{Name: "Amadou Diallo", Title: "Programme officer", Email: "amadou@dff.example.org", Language: "en"},
			},
		}
		before := time.Now()
		mustCreatePartners(t, db, p)
		after := time.Now()

		got, err := db.PartnerByKey(ctx, "digital-futures-fund")
		if err != nil {
			t.Fatal(err)
		}
		checkStamp(t, "CreatedAt", got.CreatedAt, before, after)
		checkStamp(t, "UpdatedAt", got.UpdatedAt, before, after)
		for i, c := range got.Contacts {
			if c.ID == 0 {
				t.Errorf("contact %s has no ID", c.Name)
			}
			got.Contacts[i].ID = 0
		}
		got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}

		want := &partner.Partner{
			ID:  p.ID,
			Key: "digital-futures-fund",
			Texts: map[string]partner.Text{
				"en": {Name: "Digital Futures Fund", Acronym: "DFF", Mandate: "Connect every school.", Strategy: "Grants for rural broadband."},
				"fr": {Name: "Fonds pour l'avenir numérique", Acronym: "FAN", Mandate: "Connecter chaque école.", Strategy: "Subventions au haut débit rural."},
				"ar": {Name: "صندوق المستقبل الرقمي"},
				"zh": {Name: "数字未来基金", Acronym: "数基"},
			},
			Type:       "foundation",
			Membership: "sector_member",
			Country:    "CH",
			Website:    "https://dff.example.org",
			Status:     partner.StatusProspect,
			ParentID:   parent.ID,
			OwnerID:    owner.ID,
			Notes:      "Met at WTDC-17; follow up in Q3.",
			// Lists come back sorted and without repeats.
			ActionAreas:    []string{"capacity_building", "infrastructure"},
			Regions:        []string{"AFR", "EUR"},
			Countries:      []string{"KE", "SN"},
			FinancingTypes: []string{"grant", "in_kind"},
			Tags:           []string{"broadband", "schools"},
			// The primary contact first, then by name.
			Contacts: []partner.Contact{
				{Name: "Zoé Martin", Title: "Director", Email: "zoe@dff.example.org", Phone: "+41 22 730 00 00", Language: "fr", Primary: true},
				{Name: "Amadou Diallo", Title: "Programme officer", Email: "amadou@dff.example.org", Language: "en"},
				{Name: "Chen Wei", Title: "Analyst", Language: "zh"},
			},
			Version: 1,
		}
		equal(t, "partner read back", got, want)

		// A translation missing a field falls back to English; a missing language too.
		if s := got.Mandate("ar"); s != "Connect every school." {
			t.Errorf("Mandate(ar) = %q, want the English mandate", s)
		}
		if s := got.Name("es"); s != "Digital Futures Fund" {
			t.Errorf("Name(es) = %q, want the English name", s)
		}

		// A partner with nothing but the required fields reads back with no country, parent or lists.
		bare, err := db.PartnerByKey(ctx, "friends-of-itu")
		if err != nil {
			t.Fatal(err)
		}
		if bare.Country != "" || bare.ParentID != 0 || bare.OwnerID != 0 || len(bare.Regions) != 0 || len(bare.Contacts) != 0 {
			t.Errorf("bare partner read back with %+v", bare)
		}
		mustCount(t, "partners", db.CountPartners, 2)
	})
}

func TestCreatePartnersIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustCreatePartners(t, db, newPartner("taken-key", "First holder", "government"))

		fresh := newPartner("fresh-partner", "Would be new", "private")
		fresh.Tags = []string{"lost"}
		fresh.Contacts = []partner.Contact{{Name: "Nobody"}}
		err := db.CreatePartners(ctx, []*partner.Partner{fresh, newPartner("taken-key", "Second holder", "ngo")})
		wantCode(t, err, apperr.Conflict)

		_, err = db.PartnerByKey(ctx, "fresh-partner")
		wantCode(t, err, apperr.NotFound)
		mustCount(t, "partners after a failed batch", db.CountPartners, 1)
		first, err := db.PartnerByKey(ctx, "taken-key")
		if err != nil {
			t.Fatal(err)
		}
		if first.Name("en") != "First holder" || first.Type != "government" {
			t.Errorf("the key's first holder changed to %q (%s)", first.Name("en"), first.Type)
		}

		// The same key twice in one batch.
		err = db.CreatePartners(ctx, []*partner.Partner{
			newPartner("twin", "Twin one", "private"), newPartner("twin", "Twin two", "private"),
		})
		wantCode(t, err, apperr.Conflict)
		mustCount(t, "partners after a batch with a repeated key", db.CountPartners, 1)
	})
}

func TestPartnerByUnknownKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.PartnerByKey(t.Context(), "no-such-partner")
		wantCode(t, err, apperr.NotFound)
		mustCount(t, "partners", db.CountPartners, 0)
	})
}
