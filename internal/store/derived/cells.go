package derived

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/insight"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// The report cells: agreement_cube, agreement_shares and partner_cells (migration 0008), with
// agreement_type_cube and partner_filter_cells (0011, 0012, type_cube.go) hold the reports'
// figures summed by the agreement writer, which adds an agreement's part when it indexes it and
// takes it out when it unindexes it. What it added is kept with the agreement's codes, so that it
// takes out exactly that.

// cubeKey is a cell of agreement_cube.
type cubeKey struct {
	year                           int
	agreementType, area, office, r string
}

// shareKey is a cell of agreement_shares.
type shareKey struct {
	dimension string
	year      int
	code      string
}

// partnerKey is a cell of partner_cells.
type partnerKey struct {
	year    int
	partner int64
}

// cellSum is what is added to a cell: a weighted count (split into new agreements and
// amendments in agreement_shares) and a weighted value in cents.
type cellSum struct{ n, amendments, value float64 }

// Dimensions of agreement_shares.
const (
	sharePartnerType = "partner_type"
	shareCountry     = "country"
)

// ReportPart is what an agreement adds to the report cells, in the form kept with its codes:
// the facts the cells are computed from.
type ReportPart struct {
	Year                  int
	agreementType, area   string
	office                string
	Value                 int64
	regions               []agreement.RegionShare
	countries, PartyTypes []string
	PartyIDs              []int64
	// typed: the part was added to agreement_type_cube too (parts kept before it were not).
	typed bool
}

// reportPartOf returns what a signed agreement adds to the report cells; ok is false for an
// agreement not signed yet, which no report counts.
func reportPartOf(a *agreement.Agreement, parties map[int64]partyInfo) (ReportPart, bool) {
	if a.SignedOn.IsZero() {
		return ReportPart{}, false
	}
	p := ReportPart{Year: a.SignedOn.Year, agreementType: a.Type, area: a.PrimaryActionArea, office: a.Office,
		Value: int64(a.ValueUSD), regions: a.Regions, countries: sqldb.Dedupe(a.Countries), typed: true}
	seen := map[int64]bool{}
	for _, party := range a.Parties {
		if !seen[party.PartnerID] {
			seen[party.PartnerID] = true
			p.PartyTypes = append(p.PartyTypes, parties[party.PartnerID].partnerType)
			p.PartyIDs = append(p.PartyIDs, party.PartnerID)
		}
	}
	return p, true
}

// String writes the part as it is kept:
// Year|type|area|office|value|region:share,…|countries|party types|party ids|t (for typed).
func (p ReportPart) String() string {
	regions := make([]string, len(p.regions))
	for i, r := range p.regions {
		regions[i] = r.Region + ":" + strconv.FormatFloat(r.Share, 'g', -1, 64)
	}
	ids := make([]string, len(p.PartyIDs))
	for i, id := range p.PartyIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	fields := []string{strconv.Itoa(p.Year), p.agreementType, p.area, p.office, strconv.FormatInt(p.Value, 10),
		strings.Join(regions, ","), strings.Join(p.countries, ","), strings.Join(p.PartyTypes, ","), strings.Join(ids, ",")}
	if p.typed {
		fields = append(fields, "t")
	}
	return strings.Join(fields, "|")
}

// ParseReportPart reads a part back; ok is false for an empty or unreadable one (an agreement
// indexed before the cells existed, which added nothing).
func ParseReportPart(s string) (ReportPart, bool) {
	f := strings.Split(s, "|")
	// Parts kept before partner_cells existed have no party ids: they added none; those kept
	// before agreement_type_cube existed have no tenth field.
	if len(f) < 8 || len(f) > 10 || (len(f) == 10 && f[9] != "t") {
		return ReportPart{}, false
	}
	year, err1 := strconv.Atoi(f[0])
	value, err2 := strconv.ParseInt(f[4], 10, 64)
	if err1 != nil || err2 != nil {
		return ReportPart{}, false
	}
	p := ReportPart{Year: year, agreementType: f[1], area: f[2], office: f[3], Value: value, countries: SplitList(f[6]),
		PartyTypes: SplitList(f[7]), typed: len(f) == 10}
	var ids string
	if len(f) > 8 {
		ids = f[8]
	}
	for _, id := range SplitList(ids) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return ReportPart{}, false
		}
		p.PartyIDs = append(p.PartyIDs, n)
	}
	for _, r := range SplitList(f[5]) {
		code, share, _ := strings.Cut(r, ":")
		weight, err := strconv.ParseFloat(share, 64)
		if err != nil {
			return ReportPart{}, false
		}
		p.regions = append(p.regions, agreement.RegionShare{Region: code, Share: weight})
	}
	return p, true
}

func SplitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// reportCells are pending changes to the report cells.
type reportCells struct {
	cube           map[cubeKey]cellSum
	typeCube       map[typeCubeKey]cellSum
	shares         map[shareKey]cellSum
	partners       map[partnerKey]partnerSum
	partnerFilters map[partnerFilterKey]filterSum
	filterCodes    *interned[filterCode]
	partnerTypes   *interned[string] // "" is 0
}

// partnerSum is what is added to a cell of partner_cells, with the partner's type.
type partnerSum struct {
	n, value    float64
	partnerType string
}

func newReportCells() reportCells {
	return reportCells{cube: map[cubeKey]cellSum{}, typeCube: map[typeCubeKey]cellSum{}, shares: map[shareKey]cellSum{},
		partners: map[partnerKey]partnerSum{}, partnerFilters: map[partnerFilterKey]filterSum{},
		filterCodes: newInterned(filterCode{}), partnerTypes: newInterned("")}
}

// pending is how many cells have changes waiting to be written.
func (cells reportCells) pending() int {
	return len(cells.cube) + len(cells.typeCube) + len(cells.shares) + len(cells.partners) + len(cells.partnerFilters)
}

// cubeRegions are the part's region shares as the cubes hold them: region ” in full for an
// agreement without one.
func (p ReportPart) cubeRegions() []agreement.RegionShare {
	if len(p.regions) == 0 {
		return []agreement.RegionShare{{Region: "", Share: 1}}
	}
	return p.regions
}

// addTo adds the part, times sign (1 or -1), to the pending changes of the cells.
func (p ReportPart) addTo(cells reportCells, sign float64) {
	cube, shares := cells.cube, cells.shares
	value := float64(p.Value)
	for _, r := range p.cubeRegions() {
		k := cubeKey{p.Year, p.agreementType, p.area, p.office, r.Region}
		c := cube[k]
		c.n += sign * r.Share
		c.value += sign * r.Share * value
		cube[k] = c
	}
	p.addToTypeCells(cells, sign)
	amendment := p.agreementType == reference.AgreementTypeAmendment
	split := func(dimension string, codes []string) {
		for _, code := range codes {
			weight := sign / float64(len(codes))
			k := shareKey{dimension, p.Year, code}
			c := shares[k]
			if amendment {
				c.amendments += weight
			} else {
				c.n += weight
			}
			c.value += weight * value
			shares[k] = c
		}
	}
	split(sharePartnerType, p.PartyTypes)
	split(shareCountry, p.countries)
	for i, id := range p.PartyIDs {
		k := partnerKey{p.Year, id}
		c := cells.partners[k]
		c.n += sign
		c.value += sign * value
		// The type the partner is added with wins over the one it is taken out with.
		if (sign > 0 || c.partnerType == "") && i < len(p.PartyTypes) {
			c.partnerType = p.PartyTypes[i]
		}
		cells.partners[k] = c
	}
}

