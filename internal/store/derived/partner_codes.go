package derived

import (
	"strings"

	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/store/sqldb"
)

// PartnerSearchVersion is the version of the partner search document. Raise it when the document
// or internal/search changes, and every partner is indexed again at the next start.
const PartnerSearchVersion = 4

// partnerDocument is what the search index holds of a partner: its key and, in every language,
// its names, acronyms, mandate and strategy; then a token for each facet code it has, so that
// the index also answers the list's filters (see FacetToken).
func partnerDocument(p *partner.Partner, dueDiligence string) string {
	texts := []string{strings.ReplaceAll(p.Key, "-", " ")}
	for _, lang := range reference.Languages {
		t := p.Texts[lang]
		texts = append(texts, t.Name, t.Acronym, t.Mandate, t.Strategy)
	}
	tokens := []string{search.Document(texts...)}
	add := func(facet string, codes ...string) {
		for _, c := range codes {
			tokens = append(tokens, FacetToken(facet, c))
		}
	}
	add(partner.FacetType, p.Type)
	add(partner.FacetMembership, p.Membership)
	add(partner.FacetStatus, p.Status)
	add(partner.FacetCountry, p.Country)
	add(partner.FacetRegion, p.Regions...)
	add(partner.FacetActionArea, p.ActionAreas...)
	add(partner.FacetFinancingType, p.FinancingTypes...)
	if dueDiligence == "" {
		dueDiligence = partner.DDNone
	}
	add(partner.FacetDueDiligence, dueDiligence)
	return strings.Join(tokens, " ")
}

// FacetLetters give each facet a letter for its tokens in the search document.
var FacetLetters = map[string]string{
	partner.FacetType: "t", partner.FacetMembership: "m", partner.FacetRegion: "r", partner.FacetActionArea: "a",
	partner.FacetFinancingType: "f", partner.FacetStatus: "s", partner.FacetCountry: "c", partner.FacetDueDiligence: "d",
}

// FacetToken is the word the search document of a partner holds for a facet code: "0tprivate"
// for the type private. The filters of the list are then terms of the full-text query, so one
// index lookup answers a search word and any facets together. Codes are ASCII letters, digits and
// underscores; the leading digit keeps the tokens apart from words people type.
func FacetToken(facet, code string) string { return CodeToken(FacetLetters[facet], code) }

// CodeToken is the token of a code under a letter: "0" + letter + the code in lower case without
// underscores; an empty code is "none".
func CodeToken(letter, code string) string {
	if code == "" {
		code = "none"
	}
	return "0" + letter + strings.ToLower(strings.ReplaceAll(code, "_", ""))
}

// partnerCodes writes a partner's facet codes as one row of partner_codes: the codes of each
// facet of partner.Facets in order, separated by "|", several codes of a list facet by ",".
// "private|sector_member|AFR,ARB|infrastructure|grant|active|ZA|none".
func partnerCodes(p *partner.Partner, dueDiligence string) string {
	if dueDiligence == "" {
		dueDiligence = partner.DDNone
	}
	fields := make([]string, len(partner.Facets))
	for i, facet := range partner.Facets {
		switch facet {
		case partner.FacetType:
			fields[i] = p.Type
		case partner.FacetMembership:
			fields[i] = p.Membership
		case partner.FacetRegion:
			fields[i] = strings.Join(sqldb.Dedupe(p.Regions), ",")
		case partner.FacetActionArea:
			fields[i] = strings.Join(sqldb.Dedupe(p.ActionAreas), ",")
		case partner.FacetFinancingType:
			fields[i] = strings.Join(sqldb.Dedupe(p.FinancingTypes), ",")
		case partner.FacetStatus:
			fields[i] = p.Status
		case partner.FacetCountry:
			fields[i] = p.Country
		case partner.FacetDueDiligence:
			fields[i] = dueDiligence
		}
	}
	return strings.Join(fields, "|")
}
