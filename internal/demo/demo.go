// Package demo builds Pactum's demonstration data: about 120 fictional funding partners and the
// agreements they signed from 2006 on, drawn so that the 2014–2017 figures are exactly those of
// the seed report (PRODUCT.md section 6). The same generator makes the large synthetic datasets
// of `pactum generate`. Later capabilities add their own demo data here.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store"
)

// Seed fixes the demo draw; change it and every demo agreement changes.
const Seed = 20140101

// Section 6 of PRODUCT.md: the figures for 2014–2017 the demo data reproduces exactly.
var (
	section6New        = map[int]int{2014: 42, 2015: 68, 2016: 29, 2017: 58}
	section6Amendments = map[int]int{2014: 8, 2015: 10, 2016: 7, 2017: 10}
	// Region slots: single regions and pairs that count half in each. Their half-shares give
	// AFR 27.5, AMS 26, ARB 17, ASP 42, CIS 5, EUR 10.5, GLO 69.
	section6Regions = []string{"AFR", "AMS", "ARB", "ASP", "CIS", "EUR", "GLO", "AFR+EUR", "AFR+ARB", "EUR+CIS", "ASP+AMS"}
	section6Slots   = []float64{25, 25, 15, 41, 4, 9, 69, 1, 4, 2, 2}
	section6Areas   = []float64{49, 32, 29, 27, 20, 16, 10, 7, 3, 2, 2} // in reference.ActionAreas order
	// Section6ValueUSD is the value of the 2014–2017 agreements, amendments included.
	Section6ValueUSD = money.FromUnits(36_600_000)
	// coeAgreements of 2015 were for one joint activity of the Academy's centres of excellence.
	coeAgreements = 28
)

// Other years: new agreements and amendments per year, so that 990 agreements were signed from
// 2006 to the end of 2017, and the registry goes on to the present.
var (
	otherNew = map[int]int{
		2006: 70, 2007: 82, 2008: 91, 2009: 97, 2010: 104, 2011: 110, 2012: 121, 2013: 118,
		2018: 52, 2019: 47, 2020: 31, 2021: 38, 2022: 44, 2023: 41, 2024: 39, 2025: 36, 2026: 27,
	}
	otherAmendments = map[int]int{
		2006: 3, 2007: 6, 2008: 9, 2009: 10, 2010: 12, 2011: 12, 2012: 14, 2013: 13,
		2018: 9, 2019: 8, 2020: 11, 2021: 7, 2022: 8, 2023: 7, 2024: 6, 2025: 6, 2026: 4,
	}
	pipelineNegotiation, pipelineDraft = 6, 5
)

// FirstYear is the first year of the demo registry.
const FirstYear = 2006

//go:embed partners.json
var partnersJSON []byte

// partnerRecord is one partner of partners.json.
type partnerRecord struct {
	Key            string            `json:"key"`
	Type           string            `json:"type"`
	Membership     string            `json:"membership"`
	Country        string            `json:"country"`
	Website        string            `json:"website"`
	Status         string            `json:"status"`
	Parent         string            `json:"parent"`
	Name           map[string]string `json:"name"`
	Acronym        map[string]string `json:"acronym"`
	Mandate        map[string]string `json:"mandate"`
	Strategy       map[string]string `json:"strategy"`
	ActionAreas    []string          `json:"action_areas"`
	Regions        []string          `json:"regions"`
	Countries      []string          `json:"countries"`
	FinancingTypes []string          `json:"financing_types"`
	Tags           []string          `json:"tags"`
}

// Partners returns the demo partners, parents before their children, with Parent keys in the
// returned map (child key → parent key).
func Partners() ([]*partner.Partner, map[string]string, error) {
	var records []partnerRecord
	if err := json.Unmarshal(partnersJSON, &records); err != nil {
		return nil, nil, fmt.Errorf("demo partners: %w", err)
	}
	parents := map[string]string{}
	var list []*partner.Partner
	for _, r := range records {
		p := &partner.Partner{
			Key: r.Key, Type: r.Type, Membership: r.Membership, Country: r.Country, Website: r.Website, Status: r.Status,
			ActionAreas: r.ActionAreas, Regions: r.Regions, Countries: r.Countries, FinancingTypes: r.FinancingTypes,
			Tags: r.Tags, Texts: map[string]partner.Text{},
		}
		for _, lang := range reference.Languages {
			t := partner.Text{Name: r.Name[lang], Acronym: r.Acronym[lang], Mandate: r.Mandate[lang], Strategy: r.Strategy[lang]}
			if t != (partner.Text{}) {
				p.Texts[lang] = t
			}
		}
		if r.Parent != "" {
			parents[r.Key] = r.Parent
		}
		list = append(list, p)
	}
	// Parents first: a stable sort by depth in the family tree.
	depth := func(key string) int {
		d := 0
		for k := parents[key]; k != "" && d <= len(records); k = parents[k] {
			d++
		}
		return d
	}
	slices.SortStableFunc(list, func(a, b *partner.Partner) int { return depth(a.Key) - depth(b.Key) })
	return list, parents, nil
}

