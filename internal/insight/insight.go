// Package insight holds the figures management reads: agreements counted and valued by year,
// region, action area, type, partner type or country over a period of years.
package insight

import (
	"pactum/internal/apperr"
	"pactum/internal/money"
)

// Dimension is what a report groups agreements by.
type Dimension string

// The dimensions of the agreements report.
const (
	ByYear        Dimension = "year"
	ByRegion      Dimension = "region"
	ByActionArea  Dimension = "action_area"
	ByType        Dimension = "type"
	ByPartnerType Dimension = "partner_type"
	ByCountry     Dimension = "country"
)

// Dimensions lists every dimension.
var Dimensions = []Dimension{ByYear, ByRegion, ByActionArea, ByType, ByPartnerType, ByCountry}

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool {
	for _, known := range Dimensions {
		if d == known {
			return true
		}
	}
	return false
}

// Row holds the figures of one key (a year, a region code, …). Counts are fractional because an
// agreement that benefits two regions counts half in each; likewise for several countries or
// several partner types among its parties.
type Row struct {
	Key        string
	New        float64      // agreements that are not amendments, signed in the period
	Amendments float64      // amendments signed in the period
	ValueUSD   money.Amount // value of both; an amendment contributes the value it adds
}

// Report is the agreements report for the years From to To, both included.
type Report struct {
	By       Dimension
	From, To int
	Rows     []Row // keys with nothing are left out
	Total    Row   // over all agreements of the period, whatever the dimension
}

// Period checks a period of years for a report.
func Period(from, to int) error {
	errs := apperr.FieldErrors{}
	if from < 1900 || from > 9999 {
		errs.Add("from", "insight.error.year")
	}
	if to < 1900 || to > 9999 {
		errs.Add("to", "insight.error.year")
	}
	if len(errs) == 0 && to < from {
		errs.Add("to", "insight.error.period")
	}
	return errs.Err()
}

// Filter narrows every figure of a dashboard at once; an empty field selects everything. With a
// region, an agreement counts for its share in that region, as in the report by region; with a
// partner type, an agreement counts when one of its parties is of that type.
type Filter struct {
	Region      string
	ActionArea  string // the primary action area
	PartnerType string
	Type        string // the agreement type
	Office      string // the responsible office: HQ or a region code
}

// IsZero reports whether the filter selects everything.
func (f Filter) IsZero() bool { return f == Filter{} }

// YearMoney is the money of one year: the USD value of the agreements signed in it (amendments
// add what they add) against what funders paid in it, in USD at each agreement's rate.
type YearMoney struct {
	Year     int
	Pledged  money.Amount
	Received money.Amount
}

// TypeCount is how many distinct partners of a type are parties to the agreements of a period.
type TypeCount struct {
	Type     string
	Partners int
}

// TopPartner is a partner with the value of the agreements of a period it is a party to.
type TopPartner struct {
	ID         int64
	Key        string
	Name       string // in English; the page shows the reader's language where there is one
	Agreements float64
	ValueUSD   money.Amount
}