// flushCells writes the pending changes of the cells, in one order for every writer so that
// concurrent PostgreSQL transactions lock rows alike, and clears them.
func flushCells(ctx context.Context, tx *sqldb.Tx, cells reportCells) error {
	cube, shares := cells.cube, cells.shares
	cubeKeys := slices.SortedFunc(maps.Keys(cube), compareCubeKeys)
	if err := upsertCells(ctx, tx, "INSERT INTO agreement_cube (year, type_code, action_area_code, office_code, region_code, n, value)",
		`ON CONFLICT (year, type_code, action_area_code, office_code, region_code)
			DO UPDATE SET n = agreement_cube.n + excluded.n, value = agreement_cube.value + excluded.value`, 7, cubeKeys,
		func(args []any, k cubeKey) []any {
			c := cube[k]
			return append(args, k.year, k.agreementType, k.area, k.office, k.r, c.n, c.value)
		}, nil); err != nil {
		return err
	}
	shareKeys := slices.SortedFunc(maps.Keys(shares), func(a, b shareKey) int {
		return cmp.Or(cmp.Compare(a.year, b.year), cmp.Compare(a.dimension, b.dimension), cmp.Compare(a.code, b.code))
	})
	if err := upsertCells(ctx, tx, "INSERT INTO agreement_shares (dimension, year, code, new_n, amendment_n, value)",
		`ON CONFLICT (dimension, year, code) DO UPDATE SET new_n = agreement_shares.new_n + excluded.new_n,
			amendment_n = agreement_shares.amendment_n + excluded.amendment_n, value = agreement_shares.value + excluded.value`,
		6, shareKeys, func(args []any, k shareKey) []any {
			c := shares[k]
			return append(args, k.dimension, k.year, k.code, c.n, c.amendments, c.value)
		}, nil); err != nil {
		return err
	}
	partnerKeys := slices.SortedFunc(maps.Keys(cells.partners), comparePartnerKeys)
	counts := make(map[partnerKey]float64, len(partnerKeys)) // what each cell counts once written
	err := upsertCells(ctx, tx, "INSERT INTO partner_cells (year, partner_id, partner_type, n, value)",
		`ON CONFLICT (year, partner_id) DO UPDATE SET partner_type = excluded.partner_type,
			n = partner_cells.n + excluded.n, value = partner_cells.value + excluded.value RETURNING year, partner_id, n`,
		5, partnerKeys, func(args []any, k partnerKey) []any {
			c := cells.partners[k]
			return append(args, k.year, k.partner, c.partnerType, c.n, c.value)
		}, func(scan func(...any) error) error {
			var k partnerKey
			var n float64
			err := scan(&k.year, &k.partner, &n)
			counts[k] = n
			return err
		})
	if err != nil {
		return err
	}
	activity := map[int64]*yearsChange{}
	for _, k := range partnerKeys {
		change := activity[k.partner]
		if change == nil {
			change = &yearsChange{}
			activity[k.partner] = change
		}
		change.partnerType = cells.partners[k].partnerType
		if bit, ok := activityBit(k.year); ok && counts[k] > 0.5 {
			change.set |= bit
		} else if ok {
			change.clear |= bit
		}
	}
	if err := flushActivity(ctx, tx, activity); err != nil {
		return err
	}
	if err := flushTypeCells(ctx, tx, cells); err != nil {
		return err
	}
	clear(cube)
	clear(shares)
	clear(cells.partners)
	return nil
}

// compareCubeKeys orders cells of agreement_cube as every writer writes them.
func compareCubeKeys(a, b cubeKey) int {
	return cmp.Or(cmp.Compare(a.year, b.year), cmp.Compare(a.agreementType, b.agreementType), cmp.Compare(a.area, b.area),
		cmp.Compare(a.office, b.office), cmp.Compare(a.r, b.r))
}

// comparePartnerKeys orders cells of partner_cells as every writer writes them.
func comparePartnerKeys(a, b partnerKey) int {
	return cmp.Or(cmp.Compare(a.year, b.year), cmp.Compare(a.partner, b.partner))
}

// cellsPerStatement is how many cells a statement of flushCells writes: an import of a million
// agreements changes tens of thousands.
const cellsPerStatement = 500

