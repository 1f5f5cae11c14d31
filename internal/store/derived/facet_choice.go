package derived

import (
	"strings"

	"pactum/internal/search"
)

// FacetChoice tells, for a row of codes (partner_codes, agreement_codes), which chosen facets
// refuse it. The lists count every facet in one pass over the rows that at most one chosen
// facet refuses: a row no chosen facet refuses counts in every facet, a row one refuses only in
// that one, which is counted over what the other chosen facets admit.
type FacetChoice struct {
	facets    []string
	positions []int                 // of each facet in a row of codes
	lists     []bool                // whether a facet's field holds several codes, separated by ","
	tokens    []map[string]struct{} // the search tokens of each facet's chosen codes
	admits    []map[string]bool     // each facet's verdict on the codes met so far
	token     func(facet, code string) string
}

// NewFacetChoice describes the chosen facets: their codes (values), where each is in a row
// (position), whether its field is a list, and the search token of a code, by which codes are
// compared as the search index compares them.
func NewFacetChoice(chosen []string, values func(facet string) []string, position func(facet string) int,
	list func(facet string) bool, token func(facet, code string) string) *FacetChoice {
	c := &FacetChoice{facets: chosen, token: token}
	for _, facet := range chosen {
		c.positions = append(c.positions, position(facet))
		c.lists = append(c.lists, list(facet))
		tokens := map[string]struct{}{}
		for _, code := range values(facet) {
			tokens[token(facet, code)] = struct{}{}
		}
		c.tokens = append(c.tokens, tokens)
		c.admits = append(c.admits, map[string]bool{})
	}
	return c
}

// Refusing returns the one chosen facet that refuses a row with these fields ("" when none
// does), and whether more than one does. A facet admits a row with any of its chosen codes.
func (c *FacetChoice) Refusing(fields []string) (facet string, several bool) {
	for i, pos := range c.positions {
		admitted := false
		if pos >= 0 && pos < len(fields) {
			codes := []string{fields[pos]}
			if c.lists[i] {
				codes = SplitList(fields[pos])
			}
			for _, code := range codes {
				if c.admitsCode(i, code) {
					admitted = true
					break
				}
			}
		}
		if !admitted {
			if facet != "" {
				return facet, true
			}
			facet = c.facets[i]
		}
	}
	return facet, false
}

// ForAnotherReader returns the choice with a memo of verdicts of its own, for counting rows on
// another goroutine.
func (c *FacetChoice) ForAnotherReader() *FacetChoice {
	d := *c
	d.admits = make([]map[string]bool, len(c.admits))
	for i := range d.admits {
		d.admits[i] = map[string]bool{}
	}
	return &d
}

// admitsCode tells whether the chosen codes of the i-th facet hold code.
func (c *FacetChoice) admitsCode(i int, code string) bool {
	admits, known := c.admits[i][code]
	if !known {
		_, admits = c.tokens[i][c.token(c.facets[i], code)]
		c.admits[i][code] = admits
	}
	return admits
}

// SplitFacets returns the facets with codes chosen and the others, in the order of facets.
func SplitFacets(facets []string, values func(facet string) []string) (chosen, unchosen []string) {
	for _, facet := range facets {
		if len(values(facet)) > 0 {
			chosen = append(chosen, facet)
		} else {
			unchosen = append(unchosen, facet)
		}
	}
	return chosen, unchosen
}

// OnePassTerms are the terms of the one pass that counts every facet: the search words and,
// with several facets chosen, a term admitting what at most one of them refuses (all the terms
// of the chosen facets but one, for each one). others returns the terms of the chosen facets
// other than one.
func OnePassTerms(words []search.Term, chosen []string, others func(except string) []search.Term) []search.Term {
	terms := append([]search.Term{}, words...)
	if len(chosen) > 1 {
		either := make([][]search.Term, len(chosen))
		for i, facet := range chosen {
			either[i] = others(facet)
		}
		terms = append(terms, search.Term{Either: either})
	}
	return terms
}

// AppendFields appends the "|"-separated fields of a partner_codes row to fields, which the
// caller reuses from row to row: counting reads tens of thousands of rows a page.
func AppendFields(fields []string, codes string) []string {
	for {
		field, rest, more := strings.Cut(codes, "|")
		fields = append(fields, field)
		if !more {
			return fields
		}
		codes = rest
	}
}
