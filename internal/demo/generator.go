package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// slot is what is fixed about an agreement before it is drawn: the year it is signed, the
// regions it benefits ("AFR" or "AFR+ARB" for half each) and its primary action area.
type slot struct {
	year       int
	regions    string
	actionArea string
	coe        bool // one of the Academy's centres-of-excellence agreements of 2015
}

// planned is an agreement being generated, with links to other planned agreements that become
// IDs once those are stored.
type planned struct {
	*agreement.Agreement
	amends    *planned // for an amendment, the agreement it amends
	framework *planned // the memorandum of understanding the agreement falls under
}

// generator draws agreements for a set of stored partners. Every draw comes from one seeded
// source, so the same partners, slots and date give the same agreements.
type generator struct {
	rng       *rand.Rand
	today     civil.Date
	rates     reference.RateTable
	labels    reference.LabelSet
	partners  []*partner.Partner
	byRegion  map[string][]*partner.Partner            // partners that work in a region
	byArea    map[string]map[string][]*partner.Partner // …and favour an action area
	implement map[string][]*partner.Partner            // implementing partners by region
	coe       []*partner.Partner                       // partners hosting the Academy's centres of excellence
	countries map[string][]string                      // country codes by region
	regionOf  map[string]string                        // region of each country
	sequence  map[int]int                              // last reference number used in each year
	// recent holds the signed agreements (not amendments) that may still be amended: those that
	// ended less than two years before the year being drawn.
	recent     []*planned
	amendments map[*planned]int   // how many amendments each recent agreement has
	frameworks map[int64]*planned // the latest memorandum of understanding of each partner
	keep       bool               // keep every drawn agreement in agreed
	agreed     []*planned         // every agreement drawn, when keep is set
	drawn      []*planned         // agreements drawn since the last take
}

func newGenerator(seed uint64, today civil.Date, partners []*partner.Partner, countries []reference.Country,
	rates reference.RateTable, labels reference.LabelSet) *generator {
	g := &generator{
		rng:        rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		today:      today,
		rates:      rates,
		labels:     labels,
		partners:   partners,
		byRegion:   map[string][]*partner.Partner{},
		countries:  map[string][]string{},
		regionOf:   map[string]string{},
		sequence:   map[int]int{},
		byArea:     map[string]map[string][]*partner.Partner{},
		implement:  map[string][]*partner.Partner{},
		amendments: map[*planned]int{},
		frameworks: map[int64]*planned{},
	}
	for _, c := range countries {
		if c.Region != "" && c.ITUMember {
			g.countries[c.Region] = append(g.countries[c.Region], c.Code)
		}
		g.regionOf[c.Code] = c.Region
	}
	for _, p := range partners {
		if p.Status == partner.StatusProspect {
			continue // prospects have signed nothing yet
		}
		regions := slices.Clone(p.Regions)
		if r := g.regionOf[p.Country]; r != "" && !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
		for _, r := range regions {
			g.byRegion[r] = append(g.byRegion[r], p)
			if g.byArea[r] == nil {
				g.byArea[r] = map[string][]*partner.Partner{}
			}
			for _, area := range p.ActionAreas {
				g.byArea[r][area] = append(g.byArea[r][area], p)
			}
			if p.Type == "academia" || p.Type == "ngo" || p.Type == "un_agency" {
				g.implement[r] = append(g.implement[r], p)
			}
		}
		if slices.Contains(p.Tags, "centre-of-excellence") {
			g.coe = append(g.coe, p)
		}
	}
	return g
}

