package importer

import (
	"context"
	"maps"
	"slices"
	"strings"

	"pactum/internal/partner"
)

// plan decides for each valid row whether it creates a partner, updates one or leaves it as it
// is, looking the keys up in batches.
func plan(ctx context.Context, res *Result, rows []row, opts Options, progress func(string, int, int)) error {
	for start := 0; start < len(rows); start += lookupBatch {
		batch := rows[start:min(start+lookupBatch, len(rows))]
		keys := make([]string, len(batch))
		for i, r := range batch {
			keys[i] = r.p.Key
		}
		existing := map[string]*partner.Partner{}
		if opts.Existing != nil {
			var err error
			if existing, err = opts.Existing(ctx, keys); err != nil {
				return err
			}
		}
		for _, r := range batch {
			stored, ok := existing[r.p.Key]
			if !ok {
				res.Creates = append(res.Creates, Entry{Row: r.num, Partner: r.p})
				continue
			}
			merged := Merge(stored, r.p, res.Columns)
			changed := Differences(stored, merged, res.Columns)
			switch {
			case len(changed) == 0:
				res.Unchanged = append(res.Unchanged, Entry{Row: r.num, Partner: r.p}) // the stored copy can go
			case opts.MayUpdate != nil && !opts.MayUpdate(stored):
				res.problem(r.num, "key", "import.error.not_allowed", "key", r.p.Key)
			default:
				res.Updates = append(res.Updates, Entry{Row: r.num, Partner: merged, Changed: changed})
			}
		}
		progress("plan", start+len(batch), len(rows))
	}
	return nil
}

// Merge returns a copy of stored with the values of the columns taken from row: an import sets
// the columns of its file, empty cells included, and leaves every other field as it was.
func Merge(stored, row *partner.Partner, columns []string) *partner.Partner {
	p := *stored
	p.Texts = maps.Clone(stored.Texts)
	if p.Texts == nil {
		p.Texts = map[string]partner.Text{}
	}
	p.ActionAreas, p.Regions = slices.Clone(stored.ActionAreas), slices.Clone(stored.Regions)
	p.Countries, p.FinancingTypes = slices.Clone(stored.Countries), slices.Clone(stored.FinancingTypes)
	p.Tags, p.Contacts = slices.Clone(stored.Tags), slices.Clone(stored.Contacts)
	setText := func(lang string, set func(*partner.Text)) {
		t := p.Texts[lang]
		set(&t)
		if t == (partner.Text{}) {
			delete(p.Texts, lang)
		} else {
			p.Texts[lang] = t
		}
	}
	en := row.Texts["en"]
	for _, column := range columns {
		switch column {
		case "name":
			setText("en", func(t *partner.Text) { t.Name = en.Name })
		case "acronym":
			setText("en", func(t *partner.Text) { t.Acronym = en.Acronym })
		case "mandate":
			setText("en", func(t *partner.Text) { t.Mandate = en.Mandate })
		case "strategy":
			setText("en", func(t *partner.Text) { t.Strategy = en.Strategy })
		case "type":
			p.Type = row.Type
		case "membership":
			p.Membership = row.Membership
		case "country":
			p.Country = row.Country
		case "website":
			p.Website = row.Website
		case "status":
			p.Status = row.Status
		case "action_areas":
			p.ActionAreas = slices.Clone(row.ActionAreas)
		case "regions":
			p.Regions = slices.Clone(row.Regions)
		case "countries":
			p.Countries = slices.Clone(row.Countries)
		case "financing_types":
			p.FinancingTypes = slices.Clone(row.FinancingTypes)
		default:
			if lang, ok := strings.CutPrefix(column, "name_"); ok {
				name := row.Texts[lang].Name
				setText(lang, func(t *partner.Text) { t.Name = name })
			}
		}
	}
	return &p
}

// Differences returns the columns whose values differ between two partners. Texts are compared
// without the spaces around them and with Windows line ends read as plain ones, lists as sets.
func Differences(a, b *partner.Partner, columns []string) []string {
	var changed []string
	for _, column := range columns {
		if value(a, column) != value(b, column) {
			changed = append(changed, column)
		}
	}
	return changed
}

// value is a partner's value in a column, normalised for comparison.
func value(p *partner.Partner, column string) string {
	text := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n") }
	set := func(codes []string) string {
		s := slices.Clone(codes)
		slices.Sort(s)
		return strings.Join(slices.Compact(s), partner.ListSeparator)
	}
	en := p.Texts["en"]
	switch column {
	case "key":
		return p.Key
	case "name":
		return text(en.Name)
	case "acronym":
		return text(en.Acronym)
	case "mandate":
		return text(en.Mandate)
	case "strategy":
		return text(en.Strategy)
	case "type":
		return p.Type
	case "membership":
		return p.Membership
	case "country":
		return p.Country
	case "website":
		return text(p.Website)
	case "status":
		return p.Status
	case "action_areas":
		return set(p.ActionAreas)
	case "regions":
		return set(p.Regions)
	case "countries":
		return set(p.Countries)
	case "financing_types":
		return set(p.FinancingTypes)
	}
	if lang, ok := strings.CutPrefix(column, "name_"); ok {
		return text(p.Texts[lang].Name)
	}
	return ""
}
