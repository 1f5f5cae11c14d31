package store_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"pactum/internal/demo"
	"pactum/internal/partner"
	"pactum/internal/store"
)

// demoKeysWhere returns the keys of the demo partners with any text for which match holds,
// worked out from the demo file, not through the search index.
func demoKeysWhere(t *testing.T, match func(p *partner.Partner, text string) bool) []string {
	t.Helper()
	partners, _, err := demo.Partners()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range partners {
		for _, txt := range p.Texts {
			if match(p, txt.Name+" "+txt.Acronym+" "+txt.Mandate+" "+txt.Strategy) {
				keys = append(keys, p.Key)
				break
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func listKeys(t *testing.T, db *store.DB, f partner.Filter) ([]string, *partner.Page) {
	t.Helper()
	f.Limit = 500
	page, err := db.ListPartners(t.Context(), f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	var keys []string
	for _, it := range page.Items {
		keys = append(keys, it.Key)
	}
	slices.Sort(keys)
	if page.Total != len(keys) {
		t.Errorf("list %+v: total %d but %d items", f, page.Total, len(keys))
	}
	return keys, page
}

func TestPartnerSearchInEveryScript(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		// A two-character Chinese word finds every partner whose texts contain it.
		want := demoKeysWhere(t, func(_ *partner.Partner, text string) bool { return strings.Contains(text, "电信") })
		got, _ := listKeys(t, db, partner.Filter{Query: "电信"})
		if len(want) < 3 || !slices.Equal(got, want) {
			t.Errorf("search 电信: %v, want %v", got, want)
		}
		// Case and accents do not matter, in Latin and Cyrillic script.
		for _, pair := range [][2]string{{"numérique", "NUMERIQUE"}, {"Télécommunications", "telecommunications"}, {"Связи", "связи"}} {
			a, _ := listKeys(t, db, partner.Filter{Query: pair[0]})
			b, _ := listKeys(t, db, partner.Filter{Query: pair[1]})
			if len(a) == 0 || !slices.Equal(a, b) {
				t.Errorf("search %q gives %v, %q gives %v: want the same, not empty", pair[0], a, pair[1], b)
			}
		}
		// Arabic with and without hamza on the alef.
		a, _ := listKeys(t, db, partner.Filter{Query: "الاتصالات"})
		b, _ := listKeys(t, db, partner.Filter{Query: "الإتصالات"})
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("Arabic search: %v and %v", a, b)
		}
		// The beginning of a word is enough; every word must match.
		prefix, _ := listKeys(t, db, partner.Filter{Query: "telecom"})
		both, _ := listKeys(t, db, partner.Filter{Query: "telecom senegal"})
		if len(both) == 0 || len(both) >= len(prefix) {
			t.Errorf("telecom: %d partners, telecom senegal: %d; want fewer but some", len(prefix), len(both))
		}
		if none, _ := listKeys(t, db, partner.Filter{Query: "zzqxw"}); len(none) != 0 {
			t.Errorf("a word no partner has finds %v", none)
		}
	})
}

func TestPartnerFacetsCountWhatTheOtherFiltersSelect(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		partners, _, _ := demo.Partners()
		byType := map[string]int{}
		foundationsInAFR := 0
		for _, p := range partners {
			byType[p.Type]++
			if p.Type == "foundation" && slices.Contains(p.Regions, "AFR") {
				foundationsInAFR++
			}
		}
		keys, page := listKeys(t, db, partner.Filter{Types: []string{"foundation"}})
		if len(keys) != byType["foundation"] {
			t.Errorf("foundations: %d, want %d", len(keys), byType["foundation"])
		}
		// The type facet ignores the type filter, so it still counts every type.
		for _, c := range page.Facets[partner.FacetType] {
			if c.Count != byType[c.Code] {
				t.Errorf("type facet %s: %d, want %d", c.Code, c.Count, byType[c.Code])
			}
		}
		// Two facets together.
		keys, page = listKeys(t, db, partner.Filter{Types: []string{"foundation"}, Regions: []string{"AFR"}})
		if len(keys) != foundationsInAFR {
			t.Errorf("foundations working in Africa: %d, want %d", len(keys), foundationsInAFR)
		}
		for _, c := range page.Facets[partner.FacetRegion] {
			if c.Code == "AFR" && c.Count != foundationsInAFR {
				t.Errorf("region facet AFR among foundations: %d, want %d", c.Count, foundationsInAFR)
			}
		}
		// Every selected partner counts once in the due-diligence facet: under its status or "none".
		sum := 0
		for _, c := range page.Facets[partner.FacetDueDiligence] {
			sum += c.Count
		}
		if sum != foundationsInAFR {
			t.Errorf("due diligence facet counts %d partners, want %d", sum, foundationsInAFR)
		}
	})
}

