package partner

import (
	"errors"
	"strings"
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/reference"
	"pactum/internal/user"
)

var codes = func() reference.CodeSet {
	s := reference.CodeSet{}
	for _, t := range reference.PartnerTypes {
		s.Add(reference.ListPartnerType, t.Code)
	}
	for _, m := range reference.MembershipCategories {
		s.Add(reference.ListMembership, m)
	}
	for _, r := range reference.Regions {
		s.Add(reference.ListRegion, r)
	}
	s.Add(reference.ListCountry, "SN")
	s.Add(reference.ListActionArea, "infrastructure")
	s.Add(reference.ListFinancingType, "loan")
	return s
}()

func valid() *Partner {
	return &Partner{Key: "kestrel-bank", Texts: map[string]Text{"en": {Name: "Kestrel Development Bank", Mandate: "Loans for networks."},
		"fr": {Name: "Banque de développement Kestrel"}}, Type: "development_bank", Membership: "none", Country: "SN",
		Status: StatusActive, Website: "https://kestrel.example", Regions: []string{"AFR"}, ActionAreas: []string{"infrastructure"},
		FinancingTypes: []string{"loan"}}
}

func fields(err error) map[string]string {
	var e *apperr.Error
	out := map[string]string{}
	if errors.As(err, &e) {
		for f, m := range e.Fields {
			out[f] = m.Key
		}
	}
	return out
}

func TestPartnerRules(t *testing.T) {
	if err := valid().Validate(codes); err != nil {
		t.Fatalf("valid partner: %v", err)
	}
	cases := []struct {
		name   string
		change func(*Partner)
		field  string
		key    string
	}{
		{"capital letters in the key", func(p *Partner) { p.Key = "Kestrel" }, "key", "partner.error.key"},
		{"a page's name as key", func(p *Partner) { p.Key = "import" }, "key", "partner.error.key_reserved"},
		{"no English name", func(p *Partner) { p.Texts["en"] = Text{Name: " "} }, "name_en", "error.required"},
		{"unknown type", func(p *Partner) { p.Type = "club" }, "type", "error.choose"},
		{"unknown country", func(p *Partner) { p.Country = "XX" }, "country", "error.country"},
		{"website without scheme", func(p *Partner) { p.Website = "kestrel.example" }, "website", "error.url"},
		{"unknown region", func(p *Partner) { p.Regions = []string{"AFR", "OCE"} }, "regions", "error.unknown_code"},
		{"a contact without name", func(p *Partner) { p.Contacts = []Contact{{Email: "a@b.example"}} }, "contacts.0.name", "error.required"},
		{"own parent", func(p *Partner) { p.ID, p.ParentID = 4, 4 }, "parent", "partner.error.own_parent"},
	}
	for _, c := range cases {
		p := valid()
		c.change(p)
		if got := fields(p.Validate(codes))[c.field]; got != c.key {
			t.Errorf("%s: field %s has %q, want %q", c.name, c.field, got, c.key)
		}
	}
}

func TestTextsFallBackToEnglishFieldByField(t *testing.T) {
	p := valid()
	if p.Name("fr") != "Banque de développement Kestrel" || p.Mandate("fr") != "Loans for networks." || p.Name("zh") != "Kestrel Development Bank" {
		t.Errorf("fr name %q, fr mandate %q, zh name %q", p.Name("fr"), p.Mandate("fr"), p.Name("zh"))
	}
}

func TestDueDiligenceConcerns(t *testing.T) {
	today := civil.MustParse("2026-06-01")
	cases := []struct {
		dd   *DueDiligence
		want Concern
	}{
		{nil, ConcernMissing},
		{&DueDiligence{Status: DDInProgress}, ConcernMissing},
		{&DueDiligence{Status: DDNotCleared}, ConcernRefused},
		{&DueDiligence{Status: DDCleared, RecheckOn: civil.MustParse("2026-05-31")}, ConcernExpired},
		{&DueDiligence{Status: DDCleared, RecheckOn: civil.MustParse("2026-06-01")}, ""},
		{&DueDiligence{Status: DDClearedWithConditions}, ""},
	}
	for _, c := range cases {
		if got := ConcernOn(c.dd, today); got != c.want {
			t.Errorf("%+v: %q, want %q", c.dd, got, c.want)
		}
	}
	if !NeedsDueDiligence("private") || !NeedsDueDiligence("foundation") || NeedsDueDiligence("government") {
		t.Error("due diligence is for companies and foundations")
	}
	d := &DueDiligence{Status: DDCleared, ReviewedOn: civil.MustParse("2026-01-01"), RecheckOn: civil.MustParse("2025-01-01")}
	if fields(d.Validate())["recheck_on"] == "" {
		t.Error("a re-check before the review is accepted")
	}
}