// quota returns n items drawn to match weights as closely as whole numbers allow (largest
// remainder), in random order. Keys are taken in the order given, so the result is deterministic.
func (g *generator) quota(keys []string, weights []float64, n int) []string {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	counts := make([]int, len(keys))
	remainders := make([]float64, len(keys))
	assigned := 0
	for i, w := range weights {
		exact := w / total * float64(n)
		counts[i] = int(math.Floor(exact))
		remainders[i] = exact - float64(counts[i])
		assigned += counts[i]
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case remainders[a] > remainders[b]:
			return -1
		case remainders[a] < remainders[b]:
			return 1
		}
		return 0
	})
	for i := 0; assigned < n; i++ {
		counts[order[i%len(order)]]++
		assigned++
	}
	out := make([]string, 0, n)
	for i, k := range keys {
		for range counts[i] {
			out = append(out, k)
		}
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// pick returns a random element of list.
func pick[T any](g *generator, list []T) T { return list[g.rng.IntN(len(list))] }

// weighted returns a key drawn with the given weights.
func (g *generator) weighted(keys []string, weights []float64) string {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return keys[i]
		}
		x -= w
	}
	return keys[len(keys)-1]
}

// typeWeights says which agreement types each partner type tends to sign, in the order of
// reference.AgreementTypes without amendment: mou, cooperation, voluntary_contribution,
// sponsorship, letter_of_intent, project_document.
var typeWeights = map[string][]float64{
	"government":       {3, 4, 3, 0.5, 1, 2},
	"multilateral":     {4, 4, 1, 0, 1, 1},
	"bilateral":        {1, 2, 5, 0, 1, 3},
	"development_bank": {3, 3, 1, 0, 1, 3},
	"foundation":       {1, 2, 5, 1, 1, 1},
	"private":          {2, 4, 1, 4, 1, 0.5},
	"academia":         {3, 6, 0.5, 0, 1, 0.5},
	"ngo":              {3, 4, 1, 0, 2, 1},
	"un_agency":        {5, 4, 1, 0, 1, 1},
}

var agreementTypes = reference.AgreementTypes[:len(reference.AgreementTypes)-1]

// valueRange gives the usual value of an agreement type in US dollars; zero for those that
// carry no money.
var valueRange = map[string][2]float64{
	"mou":                    {0, 0},
	"letter_of_intent":       {0, 0},
	"cooperation":            {20_000, 350_000},
	"voluntary_contribution": {60_000, 900_000},
	"sponsorship":            {10_000, 120_000},
	"project_document":       {100_000, 1_100_000},
}

// currencyOf is the currency a partner in a country pays in, for the currencies of the demo rates.
var currencyOf = map[string]string{
	"JP": "JPY", "KR": "KRW", "CN": "CNY", "CH": "CHF", "GB": "GBP", "SE": "SEK", "NO": "NOK", "CA": "CAD",
	"AU": "AUD", "SA": "SAR", "AE": "AED", "RU": "RUB",
	"AT": "EUR", "BE": "EUR", "CY": "EUR", "DE": "EUR", "EE": "EUR", "ES": "EUR", "FI": "EUR", "FR": "EUR",
	"GR": "EUR", "HR": "EUR", "IE": "EUR", "IT": "EUR", "LT": "EUR", "LU": "EUR", "LV": "EUR", "MT": "EUR",
	"NL": "EUR", "PT": "EUR", "SI": "EUR", "SK": "EUR",
	"BJ": "XOF", "BF": "XOF", "CI": "XOF", "GW": "XOF", "ML": "XOF", "NE": "XOF", "SN": "XOF", "TG": "XOF",
}