// upsertCells writes a row of width values for each of keys, in their order, in statements
// "insert VALUES (…), … conflict" of up to cellsPerStatement rows; row appends the values of a
// key to args. The values are made a statement at a time, since an import of a million
// agreements changes hundreds of thousands of cells, and the statement of a full chunk is
// prepared once: SQLite parsing one of 500 rows for each chunk took 3 % of such an import.
// scan, when set, reads the rows each statement returns.
func upsertCells[K any](ctx context.Context, tx *sqldb.Tx, insert, conflict string, width int, keys []K, row func(args []any, k K) []any,
	scan func(scan func(...any) error) error) error {
	values := "(" + sqldb.Placeholders(width) + ")"
	var full *sql.Stmt // the statement of a chunk of cellsPerStatement rows, once prepared
	args := make([]any, 0, min(len(keys), cellsPerStatement)*width)
	for start := 0; start < len(keys); start += cellsPerStatement {
		chunk := keys[start:min(start+cellsPerStatement, len(keys))]
		args = args[:0]
		for _, k := range chunk {
			args = row(args, k)
		}
		stmt := full
		if stmt == nil || len(chunk) < cellsPerStatement {
			var err error
			stmt, err = tx.Prepare(ctx, insert+" VALUES "+strings.Repeat(values+", ", len(chunk)-1)+values+" "+conflict)
			if err != nil {
				return fmt.Errorf("report cells: %w", err)
			}
			defer stmt.Close() // at most two: a full chunk's and the last one's
			if len(chunk) == cellsPerStatement {
				full = stmt
			}
		}
		var err error
		if scan == nil {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			var rows *sql.Rows
			if rows, err = stmt.QueryContext(ctx, args...); err == nil {
				err = sqldb.EachRow(rows, scan)
			}
		}
		if err != nil {
			return fmt.Errorf("report cells: %w", err)
		}
	}
	return nil
}

// Years of partner_activity (migration 0009): bit y - activityFirstYear of a partner's years
// stands for the year y.
const (
	activityFirstYear = 1970
	activityLastYear  = activityFirstYear + 62
)

// activityBit is the bit of a year in partner_activity; ok is false for a year it cannot hold.
func activityBit(year int) (bit int64, ok bool) {
	if year < activityFirstYear || year > activityLastYear {
		return 0, false
	}
	return 1 << (year - activityFirstYear), true
}

// ActivityMask is the bits of the years from to to, or ok false when partner_activity cannot
// answer for them all.
func ActivityMask(from, to int) (mask int64, ok bool) {
	for year := from; year <= to; year++ {
		bit, ok := activityBit(year)
		if !ok {
			return 0, false
		}
		mask |= bit
	}
	return mask, true
}

// yearsChange is what a flush of partner_cells changes in a partner's row of partner_activity.
type yearsChange struct {
	set, clear  int64
	partnerType string
}

// flushActivity writes the changes of partner_activity in the order of the partners, so that
// concurrent PostgreSQL transactions lock the rows alike.
func flushActivity(ctx context.Context, tx *sqldb.Tx, activity map[int64]*yearsChange) error {
	for _, id := range slices.Sorted(maps.Keys(activity)) {
		c := activity[id]
		if _, err := tx.Exec(ctx, `INSERT INTO partner_activity (partner_id, partner_type, years) VALUES (?, ?, ?)
			ON CONFLICT (partner_id) DO UPDATE SET partner_type = excluded.partner_type,
				years = (partner_activity.years | excluded.years) & ~CAST(? AS BIGINT)`,
			id, c.partnerType, c.set, c.clear); err != nil {
			return fmt.Errorf("partner activity: %w", err)
		}
	}
	return nil
}

// WeightUnder is what the agreement of a part counts for under a filter: 0 when the filter
// does not select it, else its share of the filtered region, or 1.
func (p ReportPart) WeightUnder(f insight.Filter) float64 {
	if f.ActionArea != "" && p.area != f.ActionArea || f.Type != "" && p.agreementType != f.Type ||
		f.Office != "" && p.office != f.Office || f.PartnerType != "" && !slices.Contains(p.PartyTypes, f.PartnerType) {
		return 0
	}
	if f.Region == "" {
		return 1
	}
	weight := 0.0
	for _, r := range p.regions {
		if r.Region == f.Region {
			weight += r.Share
		}
	}
	return weight
}
