package derived

import (
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/store/sqldb"
)

// AgreementSearchVersion is the version of the agreement search document. Raise it when the
// document, its codes or internal/search change, and every agreement is indexed again at start.
// Version 5 added the office facet; version 6 adds each agreement to agreement_type_cube.
const AgreementSearchVersion = 6

// AgreementLetters give each facet of the registry a letter for its tokens in the search document.
var AgreementLetters = map[string]string{
	agreement.FacetType: "t", agreement.FacetStatus: "s", agreement.FacetYear: "y", agreement.FacetRegion: "r",
	agreement.FacetCountry: "c", agreement.FacetActionArea: "a", agreement.FacetOffice: "o", agreement.FacetPartner: "p",
	agreement.FacetPartnerType: "k", agreement.FacetValue: "v", agreement.FacetConfidential: "x",
}

// partyInfo is what an agreement's search document and facets need of a party.
type partyInfo struct {
	partnerType string
	names       []string // names and acronyms in every language
}

// agreementFacets returns the codes a has in each facet, in the order of agreement.Facets.
func agreementFacets(a *agreement.Agreement, parties map[int64]partyInfo) [][]string {
	out := make([][]string, len(agreement.Facets))
	for i, facet := range agreement.Facets {
		var codes []string
		switch facet {
		case agreement.FacetType:
			codes = []string{a.Type}
		case agreement.FacetStatus:
			codes = []string{a.Status}
		case agreement.FacetYear:
			codes = []string{agreement.YearCode(a.SignedOn)}
		case agreement.FacetRegion:
			for _, r := range a.Regions {
				codes = append(codes, r.Region)
			}
		case agreement.FacetCountry:
			codes = a.Countries
		case agreement.FacetActionArea:
			codes = []string{a.PrimaryActionArea}
		case agreement.FacetOffice:
			if a.Office != "" {
				codes = []string{a.Office}
			}
		case agreement.FacetPartner:
			for _, p := range a.Parties {
				codes = append(codes, strconv.FormatInt(p.PartnerID, 10))
			}
		case agreement.FacetPartnerType:
			for _, p := range a.Parties {
				codes = append(codes, parties[p.PartnerID].partnerType)
			}
		case agreement.FacetValue:
			codes = []string{agreement.ValueRangeOf(a.ValueUSD)}
		case agreement.FacetConfidential:
			codes = []string{YesNo(a.Confidential)}
		}
		out[i] = sqldb.Dedupe(codes)
	}
	return out
}

func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// agreementDocument is what the search index holds of an agreement: its reference, titles in
// every language, initiative and notes, its parties' names and acronyms in every language, then a
// token for each facet code. (Who may see a confidential agreement is decided outside the index;
// see visibleSQL.)
func agreementDocument(a *agreement.Agreement, facets [][]string, parties map[int64]partyInfo) string {
	texts := []string{a.Reference, a.Initiative, a.Notes}
	for _, lang := range reference.Languages {
		texts = append(texts, a.Titles[lang])
	}
	for _, p := range a.Parties {
		texts = append(texts, parties[p.PartnerID].names...)
	}
	tokens := []string{search.Document(texts...)}
	for i, facet := range agreement.Facets {
		for _, c := range facets[i] {
			tokens = append(tokens, CodeToken(AgreementLetters[facet], c))
		}
	}
	return strings.Join(tokens, " ")
}

// CodeFields are the fields of a row of agreement_codes, in order: the codes of a facet, or
// where codeOfficer stands the id of the agreement's officer, which decides who counts a
// confidential agreement. A facet added to the registry goes at the end, so that a row written
// before it reads the same, without codes of the new facet, until the re-index at start (raise
// AgreementSearchVersion) writes it again: taking the row out then takes out of the counts
// exactly what it added.
var CodeFields = []string{agreement.FacetType, agreement.FacetStatus, agreement.FacetYear, agreement.FacetRegion,
	agreement.FacetCountry, agreement.FacetActionArea, agreement.FacetPartner, agreement.FacetPartnerType,
	agreement.FacetValue, agreement.FacetConfidential, codeOfficer, agreement.FacetOffice}

// codeOfficer stands for the officer's id in CodeFields.
const codeOfficer = "officer"

// OfficerField is the position of the officer's id in a row of agreement_codes.
var OfficerField = slices.Index(CodeFields, codeOfficer)

// CodeField returns the position of a facet's codes in a row of agreement_codes.
func CodeField(facet string) int { return slices.Index(CodeFields, facet) }

// facetOfField is, for each field of CodeFields, the position of its facet in agreement.Facets
// (-1 for the officer), worked out once for the writer, which joins a row per agreement.
var facetOfField = func() []int {
	out := make([]int, len(CodeFields))
	for i, name := range CodeFields {
		out[i] = slices.Index(agreement.Facets, name)
	}
	return out
}()

// joinCodes writes facet codes (in the order of agreement.Facets) as a row of agreement_codes:
// the fields of CodeFields separated by "|", several codes of a facet by ",".
func joinCodes(facets [][]string, officerID int64) string {
	fields := make([]string, len(CodeFields))
	for i, facet := range facetOfField {
		if facet < 0 {
			fields[i] = strconv.FormatInt(officerID, 10)
		} else {
			fields[i] = strings.Join(facets[facet], ",")
		}
	}
	return strings.Join(fields, "|")
}

// facetKey is a row of agreement_facet_counts.
type facetKey struct {
	facet, code  string
	confidential bool
}

// SplitCodes reads a row of agreement_codes back into the codes of each facet, in the order of
// agreement.Facets. A row written before a facet existed has no codes of it.
func SplitCodes(row string) [][]string {
	fields := strings.Split(row, "|")
	out := make([][]string, len(agreement.Facets))
	for i, facet := range agreement.Facets {
		if pos := CodeField(facet); pos >= 0 && pos < len(fields) && fields[pos] != "" {
			out[i] = strings.Split(fields[pos], ",")
		}
	}
	return out
}
