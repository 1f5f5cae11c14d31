package agreement

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/reference"
)

// codes knows the codes the tests use.
var codes = func() reference.CodeSet {
	s := reference.CodeSet{}
	for _, r := range reference.Regions {
		s.Add(reference.ListRegion, r)
	}
	for _, t := range reference.AgreementTypes {
		s.Add(reference.ListAgreementType, t)
	}
	for _, a := range reference.ActionAreas {
		s.Add(reference.ListActionArea, a.Code)
	}
	s.Add(reference.ListCurrency, "USD")
	s.Add(reference.ListCountry, "SN")
	return s
}()

func valid() Agreement {
	return Agreement{
		Reference: "PCT-2016-0001", Titles: map[string]string{"en": "Broadband for rural schools"}, Type: "cooperation",
		Status: StatusActive, SignedOn: civil.MustParse("2016-03-14"), StartOn: civil.MustParse("2016-04-01"),
		EndOn: civil.MustParse("2018-03-31"), Currency: "USD", PrimaryActionArea: "infrastructure",
		Parties: []Party{{PartnerID: 1, Role: RoleFunder}}, Regions: EqualShares("AFR", "ARB"), Countries: []string{"SN"},
	}
}

func fieldOf(err error) []string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return nil
	}
	var fields []string
	for f := range e.Fields {
		fields = append(fields, f)
	}
	return fields
}

func TestAgreementRules(t *testing.T) {
	a := valid()
	if err := a.Validate(codes); err != nil {
		t.Fatalf("valid agreement: %v", err)
	}
	cases := []struct {
		name   string
		change func(*Agreement)
		field  string
	}{
		{"no English title", func(a *Agreement) { a.Titles = map[string]string{"fr": "Large bande"} }, "title_en"},
		{"signed without date", func(a *Agreement) { a.SignedOn = civil.Date{} }, "signed_on"},
		{"ends before it starts", func(a *Agreement) { a.EndOn = civil.MustParse("2016-01-01") }, "end_on"},
		{"no party", func(a *Agreement) { a.Parties = nil }, "parties"},
		{"shares not summing to 1", func(a *Agreement) { a.Regions = []RegionShare{{"AFR", 0.5}, {"ARB", 0.4}} }, "regions"},
		{"same region twice", func(a *Agreement) { a.Regions = []RegionShare{{"AFR", 0.5}, {"AFR", 0.5}} }, "regions"},
		{"no region", func(a *Agreement) { a.Regions = nil }, "regions"},
		{"amendment without parent", func(a *Agreement) { a.Type = reference.AgreementTypeAmendment; a.AmendmentKind = KindAddedFunds }, "amends"},
		{"parent without being an amendment", func(a *Agreement) { a.AmendsID = 7 }, "amends"},
		{"negative amount", func(a *Agreement) { a.Amount = -1 }, "amount"},
		{"unknown country", func(a *Agreement) { a.Countries = []string{"XX"} }, "countries"},
	}
	for _, c := range cases {
		a := valid()
		c.change(&a)
		fields := fieldOf(a.Validate(codes))
		found := false
		for _, f := range fields {
			found = found || f == c.field
		}
		if !found {
			t.Errorf("%s: fields in error %v, want %s", c.name, fields, c.field)
		}
	}
	// A draft needs no signing date.
	draft := valid()
	draft.Status, draft.SignedOn = StatusDraft, civil.Date{}
	if err := draft.Validate(codes); err != nil {
		t.Errorf("draft without signing date: %v", err)
	}
	// Thirds are accepted although they do not add up to exactly 1 in floating point.
	thirds := valid()
	thirds.Regions = EqualShares("AFR", "ARB", "ASP")
	if err := thirds.Validate(codes); err != nil {
		t.Errorf("three equal shares: %v", err)
	}
}

func TestTitleFallsBackToEnglish(t *testing.T) {
	a := valid()
	a.Titles["fr"] = "Large bande pour les écoles rurales"
	if a.Title("fr") != "Large bande pour les écoles rurales" || a.Title("zh") != "Broadband for rural schools" {
		t.Errorf("titles: fr %q, zh %q", a.Title("fr"), a.Title("zh"))
	}
}

// Every text of an agreement has a length and takes no control character (apperr.Text); the
// reference keeps its own shape.
func TestTextLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name   string
		change func(*Agreement)
		field  string
		key    string // "" when valid
	}{
		{"a title at its limit", func(a *Agreement) { a.Titles["fr"] = long(MaxTitleLength) }, "title_fr", ""},
		{"a title over it", func(a *Agreement) { a.Titles["fr"] = long(MaxTitleLength + 1) }, "title_fr", "error.too_long"},
		{"a title on two lines", func(a *Agreement) { a.Titles["en"] = "Broadband\nfor schools" }, "title_en", "error.bad_text"},
		{"an initiative not UTF-8", func(a *Agreement) { a.Initiative = "Giga \xff" }, "initiative", "error.bad_text"},
		{"notes of paragraphs", func(a *Agreement) { a.Notes = "One.\r\n\r\n\tTwo." }, "notes", ""},
		{"notes with a NUL", func(a *Agreement) { a.Notes = "One\x00" }, "notes", "error.bad_text"},
		{"notes over their limit", func(a *Agreement) { a.Notes = long(MaxNotesLength + 1) }, "notes", "error.too_long"},
		{"a reference over its limit", func(a *Agreement) { a.Reference = long(MaxReferenceLength + 1) }, "reference", "error.too_long"},
		{"a reference with a space", func(a *Agreement) { a.Reference = "PCT 1" }, "reference", "agreement.error.reference_format"},
		{"a page's name as reference", func(a *Agreement) { a.Reference = "Export.csv" }, "reference", "agreement.error.reference_format"},
		{"an office that is none", func(a *Agreement) { a.Office = "Geneva\x00" }, "office", "error.choose"},
		{"a regional office", func(a *Agreement) { a.Office = "AFR" }, "office", ""},
		{"an unknown kind of amendment", func(a *Agreement) { a.AmendmentKind = "\xff" }, "amendment_kind", "error.choose"},
		{"an unknown other action area", func(a *Agreement) { a.OtherActionAreas = []string{"x\x00"} }, "other_action_areas", "error.unknown_code"},
	}
	for _, c := range cases {
		a := valid()
		c.change(&a)
		var got string
		var e *apperr.Error
		if errors.As(a.Validate(codes), &e) {
			got = e.Fields[c.field].Key
		}
		if got != c.key {
			t.Errorf("%s: field %s has %q, want %q", c.name, c.field, got, c.key)
		}
	}
	i := Instalment{DueOn: civil.MustParse("2016-06-30"), Note: long(MaxNoteLength + 1)}
	o := Obligation{Kind: ObligationNarrative, DueOn: civil.MustParse("2016-06-30"), Note: "first\nsecond"}
	if !slices.Equal(fieldOf(i.Validate()), []string{"note"}) || !slices.Equal(fieldOf(o.Validate()), []string{"note"}) {
		t.Errorf("instalment %v, obligation %v: want their notes refused", i.Validate(), o.Validate())
	}
}
