package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
)

// agreementRow is a data row of an agreement file as parsed: the agreement it describes, and the
// names it holds that the writer looks up.
type agreementRow struct {
	num int
	// a holds the row's values; the lookups add its parties, officer and amended agreement.
	a       agreement.Agreement
	parties []partyCell
	amends  string // the reference of the amended agreement
	officer string // a user name
	kind    string // the amendment kind the row gives, if any
	stored  *agreement.Agreement
	bad     uint32 // the columns with a problem, by their place in AgreementColumns

	// keepAmends says that amends is empty while the stored agreement amends one hidden from the
	// importer: the row keeps that link (merge).
	keepAmends bool
}

// officeHQ is the office of agreements kept at headquarters; the others are kept by a regional
// office, named by its region's code.
const officeHQ = "HQ"

// partyCell is a partner named in the partners column, with its role.
type partyCell struct{ key, role string }

// detach copies the row's texts out of the line they were read from, so that a row kept for
// later does not keep the line.
func (r *agreementRow) detach() {
	a := &r.a
	a.Reference, a.Notes, a.Initiative = strings.Clone(a.Reference), strings.Clone(a.Notes), strings.Clone(a.Initiative)
	for lang, t := range a.Titles {
		a.Titles[lang] = strings.Clone(t)
	}
	for i := range a.Parties {
		a.Parties[i].PartnerKey = strings.Clone(a.Parties[i].PartnerKey)
	}
}

// agreementReader reads an agreement file and parses its rows, in its own goroutine.
type agreementReader struct {
	run   *agreementRun
	rs    *Resolver
	codes map[string]map[string]string // list → value as written → code, "" when unknown
	// refs holds each reference of the file with its row: row<<1, plus 1 for an amendment.
	refs         *refTable
	columns      []string
	ignored      []string
	rows         int
	fileProblems []Problem
}

func newAgreementReader(run *agreementRun) *agreementReader {
	return &agreementReader{run: run, rs: run.opts.Resolver, codes: map[string]map[string]string{}, refs: newRefTable()}
}

// resolve is Resolver.Resolve with a memory of the values already seen: a large file names the
// same few codes again and again, and folding them is most of the cost of a row.
func (rd *agreementReader) resolve(list, value string) (string, bool) {
	seen := rd.codes[list]
	if seen == nil {
		seen = map[string]string{}
		rd.codes[list] = seen
	}
	if code, ok := seen[value]; ok {
		return code, code != ""
	}
	code, _ := rd.rs.Resolve(list, value)
	if len(seen) < 10_000 {
		seen[strings.Clone(value)] = code
	}
	return code, code != ""
}

var errStop = errors.New("stop")

