package store_test

import (
	"fmt"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/store"
)

// TestRegistryFacetCountsAreWhatAClickGives checks the promise of every count beside a facet
// code in the registry: choosing that code alone in its facet, the other choices kept, lists
// that many agreements. It runs on the demo registry for searches with none, one and several
// facets chosen, for an administrator and for an officer (who sees only their own
// confidential agreements); codes are taken from the registry's own counts so that they exist.
func TestRegistryFacetCountsAreWhatAClickGives(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		whole := listAgreements(t, db, agreement.Filter{AllConfidential: true})
		top := func(facet string, n int) []string {
			var codes []string
			for _, c := range whole.Facets[facet][:min(n, len(whole.Facets[facet]))] {
				codes = append(codes, c.Code)
			}
			if len(codes) < n {
				t.Fatalf("the demo registry has fewer than %d codes of %s", n, facet)
			}
			return codes
		}
		types, regions, years, partnerTypes := top(agreement.FacetType, 2), top(agreement.FacetRegion, 2),
			top(agreement.FacetYear, 3), top(agreement.FacetPartnerType, 1)
		filters := []agreement.Filter{
			{Query: "digital"},
			{Types: types[:1]},
			{Query: "digital", Types: types[:1]},
			{Query: "digital", Types: types, Regions: regions[:1]},
			{Types: types, Regions: regions[:1]},
			{Query: "digital", Regions: regions, Years: years, PartnerTypes: partnerTypes},
			{Years: years[:2], Confidential: []string{"no"}, Regions: regions},
		}
		for _, memory := range []bool{false, true} {
			checkClicks(t, db, memory, whole, filters)
		}
	})
}

// checkClicks checks the counts of the registry's facets under each filter, for an administrator
// and an officer, counted from agreement_codes or (memory) from its copy in memory where the
// database keeps one.
func checkClicks(t *testing.T, db *store.DB, memory bool, whole *agreement.Page, filters []agreement.Filter) {
	t.Run(fmt.Sprintf("codes in memory %v", memory), func(t *testing.T) {
		if !memory {
			db.CountFromTable(t)
		} else {
			if err := db.LoadAgreementCodes(t.Context()); err != nil {
				t.Fatal(err)
			}
			inMemory, err := db.AgreementCodesInMemory(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if inMemory != !db.IsPostgres() {
				t.Fatalf("codes in memory: %v, want them on SQLite only", inMemory)
			}
			if !inMemory {
				return // counted from the table above
			}
		}
		for _, reader := range []agreement.Filter{{AllConfidential: true}, {ReaderID: 1}} {
			for _, f := range filters {
				f.AllConfidential, f.ReaderID = reader.AllConfidential, reader.ReaderID
				page := listAgreements(t, db, f)
				if page.Total == 0 || len(page.Items) == 0 {
					t.Fatalf("filter %+v selects no agreement; choose one that does", f)
				}
				for _, facet := range agreement.Facets {
					// A code the list does not show must list nothing.
					shown := map[string]int{}
					for _, c := range page.Facets[facet] {
						shown[c.Code] = c.Count
					}
					for _, c := range whole.Facets[facet] {
						if _, ok := shown[c.Code]; !ok {
							shown[c.Code] = 0
						}
					}
					for code, count := range shown {
						click := f
						click.Set(facet, []string{code})
						if got := listAgreements(t, db, click).Total; got != count {
							t.Errorf("filter %+v: %s %s counts %d, choosing it lists %d", f, facet, code, count, got)
						}
					}
				}
			}
		}
	})
}
