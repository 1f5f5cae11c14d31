package derived

import (
	"slices"
	"testing"

	"pactum/internal/agreement"
)

// Every facet of the registry has one field in a row of agreement_codes and its own letter in the
// search document; a facet missing from CodeFields would be searched but never counted.
func TestEveryAgreementFacetHasACodeFieldAndALetter(t *testing.T) {
	if len(CodeFields) != len(agreement.Facets)+1 || slices.Index(CodeFields, codeOfficer) != OfficerField {
		t.Errorf("codeFields %v: want every facet of %v and the officer", CodeFields, agreement.Facets)
	}
	letters := map[string]string{}
	for _, facet := range agreement.Facets {
		if CodeField(facet) < 0 {
			t.Errorf("facet %s has no field in agreement_codes", facet)
		}
		letter := AgreementLetters[facet]
		if other, taken := letters[letter]; letter == "" || taken {
			t.Errorf("facet %s has letter %q (also %q's)", facet, letter, other)
		}
		letters[letter] = facet
	}
	// A row reads back as it was written, and a row written before the office facet (version 4)
	// reads without an office.
	facets := make([][]string, len(agreement.Facets))
	for i, facet := range agreement.Facets {
		facets[i] = []string{facet + "-a", facet + "-b"}
	}
	if got := SplitCodes(joinCodes(facets, 42)); !slices.EqualFunc(got, facets, slices.Equal) {
		t.Errorf("a row of agreement_codes reads back as %v, want %v", got, facets)
	}
	old := SplitCodes("mou|signed|2016|AFR|SN|infrastructure|7|government|50k_250k|no|42")
	if office := old[slices.Index(agreement.Facets, agreement.FacetOffice)]; office != nil {
		t.Errorf("a version 4 row has office %v, want none", office)
	}
	if typ := old[slices.Index(agreement.Facets, agreement.FacetType)]; !slices.Equal(typ, []string{"mou"}) {
		t.Errorf("a version 4 row has type %v, want mou", typ)
	}
}
