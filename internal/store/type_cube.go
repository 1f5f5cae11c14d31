package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"pactum/internal/insight"
)

// typeCubeKey is a cell of agreement_type_cube (migration 0011): a cell of agreement_cube for
// the agreements with a party of one type.
type typeCubeKey struct {
	partnerType string
	cubeKey
}

// Dimensions of partner_filter_cells (migration 0012).
const (
	filterPartnerType = "partner_type"
	filterRegion      = "region"
)

// partnerFilterKey is a cell of partner_filter_cells: a cell of partner_cells for the
// agreements with a party of one type, or for one beneficiary region.
type partnerFilterKey struct {
	dimension, code string
	partnerKey
}

// addToTypeCells adds the part, times sign, to the pending changes of agreement_type_cube and
// partner_filter_cells: in the cube once for each distinct type among its parties, weighted by
// its region shares; in the partners' cells for each party, in full under each of those types
// and by its share under each region. A part kept before the tables existed (not typed) added
// nothing to them and takes nothing out.
func (p reportPart) addToTypeCells(cells reportCells, sign float64) {
	if !p.typed {
		return
	}
	cube := cells.typeCube
	regions := p.cubeRegions()
	value := float64(p.value)
	for i, t := range p.partyTypes {
		if slices.Contains(p.partyTypes[:i], t) {
			continue
		}
		for _, r := range regions {
			k := typeCubeKey{t, cubeKey{p.year, p.agreementType, p.area, p.office, r.Region}}
			c := cube[k]
			c.n += sign * r.Share
			c.value += sign * r.Share * value
			cube[k] = c
		}
		p.addToPartnerFilter(cells, filterPartnerType, t, sign)
	}
	for _, r := range p.regions {
		p.addToPartnerFilter(cells, filterRegion, r.Region, sign*r.Share)
	}
}

// addToPartnerFilter adds the part, times weight, to each of its parties' cells under one code
// of a dimension of partner_filter_cells.
func (p reportPart) addToPartnerFilter(cells reportCells, dimension, code string, weight float64) {
	for j, id := range p.partyIDs {
		k := partnerFilterKey{dimension, code, partnerKey{p.year, id}}
		c := cells.partnerFilters[k]
		c.n += weight
		c.value += weight * float64(p.value)
		// As in partner_cells, the type the partner is added with wins.
		if (weight > 0 || c.partnerType == "") && j < len(p.partyTypes) {
			c.partnerType = p.partyTypes[j]
		}
		cells.partnerFilters[k] = c
	}
}

// flushTypeCells writes the pending changes of agreement_type_cube and partner_filter_cells in
// the order of their keys, as flushCells writes the other cells.
func flushTypeCells(ctx context.Context, tx *Tx, cells reportCells) error {
	if err := flushTypeCube(ctx, tx, cells.typeCube); err != nil {
		return err
	}
	keys := slices.SortedFunc(maps.Keys(cells.partnerFilters), func(a, b partnerFilterKey) int {
		return cmp.Or(cmp.Compare(a.dimension, b.dimension), cmp.Compare(a.code, b.code), comparePartnerKeys(a.partnerKey, b.partnerKey))
	})
	err := upsertCells(ctx, tx, "INSERT INTO partner_filter_cells (dimension, code, year, partner_id, partner_type, n, value)",
		`ON CONFLICT (dimension, code, year, partner_id) DO UPDATE SET partner_type = excluded.partner_type,
			n = partner_filter_cells.n + excluded.n, value = partner_filter_cells.value + excluded.value`, 7, keys,
		func(args []any, k partnerFilterKey) []any {
			c := cells.partnerFilters[k]
			return append(args, k.dimension, k.code, k.year, k.partner, c.partnerType, c.n, c.value)
		}, nil)
	if err != nil {
		return fmt.Errorf("partner filter cells: %w", err)
	}
	clear(cells.partnerFilters)
	return nil
}

func flushTypeCube(ctx context.Context, tx *Tx, cube map[typeCubeKey]cellSum) error {
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

// cubeOf returns the cells that hold a filter's figures, as a table aliased c, and the filter
// written as conditions on them: agreement_cube, or agreement_type_cube for a partner type.
func cubeOf(f insight.Filter) (table, where string, args []any) {
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
