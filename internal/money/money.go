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

// Parse reads an amount written with a dot for decimals, such as "1234.5" or "1 234.50";
// spaces, non-breaking spaces and commas between digit groups are ignored. More than two
// decimals are refused rather than rounded, so nothing is silently lost.
func Parse(s string) (Amount, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', ',', '\'':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if clean == "" {
		return 0, fmt.Errorf("amount %q: empty", s)
	}
	whole, frac, hasFrac := strings.Cut(clean, ".")
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return 0, fmt.Errorf("amount %q: at most two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	negative := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("amount %q: not a number", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || strings.HasPrefix(frac, "-") || strings.HasPrefix(frac, "+") {
		return 0, fmt.Errorf("amount %q: not a number", s)
	}
	if w > math.MaxInt64/100-1 {
		return 0, fmt.Errorf("amount %q: too large", s)
	}
	v := w*100 + f
	if negative {
		v = -v
	}
	return Amount(v), nil
}
