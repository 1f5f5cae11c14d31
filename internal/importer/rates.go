package importer

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/reference"
)

// RateColumns are the columns of a currency rates file, all required: from which date one unit
// of the currency is worth how many US dollars. valid_from, the header of Pactum's own rates
// file, reads as date (Resolver.column).
var RateColumns = []string{"date", "currency", "usd_per_unit"}

// RateResult is the outcome of checking a rates file.
type RateResult struct {
	Ignored      []string
	Rows         int
	Problems     []Problem
	ProblemCount int
	// Creates are rates of a date the currency had none for; Updates replace the stored rate of
	// their currency and date; Unchanged counts the rows that are stored as they are.
	Creates, Updates []reference.Rate
	Unchanged        int
}

// OK reports whether the file may be imported: it has no problems.
func (r *RateResult) OK() bool { return r.ProblemCount == 0 }

// CheckRates reads a rates file, checks every row and plans its import against the stored rates.
// Rates files are small (a rate per currency and month is a few thousand rows), so the plan is
// held in memory.
func CheckRates(r io.Reader, rs *Resolver, stored reference.RateTable) *RateResult {
	res := &RateResult{}
	probs := problemList{}
	cells := map[string]int{}
	probs.order = func(a, b Problem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return slices.Index(RateColumns, a.Column) - slices.Index(RateColumns, b.Column)
	}
	problem := func(row int, column, key string, args ...any) {
		probs.add(Problem{Row: row, Column: column, Message: apperr.Msg(key, args...)})
	}
	type rateKey struct {
		currency string
		date     civil.Date
	}
	firstRow := map[rateKey]int{}
	header := true
	err := ReadRows(r, func(num int, row []string) error {
		if header {
			header = false
			return rateHeader(res, rs, cells, num, row, problem)
		}
		res.Rows++
		if res.Rows > MaxRows {
			problem(num, "", "import.error.too_many_rows", "max", MaxRows)
			return errStop
		}
		cell := func(column string) string {
			if i := cells[column]; i < len(row) {
				return row[i]
			}
			return ""
		}
		before := probs.count
		var rate reference.Rate
		var err error
		if v := cell("date"); v == "" {
			problem(num, "date", "import.error.required")
		} else if rate.ValidFrom, err = civil.Parse(v); err != nil {
			problem(num, "date", "import.error.date", "value", v)
		}
		v := cell("currency")
		code, ok := rs.Resolve(reference.ListCurrency, v)
		switch {
		case v == "":
			problem(num, "currency", "import.error.required")
		case !ok:
			problem(num, "currency", "import.error.unknown_value", "value", v)
		case code == "USD":
			problem(num, "currency", "admin.rates.error.usd")
		}
		rate.Currency = code
		v = cell("usd_per_unit")
		if rate.USDPerUnit, err = strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); v == "" {
			problem(num, "usd_per_unit", "import.error.required")
		} else if err != nil || !(rate.USDPerUnit > 0) || rate.USDPerUnit > 1e9 {
			problem(num, "usd_per_unit", "admin.rates.error.positive")
		}
		if probs.count > before {
			return nil
		}
		k := rateKey{rate.Currency, rate.ValidFrom}
		if first, dup := firstRow[k]; dup {
			problem(num, "date", "import.error.duplicate_rate", "currency", rate.Currency, "date", rate.ValidFrom.String(), "row", first)
			return nil
		}
		firstRow[k] = num
		switch i := slices.IndexFunc(stored[rate.Currency], func(s reference.Rate) bool { return s.ValidFrom == rate.ValidFrom }); {
		case i < 0:
			res.Creates = append(res.Creates, rate)
		case stored[rate.Currency][i].USDPerUnit == rate.USDPerUnit:
			res.Unchanged++
		default:
			res.Updates = append(res.Updates, rate)
		}
		return nil
	})
	// The reading stops at a row it cannot read, or by errStop; a file unreadable before its
	// header is told why, not also that it is empty.
	re := (*ReadError)(nil)
	if errors.As(err, &re) {
		problem(re.Row, "", re.Message.Key, re.Message.Args...)
	}
	if header && re == nil {
		problem(1, "", "import.error.empty")
	}
	res.Problems, res.ProblemCount = probs.sorted(), probs.count
	return res
}

// rateHeader maps the columns of a rates file to their cells; it stops the reading when a
// column is missing or there twice.
func rateHeader(res *RateResult, rs *Resolver, cells map[string]int, num int, row []string, problem func(int, string, string, ...any)) error {
	ok := true
	for i, cell := range row {
		name, known := rs.column(FileRates, cell)
		switch _, dup := cells[name]; {
		case !known:
			if cell != "" {
				res.Ignored = append(res.Ignored, cell)
			}
		case dup:
			problem(num, name, "import.error.duplicate_column", "column", name)
			ok = false
		default:
			cells[name] = i
		}
	}
	for _, name := range RateColumns {
		if _, found := cells[name]; !found {
			problem(num, name, "import.error.missing_column", "column", name)
			ok = false
		}
	}
	if !ok {
		return errStop
	}
	return nil
}
