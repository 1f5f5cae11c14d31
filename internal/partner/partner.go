// Package partner holds funding partners: the organisations the bureau works with, their
// profiles in six languages, and their contacts.
package partner

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/user"
)

// Statuses of a relationship.
const (
	StatusProspect = "prospect"
	StatusActive   = "active"
	StatusDormant  = "dormant"
)

// Statuses lists the partner statuses in display order.
var Statuses = []string{StatusProspect, StatusActive, StatusDormant}

// Text is the part of a profile written in one language.
type Text struct {
	Name     string
	Acronym  string
	Mandate  string
	Strategy string
}

// Partner is an organisation that funds or implements the bureau's work.
type Partner struct {
	ID  int64
	Key string // stable identifier for imports, URLs and the API
	// Texts holds the profile by language; English ("en") is required and is the fallback.
	Texts          map[string]Text
	Type           string // partner type code
	Membership     string // membership category code
	Country        string // ISO alpha-2 of the headquarters, "" when unknown
	Website        string
	Status         string
	ParentID       int64 // the headquarters this office or agency belongs to; 0 for none
	OwnerID        int64 // the staff user who owns the relationship; 0 for none
	Notes          string
	ActionAreas    []string
	Regions        []string
	Countries      []string
	FinancingTypes []string
	// FinancingMechanisms describes how the partner funds, where known (trust funds, calls for
	// proposals, matching grants …), in the partner's words.
	FinancingMechanisms string
	Tags                []string
	Contacts            []Contact
	// Figures the store keeps from the agreements the partner is a party to.
	AgreementCount int
	ValueUSD       money.Amount
	LastSignedOn   civil.Date
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Contact is a person at a partner.
type Contact struct {
	ID       int64
	Name     string
	Title    string
	Email    string
	Phone    string
	Language string
	Primary  bool
}

// text returns the profile text in lang with each empty field taken from English.
func (p *Partner) text(lang string) Text {
	en := p.Texts["en"]
	t, ok := p.Texts[lang]
	if !ok {
		return en
	}
	if t.Name == "" {
		t.Name = en.Name
	}
	if t.Acronym == "" {
		t.Acronym = en.Acronym
	}
	if t.Mandate == "" {
		t.Mandate = en.Mandate
	}
	if t.Strategy == "" {
		t.Strategy = en.Strategy
	}
	return t
}

// Name returns the partner's name in lang, or in English when it has none in lang.
func (p *Partner) Name(lang string) string { return p.text(lang).Name }

// Acronym returns the partner's acronym in lang, or in English.
func (p *Partner) Acronym(lang string) string { return p.text(lang).Acronym }

// Mandate returns the partner's mandate in lang, or in English.
func (p *Partner) Mandate(lang string) string { return p.text(lang).Mandate }

// Strategy returns the partner's development strategy in lang, or in English.
func (p *Partner) Strategy(lang string) string { return p.text(lang).Strategy }

// Limits of a partner's texts, in characters (apperr.Text). The key, at most 64, is bounded by
// keyPattern.
const (
	MaxNameLength    = 300    // a name in any language; a contact's name and title; a recognition's title and event
	MaxAcronymLength = 64     // an acronym in any language
	MaxTextLength    = 20_000 // mandate, strategy, financing mechanisms, notes, descriptions
	MaxWebsiteLength = 2048   // the web address, as browsers and servers commonly bound URLs
	MaxTagLength     = 64     // each tag
	MaxPhoneLength   = 64     // a contact's telephone number
)

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$`)

// reservedKeys are the names of pages under /partners/, which no partner key may take.
var reservedKeys = map[string]bool{"new": true, "import": true}

// IsReservedKey reports whether key names a page under /partners/ rather than a partner.
func IsReservedKey(key string) bool { return reservedKeys[key] }

// ValidKey reports whether key is a usable partner key: lowercase letters, digits and hyphens,
// and not the name of a page.
func ValidKey(key string) bool { return keyPattern.MatchString(key) && !reservedKeys[key] }

// Codes answers whether a code belongs to a reference list; the store's loaded lists satisfy it.
type Codes interface {
	Has(list, code string) bool
}

// Validate checks the partner against the rules every save must keep, returning field errors
// keyed by form field.
func (p *Partner) Validate(codes Codes) error {
	errs := apperr.FieldErrors{}
	switch {
	case IsReservedKey(p.Key):
		errs.Add("key", "partner.error.key_reserved", "key", p.Key)
	case !ValidKey(p.Key):
		errs.Add("key", "partner.error.key")
	}
	if strings.TrimSpace(p.Texts["en"].Name) == "" {
		errs.Add("name_en", "error.required")
	}
	for lang, t := range p.Texts {
		if !reference.IsLanguage(lang) {
			errs.Add("name_"+lang, "error.language")
		}
		errs.Line("name_"+lang, t.Name, MaxNameLength)
		errs.Line("acronym_"+lang, t.Acronym, MaxAcronymLength)
		errs.Lines("mandate_"+lang, t.Mandate, MaxTextLength)
		errs.Lines("strategy_"+lang, t.Strategy, MaxTextLength)
	}
	if !codes.Has(reference.ListPartnerType, p.Type) {
		errs.Add("type", "error.choose")
	}
	if !codes.Has(reference.ListMembership, p.Membership) {
		errs.Add("membership", "error.choose")
	}
	if p.Country != "" && !codes.Has(reference.ListCountry, p.Country) {
		errs.Add("country", "error.country")
	}
	errs.Line("website", p.Website, MaxWebsiteLength)
	if p.Website != "" && !strings.HasPrefix(p.Website, "https://") && !strings.HasPrefix(p.Website, "http://") {
		errs.Add("website", "error.url")
	}
	errs.Lines("financing_mechanisms", p.FinancingMechanisms, MaxTextLength)
	errs.Lines("notes", p.Notes, MaxTextLength)
	for _, tag := range p.Tags {
		errs.Line("tags", tag, MaxTagLength)
	}
	switch p.Status {
	case StatusProspect, StatusActive, StatusDormant:
	default:
		errs.Add("status", "error.choose")
	}
	checkCodes(errs, codes, "action_areas", reference.ListActionArea, p.ActionAreas)
	checkCodes(errs, codes, "regions", reference.ListRegion, p.Regions)
	checkCodes(errs, codes, "countries", reference.ListCountry, p.Countries)
	checkCodes(errs, codes, "financing_types", reference.ListFinancingType, p.FinancingTypes)
	if p.ParentID != 0 && p.ParentID == p.ID {
		errs.Add("parent", "partner.error.own_parent")
	}
	for i, c := range p.Contacts {
		if strings.TrimSpace(c.Name) == "" {
			errs.Add("contacts."+strconv.Itoa(i)+".name", "error.required")
		}
	}
	return errs.Err()
}

func checkCodes(errs apperr.FieldErrors, codes Codes, field, list string, values []string) {
	for _, v := range values {
		if !codes.Has(list, v) {
			errs.Add(field, "error.unknown_code", "code", v)
			return
		}
	}
}

// Recognition is an honour given to a partner, such as an award at the bureau's 25th anniversary.
type Recognition struct {
	ID          int64
	PartnerID   int64
	Title       string
	Event       string
	AwardedOn   civil.Date
	Description string
}

// Validate checks a recognition before it is saved.
func (r *Recognition) Validate() error {
	errs := apperr.FieldErrors{}
	if strings.TrimSpace(r.Title) == "" {
		errs.Add("recognition_title", "error.required")
	}
	errs.Line("recognition_title", r.Title, MaxNameLength)
	errs.Line("recognition_event", r.Event, MaxNameLength)
	errs.Lines("recognition_description", r.Description, MaxTextLength)
	if r.AwardedOn.IsZero() {
		errs.Add("recognition_awarded_on", "error.date")
	}
	return errs.Err()
}

// Validate checks a contact person before it is saved.
func (c *Contact) Validate() error {
	errs := apperr.FieldErrors{}
	if strings.TrimSpace(c.Name) == "" {
		errs.Add("contact_name", "error.required")
	}
	errs.Line("contact_name", c.Name, MaxNameLength)
	errs.Line("contact_title", c.Title, MaxNameLength)
	errs.Line("contact_email", c.Email, user.MaxEmailLength)
	if c.Email != "" && (!strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " \t\r\n<>")) {
		errs.Add("contact_email", "error.email")
	}
	errs.Line("contact_phone", c.Phone, MaxPhoneLength)
	if c.Language != "" && !reference.IsLanguage(c.Language) {
		errs.Add("contact_language", "error.choose")
	}
	return errs.Err()
}

// CanEdit reports whether u may change p: administrators and partnership officers always;
// regional officers when the partner is headquartered in, or works in, their region. The form,
// the merge and the import (a page's or a background job's) all ask it.
func CanEdit(u *user.User, p *Partner, regionOf func(country string) string) bool {
	switch {
	case u == nil:
		return false
	case u.Role == user.RoleAdmin || u.Role == user.RoleOfficer:
		return true
	case u.Role == user.RoleRegionalOfficer:
		return u.Region != "" && (regionOf(p.Country) == u.Region || slices.Contains(p.Regions, u.Region))
	}
	return false
}

// MergeCounts says what a merge moves from the duplicate to the partner that is kept, for the
// preview that asks before merging.
type MergeCounts struct {
	Agreements, Contacts, Interactions, Recognitions, Offices int
}
