package importer

import (
	"context"
	"slices"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
)

// Lists a Resolver knows besides the reference lists: codes fixed in the domain packages.
const (
	ListStatus          = "partner_status"
	ListAgreementStatus = "agreement_status"
	ListPartyRole       = "party_role"
	ListAmendmentKind   = "amendment_kind"
)

// fixedLists are the codes of the lists above that agreement files use, with their English labels.
var fixedLists = []struct {
	list   string
	codes  []string
	labels []string
}{
	{ListAgreementStatus, agreement.Statuses, []string{"Draft", "Negotiation", "Signed", "Active", "Expired", "Terminated"}},
	{ListPartyRole, agreement.Roles, []string{"Funder", "Implementing partner", "Co-signatory"}},
	{ListAmendmentKind, agreement.AmendmentKinds, []string{"Added funds", "No-cost extension", "Change of scope", "Administrative correction"}},
}

// Resolver turns what people write in a file into codes: the code itself, its English label, or
// for countries the ISO alpha-3 code, all without regard to case, accents or punctuation
// ("Private sector", "PRIVATE", "private" and "private_sector"'s label all name private).
// It also answers partner.Codes, from the same lists.
type Resolver struct {
	codes  reference.CodeSet
	byCode map[string]map[string]string // list → folded code → code
	alpha3 map[string]string            // folded alpha-3 → alpha-2
	byName map[string]map[string]string // list → folded English label → code; "" when two codes share it
	labels map[string]map[string]string // list → code → English label, for the template
}

// NewResolver builds a resolver from the codes and English labels of the reference lists, as
// stored, and the countries' alpha-3 codes.
func NewResolver(codes reference.CodeSet, labels reference.LabelSet, countries []reference.Country) *Resolver {
	r := &Resolver{codes: reference.CodeSet{}, byCode: map[string]map[string]string{}, alpha3: map[string]string{},
		byName: map[string]map[string]string{}, labels: map[string]map[string]string{}}
	for list, set := range codes {
		for code := range set {
			r.add(list, code, labels[list][code]["en"])
		}
	}
	for _, s := range partner.Statuses {
		r.add(ListStatus, s, strings.ToUpper(s[:1])+s[1:])
	}
	for _, l := range fixedLists {
		for i, code := range l.codes {
			r.add(l.list, code, l.labels[i])
		}
	}
	for _, c := range countries {
		if c.ISO3 != "" && r.codes.Has(reference.ListCountry, c.Code) {
			r.alpha3[search.Fold(c.ISO3)] = c.Code
		}
	}
	return r
}

func (r *Resolver) add(list, code, label string) {
	r.codes.Add(list, code)
	if r.byCode[list] == nil {
		r.byCode[list], r.byName[list], r.labels[list] = map[string]string{}, map[string]string{}, map[string]string{}
	}
	r.byCode[list][search.Fold(code)] = code
	r.labels[list][code] = label
	if label == "" {
		return
	}
	name := search.Fold(label)
	if other, ok := r.byName[list][name]; ok && other != code {
		r.byName[list][name] = "" // two codes share the label: only their codes name them
		return
	}
	r.byName[list][name] = code
}

// Source is where a resolver's lists come from: the store.
type Source interface {
	Codes(ctx context.Context) (reference.CodeSet, error)
	LabelsFor(ctx context.Context, lang string) (reference.LabelSet, error)
}

// LoadResolver builds a resolver from the lists as stored, with the shipped alpha-3 codes.
func LoadResolver(ctx context.Context, src Source) (*Resolver, error) {
	codes, err := src.Codes(ctx)
	if err != nil {
		return nil, err
	}
	labels, err := src.LabelsFor(ctx, "en")
	if err != nil {
		return nil, err
	}
	countries, err := reference.DefaultCountries()
	if err != nil {
		return nil, err
	}
	return NewResolver(codes, labels, countries), nil
}

// Has reports whether code is in list, so that a Resolver can validate partners.
func (r *Resolver) Has(list, code string) bool { return r.codes.Has(list, code) }

// Resolve returns the code that value names in list: a code first, then (for countries) an
// alpha-3 code, then an English label.
func (r *Resolver) Resolve(list, value string) (string, bool) {
	key := search.Fold(value)
	if key == "" {
		return "", false
	}
	if code, ok := r.byCode[list][key]; ok {
		return code, true
	}
	if list == reference.ListCountry {
		if code, ok := r.alpha3[key]; ok {
			return code, true
		}
	}
	code := r.byName[list][key]
	return code, code != ""
}

// codeLabel is a code with its English label.
type codeLabel struct{ Code, Label string }

// entries lists a list's codes in order with their English labels.
func (r *Resolver) entries(list string) []codeLabel {
	var out []codeLabel
	for code, label := range r.labels[list] {
		out = append(out, codeLabel{code, label})
	}
	slices.SortFunc(out, func(a, b codeLabel) int { return strings.Compare(a.Code, b.Code) })
	return out
}
