// Package reference holds the reference lists of PRODUCT.md — regions, countries, action areas,
// partner types, membership categories, agreement types, financing types and currencies with
// their rates to USD — and the defaults Pactum ships with. Administrators may edit the lists;
// the codes never change, because imports, exports, URLs and the API depend on them.
package reference

import (
	"slices"
	"strings"

	"pactum/internal/apperr"
)

// Languages are the six UI and content languages, in the order used for columns and menus.
var Languages = []string{"ar", "en", "es", "fr", "ru", "zh"}

// IsLanguage reports whether code is one of the six languages.
func IsLanguage(code string) bool { return slices.Contains(Languages, code) }

// Labels maps a language code to a label in that language.
type Labels map[string]string

// In returns the label in lang, falling back to English, then to fallback.
func (l Labels) In(lang, fallback string) string {
	if s := l[lang]; s != "" {
		return s
	}
	if s := l["en"]; s != "" {
		return s
	}
	return fallback
}

// Region codes (ITU-D regions and global).
const (
	RegionAFR = "AFR"
	RegionAMS = "AMS"
	RegionARB = "ARB"
	RegionASP = "ASP"
	RegionCIS = "CIS"
	RegionEUR = "EUR"
	RegionGLO = "GLO"
)

// Regions lists the region codes in report order.
var Regions = []string{RegionAFR, RegionAMS, RegionARB, RegionASP, RegionCIS, RegionEUR, RegionGLO}

// ActionArea is a thematic area of the bureau's work, mapped to OECD-DAC sector codes so that
// agreements can be published to IATI.
type ActionArea struct {
	Code       string
	DACSectors []string
}

// ActionAreas lists the action areas in report order with their default DAC sectors.
var ActionAreas = []ActionArea{
	{"capacity_building", []string{"11430", "22010"}},
	{"ict_applications", []string{"22040"}},
	{"generic", []string{"22010"}},
	{"infrastructure", []string{"22020"}},
	{"cybersecurity", []string{"22040", "15210"}},
	{"enabling_environment", []string{"22011"}},
	{"emergency_telecom", []string{"74020", "22020"}},
	{"digital_inclusion", []string{"22040"}},
	{"innovation", []string{"32182"}},
	{"climate_ewaste", []string{"41010", "14050"}},
	{"statistics", []string{"16062"}},
}

// PartnerType is a kind of organisation, mapped to its IATI OrganisationType code.
type PartnerType struct {
	Code        string
	IATIOrgType string
}

// PartnerTypes lists the partner types with their IATI OrganisationType.
var PartnerTypes = []PartnerType{
	{"government", "10"},
	{"multilateral", "40"},
	{"bilateral", "10"},
	{"development_bank", "40"},
	{"foundation", "60"},
	{"private", "70"},
	{"academia", "80"},
	{"ngo", "21"},
	{"un_agency", "40"},
}

// MembershipCategories lists the membership categories; they drive sponsorship discounts.
var MembershipCategories = []string{"member_state", "sector_member", "associate", "academia", "none"}

// AgreementTypeAmendment is the type of an agreement that amends another.
const AgreementTypeAmendment = "amendment"

// AgreementTypes lists the agreement types; the last, amendment, always names the agreement it amends.
var AgreementTypes = []string{"mou", "cooperation", "voluntary_contribution", "sponsorship", "letter_of_intent", "project_document", AgreementTypeAmendment}

// FinancingTypes lists how partners finance work.
var FinancingTypes = []string{"grant", "in_kind", "co_financing", "loan", "sponsorship", "secondment"}

// Country is an ISO 3166-1 country or territory with its ITU region ("" for other economies).
type Country struct {
	Code      string // alpha-2
	ISO3      string
	Region    string
	ITUMember bool
	Names     Labels
}

// Currency is an ISO 4217 currency.
type Currency struct {
	Code       string
	MinorUnits int
	Names      Labels
}

// Label is the translation of one code of one list.
type Label struct {
	List, Code, Lang, Text string
}

// List names used in labels.
const (
	ListRegion        = "region"
	ListCountry       = "country"
	ListActionArea    = "action_area"
	ListPartnerType   = "partner_type"
	ListMembership    = "membership"
	ListAgreementType = "agreement_type"
	ListFinancingType = "financing_type"
	ListCurrency      = "currency"
)

// CodeSet holds the codes of every list as loaded from the database; it answers validation.
type CodeSet map[string]map[string]bool

// Has reports whether code is in list.
func (s CodeSet) Has(list, code string) bool { return s[list][code] }

// Add puts code into list.
func (s CodeSet) Add(list, code string) {
	if s[list] == nil {
		s[list] = map[string]bool{}
	}
	s[list][code] = true
}

// LabelSet holds the labels of every list by list and code.
type LabelSet map[string]map[string]Labels

// Label returns the label of code in list in lang, falling back to English, then to the code.
func (s LabelSet) Label(list, code, lang string) string {
	return s[list][code].In(lang, code)
}

// Item is one entry of a reference list as administrators see it.
type Item struct {
	Code      string
	Labels    Labels
	SortOrder int
	// Detail is the list's own attribute: the DAC sector codes of an action area (separated by
	// spaces), the IATI organisation type of a partner type, the minor units of a currency, the
	// region of a country.
	Detail string
}

// Limits of an entry's texts, in characters (apperr.Text).
const (
	MaxLabelLength  = 300 // a label in any language
	MaxDetailLength = 500 // the detail: DAC sector codes, an IATI organisation type
)

// Validate checks the texts of an entry an administrator saves, by form field: an English label,
// labels in the six languages only, and each label and the detail on one line within its limit.
// The rules of a list's own detail are the store's, which knows the list.
func (it *Item) Validate() error {
	errs := apperr.FieldErrors{}
	if strings.TrimSpace(it.Labels["en"]) == "" {
		errs.Add("label_en", "error.required")
	}
	for lang, label := range it.Labels {
		if !IsLanguage(lang) {
			errs.Add("label_"+lang, "error.language")
		}
		errs.Line("label_"+lang, label, MaxLabelLength)
	}
	errs.Line("detail", it.Detail, MaxDetailLength)
	return errs.Err()
}

// EditableLists are the lists administrators edit, in menu order.
var EditableLists = []string{ListRegion, ListActionArea, ListPartnerType, ListMembership, ListAgreementType, ListFinancingType, ListCurrency, ListCountry}