// Summary says what a load stored.
type Summary struct {
	Partners   int
	Agreements int
	Amendments int
}

// Load stores the demo dataset in a database that holds reference data and no partners.
// today decides which agreements are active, expired or still to start.
func Load(ctx context.Context, db *store.DB, today civil.Date) (Summary, error) {
	codes, err := db.Codes(ctx)
	if err != nil {
		return Summary{}, err
	}
	partners, parents, err := Partners()
	if err != nil {
		return Summary{}, err
	}
	if err := storePartners(ctx, db, codes, partners, parents); err != nil {
		return Summary{}, err
	}
	g, err := prepareGenerator(ctx, db, Seed, today, partners)
	if err != nil {
		return Summary{}, err
	}
	g.keep = true
	if err := g.demoAgreements(); err != nil {
		return Summary{}, err
	}
	if err := g.validate(codes); err != nil {
		return Summary{}, err
	}
	team, err := createStaff(ctx, db, today)
	if err != nil {
		return Summary{}, err
	}
	assignOfficers(g.agreed, team, Seed)
	if err := storeAgreements(ctx, db, g.agreed, len(g.agreed), nil); err != nil {
		return Summary{}, err
	}
	if err := storeSchedules(ctx, db, g.agreed, today, Seed); err != nil {
		return Summary{}, err
	}
	if err := relationsFor(ctx, db, partners, today, Seed, team); err != nil {
		return Summary{}, err
	}
	s := Summary{Partners: len(partners)}
	for _, pl := range g.agreed {
		if pl.IsAmendment() {
			s.Amendments++
		} else {
			s.Agreements++
		}
	}
	return s, nil
}

// storePartners validates and stores partners, parents before children.
func storePartners(ctx context.Context, db *store.DB, codes reference.CodeSet, partners []*partner.Partner, parents map[string]string) error {
	byKey := map[string]*partner.Partner{}
	for _, p := range partners {
		byKey[p.Key] = p
	}
	// Store generation by generation, so that each parent has its ID before its children.
	for remaining := partners; len(remaining) > 0; {
		var now, later []*partner.Partner
		for _, p := range remaining {
			parentKey := parents[p.Key]
			if parentKey == "" {
				now = append(now, p)
				continue
			}
			parent, ok := byKey[parentKey]
			if !ok {
				return fmt.Errorf("demo partner %s: parent %s is not a demo partner", p.Key, parentKey)
			}
			if parent.ID == 0 {
				later = append(later, p)
				continue
			}
			p.ParentID = parent.ID
			now = append(now, p)
		}
		if len(now) == 0 {
			return fmt.Errorf("demo partners: parents form a cycle among %d partners", len(later))
		}
		for _, p := range now {
			if err := p.Validate(codes); err != nil {
				return fmt.Errorf("demo partner %s: %w", p.Key, err)
			}
		}
		if err := db.CreatePartners(ctx, now); err != nil {
			return fmt.Errorf("demo partners: %w", err)
		}
		remaining = later
	}
	return nil
}

// prepareGenerator reads what the generator needs from the database.
func prepareGenerator(ctx context.Context, db *store.DB, seed uint64, today civil.Date, partners []*partner.Partner) (*generator, error) {
	rates, err := db.Rates(ctx)
	if err != nil {
		return nil, err
	}
	labels, err := db.Labels(ctx)
	if err != nil {
		return nil, err
	}
	countries, err := reference.DefaultCountries()
	if err != nil {
		return nil, err
	}
	return newGenerator(seed, today, partners, countries, rates, labels), nil
}

// demoAgreements draws the registry year by year: each year's new agreements, then its amendments.
func (g *generator) demoAgreements() error {
	areas := actionAreaCodes()
	section6 := g.section6Slots(areas)
	for year := FirstYear; year <= g.today.Year; year++ {
		g.forget(year)
		var slots []slot
		if _, ok := section6New[year]; ok {
			for _, s := range section6 {
				if s.year == year {
					slots = append(slots, s)
				}
			}
		} else {
			slots = g.yearSlots(year, otherNew[year], areas)
		}
		for _, s := range slots {
			g.draw(s)
		}
		amendments := otherAmendments[year]
		if n, ok := section6Amendments[year]; ok {
			amendments = n
		}
		for range amendments {
			if g.amend(year) == nil {
				return fmt.Errorf("demo: no agreement to amend in %d", year)
			}
		}
	}
	g.scaleSection6Value()
	for i := range pipelineNegotiation + pipelineDraft {
		status := agreement.StatusNegotiation
		if i >= pipelineNegotiation {
			status = agreement.StatusDraft
		}
		g.pipeline(slot{year: g.today.Year, regions: pick(g, section6Regions[:7]), actionArea: pick(g, areas)}, status)
	}
	return nil
}

