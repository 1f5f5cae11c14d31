package store_test

import (
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/money"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// officeRegistry adds to the small registry (whose agreements have no office) agreements managed
// at headquarters and in regional offices, one of Africa's confidential to the registry's
// officer.
func officeRegistry(t *testing.T, db *store.DB) *registry {
	t.Helper()
	r := newRegistry(t, db)
	for _, a := range []struct {
		ref, typ, signed, office string
		confidential             bool
	}{
		{"ITU-AFR-2016-101", "cooperation", "2016-02-10", "AFR", false},
		{"ITU-AFR-2017-102", "voluntary_contribution", "2017-04-20", "AFR", true},
		{"ITU-HQ-2016-103", "cooperation", "2016-06-01", "HQ", false},
		{"ITU-ASP-2016-104", "mou", "2016-08-15", "ASP", false},
	} {
		x := newAgreement(a.ref, a.typ, a.signed, money.FromUnits(75_000), r.ministry)
		x.Office = a.office
		if a.confidential {
			x.Confidential, x.OfficerID = true, r.officer.ID
		}
		mustCreateAgreements(t, db, x)
	}
	return r
}

func TestAgreementRegistryFiltersAndCountsByOffice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := officeRegistry(t, db)
		admin := agreement.Filter{AllConfidential: true, Sort: agreement.SortReference}
		offices := func(f agreement.Filter) map[string]int {
			return countsOf(listAgreements(t, db, f), agreement.FacetOffice)
		}

		// The whole registry's counts (kept in agreement_facet_counts): agreements without an
		// office have no code.
		equal(t, "office counts", offices(admin), map[string]int{"AFR": 2, "HQ": 1, "ASP": 1})

		f := admin
		f.Offices = []string{"AFR"}
		page := listAgreements(t, db, f)
		equal(t, "Africa's agreements", references(page.Items), []string{"ITU-AFR-2016-101", "ITU-AFR-2017-102"})
		if page.Total != 2 {
			t.Errorf("Africa's total = %d, want 2", page.Total)
		}
		// The chosen facet is counted over the others; the others over Africa's agreements.
		equal(t, "office counts with Africa chosen", countsOf(page, agreement.FacetOffice), map[string]int{"AFR": 2, "HQ": 1, "ASP": 1})
		equal(t, "years of Africa's", countsOf(page, agreement.FacetYear), map[string]int{"2016": 1, "2017": 1})
		equal(t, "types of Africa's", countsOf(page, agreement.FacetType), map[string]int{"cooperation": 1, "voluntary_contribution": 1})

		f.Offices = []string{"AFR", "HQ"}
		equal(t, "Africa or headquarters", references(listAgreements(t, db, f).Items),
			[]string{"ITU-AFR-2016-101", "ITU-AFR-2017-102", "ITU-HQ-2016-103"})

		f = admin
		f.Offices, f.Years = []string{"AFR"}, []string{"2016"}
		page = listAgreements(t, db, f)
		equal(t, "Africa's of 2016", references(page.Items), []string{"ITU-AFR-2016-101"})
		equal(t, "offices of 2016", countsOf(page, agreement.FacetOffice), map[string]int{"AFR": 1, "HQ": 1, "ASP": 1})

		f = admin
		f.Offices, f.Query = []string{"ASP"}, "nordic"
		equal(t, "a search word within an office", references(listAgreements(t, db, f).Items), []string{"ITU-ASP-2016-104"})

		// Another officer neither lists nor counts Africa's confidential agreement; its officer does.
		colleague := agreement.Filter{ReaderID: r.colleague.ID, Offices: []string{"AFR"}}
		equal(t, "another officer's Africa", references(listAgreements(t, db, colleague).Items), []string{"ITU-AFR-2016-101"})
		colleague.Offices = nil
		equal(t, "another officer's office counts", offices(colleague), map[string]int{"AFR": 1, "HQ": 1, "ASP": 1})
		equal(t, "the officer's office counts", offices(agreement.Filter{ReaderID: r.officer.ID}), map[string]int{"AFR": 2, "HQ": 1, "ASP": 1})

		// The export selects the same agreements.
		var exported []string
		f = admin
		f.Offices = []string{"AFR"}
		if err := db.ForEachAgreement(ctx, f, func(a *agreement.Agreement) error {
			exported = append(exported, a.Reference)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		equal(t, "exported", exported, []string{"ITU-AFR-2016-101", "ITU-AFR-2017-102"})

		// Moving an agreement to another office, deleting one and restoring it move the counts.
		hq, err := db.AgreementByReference(ctx, "ITU-HQ-2016-103")
		if err != nil {
			t.Fatal(err)
		}
		hq.Office = "AFR"
		if err := db.UpdateAgreement(ctx, hq); err != nil {
			t.Fatal(err)
		}
		equal(t, "after the move", offices(admin), map[string]int{"AFR": 3, "ASP": 1})
		f = admin
		f.Offices = []string{"HQ"}
		if got := references(listAgreements(t, db, f).Items); len(got) != 0 {
			t.Errorf("headquarters still lists %v", got)
		}
		asp, _ := db.AgreementByReference(ctx, "ITU-ASP-2016-104")
		if err := db.DeleteAgreement(ctx, asp.Reference, asp.Version); err != nil {
			t.Fatal(err)
		}
		equal(t, "after the deletion", offices(admin), map[string]int{"AFR": 3})
		if err := db.RestoreAgreement(ctx, asp.Reference); err != nil {
			t.Fatal(err)
		}
		equal(t, "after the restoration", offices(admin), map[string]int{"AFR": 3, "ASP": 1})
	})
}

