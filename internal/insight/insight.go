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
