package derived

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"pactum/internal/insight"
	"pactum/internal/store/sqldb"
)

// typeCubeKey is a cell of agreement_type_cube (migration 0011): a cell of agreement_cube for
// the agreements with a party of one type.
type typeCubeKey struct {
	partnerType string
	cubeKey
}

// Dimensions of partner_filter_cells (migration 0012).
const (
	FilterPartnerType = "partner_type"
	FilterRegion      = "region"
)

// partnerFilterKey is a cell of partner_filter_cells: a cell of partner_cells for the
// agreements with a party of one type, or for one beneficiary region. Its dimension and code
// are an index into reportCells.filterCodes, so that a key takes 16 bytes: an import of a
// million agreements keeps hundreds of thousands of them.
type partnerFilterKey struct {
	code    uint32
	year    int32
	partner int64
}

// filterCode is a dimension of partner_filter_cells and one of its codes.
type filterCode struct{ dimension, code string }

// filterSum is what is added to a cell of partner_filter_cells, with the partner's type as an
// index into reportCells.partnerTypes (0 for none yet).
type filterSum struct {
	n, value    float64
	partnerType uint32
}

// interned numbers the distinct values it is given, so that keys hold a number for a string.
type interned[T comparable] struct {
	ids    map[T]uint32
	values []T
}

func newInterned[T comparable](first T) *interned[T] {
	return &interned[T]{ids: map[T]uint32{first: 0}, values: []T{first}}
}

// id returns the number of v, giving it the next one the first time.
func (in *interned[T]) id(v T) uint32 {
	id, ok := in.ids[v]
	if !ok {
		id = uint32(len(in.values))
		in.ids[v] = id
		in.values = append(in.values, v)
	}
	return id
}

// addToTypeCells adds the part, times sign, to the pending changes of agreement_type_cube and
// partner_filter_cells: in the cube once for each distinct type among its parties, weighted by
// its region shares; in the partners' cells for each party, in full under each of those types
// and by its share under each region. A part kept before the tables existed (not typed) added
// nothing to them and takes nothing out.
func (p ReportPart) addToTypeCells(cells reportCells, sign float64) {
	if !p.typed {
		return
	}
	cube := cells.typeCube
	regions := p.cubeRegions()
	value := float64(p.Value)
	for i, t := range p.PartyTypes {
		if slices.Contains(p.PartyTypes[:i], t) {
			continue
		}
		for _, r := range regions {
			k := typeCubeKey{t, cubeKey{p.Year, p.agreementType, p.area, p.office, r.Region}}
			c := cube[k]
			c.n += sign * r.Share
			c.value += sign * r.Share * value
			cube[k] = c
		}
		p.addToPartnerFilter(cells, FilterPartnerType, t, sign)
	}
	for _, r := range p.regions {
		p.addToPartnerFilter(cells, FilterRegion, r.Region, sign*r.Share)
	}
}

// addToPartnerFilter adds the part, times weight, to each of its parties' cells under one code
// of a dimension of partner_filter_cells.
func (p ReportPart) addToPartnerFilter(cells reportCells, dimension, code string, weight float64) {
	cellCode := cells.filterCodes.id(filterCode{dimension, code})
	for j, id := range p.PartyIDs {
		k := partnerFilterKey{cellCode, int32(p.Year), id}
		c := cells.partnerFilters[k]
		c.n += weight
		c.value += weight * float64(p.Value)
		// As in partner_cells, the type the partner is added with wins.
		if (weight > 0 || c.partnerType == 0) && j < len(p.PartyTypes) {
			c.partnerType = cells.partnerTypes.id(p.PartyTypes[j])
		}
		cells.partnerFilters[k] = c
	}
}

// flushTypeCells writes the pending changes of agreement_type_cube and partner_filter_cells in
// the order of their keys, as flushCells writes the other cells.
func flushTypeCells(ctx context.Context, tx *sqldb.Tx, cells reportCells) error {
	if err := flushTypeCube(ctx, tx, cells.typeCube); err != nil {
		return err
	}
	codes := cells.filterCodes.values
	keys := slices.SortedFunc(maps.Keys(cells.partnerFilters), func(a, b partnerFilterKey) int {
		ca, cb := codes[a.code], codes[b.code]
		return cmp.Or(cmp.Compare(ca.dimension, cb.dimension), cmp.Compare(ca.code, cb.code), cmp.Compare(a.year, b.year),
			cmp.Compare(a.partner, b.partner))
	})
	err := upsertCells(ctx, tx, "INSERT INTO partner_filter_cells (dimension, code, year, partner_id, partner_type, n, value)",
		`ON CONFLICT (dimension, code, year, partner_id) DO UPDATE SET partner_type = excluded.partner_type,
			n = partner_filter_cells.n + excluded.n, value = partner_filter_cells.value + excluded.value`, 7, keys,
		func(args []any, k partnerFilterKey) []any {
			c, code := cells.partnerFilters[k], codes[k.code]
			return append(args, code.dimension, code.code, int(k.year), k.partner, cells.partnerTypes.values[c.partnerType], c.n, c.value)
		}, nil)
	if err != nil {
		return fmt.Errorf("partner filter cells: %w", err)
	}
	clear(cells.partnerFilters)
	return nil
}

func flushTypeCube(ctx context.Context, tx *sqldb.Tx, cube map[typeCubeKey]cellSum) error {
	keys := slices.SortedFunc(maps.Keys(cube), func(a, b typeCubeKey) int {
		return cmp.Or(cmp.Compare(a.partnerType, b.partnerType), compareCubeKeys(a.cubeKey, b.cubeKey))
	})
	err := upsertCells(ctx, tx, "INSERT INTO agreement_type_cube (partner_type, year, type_code, action_area_code, office_code, region_code, n, value)",
		`ON CONFLICT (partner_type, year, type_code, action_area_code, office_code, region_code)
			DO UPDATE SET n = agreement_type_cube.n + excluded.n, value = agreement_type_cube.value + excluded.value`, 8, keys,
		func(args []any, k typeCubeKey) []any {
			c := cube[k]
			return append(args, k.partnerType, k.year, k.agreementType, k.area, k.office, k.r, c.n, c.value)
		}, nil)
	if err != nil {
		return fmt.Errorf("agreement type cube: %w", err)
	}
	clear(cube)
	return nil
}

// CubeOf returns the cells that hold a filter's figures, as a table aliased c, and the filter
// written as conditions on them: agreement_cube, or agreement_type_cube for a partner type.
func CubeOf(f insight.Filter) (table, where string, args []any) {
	table = "agreement_cube c"
	if f.PartnerType != "" {
		table = "agreement_type_cube c"
		where, args = " AND c.partner_type = ?", []any{f.PartnerType}
	}
	for _, c := range []struct{ column, code string }{{"c.region_code", f.Region}, {"c.action_area_code", f.ActionArea},
		{"c.type_code", f.Type}, {"c.office_code", f.Office}} {
		if c.code != "" {
			where += " AND " + c.column + " = ?"
			args = append(args, c.code)
		}
	}
	return table, where, args
}
