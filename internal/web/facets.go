package web

import (
	"net/url"
	"slices"
	"strings"
)

// facetShown is how many options of a facet show before the rest fold away.
const facetShown = 8

// facetCount is a code of a facet with how many records of the selection have it.
type facetCount struct {
	Code  string
	Count int
}

type facetOption struct {
	Code, Label string
	Count       int
	Checked     bool
}

// facetView is a facet of a list's filter as its form shows it.
type facetView struct {
	Name, Label string
	Options     []facetOption // the first ones shown
	More        []facetOption // the rest, folded away
	Selected    int
}

// newFacetView lays out a facet: the counted codes and the chosen ones (a chosen code the
// selection no longer has stays, with no count, so it can be unchosen), chosen first, then in
// order (nil: the most frequent first).
func newFacetView(name, label string, counts []facetCount, selected []string, labelOf func(code string) string,
	order func(a, b string) int) facetView {
	fv := facetView{Name: name, Label: label, Selected: len(selected)}
	var opts []facetOption
	counted := map[string]bool{}
	for _, c := range counts {
		counted[c.Code] = true
		opts = append(opts, facetOption{Code: c.Code, Label: labelOf(c.Code), Count: c.Count, Checked: slices.Contains(selected, c.Code)})
	}
	for _, code := range selected {
		if !counted[code] {
			opts = append(opts, facetOption{Code: code, Label: labelOf(code), Checked: true})
		}
	}
	slices.SortStableFunc(opts, func(a, b facetOption) int {
		switch {
		case a.Checked != b.Checked && a.Checked:
			return -1
		case a.Checked != b.Checked:
			return 1
		case order != nil:
			return order(a.Code, b.Code)
		}
		return b.Count - a.Count
	})
	if len(opts) > facetShown {
		fv.Options, fv.More = opts[:facetShown], opts[facetShown:]
	} else {
		fv.Options = opts
	}
	return fv
}

// queryCodes reads the codes chosen for a facet from a list's query string, where the facet is a
// repeated parameter (type=mou&type=sponsorship), without blanks or repeats.
func queryCodes(q url.Values, facet string) []string {
	var codes []string
	for _, v := range q[facet] {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(codes, v) {
			codes = append(codes, v)
		}
	}
	return codes
}
