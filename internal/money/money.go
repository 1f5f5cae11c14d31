// Package money keeps sums of money exact: amounts are whole hundredths of a currency unit, so
// totals over a million agreements add up to the cent on SQLite and PostgreSQL alike.
package money

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum in hundredths of a currency unit (cents for US dollars).
type Amount int64

// FromUnits converts a number of currency units (12.5 dollars) to an Amount, rounding to the cent.
func FromUnits(units float64) Amount { return Amount(math.Round(units * 100)) }

// Units returns the amount in currency units, for display and JSON.
func (a Amount) Units() float64 { return float64(a) / 100 }

// Convert returns the amount at rate (target units per unit), rounded to the cent.
func (a Amount) Convert(rate float64) Amount { return Amount(math.Round(float64(a) * rate)) }

// String formats the amount with a dot and two decimals and no grouping: "1234.50".
// Pages use the reader's locale instead; this form is for files and logs.
func (a Amount) String() string {
	sign := ""
	v := int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Parse reads an amount written with a dot for decimals, such as "1234.5", "-20" or
// "1 234 567.50". Spaces, non-breaking spaces, commas and apostrophes may separate groups of three
// digits and nothing else, so "1,5" (a decimal comma) is refused rather than read as 15. More than
// two decimals are refused rather than rounded, so nothing is silently lost.
func Parse(s string) (Amount, error) {
	text := strings.TrimSpace(s)
	negative := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	whole, frac, hasFrac := strings.Cut(text, ".")
	if hasFrac && (len(frac) == 0 || len(frac) > 2 || !allDigits(frac)) {
		return 0, fmt.Errorf("amount %q: write at most two decimals after a dot", s)
	}
	groups := strings.FieldsFunc(whole, func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r == '\u202f' || r == ',' || r == '\''
	})
	if len(groups) == 0 {
		return 0, fmt.Errorf("amount %q: not a number", s)
	}
	for i, g := range groups {
		if !allDigits(g) || (len(groups) > 1 && (len(g) > 3 || (i > 0 && len(g) != 3))) {
			return 0, fmt.Errorf("amount %q: not a number (use a dot for decimals)", s)
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	w, err := strconv.ParseInt(strings.Join(groups, ""), 10, 64)
	if err != nil || w > (math.MaxInt64-f)/100 {
		return 0, fmt.Errorf("amount %q: too large", s)
	}
	v := w*100 + f
	if negative {
		v = -v
	}
	return Amount(v), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
