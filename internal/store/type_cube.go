package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"pactum/internal/agreement"
	"pactum/internal/insight"
)

// typeCubeKey is a cell of agreement_type_cube (migration 0011): a cell of agreement_cube for
// the agreements with a party of one type.
type typeCubeKey struct {
	partnerType string
	cubeKey
}

// partnerTypeKey is a cell of partner_type_cells (migration 0012): a cell of partner_cells for
// the agreements with a party of one type.
type partnerTypeKey struct {
	partyType string
	partnerKey
}

// addToTypeCells adds the part, times sign, to the pending changes of agreement_type_cube and
// partner_type_cells: once for each distinct type among its parties, weighted by its region
// shares in the cube, in full for each party in the partners' cells. A part kept before the
// tables existed (not typed) added nothing to them and takes nothing out.
func (p reportPart) addToTypeCells(cells reportCells, sign float64) {
	if !p.typed {
		return
	}
	cube := cells.typeCube
	regions := p.regions
	if len(regions) == 0 {
		regions = []agreement.RegionShare{{Region: "", Share: 1}}
	}
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
		for j, id := range p.partyIDs {
			k := partnerTypeKey{t, partnerKey{p.year, id}}
			c := cells.partnerTypes[k]
			c.n += sign
			c.value += sign * value
			// As in partner_cells, the type the partner is added with wins.
			if (sign > 0 || c.partnerType == "") && j < len(p.partyTypes) {
				c.partnerType = p.partyTypes[j]
			}
			cells.partnerTypes[k] = c
		}
	}
}

// flushTypeCells writes the pending changes of agreement_type_cube and partner_type_cells in
// the order of their keys, as flushCells writes the other cells.
func flushTypeCells(ctx context.Context, tx *Tx, cells reportCells) error {
	if err := flushTypeCube(ctx, tx, cells.typeCube); err != nil {
		return err
	}
	keys := make([]partnerTypeKey, 0, len(cells.partnerTypes))
	for k := range cells.partnerTypes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b partnerTypeKey) int {
		return cmp.Or(cmp.Compare(a.partyType, b.partyType), cmp.Compare(a.year, b.year), cmp.Compare(a.partner, b.partner))
	})
	args := make([]any, 0, 6*len(keys))
	for _, k := range keys {
		c := cells.partnerTypes[k]
		args = append(args, k.partyType, k.year, k.partner, c.partnerType, c.n, c.value)
	}
	err := upsertCells(ctx, tx, "INSERT INTO partner_type_cells (party_type, year, partner_id, partner_type, n, value)",
		`ON CONFLICT (party_type, year, partner_id) DO UPDATE SET partner_type = excluded.partner_type,
			n = partner_type_cells.n + excluded.n, value = partner_type_cells.value + excluded.value`, 6, args, nil)
	if err != nil {
		return fmt.Errorf("partner type cells: %w", err)
	}
	clear(cells.partnerTypes)
	return nil
}

func flushTypeCube(ctx context.Context, tx *Tx, cube map[typeCubeKey]cellSum) error {
	keys := make([]typeCubeKey, 0, len(cube))
	for k := range cube {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b typeCubeKey) int {
		return cmp.Or(cmp.Compare(a.partnerType, b.partnerType), cmp.Compare(a.year, b.year), cmp.Compare(a.agreementType, b.agreementType),
			cmp.Compare(a.area, b.area), cmp.Compare(a.office, b.office), cmp.Compare(a.r, b.r))
	})
	args := make([]any, 0, 8*len(keys))
	for _, k := range keys {
		c := cube[k]
		args = append(args, k.partnerType, k.year, k.agreementType, k.area, k.office, k.r, c.n, c.value)
	}
	err := upsertCells(ctx, tx, "INSERT INTO agreement_type_cube (partner_type, year, type_code, action_area_code, office_code, region_code, n, value)",
		`ON CONFLICT (partner_type, year, type_code, action_area_code, office_code, region_code)
			DO UPDATE SET n = agreement_type_cube.n + excluded.n, value = agreement_type_cube.value + excluded.value`, 8, args, nil)
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
