// Package importer reads partner files (CSV or Excel, the format of docs/import.md), checks
// every row and plans what an import would change: which partners it creates, which it updates
// and which it leaves as they are. It writes nothing; the store applies a plan that has no
// problems, all of it or nothing.
package importer

import (
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// MaxProblems is how many problems a check lists; it counts them all.
const MaxProblems = 1000

// MaxRows is how many data rows a file may have.
const MaxRows = 500_000

// lookupBatch is how many keys the plan looks up at once.
const lookupBatch = 500

// Required are the columns a partner file must have.
var Required = []string{"key", "name", "type", "membership", "status"}

// reservedKeys are keys that name pages under /partners/, so no partner can have them.
var reservedKeys = []string{"new", "import"}

// Problem is something wrong in a file, at a row and column.
type Problem struct {
	Row     int            // as a spreadsheet numbers it: the header is row 1
	Column  string         // the column's name as docs/import.md writes it; "" for the whole row or file
	Message apperr.Message // translated by the caller
}

// Entry is a row of the plan.
type Entry struct {
	Row int
	// Partner is what will be stored: for a creation, the row's partner; for an update, the
	// stored partner with the file's columns applied, at the version that was read. For a row that
	// changes nothing it is the row's partner, which holds only the file's columns.
	Partner *partner.Partner
	// Changed lists the columns whose values differ, for an update.
	Changed []string
}

// Result is the outcome of checking a file: its problems and, for its valid rows, the plan.
type Result struct {
	// Columns are the partner columns the file has, in the order of partner.Columns; Ignored are
	// the other headers, as written.
	Columns []string
	Ignored []string
	// Rows counts the data rows (blank rows aside).
	Rows int
	// Problems lists the first MaxProblems problems by row; ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int
	Creates      []Entry
	Updates      []Entry
	Unchanged    []Entry
}

// OK reports whether the file may be imported: it has no problems.
func (r *Result) OK() bool { return r.ProblemCount == 0 }

// Changes returns the partners to create and to update, as the store takes them.
func (r *Result) Changes() (creates, updates []*partner.Partner) {
	for _, e := range r.Creates {
		creates = append(creates, e.Partner)
	}
	for _, e := range r.Updates {
		updates = append(updates, e.Partner)
	}
	return creates, updates
}

func (r *Result) problem(row int, column, key string, args ...any) {
	r.ProblemCount++
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, Problem{Row: row, Column: column, Message: apperr.Msg(key, args...)})
	}
}

// Options are what a check needs besides the file.
type Options struct {
	Resolver *Resolver
	// Existing returns the stored partners among keys, by key, with their texts and lists. It is
	// called with at most a few hundred keys at a time.
	Existing func(ctx context.Context, keys []string) (map[string]*partner.Partner, error)
	// MayUpdate, when set, says whether the person importing may change a stored partner; a row
	// that would change one they may not is a problem.
	MayUpdate func(*partner.Partner) bool
	// Progress, when set, hears how far the check is: stage "read" (total unknown, 0) and "plan".
	Progress func(stage string, done, total int)
}

// row is a data row that passed the checks: its number, the columns it sets and their values.
type row struct {
	num int
	p   *partner.Partner
}

// CheckPartners reads a partner file, checks every row and plans the import of the valid ones.
// A file that cannot be read is a problem of the result like any other; the error is for the
// lookups of stored partners.
func CheckPartners(ctx context.Context, r io.Reader, opts Options) (*Result, error) {
	res := &Result{}
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	var (
		columns  map[string]int // column → cell index
		rows     []row
		firstRow = map[string]int{} // key → the row that has it first
		header   = true
		stop     = errors.New("stop")
	)
	err := ReadRows(r, func(num int, cells []string) error {
		if header {
			header = false
			columns = readHeader(res, opts.Resolver, num, cells)
			if columns == nil {
				return stop
			}
			return nil
		}
		res.Rows++
		if res.Rows > MaxRows {
			res.problem(num, "", "import.error.too_many_rows", "max", MaxRows)
			return stop
		}
		if p := checkRow(res, opts.Resolver, columns, num, cells, firstRow); p != nil {
			rows = append(rows, row{num, p})
		}
		if res.Rows%1000 == 0 {
			progress("read", res.Rows, 0)
		}
		return ctx.Err()
	})
	var re *ReadError
	switch {
	case errors.As(err, &re):
		res.problem(re.Row, "", re.Message.Key, re.Message.Args...)
	case errors.Is(err, stop):
	case err != nil:
		return nil, err
	}
	if header && re == nil {
		res.problem(1, "", "import.error.empty")
	}
	progress("read", res.Rows, res.Rows)
	if err := plan(ctx, res, rows, opts, progress); err != nil {
		return nil, err
	}
	slices.SortStableFunc(res.Problems, func(a, b Problem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return position(columns, a.Column) - position(columns, b.Column)
	})
	return res, nil
}

// position is where a column is in the file, to list a row's problems from left to right.
func position(columns map[string]int, column string) int {
	if i, ok := columns[column]; ok {
		return i
	}
	return -1
}

