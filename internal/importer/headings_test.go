package importer_test

import (
	"slices"
	"strings"
	"testing"

	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// headings returns the headings of columns of a file in a language, as the catalogue writes them.
func headings(t *testing.T, bundle *i18n.Bundle, lang, file string, columns []string) []string {
	t.Helper()
	var out []string
	for _, c := range columns {
		text, ok := bundle.Catalog(lang).Text(importer.HeadingKey(file, c))
		if !ok {
			t.Fatalf("%s: no heading for the column %s of %s files", lang, c, file)
		}
		out = append(out, text)
	}
	return out
}

// A header written with the headings of any one language names every column, in all three files,
// so that an export in that language imports again.
func TestHeadingsNameTheirColumns(t *testing.T) {
	bundle, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	rs := testResolver(t)
	for _, lang := range i18n.Languages {
		header := strings.Join(headings(t, bundle, lang, importer.FilePartners, partner.Columns), ";")
		res, err := importer.CheckPartners(t.Context(), strings.NewReader(header+"\n"), importer.Options{Resolver: rs, Existing: memory{}.existing})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Columns, partner.Columns) || len(res.Ignored) > 0 || !res.OK() {
			t.Errorf("%s partners: columns %v, ignored %q, problems %v", lang, res.Columns, res.Ignored, problemLines(res))
		}

		header = strings.Join(headings(t, bundle, lang, importer.FileAgreements, importer.AgreementColumns), ";")
		opts := agreementOptions(t, newRegistry())
		opts.Resolver = rs
		agreements, err := importer.CheckAgreements(t.Context(), strings.NewReader(header+"\n"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(agreements.Columns, importer.AgreementColumns) || len(agreements.Ignored) > 0 || !agreements.OK() {
			t.Errorf("%s agreements: columns %v, ignored %q, problems %v", lang, agreements.Columns, agreements.Ignored, agreementProblems(agreements))
		}

		header = strings.Join(headings(t, bundle, lang, importer.FileRates, importer.RateColumns), ";")
		rates := importer.CheckRates(strings.NewReader(header+"\n"), rs, reference.RateTable{})
		if len(rates.Ignored) > 0 || !rates.OK() {
			t.Errorf("%s rates: ignored %q, problems %v", lang, rates.Ignored, rates.Problems)
		}
	}
}

// A column is named by its code or its heading in any language, whatever the language of the
// others; naming it twice, even once by code and once by heading, is a problem as ever.
func TestHeaderTakesCodesAndHeadingsAlike(t *testing.T) {
	file := "\uFEFF键,name, NOM (ARABE) ,伙伴类型,membership,状态,Pays du siège,Nombre d'accords\n" +
		"itu,International Telecommunication Union,الاتحاد الدولي للاتصالات,un_agency,none,active,CH,12\n"
	res := check(t, file, nil)
	if !res.OK() {
		t.Fatalf("problems: %v", problemLines(res))
	}
	if want := []string{"key", "name", "name_ar", "type", "membership", "country", "status"}; !slices.Equal(res.Columns, want) {
		t.Errorf("columns %v, want %v", res.Columns, want)
	}
	if want := []string{"Nombre d'accords"}; !slices.Equal(res.Ignored, want) {
		t.Errorf("ignored %q, want %q: an exported figure is no import column", res.Ignored, want)
	}
	if len(res.Creates) != 1 {
		t.Fatalf("plan: %d to create, want 1", len(res.Creates))
	}
	p := res.Creates[0].Partner
	if p.Key != "itu" || p.Type != "un_agency" || p.Status != "active" || p.Country != "CH" || p.Texts["ar"].Name != "الاتحاد الدولي للاتصالات" {
		t.Errorf("read %+v", p)
	}

	res = check(t, header+",Type de partenaire\n", nil)
	if got, want := problemLines(res), []string{"1 type import.error.duplicate_column [column type]"}; !slices.Equal(got, want) {
		t.Errorf("code and heading of one column: %v, want %v", got, want)
	}
	agreements := checkAgreements(t, agreementHeader+",标题\n", newRegistry())
	if got, want := agreementProblems(agreements), []string{"1 title import.error.duplicate_column [column title]"}; !slices.Equal(got, want) {
		t.Errorf("agreements, code and heading of one column: %v, want %v", got, want)
	}
	rates := importer.CheckRates(strings.NewReader("Valid from,currency,usd_per_unit,date\n"), testResolver(t), reference.RateTable{})
	if len(rates.Problems) != 1 || rates.Problems[0].Column != "date" || rates.Problems[0].Message.Key != "import.error.duplicate_column" {
		t.Errorf("rates, heading and code of one column: %+v", rates.Problems)
	}
}
