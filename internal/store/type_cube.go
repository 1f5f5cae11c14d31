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

// addToTypeCube adds the part, times sign, to the pending changes of agreement_type_cube: once
// for each distinct type among its parties, weighted by its region shares. A part kept before
// the table existed (not typed) added nothing to it and takes nothing out.
func (p reportPart) addToTypeCube(cube map[typeCubeKey]cellSum, sign float64) {
	if !p.typed {
		return
	}
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
	}
}

// flushTypeCube writes the pending changes of agreement_type_cube in the order of its key, as
// flushCells writes the other cells.
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
