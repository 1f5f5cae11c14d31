package agreements

import "pactum/internal/insight"

// Scope is the SQL that applies a dashboard's filter to agreements a: a join (the
// filtered region, whose share weighs each agreement) and conditions, with their arguments.
type Scope struct {
	Join, Where         string
	JoinArgs, WhereArgs []any
	shared              bool // weights multiply by the filtered region's share
}

// NewScope writes the filter f as SQL. regionJoined says the query joins the agreement's
// regions already (as r), so a region filter is a condition on it and not a second join.
func NewScope(f insight.Filter, regionJoined bool) Scope {
	var s Scope
	if f.Region != "" && !regionJoined {
		s.Join = "JOIN agreement_regions fr ON fr.agreement_id = a.id AND fr.region_code = ?"
		s.JoinArgs = append(s.JoinArgs, f.Region)
		s.shared = true
	}
	// The action area is written so that SQLite does not use its index: it would drive the query
	// from every agreement of the area (a sixth of a million), where the period's dates, the
	// instalments received or the agreements ending soon select far fewer.
	for _, c := range []struct{ column, code string }{
		{"a.primary_action_area_code || ''", f.ActionArea}, {"a.type_code", f.Type}, {"a.office_code", f.Office},
	} {
		if c.code != "" {
			s.Where += " AND " + c.column + " = ?"
			s.WhereArgs = append(s.WhereArgs, c.code)
		}
	}
	if f.PartnerType != "" {
		// The partners of the type are a set found once, and each agreement's parties are looked
		// up in it: SQLite's planner would otherwise try every partner of the type against each
		// agreement (minutes on a million); the unary + keeps it from using the set to drive the
		// index of parties.
		s.Where += ` AND EXISTS (SELECT 1 FROM agreement_parties fp WHERE fp.agreement_id = a.id
			AND +fp.partner_id IN (SELECT fpp.id FROM partners fpp WHERE fpp.type_code = ?))`
		s.WhereArgs = append(s.WhereArgs, f.PartnerType)
	}
	return s
}

// Condition writes the filter f as conditions on agreements a alone, for a query that
// does not weigh by region shares: the region is then a condition rather than a join, from which
// SQLite would drive the query (every agreement of the region) instead of from its own index.
func Condition(f insight.Filter) (where string, args []any) {
	s := NewScope(f, true)
	if f.Region != "" {
		s.Where += " AND EXISTS (SELECT 1 FROM agreement_regions fr WHERE fr.agreement_id = a.id AND fr.region_code = ?)"
		s.WhereArgs = append(s.WhereArgs, f.Region)
	}
	return s.Where, s.WhereArgs
}

// Weigh multiplies a weight by the filtered region's share, if any.
func (s Scope) Weigh(weight string) string {
	if s.shared {
		return "(" + weight + ") * fr.share"
	}
	return weight
}

// Args orders a query's arguments as its text has them: those of the select list, the join,
// the period and then the filter's conditions.
func (s Scope) Args(selectArgs []any, period []any) []any {
	out := append(selectArgs, s.JoinArgs...)
	out = append(out, period...)
	return append(out, s.WhereArgs...)
}