func TestPartnerListSortsAndPages(t *testing.T) {
	db := demoData.OpenSQLite(t)
	page, err := db.ListPartners(t.Context(), partner.Filter{Sort: partner.SortValue, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(page.Items); i++ {
		if page.Items[i].ValueUSD > page.Items[i-1].ValueUSD {
			t.Fatalf("by value: %s (%s) after %s (%s)", page.Items[i].Key, page.Items[i].ValueUSD, page.Items[i-1].Key, page.Items[i-1].ValueUSD)
		}
	}
	if page.Items[0].ValueUSD == 0 || page.Items[0].AgreementCount == 0 {
		t.Errorf("the partner with most value has %s and %d agreements", page.Items[0].ValueUSD, page.Items[0].AgreementCount)
	}
	var seen []string
	for offset := 0; offset < page.Total; offset += 10 {
		p, err := db.ListPartners(t.Context(), partner.Filter{Sort: partner.SortName, Offset: offset, Limit: 10, Lang: "zh"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			seen = append(seen, it.Key)
		}
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(seen) != page.Total || len(slices.Compact(sorted)) != page.Total {
		t.Errorf("pages of 10 gave %d partners (%d distinct), want %d", len(seen), len(slices.Compact(sorted)), page.Total)
	}
}

// TestPartnerFacetCountsMatchAHandCount compares every facet's counts with counts made here from
// the partners themselves, for searches with none, one and several facets chosen (several codes
// in one facet among them): a chosen facet is counted over the partners the other chosen facets
// admit, an unchosen one over the list.
func TestPartnerFacetCountsMatchAHandCount(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		stored, _, err := demo.Partners()
		if err != nil {
			t.Fatal(err)
		}
		codesOf := func(p *partner.Partner, facet string) []string {
			switch facet {
			case partner.FacetType:
				return []string{p.Type}
			case partner.FacetMembership:
				return []string{p.Membership}
			case partner.FacetRegion:
				return p.Regions
			case partner.FacetActionArea:
				return p.ActionAreas
			case partner.FacetFinancingType:
				return p.FinancingTypes
			case partner.FacetStatus:
				return []string{p.Status}
			case partner.FacetCountry:
				return []string{p.Country}
			}
			return nil
		}
		admits := func(f *partner.Filter, p *partner.Partner, except string) bool {
			for _, facet := range partner.Facets {
				if chosen := f.Values(facet); facet != except && len(chosen) > 0 {
					if !slices.ContainsFunc(codesOf(p, facet), func(c string) bool { return slices.Contains(chosen, c) }) {
						return false
					}
				}
			}
			return true
		}
		// Due diligence is left out: its records are not in the partners' file.
		counted := []string{partner.FacetType, partner.FacetMembership, partner.FacetRegion, partner.FacetActionArea,
			partner.FacetFinancingType, partner.FacetStatus, partner.FacetCountry}
		filters := []partner.Filter{
			{},
			{Query: "telecom"},
			{Types: []string{"private"}},
			{Query: "telecom", Types: []string{"private"}},
			{Query: "digital", Types: []string{"private", "government"}, Regions: []string{"AFR"}},
			{Types: []string{"private", "government"}, Regions: []string{"AFR"}},
			{Query: "digital", Regions: []string{"AFR", "ASP"}, ActionAreas: []string{"infrastructure"}, Statuses: []string{"active"}},
			{Regions: []string{"AFR", "EUR"}, FinancingTypes: []string{"grant"}, Memberships: []string{"sector_member", "member_state"}},
		}
		for _, f := range filters {
			// The search words select partners; which is the search tests' business.
			words, _ := listKeys(t, db, partner.Filter{Query: f.Query})
			keys, page := listKeys(t, db, f)
			if len(keys) == 0 {
				t.Fatalf("filter %+v selects no partner; choose one that does", f)
			}
			for _, facet := range counted {
				want := map[string]int{}
				for _, p := range stored {
					if _, found := slices.BinarySearch(words, p.Key); found && admits(&f, p, facet) {
						for _, c := range codesOf(p, facet) {
							want[c]++
						}
					}
				}
				got := map[string]int{}
				for _, c := range page.Facets[facet] {
					got[c.Code] = c.Count
				}
				if !maps.Equal(got, want) {
					t.Errorf("filter %+v, facet %s:\n got %v\nwant %v", f, facet, got, want)
				}
			}
		}
	})
}