// draw creates one new (non-amendment) agreement for a slot.
func (g *generator) draw(s slot) *planned {
	regions := strings.Split(s.regions, "+")
	p := g.partnerFor(regions, s)
	typ := "cooperation"
	if !s.coe {
		typ = g.weighted(agreementTypes, typeWeights[p.Type])
	}
	signed := g.dayIn(s.year)
	start := signed.AddDays(g.rng.IntN(45))
	years := 1 + g.rng.IntN(4)
	if typ == "mou" {
		years = 3 + g.rng.IntN(3)
	}
	end := start.AddDays(365*years - 1)

	a := &agreement.Agreement{
		Reference:         g.nextReference(s.year),
		Type:              typ,
		SignedOn:          signed,
		StartOn:           start,
		EndOn:             end,
		Currency:          "USD",
		PrimaryActionArea: s.actionArea,
		Regions:           agreement.EqualShares(regions...),
		Office:            "HQ",
	}
	a.Status = g.status(start, end)
	if len(regions) == 1 && regions[0] != reference.RegionGLO && g.rng.IntN(10) < 6 {
		a.Office = regions[0]
	}
	role := agreement.RoleCoSignatory
	if typ == "voluntary_contribution" || typ == "project_document" || typ == "sponsorship" {
		role = agreement.RoleFunder
	}
	a.Parties = []agreement.Party{{PartnerID: p.ID, Role: role}}
	if second := g.implementer(regions, p); second != nil && !s.coe && g.rng.IntN(5) == 0 {
		a.Parties = append(a.Parties, agreement.Party{PartnerID: second.ID, Role: agreement.RoleImplementing})
	}
	a.Countries = g.beneficiaries(regions, p)
	if r := valueRange[typ]; r[1] > 0 && !s.coe {
		usd := r[0] + g.rng.Float64()*(r[1]-r[0])
		if c, ok := currencyOf[p.Country]; ok && (p.Type == "government" || p.Type == "bilateral" || p.Type == "private" || p.Type == "foundation") {
			a.Currency = c
		}
		rate, _ := g.rates.USDPerUnit(a.Currency, signed)
		a.Amount = roundAmount(money.FromUnits(usd / rate))
		a.ValueUSD = a.Amount.Convert(rate)
	}
	if typ == "sponsorship" || (p.Type == "private" && g.rng.IntN(4) == 0) {
		a.InKindUSD = roundAmount(money.FromUnits(5_000 + g.rng.Float64()*60_000))
	}
	if s.coe {
		a.Initiative = coeInitiative
	}
	a.Titles = g.titles(a, p, regions, s)
	if len(a.Parties) > 0 && g.rng.IntN(12) == 0 && typ != "mou" {
		a.OtherActionAreas = []string{pick(g, reference.ActionAreas).Code}
		if a.OtherActionAreas[0] == a.PrimaryActionArea {
			a.OtherActionAreas = nil
		}
	}
	pl := &planned{Agreement: a}
	if mou := g.frameworks[p.ID]; typ == "project_document" && mou != nil && mou.SignedOn.Before(signed) && !mou.EndOn.Before(signed) {
		pl.framework = mou
	}
	if typ == "mou" {
		g.frameworks[p.ID] = pl
	}
	g.recent = append(g.recent, pl)
	g.record(pl)
	return pl
}

// record adds a drawn agreement to those the caller will take.
func (g *generator) record(pl *planned) {
	g.drawn = append(g.drawn, pl)
	if g.keep {
		g.agreed = append(g.agreed, pl)
	}
}

// take returns the agreements drawn since the last call.
func (g *generator) take() []*planned {
	list := g.drawn
	g.drawn = nil
	return list
}

// forget drops agreements that ended before the two years preceding year, so that a large draw
// keeps only what later amendments may still refer to.
func (g *generator) forget(year int) {
	horizon := civil.Date{Year: year - 2, Month: 1, Day: 1}
	kept := g.recent[:0]
	for _, pl := range g.recent {
		if pl.EndOn.Before(horizon) {
			delete(g.amendments, pl)
			continue
		}
		kept = append(kept, pl)
	}
	clear(g.recent[len(kept):])
	g.recent = kept
	for id, mou := range g.frameworks {
		if mou.EndOn.Before(horizon) {
			delete(g.frameworks, id)
		}
	}
}

// roundAmount rounds to whole hundreds of currency units, as agreements are written.
func roundAmount(a money.Amount) money.Amount {
	const hundred = 100 * 100
	return money.Amount(math.Round(float64(a)/hundred) * hundred)
}

