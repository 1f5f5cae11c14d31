package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/money"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// TestSearchWordsMatchAsPrefixes checks that a searched word finds every agreement with a word
// that begins with it, whether few words of the index begin with it (on SQLite they are searched
// one by one) or many (the index's own prefix search), and that a deleted agreement is not found.
func TestSearchWordsMatchAsPrefixes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		funder := newPartner("nordic-ministry", "Nordic Ministry of Foreign Affairs", "government")
		mustCreatePartners(t, db, funder)
		// Eleven words begin with "tele", more than are searched one by one.
		words := []string{"telecom", "telecommunications", "telecentre", "telemedicine", "teleport", "telework",
			"telescope", "television", "telegraph", "telephony", "telematics"}
		var agreements []*agreement.Agreement
		for i, word := range words {
			a := newAgreement(fmt.Sprintf("REF-%02d", i), "cooperation", "2016-01-01", money.FromUnits(1000), funder.ID)
			a.Titles["en"] = "Support for " + word
			if i%2 == 1 {
				a.Type = "sponsorship"
			}
			agreements = append(agreements, a)
		}
		mustCreateAgreements(t, db, agreements...)
		referencesOf := func(titleWords ...string) []string {
			refs := []string{}
			for i, word := range words {
				if slices.Contains(titleWords, word) {
					refs = append(refs, fmt.Sprintf("REF-%02d", i))
				}
			}
			return refs
		}
		for query, want := range map[string][]string{
			"tel":                referencesOf(words...),
			"tele":               referencesOf(words...),
			"telec":              referencesOf("telecom", "telecommunications", "telecentre"),
			"telecom":            referencesOf("telecom", "telecommunications"),
			"telecommunications": referencesOf("telecommunications"),
			"telecoms":           referencesOf(),
			"support telem":      referencesOf("telemedicine", "telematics"),
		} {
			page := listAgreements(t, db, agreement.Filter{Query: query, AllConfidential: true, Sort: agreement.SortReference})
			equal(t, "search "+query, references(page.Items), want)
			if page.Total != len(want) {
				t.Errorf("search %q: total %d, want %d", query, page.Total, len(want))
			}
		}
		// With a facet chosen, the count beside each type is what choosing it lists.
		page := listAgreements(t, db, agreement.Filter{Query: "telec", Types: []string{"cooperation"}, AllConfidential: true})
		equal(t, "telec, type counts", countsOf(page, agreement.FacetType), map[string]int{"cooperation": 2, "sponsorship": 1})

		if err := db.DeleteAgreement(t.Context(), agreements[2].Reference, agreements[2].Version); err != nil {
			t.Fatal(err)
		}
		page = listAgreements(t, db, agreement.Filter{Query: "telec", AllConfidential: true, Sort: agreement.SortReference})
		equal(t, "telec after deleting telecentre", references(page.Items), referencesOf("telecom", "telecommunications"))
	})
}

// TestFacetCountsFollowEveryChange checks that a search's facet counts change with the registry
// at once, also where a copy of the codes is kept in memory (made before the change), and stay
// the same once the copy is made again.
func TestFacetCountsFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		newRegistry(t, db)
		if err := db.LoadAgreementCodes(ctx); err != nil {
			t.Fatal(err)
		}
		// "rural": the cooperation in Senegal and the draft letter of intent.
		f := agreement.Filter{Query: "rural", Types: []string{"cooperation"}, AllConfidential: true}
		equal(t, "types before", countsOf(listAgreements(t, db, f), agreement.FacetType),
			map[string]int{"cooperation": 1, "letter_of_intent": 1})
		draft, err := db.AgreementByReference(ctx, "ITU-DRAFT-7")
		if err != nil {
			t.Fatal(err)
		}
		draft.Type = "cooperation"
		if err := db.UpdateAgreement(ctx, draft); err != nil {
			t.Fatal(err)
		}
		after := map[string]int{"cooperation": 2}
		equal(t, "types after the change", countsOf(listAgreements(t, db, f), agreement.FacetType), after)
		if db.IsPostgres() {
			return
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			current, err := db.AgreementCodesInMemory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if current {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the copy of the codes in memory was not made again within 10 s of the change")
			}
			listAgreements(t, db, f) // a search that finds the copy old starts the new one
		}
		equal(t, "types from the new copy", countsOf(listAgreements(t, db, f), agreement.FacetType), after)
	})
}