// yearSlots lays out n agreements of a year with the regions and action areas of section 6 in
// the same proportions.
func (g *generator) yearSlots(year, n int, areas []string) []slot {
	regions := g.quota(section6Regions, section6Slots, n)
	areaList := g.quota(areas, section6Areas, n)
	slots := make([]slot, n)
	for i := range slots {
		slots[i] = slot{year: year, regions: regions[i], actionArea: areaList[i]}
	}
	return slots
}

func actionAreaCodes() []string {
	areas := make([]string, len(reference.ActionAreas))
	for i, a := range reference.ActionAreas {
		areas[i] = a.Code
	}
	return areas
}

// section6Slots lays out the 197 new agreements of 2014–2017 so that years, region shares and
// action areas each match section 6 exactly; 28 of the 2015 ones are the centres of excellence.
func (g *generator) section6Slots(areas []string) []slot {
	var years []int
	for _, y := range []int{2014, 2015, 2016, 2017} {
		for range section6New[y] {
			years = append(years, y)
		}
	}
	n := len(years)
	regions := g.quota(section6Regions, section6Slots, n)
	slots := make([]slot, n)
	coe := 0
	for i, y := range years {
		slots[i] = slot{year: y, regions: regions[i]}
		if y == 2015 && coe < coeAgreements {
			slots[i].coe, slots[i].actionArea = true, "capacity_building"
			coe++
		}
	}
	// The rest of the action areas go to the other slots.
	counts := slices.Clone(section6Areas)
	counts[0] -= float64(coeAgreements)
	rest := g.quota(areas, counts, n-coeAgreements)
	for i := range slots {
		if !slots[i].coe {
			slots[i].actionArea, rest = rest[0], rest[1:]
		}
	}
	// A centre of excellence serves its own region: swap any global slot with a regional one.
	for i := range slots {
		if !slots[i].coe || slots[i].regions != reference.RegionGLO {
			continue
		}
		for j := range slots {
			if !slots[j].coe && slots[j].regions != reference.RegionGLO {
				slots[i].regions, slots[j].regions = slots[j].regions, slots[i].regions
				break
			}
		}
	}
	return slots
}

// scaleSection6Value scales the values of the 2014–2017 agreements so that they add up to
// exactly Section6ValueUSD, keeping each amount round.
func (g *generator) scaleSection6Value() {
	var inPeriod []*planned
	var total money.Amount
	for _, pl := range g.agreed {
		if y := pl.SignedOn.Year; y >= 2014 && y <= 2017 && pl.ValueUSD > 0 {
			inPeriod = append(inPeriod, pl)
			total += pl.ValueUSD
		}
	}
	if total == 0 {
		return
	}
	factor := float64(Section6ValueUSD) / float64(total)
	total = 0
	var largestUSD *planned
	for _, pl := range inPeriod {
		rate, _ := g.rates.USDPerUnit(pl.Currency, pl.SignedOn)
		pl.Amount = roundAmount(money.Amount(math.Round(float64(pl.Amount) * factor)))
		pl.ValueUSD = pl.Amount.Convert(rate)
		total += pl.ValueUSD
		if pl.Currency == "USD" && (largestUSD == nil || pl.Amount > largestUSD.Amount) {
			largestUSD = pl
		}
	}
	if largestUSD != nil {
		largestUSD.Amount += Section6ValueUSD - total
		largestUSD.ValueUSD = largestUSD.Amount
	}
}

// validate checks every drawn agreement as a save would.
func (g *generator) validate(codes reference.CodeSet) error {
	for _, pl := range g.agreed {
		if pl.amends != nil {
			pl.AmendsID = -1 // stands for the parent's ID until it is stored
		}
		err := pl.Validate(codes)
		pl.AmendsID = 0
		if err != nil {
			return fmt.Errorf("demo agreement %s: %w", pl.Reference, err)
		}
	}
	return nil
}

// storeAgreements stores planned agreements in batches: first those that depend on no other,
// then those under a framework, then amendments, so that each link finds its target's ID.
// progress, when set, hears how many are stored.
func storeAgreements(ctx context.Context, db *store.DB, list []*planned, total int, progress func(done, total int)) error {
	const batch = 5000
	done := 0
	phases := []func(*planned) bool{
		func(pl *planned) bool { return pl.amends == nil && pl.framework == nil },
		func(pl *planned) bool { return pl.amends == nil && pl.framework != nil },
		func(pl *planned) bool { return pl.amends != nil },
	}
	for _, inPhase := range phases {
		var chunk []*agreement.Agreement
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			if err := db.CreateAgreements(ctx, chunk); err != nil {
				return err
			}
			done += len(chunk)
			chunk = chunk[:0]
			if progress != nil {
				progress(done, total)
			}
			return nil
		}
		for _, pl := range list {
			if !inPhase(pl) {
				continue
			}
			if pl.amends != nil {
				pl.AmendsID = pl.amends.ID
			}
			if pl.framework != nil {
				pl.FrameworkID = pl.framework.ID
			}
			chunk = append(chunk, pl.Agreement)
			if len(chunk) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}
