package agreement

import (
	"strconv"

	"pactum/internal/civil"
	"pactum/internal/money"
)

// Filter selects and orders agreements for the registry list, its export and the API. Within a
// facet the codes are alternatives (type is mou or cooperation); across facets all must hold.
type Filter struct {
	Query         string
	Types         []string
	Statuses      []string
	Years         []string // years signed, and "none" for agreements not signed yet
	Regions       []string
	Countries     []string
	ActionAreas   []string // the primary action area
	Offices       []string // the responsible office: "HQ" or a region code
	Partners      []string // partner ids, as decimal strings
	PartnerTypes  []string
	Ranges        []string // value ranges: codes of ValueRanges
	Confidential  []string // "yes", "no"
	Sort          string   // one of Sorts; relevance needs a Query
	Lang          string   // the reader's language, for titles
	Offset, Limit int
	// Reader decides what confidential agreements the selection holds: every one for an
	// administrator (AllConfidential), else only those whose officer the reader is.
	ReaderID        int64
	AllConfidential bool
}

// Sort orders of the registry list.
const (
	SortSigned    = "signed" // newest first; the default
	SortRelevance = "relevance"
	SortValue     = "value"
	SortEnd       = "end" // soonest end first
	SortReference = "reference"
)

// Sorts lists the sort orders.
var Sorts = []string{SortSigned, SortRelevance, SortValue, SortEnd, SortReference}

// Facet names, as used in URLs and the API.
const (
	FacetType         = "type"
	FacetStatus       = "status"
	FacetYear         = "year"
	FacetRegion       = "region"
	FacetCountry      = "country"
	FacetActionArea   = "action_area"
	FacetOffice       = "office"
	FacetPartner      = "partner"
	FacetPartnerType  = "partner_type"
	FacetValue        = "value"
	FacetConfidential = "confidential"
)

// Facets lists the facets in display order.
var Facets = []string{FacetType, FacetStatus, FacetYear, FacetRegion, FacetCountry, FacetActionArea, FacetOffice,
	FacetPartner, FacetPartnerType, FacetValue, FacetConfidential}

// ListFacets are the facets of which an agreement can have several codes.
var ListFacets = map[string]bool{FacetRegion: true, FacetCountry: true, FacetPartner: true, FacetPartnerType: true}

// Values returns the codes the filter selects for a facet.
func (f *Filter) Values(facet string) []string {
	if p := f.field(facet); p != nil {
		return *p
	}
	return nil
}

// Set sets the codes the filter selects for a facet.
func (f *Filter) Set(facet string, codes []string) {
	if p := f.field(facet); p != nil {
		*p = codes
	}
}

func (f *Filter) field(facet string) *[]string {
	switch facet {
	case FacetType:
		return &f.Types
	case FacetStatus:
		return &f.Statuses
	case FacetYear:
		return &f.Years
	case FacetRegion:
		return &f.Regions
	case FacetCountry:
		return &f.Countries
	case FacetActionArea:
		return &f.ActionAreas
	case FacetOffice:
		return &f.Offices
	case FacetPartner:
		return &f.Partners
	case FacetPartnerType:
		return &f.PartnerTypes
	case FacetValue:
		return &f.Ranges
	case FacetConfidential:
		return &f.Confidential
	}
	return nil
}

// ValueRange is a band of agreement values in USD for the value facet: From inclusive, To
// exclusive (0: no upper bound).
type ValueRange struct {
	Code     string
	From, To money.Amount
}

// ValueRanges are the bands of the value facet, lowest first. A voluntary contribution of the
// bureau is typically between fifty thousand and a million dollars.
var ValueRanges = []ValueRange{
	{"none", 0, 1},
	{"under_50k", 1, money.FromUnits(50_000)},
	{"50k_250k", money.FromUnits(50_000), money.FromUnits(250_000)},
	{"250k_1m", money.FromUnits(250_000), money.FromUnits(1_000_000)},
	{"1m_5m", money.FromUnits(1_000_000), money.FromUnits(5_000_000)},
	{"over_5m", money.FromUnits(5_000_000), 0},
}

// ValueRangeOf returns the code of the band that holds a value in USD.
func ValueRangeOf(v money.Amount) string {
	for _, r := range ValueRanges {
		if v >= r.From && (r.To == 0 || v < r.To) {
			return r.Code
		}
	}
	return ValueRanges[0].Code
}

// YearCode is the code of the year facet for a signing date: the year, or "none" when unsigned.
func YearCode(signedOn civil.Date) string {
	if signedOn.IsZero() {
		return "none"
	}
	return strconv.Itoa(signedOn.Year)
}

// Summary is an agreement as the registry list shows it.
type Summary struct {
	ID           int64
	Reference    string
	Title        string // in the reader's language, or English
	Type         string
	Status       string
	SignedOn     civil.Date
	EndOn        civil.Date
	Amount       money.Amount
	Currency     string
	ValueUSD     money.Amount
	Confidential bool
	Parties      []PartyName
}

// PartyName is a party as lists show it.
type PartyName struct {
	PartnerID int64
	Key       string
	Name      string // in the reader's language, or English
	Role      string
}

// Count is how many agreements of the selection have a code in a facet.
type Count struct {
	Code  string
	Count int
}

// Page is one page of the registry with the total and the facet counts. Each facet counts the
// agreements that all the other facets select, so a reader sees how a choice would change the list.
type Page struct {
	Items  []Summary
	Total  int
	Facets map[string][]Count
}