// partnerFor picks the partner that signs an agreement for the slot's regions.
func (g *generator) partnerFor(regions []string, s slot) *partner.Partner {
	if s.coe && len(g.coe) > 0 {
		var local []*partner.Partner
		for _, p := range g.coe {
			if slices.Contains(regions, g.regionOf[p.Country]) {
				local = append(local, p)
			}
		}
		if len(local) > 0 {
			return pick(g, local)
		}
		return pick(g, g.coe)
	}
	region := pick(g, regions)
	// Half the time the partner is one that favours the action area.
	if favoured := g.byArea[region][s.actionArea]; len(favoured) > 0 && g.rng.IntN(2) == 0 {
		return pick(g, favoured)
	}
	if candidates := g.byRegion[region]; len(candidates) > 0 {
		return pick(g, candidates)
	}
	if candidates := g.byRegion[reference.RegionGLO]; len(candidates) > 0 {
		return pick(g, candidates)
	}
	return pick(g, g.partners)
}

// implementer picks an implementing partner working in the regions, other than the signatory.
func (g *generator) implementer(regions []string, signatory *partner.Partner) *partner.Partner {
	list := g.implement[regions[0]]
	if len(list) == 0 {
		return nil
	}
	if p := pick(g, list); p != signatory {
		return p
	}
	return nil
}

