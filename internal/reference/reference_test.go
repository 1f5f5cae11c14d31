package reference

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/civil"
)

func TestDefaultCountries(t *testing.T) {
	countries, err := DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	// One row for each of the 249 ISO 3166-1 entries (shared/data/README.md section 6).
	if len(countries) != 249 {
		t.Errorf("got %d countries, want 249", len(countries))
	}
	alpha2 := regexp.MustCompile(`^[A-Z]{2}$`)
	alpha3 := regexp.MustCompile(`^[A-Z]{3}$`)
	regions := map[string]bool{"AFR": true, "AMS": true, "ARB": true, "ASP": true, "CIS": true, "EUR": true, "": true}
	codes, iso3s := map[string]bool{}, map[string]bool{}
	for _, c := range countries {
		if !alpha2.MatchString(c.Code) || !alpha3.MatchString(c.ISO3) {
			t.Errorf("country %q/%q: want ISO alpha-2 and alpha-3 codes", c.Code, c.ISO3)
		}
		if codes[c.Code] || iso3s[c.ISO3] {
			t.Errorf("country %s/%s appears twice", c.Code, c.ISO3)
		}
		codes[c.Code], iso3s[c.ISO3] = true, true
		if !regions[c.Region] {
			t.Errorf("country %s: region %q is not an ITU-D region (nor empty)", c.Code, c.Region)
		}
		for _, lang := range []string{"ar", "en", "es", "fr", "ru", "zh"} {
			if c.Names[lang] == "" {
				t.Errorf("country %s has no name in %s", c.Code, lang)
			}
		}
	}
}

// The counts of shared/data/README.md section 6: "AFR 44, AMS 35, ARB 21+PS, ASP 38, CIS 9, EUR 46
// (193 Member States), and OE 55", where the State of Palestine is in ARB but not a member, and other
// economies (OE) belong to no region.
func TestDefaultCountriesITURegions(t *testing.T) {
	countries, err := DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	type group struct {
		region string
		member bool
	}
	want := map[group]int{
		{"AFR", true}:  44,
		{"AMS", true}:  35,
		{"ARB", true}:  21,
		{"ARB", false}: 1, // Palestine
		{"ASP", true}:  38,
		{"CIS", true}:  9,
		{"EUR", true}:  46,
		{"", false}:    55, // other economies
	}
	got := map[group]int{}
	members := 0
	for _, c := range countries {
		got[group{c.Region, c.ITUMember}]++
		if c.ITUMember {
			members++
		}
		if c.Code == "PS" && (c.Region != "ARB" || c.ITUMember) {
			t.Errorf("PS: region %q, member %v; want ARB and not a member", c.Region, c.ITUMember)
		}
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("region %q member=%v: %d countries, want %d", g.region, g.member, got[g], n)
		}
	}
	for g, n := range got {
		if _, ok := want[g]; !ok {
			t.Errorf("region %q member=%v: %d unexpected countries", g.region, g.member, n)
		}
	}
	if members != 193 {
		t.Errorf("%d ITU Member States, want 193", members)
	}
}

func TestDefaultLabelsCoverEveryCode(t *testing.T) {
	labels, err := DefaultLabels()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]Labels{}
	for _, l := range labels {
		if got[l.List] == nil {
			got[l.List] = map[string]Labels{}
		}
		if got[l.List][l.Code] == nil {
			got[l.List][l.Code] = Labels{}
		}
		got[l.List][l.Code][l.Lang] = l.Text
	}
	var actionAreas, partnerTypes []string
	for _, a := range ActionAreas {
		actionAreas = append(actionAreas, a.Code)
	}
	for _, p := range PartnerTypes {
		partnerTypes = append(partnerTypes, p.Code)
	}
	lists := map[string][]string{
		ListRegion:        Regions,
		ListActionArea:    actionAreas,
		ListPartnerType:   partnerTypes,
		ListMembership:    MembershipCategories,
		ListAgreementType: AgreementTypes,
		ListFinancingType: FinancingTypes,
	}
	for list, codes := range lists {
		for _, code := range codes {
			for _, lang := range []string{"ar", "en", "es", "fr", "ru", "zh"} {
				if got[list][code][lang] == "" {
					t.Errorf("%s %s has no label in %s", list, code, lang)
				}
			}
		}
		// A label for a code that is not in the list would be a typo in labels.csv.
		known := map[string]bool{}
		for _, code := range codes {
			known[code] = true
		}
		for code := range got[list] {
			if !known[code] {
				t.Errorf("labels.csv labels %s %q, which is not a code of the list", list, code)
			}
		}
	}
	if l := got[ListRegion][RegionARB]["ar"]; l != "الدول العربية" {
		t.Errorf("region ARB in Arabic = %q, want الدول العربية", l)
	}
}

