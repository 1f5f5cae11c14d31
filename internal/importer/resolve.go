package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"pactum/internal/agreement"
	"pactum/internal/i18n"
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

// The files Pactum imports, as HeadingKey names them.
const (
	FilePartners   = "partners"
	FileAgreements = "agreements"
	FileRates      = "rates"
)

// HeadingKey is the catalogue key of the heading of a column of a file. Exports write each
// column's heading in the reader's language, and imports read a column by its code or by its
// heading in any language, so that a file exported by a French reader imports for anyone.
func HeadingKey(file, column string) string { return "heading." + file + "." + column }

// Resolver turns what people write in a file into codes: the code itself, its English label, or
// for countries the ISO alpha-3 code, all without regard to case, accents or punctuation
// ("Private sector", "PRIVATE", "private" and "private_sector"'s label all name private).
// It also answers partner.Codes, from the same lists, and names the column of a header cell.
type Resolver struct {
	codes   reference.CodeSet
	byCode  map[string]map[string]string // list → folded code → code
	alpha3  map[string]string            // folded alpha-3 → alpha-2
	byName  map[string]map[string]string // list → folded English label → code; "" when two codes share it
	labels  map[string]map[string]string // list → code → English label, for the template
	headers map[string]map[string]string // file → header cell as headerName writes it → column
}

// NewResolver builds a resolver from the codes and English labels of the reference lists, as
// stored, the countries' alpha-3 codes, and headings, which gives the texts of a catalogue key in
// every language (i18n.Bundle.Texts): the headings of the columns. Without it, header cells name
// columns by their codes only.
func NewResolver(codes reference.CodeSet, labels reference.LabelSet, countries []reference.Country, headings func(key string) []string) *Resolver {
	r := &Resolver{codes: reference.CodeSet{}, byCode: map[string]map[string]string{}, alpha3: map[string]string{},
		byName: map[string]map[string]string{}, labels: map[string]map[string]string{}, headers: map[string]map[string]string{
			FilePartners:   headersOf(FilePartners, partner.Columns, headings),
			FileAgreements: headersOf(FileAgreements, AgreementColumns, headings),
			FileRates:      headersOf(FileRates, RateColumns, headings),
		}}
	// valid_from, the header of Pactum's own rates file, names the date.
	r.headers[FileRates]["valid_from"] = "date"
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

// headersOf maps the header cells that name the columns of a file to them: each column's
// heading in every language, then its code, which names it whatever a heading says. The headings
// of a file are distinct in all the languages together (TestHeadingsNameTheirColumns).
func headersOf(file string, columns []string, headings func(key string) []string) map[string]string {
	names := map[string]string{}
	if headings != nil {
		for _, column := range columns {
			for _, h := range headings(HeadingKey(file, column)) {
				names[headerName(h)] = column
			}
		}
	}
	for _, column := range columns {
		names[column] = column
	}
	return names
}

// column returns the column of a file that a header cell names: by its code or by its heading in
// any language, without regard to case, a byte-order mark or the spaces around it.
func (r *Resolver) column(file, cell string) (string, bool) {
	column, ok := r.headers[file][headerName(cell)]
	return column, ok
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

// catalogue holds the columns' headings. The catalogues are embedded in the binary, so they are
// read once, by the first import.
var catalogue = sync.OnceValues(i18n.Load)

// LoadResolver builds a resolver from the lists as stored, with the shipped alpha-3 codes and
// the columns' headings of the catalogues.
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
	bundle, err := catalogue()
	if err != nil {
		return nil, fmt.Errorf("the columns' headings: %w", err)
	}
	return NewResolver(codes, labels, countries, bundle.Texts), nil
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