// read reads the file, sending its parsed rows in batches; problems of the file as a whole (its
// header, a row that cannot be read) go to fileProblems.
func (rd *agreementReader) read(ctx context.Context, r io.Reader, out chan<- *rowBatch) error {
	header := true
	b := &rowBatch{}
	send := func() error {
		select {
		case out <- b:
			b = &rowBatch{}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := ReadRows(r, func(num int, cells []string) error {
		if header {
			header = false
			if !rd.header(num, cells) {
				return errStop
			}
			return nil
		}
		rd.rows++
		if rd.rows > MaxAgreementRows {
			rd.fileProblems = append(rd.fileProblems, Problem{Row: num, Message: apperr.Msg("import.error.too_many_rows", "max", MaxAgreementRows)})
			return errStop
		}
		b.rows = append(b.rows, rd.parse(b, num, cells))
		if len(b.rows) == agreementBatch {
			return send()
		}
		return nil
	})
	var re *ReadError
	switch {
	case errors.As(err, &re):
		rd.fileProblems = append(rd.fileProblems, Problem{Row: re.Row, Message: re.Message})
	case errors.Is(err, errStop):
	case err != nil:
		return err
	}
	if header && re == nil {
		rd.fileProblems = append(rd.fileProblems, Problem{Row: 1, Message: apperr.Msg("import.error.empty")})
	}
	if len(b.rows)+len(b.problems) > 0 {
		return send()
	}
	return nil
}

// header maps the columns to their cells, noting the headers it ignores. It reports false when a
// required column is missing or a column is there twice (by its code, its heading, or both).
func (rd *agreementReader) header(num int, cells []string) bool {
	ok := true
	problem := func(column, key string) {
		rd.fileProblems = append(rd.fileProblems, Problem{Row: num, Column: column, Message: apperr.Msg(key, "column", column)})
		ok = false
	}
	for i, cell := range cells {
		name, _ := rd.rs.column(FileAgreements, cell)
		col := slices.Index(AgreementColumns, name)
		switch {
		case col < 0:
			if cell != "" {
				rd.ignored = append(rd.ignored, strings.Clone(cell))
			}
		case rd.run.cells[col] >= 0:
			problem(name, "import.error.duplicate_column")
		default:
			rd.run.cells[col] = i
		}
	}
	for _, name := range AgreementRequired {
		if rd.run.cells[slices.Index(AgreementColumns, name)] < 0 {
			problem(name, "import.error.missing_column")
		}
	}
	for col, name := range AgreementColumns {
		if rd.run.cells[col] >= 0 {
			rd.columns = append(rd.columns, name)
		}
	}
	return ok
}

// parse turns the cells of a data row into an agreementRow, reporting in b every problem that
// the row shows by itself; the writer reports those of what it names.
func (rd *agreementReader) parse(b *rowBatch, num int, cells []string) *agreementRow {
	r := &agreementRow{num: num}
	a := &r.a
	a.Titles = map[string]string{}
	cell := func(col int) string {
		if i := rd.run.cells[col]; i >= 0 && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	report := func(col int, key string, args ...any) {
		r.bad |= 1 << col
		b.problems = append(b.problems, Problem{Row: num, Column: AgreementColumns[col], Message: apperr.Msg(key, args...)})
	}
	code := func(col int, list string, required bool) string {
		v := cell(col)
		if v == "" {
			if required {
				report(col, "import.error.required")
			}
			return ""
		}
		c, ok := rd.resolve(list, v)
		if !ok {
			report(col, "import.error.unknown_value", "value", v)
		}
		return c
	}
	text := func(col int) string { return strings.ReplaceAll(cell(col), "\r\n", "\n") }
	date := func(col int) civil.Date {
		v := cell(col)
		if v == "" {
			return civil.Date{}
		}
		d, err := civil.Parse(v)
		if err != nil {
			report(col, "import.error.date", "value", v)
		}
		return d
	}
	amount := func(col int) money.Amount {
		v := cell(col)
		if v == "" {
			return 0
		}
		m, err := money.Parse(v)
		if err != nil {
			report(col, "import.error.amount", "value", v)
		}
		return m
	}

	a.Type = code(colType, reference.ListAgreementType, true)
	a.Reference = cell(colReference)
	switch {
	case a.Reference == "":
		report(colReference, "import.error.required")
	case !agreement.ValidReference(a.Reference):
		report(colReference, "import.error.reference", "value", a.Reference, "max", agreement.MaxReferenceLength)
	default:
		entry := uint32(num) << 1
		if a.Type == reference.AgreementTypeAmendment {
			entry |= 1
		}
		if first, taken := rd.refs.add(a.Reference, entry); taken {
			report(colReference, "import.error.duplicate_reference", "reference", a.Reference, "row", int(first>>1))
		}
	}
	if title := text(colTitle); title != "" {
		a.Titles["en"] = title
	} else {
		report(colTitle, "import.error.required")
	}
	for lang, col := range titleColumns {
		if title := text(col); title != "" {
			a.Titles[lang] = title
		}
	}
	r.parties = rd.parties(cell(colPartners), report)
	a.SignedOn, a.StartOn, a.EndOn = date(colSignedOn), date(colStartOn), date(colEndOn)
	a.Status = code(colStatus, ListAgreementStatus, true)
	a.Amount = amount(colAmount)
	a.Currency = code(colCurrency, reference.ListCurrency, a.Amount != 0) // an empty one is settled by plan
	a.Regions = rd.regions(cell(colRegions), report)
	for _, v := range listItems(cell(colCountries)) {
		c, ok := rd.resolve(reference.ListCountry, v)
		switch {
		case !ok:
			report(colCountries, "import.error.country", "value", v)
		case !slices.Contains(a.Countries, c):
			a.Countries = append(a.Countries, c)
		}
	}
	a.PrimaryActionArea = code(colActionArea, reference.ListActionArea, true)
	r.amends = cell(colAmends)
	a.Notes = text(colNotes)
	r.kind = code(colKind, ListAmendmentKind, false)
	a.InKindUSD = amount(colInKind)
	if a.InKindUSD < 0 {
		report(colInKind, "error.negative")
	}
	a.Initiative = text(colInitiative)
	if v := cell(colOffice); v == "" || strings.EqualFold(v, officeHQ) {
		a.Office = officeHQ
	} else if a.Office = code(colOffice, reference.ListRegion, false); a.Office == reference.RegionGLO {
		report(colOffice, "import.error.unknown_value", "value", v)
	}
	r.officer = cell(colOfficer)
	switch v := search.Fold(cell(colConfidential)); v {
	case "", "no", "false", "0":
	case "yes", "true", "1":
		a.Confidential = true
	default:
		report(colConfidential, "import.error.yes_no", "value", cell(colConfidential))
	}
	return r
}

// listItems splits a list cell at ";" into its items without the spaces around them.
func listItems(cell string) []string {
	var items []string
	for _, v := range strings.Split(cell, partner.ListSeparator) {
		if v = strings.TrimSpace(v); v != "" {
			items = append(items, v)
		}
	}
	return items
}

// parties reads the partners column: partner keys, each with a role after a colon
// ("itu:implementing_partner"). Without one, the first partner is the funder and the others
// co-signatories.
func (rd *agreementReader) parties(cell string, report func(col int, key string, args ...any)) []partyCell {
	items := listItems(cell)
	if len(items) == 0 {
		report(colPartners, "import.error.required")
		return nil
	}
	var out []partyCell
	for i, item := range items {
		key, role, hasRole := strings.Cut(item, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		p := partyCell{key: key, role: agreement.RoleCoSignatory}
		if i == 0 {
			p.role = agreement.RoleFunder
		}
		if hasRole {
			code, ok := rd.resolve(ListPartyRole, strings.TrimSpace(role))
			if !ok {
				report(colPartners, "import.error.role", "value", strings.TrimSpace(role))
				continue
			}
			p.role = code
		}
		if slices.ContainsFunc(out, func(q partyCell) bool { return q.key == key }) {
			report(colPartners, "import.error.twice", "value", key)
			continue
		}
		out = append(out, p)
	}
	return out
}

// regions reads the regions column: region codes or names shared equally ("AFR;ASP"), or each
// with its share ("AFR:0.25;ASP:0.75", or "AFR:25%;ASP:75%").
func (rd *agreementReader) regions(cell string, report func(col int, key string, args ...any)) []agreement.RegionShare {
	items := listItems(cell)
	if len(items) == 0 {
		report(colRegions, "import.error.required")
		return nil
	}
	var codes []string
	var shares []agreement.RegionShare
	withShares := 0
	for _, item := range items {
		name, share, hasShare := strings.Cut(item, ":")
		code, ok := rd.resolve(reference.ListRegion, strings.TrimSpace(name))
		if !ok {
			report(colRegions, "import.error.unknown_value", "value", strings.TrimSpace(name))
			continue
		}
		if !hasShare {
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
			continue
		}
		withShares++
		s, ok := parseShare(share)
		if !ok {
			report(colRegions, "import.error.share", "value", strings.TrimSpace(share))
			continue
		}
		if slices.ContainsFunc(shares, func(r agreement.RegionShare) bool { return r.Region == code }) {
			report(colRegions, "import.error.twice", "value", code)
			continue
		}
		shares = append(shares, agreement.RegionShare{Region: code, Share: s})
	}
	switch {
	case withShares == 0:
		return agreement.EqualShares(codes...)
	case len(codes) > 0:
		report(colRegions, "import.error.shares_mixed")
	}
	return shares
}

// parseShare reads a region's share: a fraction above 0 and at most 1 ("0.25") or a percentage
// ("25%"), with a dot or a comma for decimals.
func parseShare(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	percent := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if percent {
		v /= 100
	}
	return v, err == nil && v > 0 && v <= 1
}

// merge returns a copy of stored with the values of the file's columns taken from the row: an
// import sets the columns of its file, empty cells included, and leaves every other field of the
// agreement as it was. An empty amends cell that stands for a link hidden from the importer
// (keepAmends) keeps the link while the agreement stays an amendment, as the agreement form does.
func (run *agreementRun) merge(stored *agreement.Agreement, r *agreementRow) *agreement.Agreement {
	a := *stored
	a.Titles = maps.Clone(stored.Titles)
	if a.Titles == nil {
		a.Titles = map[string]string{}
	}
	a.OtherActionAreas = slices.Clone(stored.OtherActionAreas)
	row := &r.a
	for col := range numAgreementColumns {
		if !run.has(col) {
			continue
		}
		switch col {
		case colTitle:
			a.Titles["en"] = row.Titles["en"]
		case colType:
			a.Type = row.Type
		case colPartners:
			a.Parties = row.Parties
		case colSignedOn:
			a.SignedOn = row.SignedOn
		case colStartOn:
			a.StartOn = row.StartOn
		case colEndOn:
			a.EndOn = row.EndOn
		case colStatus:
			a.Status = row.Status
		case colAmount:
			a.Amount = row.Amount
		case colCurrency:
			a.Currency = row.Currency
		case colRegions:
			a.Regions = row.Regions
		case colCountries:
			a.Countries = row.Countries
		case colActionArea:
			a.PrimaryActionArea = row.PrimaryActionArea
		case colAmends:
			if !r.keepAmends || !a.IsAmendment() {
				a.AmendsID, a.AmendsRef = row.AmendsID, r.amends
			}
		case colNotes:
			a.Notes = row.Notes
		case colInKind:
			a.InKindUSD = row.InKindUSD
		case colInitiative:
			a.Initiative = row.Initiative
		case colOffice:
			a.Office = row.Office
		case colOfficer:
			a.OfficerID = row.OfficerID
		case colConfidential:
			a.Confidential = row.Confidential
		case colTitleAR, colTitleES, colTitleFR, colTitleRU, colTitleZH:
			lang := strings.TrimPrefix(AgreementColumns[col], "title_")
			if t := row.Titles[lang]; t != "" {
				a.Titles[lang] = t
			} else {
				delete(a.Titles, lang)
			}
		}
	}
	return &a
}

// differences returns the file's columns whose values differ between the stored agreement and
// what the row makes of it. Texts are compared without the spaces around them and with Windows
// line ends read as plain ones, lists as sets, partners with their roles.
func (run *agreementRun) differences(stored, a *agreement.Agreement) []string {
	var changed []string
	for col := range numAgreementColumns {
		if col != colReference && run.has(col) && agreementValue(stored, col) != agreementValue(a, col) {
			changed = append(changed, AgreementColumns[col])
		}
	}
	return changed
}

// agreementValue is an agreement's value in a column, written for comparison.
func agreementValue(a *agreement.Agreement, col int) string {
	text := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n") }
	set := func(items []string) string {
		s := slices.Clone(items)
		slices.Sort(s)
		return strings.Join(slices.Compact(s), ";")
	}
	switch col {
	case colTitle:
		return text(a.Titles["en"])
	case colType:
		return a.Type
	case colPartners:
		parties := make([]string, len(a.Parties))
		for i, p := range a.Parties {
			parties[i] = fmt.Sprintf("%d:%s", p.PartnerID, p.Role)
		}
		return set(parties)
	case colSignedOn:
		return a.SignedOn.String()
	case colStartOn:
		return a.StartOn.String()
	case colEndOn:
		return a.EndOn.String()
	case colStatus:
		return a.Status
	case colAmount:
		return a.Amount.String()
	case colCurrency:
		return a.Currency
	case colRegions:
		regions := make([]string, len(a.Regions))
		for i, r := range a.Regions {
			regions[i] = fmt.Sprintf("%s:%.6f", r.Region, r.Share)
		}
		return set(regions)
	case colCountries:
		return set(a.Countries)
	case colActionArea:
		return a.PrimaryActionArea
	case colAmends:
		return strconv.FormatInt(a.AmendsID, 10)
	case colNotes:
		return text(a.Notes)
	case colKind:
		return a.AmendmentKind
	case colInKind:
		return a.InKindUSD.String()
	case colInitiative:
		return text(a.Initiative)
	case colOffice:
		return a.Office
	case colOfficer:
		return strconv.FormatInt(a.OfficerID, 10)
	case colConfidential:
		return strconv.FormatBool(a.Confidential)
	case colTitleAR, colTitleES, colTitleFR, colTitleRU, colTitleZH:
		return text(a.Titles[strings.TrimPrefix(AgreementColumns[col], "title_")])
	}
	return ""
}