// Every currency is named in the six languages: by CLDR (PROVENANCE.md), or by labels.csv where
// CLDR has no name or a worse one.
func TestDefaultCurrenciesNamedInEveryLanguage(t *testing.T) {
	currencies, err := DefaultCurrencies()
	if err != nil {
		t.Fatal(err)
	}
	if len(currencies) < 150 {
		t.Fatalf("%d currencies, want the active ISO 4217 list", len(currencies))
	}
	byCode := map[string]Currency{}
	for _, c := range currencies {
		if _, ok := byCode[c.Code]; ok {
			t.Errorf("currency %s appears twice", c.Code)
		}
		byCode[c.Code] = c
		for _, lang := range Languages {
			if c.Names[lang] == "" {
				t.Errorf("currency %s has no name in %s", c.Code, lang)
			}
		}
	}
	for _, n := range []struct{ code, lang, want string }{
		{"JPY", "zh", "日元"},            // CLDR
		{"THB", "ar", "باخت تايلاندي"}, // CLDR
		{"GBP", "ru", "британский фунт стерлингов"},
		{"USD", "en", "US Dollar"},
		{"XOF", "ru", "франк КФА BCEAO"},   // labels.csv: CLDR spells BCEAO in Cyrillic letters
		{"VED", "fr", "bolivar souverain"}, // labels.csv: CLDR has no French name
	} {
		if got := byCode[n.code].Names[n.lang]; got != n.want {
			t.Errorf("%s in %s = %q, want %q", n.code, n.lang, got, n.want)
		}
	}
	// A currency row of labels.csv for a code that is not a currency would be a typo.
	labels, err := DefaultLabels()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels {
		if _, ok := byCode[l.Code]; l.List == ListCurrency && !ok {
			t.Errorf("labels.csv names currency %q, which is not in currencies.csv", l.Code)
		}
	}
}

func TestListSizes(t *testing.T) {
	// PRODUCT.md, "Codes".
	sizes := []struct {
		list string
		got  int
		want int
	}{
		{"regions", len(Regions), 7},
		{"action areas", len(ActionAreas), 11},
		{"partner types", len(PartnerTypes), 9},
		{"membership categories", len(MembershipCategories), 5},
		{"agreement types", len(AgreementTypes), 7},
		{"financing types", len(FinancingTypes), 6},
		{"languages", len(Languages), 6},
	}
	for _, s := range sizes {
		if s.got != s.want {
			t.Errorf("%d %s, want %d", s.got, s.list, s.want)
		}
	}
}

func TestRateTable(t *testing.T) {
	d := civil.MustParse
	// Given out of order on purpose: the table must sort them.
	table := NewRateTable([]Rate{
		{Currency: "EUR", ValidFrom: d("2016-01-01"), USDPerUnit: 1.107},
		{Currency: "EUR", ValidFrom: d("2014-01-01"), USDPerUnit: 1.329},
		{Currency: "EUR", ValidFrom: d("2015-01-01"), USDPerUnit: 1.11},
		{Currency: "CHF", ValidFrom: d("2015-01-01"), USDPerUnit: 1.04},
	})
	tests := []struct {
		currency string
		day      civil.Date
		want     float64
		ok       bool
	}{
		{"EUR", d("2015-06-30"), 1.11, true},  // within a year
		{"EUR", d("2015-01-01"), 1.11, true},  // on the day a rate starts
		{"EUR", d("2014-12-31"), 1.329, true}, // the day before
		{"EUR", d("2016-01-01"), 1.107, true}, // the last rate …
		{"EUR", d("2030-07-01"), 1.107, true}, // … holds on afterwards
		{"EUR", d("2013-12-31"), 0, false},    // before the first rate
		{"CHF", d("2015-03-01"), 1.04, true},  // currencies are kept apart
		{"CHF", d("2014-06-30"), 0, false},    // EUR's 2014 rate is not CHF's
		{"XYZ", d("2015-06-30"), 0, false},    // unknown currency
		{"USD", d("2015-06-30"), 1, true},     // US dollars are always 1
		{"USD", d("1900-01-01"), 1, true},     // even with no USD rate at all
	}
	for _, tt := range tests {
		got, ok := table.USDPerUnit(tt.currency, tt.day)
		if got != tt.want || ok != tt.ok {
			t.Errorf("USDPerUnit(%s, %s) = %v, %v; want %v, %v", tt.currency, tt.day, got, ok, tt.want, tt.ok)
		}
	}
}

// The shipped rates are yearly, valid from 1 January (PROVENANCE.md); rates.csv gives EUR 1.11 for 2015.
func TestDefaultRates(t *testing.T) {
	rates, err := DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	table := NewRateTable(rates)
	if got, ok := table.USDPerUnit("EUR", civil.MustParse("2015-06-30")); !ok || got != 1.11 {
		t.Errorf("EUR on 2015-06-30 = %v, %v; want 1.11, true", got, ok)
	}
	currencies, err := DefaultCurrencies()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range currencies {
		known[c.Code] = true
	}
	for _, r := range rates {
		if !known[r.Currency] {
			t.Errorf("rate for %s, which is not a shipped currency", r.Currency)
		}
		if r.ValidFrom.Month != 1 || r.ValidFrom.Day != 1 {
			t.Errorf("rate %s from %s: want yearly rates valid from 1 January", r.Currency, r.ValidFrom)
		}
	}
}

func TestItemTextsHaveLimits(t *testing.T) {
	item := Item{Code: "generic", Labels: Labels{"en": "Generic", "fr": strings.Repeat("x", MaxLabelLength+1), "ar": "a\nb", "de": "Allgemein"},
		Detail: "22010\x00"}
	var e *apperr.Error
	if !errors.As(item.Validate(), &e) || e.Fields["label_fr"].Key != "error.too_long" || e.Fields["label_ar"].Key != "error.bad_text" ||
		e.Fields["label_de"].Key != "error.language" || e.Fields["detail"].Key != "error.bad_text" || len(e.Fields) != 4 {
		t.Errorf("labels and detail: %v", item.Validate())
	}
	if err := (&Item{Labels: Labels{"en": "Generic", "zh": strings.Repeat("电", MaxLabelLength)}, Detail: "22010 22040"}).Validate(); err != nil {
		t.Errorf("labels at their limit: %v", err)
	}
}