// beneficiaries picks up to three beneficiary countries in the regions, preferring the partner's.
func (g *generator) beneficiaries(regions []string, p *partner.Partner) []string {
	if regions[0] == reference.RegionGLO {
		return nil
	}
	var preferred []string
	for _, c := range p.Countries {
		if slices.Contains(regions, g.regionOf[c]) {
			preferred = append(preferred, c)
		}
	}
	n := g.rng.IntN(4)
	var out []string
	for range n {
		var c string
		if len(preferred) > 0 && g.rng.IntN(2) == 0 {
			c = pick(g, preferred)
		} else if list := g.countries[pick(g, regions)]; len(list) > 0 {
			c = pick(g, list)
		}
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// dayIn returns a random day of year, not after today.
func (g *generator) dayIn(year int) civil.Date {
	first := civil.Date{Year: year, Month: 1, Day: 1}
	days := 365
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 366
	}
	if year == g.today.Year {
		days = g.today.Time().YearDay()
	}
	return first.AddDays(g.rng.IntN(days))
}

// status tells where an agreement running from start to end stands today.
func (g *generator) status(start, end civil.Date) string {
	switch {
	case start.After(g.today):
		return agreement.StatusSigned
	case end.Before(g.today):
		if g.rng.IntN(40) == 0 {
			return agreement.StatusTerminated
		}
		return agreement.StatusExpired
	default:
		return agreement.StatusActive
	}
}

func (g *generator) nextReference(year int) string {
	g.sequence[year]++
	return fmt.Sprintf("PCT-%d-%04d", year, g.sequence[year])
}

// titles writes an agreement's title in English and in the languages its signatory writes in.
func (g *generator) titles(a *agreement.Agreement, p *partner.Partner, regions []string, s slot) map[string]string {
	langs := []string{"en"}
	for _, lang := range reference.Languages {
		if lang != "en" && p.Texts[lang].Name != "" {
			langs = append(langs, lang)
		}
	}
	if s.coe || g.rng.IntN(10) == 0 {
		langs = reference.Languages
	}
	topic := pick(g, topics[a.PrimaryActionArea])
	titles := map[string]string{}
	for _, lang := range langs {
		place := g.place(lang, a.Countries, regions)
		if s.coe {
			titles[lang] = fmt.Sprintf(coeTitle[lang], g.labels.Label(reference.ListCountry, p.Country, lang))
			continue
		}
		titles[lang] = topicTitle(lang, topic[lang], place)
	}
	return titles
}

// place names where an agreement works: its one country, else its regions.
func (g *generator) place(lang string, countries, regions []string) string {
	if len(countries) == 1 {
		return g.labels.Label(reference.ListCountry, countries[0], lang)
	}
	names := make([]string, len(regions))
	for i, r := range regions {
		names[i] = g.labels.Label(reference.ListRegion, r, lang)
	}
	sep := ", "
	if lang == "zh" {
		sep = "、"
	} else if lang == "ar" {
		sep = "، "
	}
	return strings.Join(names, sep)
}

// amend creates an amendment signed in year to an earlier agreement still running, or ended
// not long ago; it returns nil when there is none.
func (g *generator) amend(year int) *planned {
	if len(g.recent) == 0 {
		return nil
	}
	horizon := civil.Date{Year: year - 1, Month: 1, Day: 1}
	eligible := func(c *planned) bool { return !c.EndOn.Before(horizon) && c.SignedOn.Year < year }
	var parent *planned
	for range 8 {
		if c := pick(g, g.recent); eligible(c) {
			parent = c
			break
		}
	}
	if parent == nil {
		// Few candidates: take the latest eligible one, or one signed early this year.
		lastDay := civil.Date{Year: year, Month: 12, Day: 1}
		for i := len(g.recent) - 1; i >= 0 && parent == nil; i-- {
			c := g.recent[i]
			if eligible(c) || (c.SignedOn.Year == year && c.SignedOn.Before(lastDay) && c.SignedOn.Before(g.today)) {
				parent = c
			}
		}
	}
	if parent == nil {
		return nil
	}
	g.amendments[parent]++
	number := g.amendments[parent]
	signed := g.dayIn(year)
	if !signed.After(parent.SignedOn) {
		// Signed after the agreement it amends, within the same year.
		last := civil.Date{Year: year, Month: 12, Day: 31}
		if g.today.Before(last) {
			last = g.today
		}
		days := int(last.Time().Sub(parent.SignedOn.Time()).Hours() / 24)
		signed = parent.SignedOn.AddDays(1 + g.rng.IntN(max(days, 1)))
	}
	a := &agreement.Agreement{
		Reference:         fmt.Sprintf("%s-A%d", parent.Reference, number),
		Type:              reference.AgreementTypeAmendment,
		SignedOn:          signed,
		StartOn:           signed,
		EndOn:             parent.EndOn,
		Currency:          parent.Currency,
		PrimaryActionArea: parent.PrimaryActionArea,
		Parties:           slices.Clone(parent.Parties),
		Regions:           slices.Clone(parent.Regions),
		Countries:         slices.Clone(parent.Countries),
		Office:            parent.Office,
		Initiative:        parent.Initiative,
	}
	kinds := []string{agreement.KindAddedFunds, agreement.KindNoCostExt, agreement.KindScope, agreement.KindAdministrative}
	a.AmendmentKind = g.weighted(kinds, []float64{45, 30, 15, 10})
	if parent.Amount == 0 && a.AmendmentKind == agreement.KindAddedFunds {
		a.AmendmentKind = agreement.KindNoCostExt
	}
	switch a.AmendmentKind {
	case agreement.KindAddedFunds:
		rate, _ := g.rates.USDPerUnit(a.Currency, signed)
		a.Amount = roundAmount(money.Amount(float64(parent.Amount) * (0.1 + 0.3*g.rng.Float64())))
		a.ValueUSD = a.Amount.Convert(rate)
	case agreement.KindNoCostExt:
		a.EndOn = parent.EndOn.AddDays(180 + g.rng.IntN(365))
	}
	if a.EndOn.Before(a.StartOn) {
		a.EndOn = a.StartOn.AddDays(180)
	}
	a.Status = g.status(a.StartOn, a.EndOn)
	a.Titles = map[string]string{}
	for lang := range parent.Titles {
		a.Titles[lang] = fmt.Sprintf(amendmentFormat[lang], number, parent.Reference)
	}
	pl := &planned{Agreement: a, amends: parent}
	g.record(pl)
	return pl
}

// pipeline creates agreements still being drafted or negotiated: no signing date yet.
func (g *generator) pipeline(s slot, status string) *planned {
	pl := g.draw(s)
	g.recent = g.recent[:len(g.recent)-1] // a draft cannot be amended or be a framework
	if g.frameworks[pl.Parties[0].PartnerID] == pl {
		delete(g.frameworks, pl.Parties[0].PartnerID)
	}
	pl.Status = status
	pl.SignedOn = civil.Date{}
	pl.StartOn, pl.EndOn = civil.Date{}, civil.Date{}
	pl.Reference = strings.Replace(pl.Reference, "PCT-", "DRAFT-", 1)
	return pl
}