// A database whose agreements were indexed before the office facet existed (search version 4)
// is indexed again at start (ReindexAgreements, which serve and every command that opens the
// database run): then the office filters and is counted, and every other count is what it was.
func TestAgreementsIndexedBeforeTheOfficeFacetAreIndexedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := officeRegistry(t, db)
		deleted, _ := db.AgreementByReference(ctx, "ITU-DRAFT-7")
		if err := db.DeleteAgreement(ctx, deleted.Reference, deleted.Version); err != nil {
			t.Fatal(err)
		}
		readers := map[string]agreement.Filter{
			"administrator":   {AllConfidential: true},
			"the officer":     {ReaderID: r.officer.ID},
			"another officer": {ReaderID: r.colleague.ID},
		}
		before := map[string]*agreement.Page{}
		for who, f := range readers {
			before[who] = listAgreements(t, db, f)
		}
		counts, err := db.FacetCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		africa := agreement.Filter{AllConfidential: true, Offices: []string{"AFR"}, Sort: agreement.SortReference}

		if err := db.IndexAgreementsAsVersion4(ctx); err != nil {
			t.Fatal(err)
		}
		if page := listAgreements(t, db, africa); len(page.Items) != 0 || len(page.Facets[agreement.FacetOffice]) != 0 {
			t.Fatalf("the version 4 index knows offices: %v, %v", references(page.Items), page.Facets[agreement.FacetOffice])
		}

		n, err := db.ReindexAgreements(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 10 {
			t.Errorf("indexed again %d agreements, want all 10 (the deleted one included)", n)
		}
		for who, f := range readers {
			after := listAgreements(t, db, f)
			equal(t, who+": agreements", references(after.Items), references(before[who].Items))
			for _, facet := range agreement.Facets {
				equal(t, who+": counts of "+facet, countsOf(after, facet), countsOf(before[who], facet))
			}
		}
		// The kept counts are what they were: taking out each row of version 4 took out what it had added.
		after, err := db.FacetCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "kept facet counts", after, counts)
		equal(t, "office counts after the re-index", countsOf(listAgreements(t, db, readers["administrator"]), agreement.FacetOffice),
			map[string]int{"AFR": 2, "HQ": 1, "ASP": 1})
		equal(t, "Africa's after the re-index", references(listAgreements(t, db, africa).Items),
			[]string{"ITU-AFR-2016-101", "ITU-AFR-2017-102"})
		africa.Query = "ITU-AFR-2016-101"
		equal(t, "searched within Africa", references(listAgreements(t, db, africa).Items), []string{"ITU-AFR-2016-101"})
		if n, err := db.ReindexAgreements(ctx); err != nil || n != 0 {
			t.Errorf("a second start indexes %d agreements again (%v), want none", n, err)
		}
	})
}