func TestRowFollowsTheColumns(t *testing.T) {
	row := valid().Row()
	if len(row) != len(Columns) {
		t.Fatalf("%d cells for %d columns", len(row), len(Columns))
	}
	at := func(col string) string {
		for i, c := range Columns {
			if c == col {
				return row[i]
			}
		}
		return "?"
	}
	if at("key") != "kestrel-bank" || at("name_fr") != "Banque de développement Kestrel" || at("regions") != "AFR" || at("name_zh") != "" {
		t.Errorf("row %v", row)
	}
}

// Every text of a partner, its contacts, recognitions and due diligence has a length and takes no
// control character (apperr.Text); a line break only where the text has lines.
func TestTextLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	cases := []struct {
		name   string
		change func(*Partner)
		field  string
		key    string // "" when valid
	}{
		{"a name at its limit", func(p *Partner) { p.Texts["fr"] = Text{Name: long(MaxNameLength)} }, "name_fr", ""},
		{"a name over it", func(p *Partner) { p.Texts["fr"] = Text{Name: long(MaxNameLength + 1)} }, "name_fr", "error.too_long"},
		{"a name on two lines", func(p *Partner) { p.Texts["en"] = Text{Name: "Kestrel\nBank"} }, "name_en", "error.bad_text"},
		{"an acronym over its limit", func(p *Partner) { p.Texts["en"] = Text{Name: "K", Acronym: long(MaxAcronymLength + 1)} }, "acronym_en", "error.too_long"},
		{"a mandate of paragraphs", func(p *Partner) { p.Texts["en"] = Text{Name: "K", Mandate: "One.\r\n\r\nTwo."} }, "mandate_en", ""},
		{"a mandate over its limit", func(p *Partner) { p.Texts["en"] = Text{Name: "K", Mandate: long(MaxTextLength + 1)} }, "mandate_en", "error.too_long"},
		{"a strategy with a NUL", func(p *Partner) { p.Texts["ru"] = Text{Strategy: "a\x00b"} }, "strategy_ru", "error.bad_text"},
		{"a website over its limit", func(p *Partner) { p.Website = "https://k.example/" + long(MaxWebsiteLength) }, "website", "error.too_long"},
		{"notes not UTF-8", func(p *Partner) { p.Notes = "\xff\xfe" }, "notes", "error.bad_text"},
		{"financing mechanisms with an escape", func(p *Partner) { p.FinancingMechanisms = "\x1b[31m" }, "financing_mechanisms", "error.bad_text"},
		{"a tag over its limit", func(p *Partner) { p.Tags = []string{"ok", long(MaxTagLength + 1)} }, "tags", "error.too_long"},
	}
	for _, c := range cases {
		p := valid()
		c.change(p)
		if got := fields(p.Validate(codes))[c.field]; got != c.key {
			t.Errorf("%s: field %s has %q, want %q", c.name, c.field, got, c.key)
		}
	}
	contact := Contact{Name: long(MaxNameLength + 1), Title: "a\tb", Email: "x@" + long(user.MaxEmailLength), Phone: long(MaxPhoneLength + 1)}
	if got := fields(contact.Validate()); got["contact_name"] != "error.too_long" || got["contact_title"] != "error.bad_text" ||
		got["contact_email"] != "error.too_long" || got["contact_phone"] != "error.too_long" {
		t.Errorf("contact: %v", got)
	}
	rec := Recognition{Title: "Award\x00", Event: long(MaxNameLength + 1), Description: "Two\nlines\a", AwardedOn: civil.MustParse("2015-05-17")}
	if got := fields(rec.Validate()); got["recognition_title"] != "error.bad_text" || got["recognition_event"] != "error.too_long" ||
		got["recognition_description"] != "error.bad_text" {
		t.Errorf("recognition: %v", got)
	}
	dd := DueDiligence{Status: DDCleared, Notes: long(MaxTextLength + 1)}
	if got := fields(dd.Validate()); got["notes"] != "error.too_long" {
		t.Errorf("due diligence: %v", got)
	}
}
