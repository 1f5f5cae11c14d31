package partner

import "strings"

// Columns are the columns of the partner file that is imported (docs/import.md) and exported:
// an exported file imports again unchanged. Lists are separated by ";".
var Columns = []string{"key", "name", "name_ar", "name_es", "name_fr", "name_ru", "name_zh", "acronym", "type", "membership",
	"country", "website", "mandate", "strategy", "action_areas", "regions", "countries", "financing_types", "status"}

// ListSeparator separates the codes of a list in a cell.
const ListSeparator = ";"

// Row writes p in the order of Columns.
func (p *Partner) Row() []string {
	en := p.Texts["en"]
	return []string{
		p.Key, en.Name, p.Texts["ar"].Name, p.Texts["es"].Name, p.Texts["fr"].Name, p.Texts["ru"].Name, p.Texts["zh"].Name,
		en.Acronym, p.Type, p.Membership, p.Country, p.Website, en.Mandate, en.Strategy,
		strings.Join(p.ActionAreas, ListSeparator), strings.Join(p.Regions, ListSeparator),
		strings.Join(p.Countries, ListSeparator), strings.Join(p.FinancingTypes, ListSeparator), p.Status,
	}
}