// headerName writes a header cell as a column name: "Action areas" is action_areas. Headings
// are written the same way to be compared with it.
func headerName(cell string) string {
	s := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// readHeader maps the partner columns to their cells, noting the columns it ignores. It returns
// nil when a required column is missing or a column is there twice (by its code, its heading, or
// both).
func readHeader(res *Result, rs *Resolver, num int, cells []string) map[string]int {
	columns := map[string]int{}
	ok := true
	for i, cell := range cells {
		name, known := rs.column(FilePartners, cell)
		if !known {
			if cell != "" {
				res.Ignored = append(res.Ignored, cell)
			}
			continue
		}
		if _, dup := columns[name]; dup {
			res.problem(num, name, "import.error.duplicate_column", "column", name)
			ok = false
			continue
		}
		columns[name] = i
	}
	for _, name := range Required {
		if _, found := columns[name]; !found {
			res.problem(num, name, "import.error.missing_column", "column", name)
			ok = false
		}
	}
	for _, name := range partner.Columns {
		if _, found := columns[name]; found {
			res.Columns = append(res.Columns, name)
		}
	}
	if !ok {
		return nil
	}
	return columns
}

// codeColumns are the columns that hold one code, with their list.
var codeColumns = map[string]string{
	"type": reference.ListPartnerType, "membership": reference.ListMembership, "status": ListStatus,
}

// listColumns are the columns that hold codes separated by ";", with their list.
var listColumns = map[string]string{
	"action_areas": reference.ListActionArea, "regions": reference.ListRegion,
	"countries": reference.ListCountry, "financing_types": reference.ListFinancingType,
}

// checkRow turns a data row into a partner, reporting every problem; it returns nil when there
// was one.
func checkRow(res *Result, rs *Resolver, columns map[string]int, num int, cells []string, firstRow map[string]int) *partner.Partner {
	before := res.ProblemCount
	bad := map[string]bool{} // columns with a problem already
	report := func(column, key string, args ...any) {
		bad[column] = true
		res.problem(num, column, key, args...)
	}
	cell := func(column string) string {
		if i, ok := columns[column]; ok && i < len(cells) {
			return strings.ReplaceAll(cells[i], "\r\n", "\n")
		}
		return ""
	}
	p := &partner.Partner{Texts: map[string]partner.Text{}}
	en := partner.Text{Name: cell("name"), Acronym: cell("acronym"), Mandate: cell("mandate"), Strategy: cell("strategy")}
	p.Texts["en"] = en

	p.Key = strings.ToLower(cell("key"))
	switch {
	case p.Key == "":
		report("key", "import.error.required")
	case partner.IsReservedKey(p.Key):
		report("key", "import.error.key_reserved", "value", p.Key)
	case !partner.ValidKey(p.Key):
		report("key", "import.error.key", "value", cell("key"))
	case firstRow[p.Key] != 0:
		report("key", "import.error.duplicate_key", "key", p.Key, "row", firstRow[p.Key])
	default:
		firstRow[p.Key] = num
	}
	if en.Name == "" {
		report("name", "import.error.required")
	}
	for _, lang := range reference.Languages {
		if name := cell("name_" + lang); lang != "en" && name != "" {
			p.Texts[lang] = partner.Text{Name: name}
		}
	}
	for _, column := range []string{"type", "membership", "status"} {
		v := cell(column)
		code, ok := rs.Resolve(codeColumns[column], v)
		switch {
		case v == "":
			report(column, "import.error.required")
		case !ok:
			report(column, "import.error.unknown_value", "value", v)
		}
		switch column {
		case "type":
			p.Type = code
		case "membership":
			p.Membership = code
		case "status":
			p.Status = code
		}
	}
	if v := cell("country"); v != "" {
		code, ok := rs.Resolve(reference.ListCountry, v)
		if !ok {
			report("country", "import.error.country", "value", v)
		}
		p.Country = code
	}
	p.Website = cell("website")
	if p.Website != "" && !validWebsite(p.Website) {
		report("website", "import.error.website", "value", p.Website)
	}
	for _, column := range []string{"action_areas", "regions", "countries", "financing_types"} {
		var codes []string
		for _, v := range strings.Split(cell(column), partner.ListSeparator) {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			code, ok := rs.Resolve(listColumns[column], v)
			switch {
			case !ok && column == "countries":
				report(column, "import.error.country", "value", v)
			case !ok:
				report(column, "import.error.unknown_value", "value", v)
			case !slices.Contains(codes, code):
				codes = append(codes, code)
			}
		}
		switch column {
		case "action_areas":
			p.ActionAreas = codes
		case "regions":
			p.Regions = codes
		case "countries":
			p.Countries = codes
		case "financing_types":
			p.FinancingTypes = codes
		}
	}
	// The rules every save keeps, for whatever the checks above did not already report: among
	// them each text's length and characters. The English texts are the columns without a language.
	var e *apperr.Error
	if err := p.Validate(rs); errors.As(err, &e) {
		for field, m := range e.Fields {
			column := strings.TrimSuffix(field, "_en")
			if !bad[column] {
				report(column, m.Key, m.Args...)
			}
		}
	}
	if res.ProblemCount > before {
		return nil
	}
	return p
}

// validWebsite reports whether s is an absolute http or https address of a host.
func validWebsite(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsAny(s, " \t\n") && strings.Contains(u.Hostname(), ".")
}
