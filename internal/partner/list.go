package partner

import (
	"pactum/internal/civil"
	"pactum/internal/money"
)

// Filter selects and orders partners for the list, the export and the API. Within a facet the
// codes are alternatives (type is government or foundation); across facets all must hold.
type Filter struct {
	Query          string
	Types          []string
	Memberships    []string
	Regions        []string
	ActionAreas    []string
	FinancingTypes []string
	Statuses       []string
	Countries      []string
	DueDiligence   []string // due-diligence statuses, and "none" for partners without a record
	Sort           string   // one of Sorts; relevance needs a Query
	Lang           string   // the reader's language, for names and sorting by name
	Offset, Limit  int
}

// Sort orders of the partner list.
const (
	SortName       = "name"
	SortRelevance  = "relevance"
	SortValue      = "value"
	SortAgreements = "agreements"
	SortRecent     = "recent"
)

// Sorts lists the sort orders.
var Sorts = []string{SortName, SortRelevance, SortValue, SortAgreements, SortRecent}

// Facet names, as used in URLs and the API.
const (
	FacetType          = "type"
	FacetMembership    = "membership"
	FacetRegion        = "region"
	FacetActionArea    = "action_area"
	FacetFinancingType = "financing_type"
	FacetStatus        = "status"
	FacetCountry       = "country"
	FacetDueDiligence  = "due_diligence"
)

// Facets lists the facets in display order.
var Facets = []string{FacetType, FacetMembership, FacetRegion, FacetActionArea, FacetFinancingType, FacetStatus, FacetCountry, FacetDueDiligence}

// Values returns the codes the filter selects for a facet.
func (f *Filter) Values(facet string) []string {
	switch facet {
	case FacetType:
		return f.Types
	case FacetMembership:
		return f.Memberships
	case FacetRegion:
		return f.Regions
	case FacetActionArea:
		return f.ActionAreas
	case FacetFinancingType:
		return f.FinancingTypes
	case FacetStatus:
		return f.Statuses
	case FacetCountry:
		return f.Countries
	case FacetDueDiligence:
		return f.DueDiligence
	}
	return nil
}

// Set sets the codes the filter selects for a facet.
func (f *Filter) Set(facet string, codes []string) {
	switch facet {
	case FacetType:
		f.Types = codes
	case FacetMembership:
		f.Memberships = codes
	case FacetRegion:
		f.Regions = codes
	case FacetActionArea:
		f.ActionAreas = codes
	case FacetFinancingType:
		f.FinancingTypes = codes
	case FacetStatus:
		f.Statuses = codes
	case FacetCountry:
		f.Countries = codes
	case FacetDueDiligence:
		f.DueDiligence = codes
	}
}

// Summary is a partner as a list shows it.
type Summary struct {
	ID             int64
	Key            string
	Name           string // in the reader's language, or English
	Acronym        string
	Type           string
	Membership     string
	Country        string
	Status         string
	AgreementCount int
	ValueUSD       money.Amount
	LastSignedOn   civil.Date
	DueDiligence   string // status, "" for none
}

// Count is how many partners of the selection have a code in a facet.
type Count struct {
	Code  string
	Count int
}

// Page is one page of the list with the total and the facet counts. Each facet counts the
// partners that all the other facets select, so a reader sees how a choice would change the list.
type Page struct {
	Items  []Summary
	Total  int
	Facets map[string][]Count
}

// AgreementLine is an agreement as a partner's profile lists it.
type AgreementLine struct {
	Reference string
	Title     string // in the reader's language, or English
	Type      string
	Status    string
	SignedOn  civil.Date
	ValueUSD  money.Amount
	PartnerID int64 // the party of the family that signed it
	Role      string
	// Confidential agreements are listed only to administrators and their officer.
	Confidential bool
	OfficerID    int64
}

// Share is a part of a partner's involvement: agreements and value by year, action area or region.
type Share struct {
	Key        string
	Agreements float64 // fractional for regions shared between several
	ValueUSD   money.Amount
}

// Involvement is what a partner (with its family, for a parent) has signed with the bureau.
type Involvement struct {
	Agreements int          // signed agreements, amendments not counted
	Amendments int          //
	ValueUSD   money.Amount // amendments' added value included
	ByYear     []Share
	ByArea     []Share
	ByRegion   []Share
	Recent     []AgreementLine // the latest signed, newest first
}
