package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store"
)

// Progress hears how far a long generation has come.
type Progress func(stage string, done, total int)

// amendmentShare is the part of generated agreements that are amendments, as in the demo registry.
const amendmentShare = 0.12

// Generate fills an empty database with nPartners synthetic partners and nAgreements agreements
// (amendments included) signed from 2006 to today, drawn with the demo's distributions: partner
// types and headquarters regions as in the demo partners, years as in the demo registry, regions
// and action areas as in section 6. It is for benchmarks: the result is deterministic.
func Generate(ctx context.Context, db *store.DB, nPartners, nAgreements int, today civil.Date, progress Progress) error {
	if nPartners < 1 || nAgreements < 0 {
		return fmt.Errorf("generate: need at least one partner and no negative number of agreements")
	}
	if n, err := db.CountPartners(ctx); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("generate: the database already holds %d partners; generate into an empty one (another --data folder or database)", n)
	}
	demoPartners, _, err := Partners()
	if err != nil {
		return err
	}
	countries, err := reference.DefaultCountries()
	if err != nil {
		return err
	}
	labels, err := db.Labels(ctx)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(Seed, 7))
	const batch = 5000
	var partners []*partner.Partner
	for start := 0; start < nPartners; start += batch {
		chunk := syntheticPartners(rng, demoPartners, countries, labels, start, min(batch, nPartners-start))
		if err := db.CreatePartners(ctx, chunk); err != nil {
			return fmt.Errorf("generate partners: %w", err)
		}
		partners = append(partners, chunk...)
		if progress != nil {
			progress("partners", len(partners), nPartners)
		}
	}

	g, err := prepareGenerator(ctx, db, Seed, today, partners)
	if err != nil {
		return err
	}
	years, weights := registryYears(today)
	amendments := int(float64(nAgreements) * amendmentShare)
	newPerYear := g.quota(years, weights, nAgreements-amendments)
	amendPerYear := g.quota(years, weights, amendments)
	count := func(list []string, year string) int {
		n := 0
		for _, y := range list {
			if y == year {
				n++
			}
		}
		return n
	}
	areas := actionAreaCodes()
	stored := 0
	for _, y := range years {
		var year int
		fmt.Sscan(y, &year)
		g.forget(year)
		for _, s := range g.yearSlots(year, count(newPerYear, y), areas) {
			g.draw(s)
		}
		for range count(amendPerYear, y) {
			g.amend(year)
		}
		drawn := g.take()
		err := storeAgreements(ctx, db, drawn, len(drawn), func(done, _ int) {
			if progress != nil {
				progress("agreements", stored+done, nAgreements)
			}
		})
		if err != nil {
			return fmt.Errorf("generate agreements of %d: %w", year, err)
		}
		stored += len(drawn)
		for _, pl := range drawn {
			pl.Titles = nil // no longer needed; keeps a large draw small
		}
	}
	return db.OptimizeSearch(ctx)
}

// registryYears returns the years from FirstYear to today with their weight in the demo registry.
func registryYears(today civil.Date) ([]string, []float64) {
	var years []string
	var weights []float64
	for y := FirstYear; y <= today.Year; y++ {
		n := otherNew[y] + otherAmendments[y] + section6New[y] + section6Amendments[y]
		if n == 0 {
			n = otherNew[today.Year-1]
		}
		years = append(years, fmt.Sprint(y))
		weights = append(weights, float64(n))
	}
	return years, weights
}

// Word lists for synthetic partner names; combined they give tens of thousands of names per type.
var (
	namePrefixes = []string{"Aurora", "Baobab", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper",
		"Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pinnacle", "Quartz", "Riviera", "Sahel", "Tundra", "Umber",
		"Vertex", "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas", "Beacon", "Cobalt", "Dune", "Equator", "Falcon", "Glacier",
		"Horizon", "Isthmus", "Jade", "Kilimanjaro", "Lagoon", "Monsoon", "Nova", "Oasis", "Prairie", "Quill", "Reef",
		"Savanna", "Tidal", "Upland", "Valley", "Westwind", "Yukon", "Andes", "Boreal", "Coral", "Drift", "Estuary",
		"Fern", "Gazelle", "Highland", "Ivory", "Jasmine"}
	nameCores = []string{"Digital", "Telecom", "Connect", "Network", "Broadband", "Data", "Signal", "Spectrum", "Satellite",
		"Wireless", "Fibre", "Cloud", "Link", "Wave", "Bridge", "Grid", "Pulse", "Orbit", "Relay", "Vector", "Code", "Mesh",
		"Beam", "Circuit", "Channel", "Frontier", "Gateway", "Nexus", "Portal", "Access", "Open", "Smart", "Future", "Unity",
		"Harmony", "Summit", "Compass", "Keystone", "Lighthouse", "Milestone"}
	typeSuffixes = map[string][]string{
		"government":       {"Ministry", "Regulatory Authority", "National Agency", "Directorate", "Commission"},
		"multilateral":     {"Organization", "Union", "Council", "Community", "Alliance"},
		"bilateral":        {"Development Agency", "Cooperation Agency", "Aid Office", "Partnership Fund"},
		"development_bank": {"Development Bank", "Investment Bank", "Infrastructure Fund", "Finance Corporation"},
		"foundation":       {"Foundation", "Trust", "Charitable Fund", "Endowment"},
		"private":          {"Group", "Networks", "Systems", "Technologies", "Communications", "Holdings", "Labs"},
		"academia":         {"University", "Institute of Technology", "Academy", "Research Centre", "Polytechnic"},
		"ngo":              {"Society", "Association", "Initiative", "Network", "Collective"},
		"un_agency":        {"Programme", "Fund", "Office", "Facility"},
	}
	// otherScripts give a tenth of the synthetic partners a name in another language too, so that
	// search benchmarks meet every script.
	otherScripts = map[string][2][]string{
		"zh": {{"数字", "电信", "发展", "创新", "网络", "通信", "宽带", "信息", "未来", "智慧"}, {"基金会", "大学", "银行", "集团", "协会", "中心", "研究院", "公司"}},
		"ar": {{"الرقمية", "الاتصالات", "التنمية", "الابتكار", "الشبكات", "المعلومات", "المستقبل", "الفضاء"}, {"مؤسسة", "جامعة", "مصرف", "مجموعة", "جمعية", "مركز", "هيئة"}},
		"ru": {{"Цифровой", "Телеком", "Развитие", "Инновации", "Сеть", "Связь", "Будущее", "Спутник"}, {"фонд", "университет", "банк", "группа", "ассоциация", "центр", "институт"}},
		"fr": {{"Numérique", "Télécom", "Développement", "Innovation", "Réseau", "Avenir", "Énergie", "Créativité"}, {"Fondation", "Université", "Banque", "Groupe", "Association", "Centre", "Agence"}},
		"es": {{"Digital", "Telecomunicación", "Desarrollo", "Innovación", "Red", "Futuro", "Conexión", "Señal"}, {"Fundación", "Universidad", "Banco", "Grupo", "Asociación", "Centro", "Agencia"}},
	}
	scriptLanguages = []string{"ar", "es", "fr", "ru", "zh"}
)

// syntheticPartners makes n partners numbered from start, with types, headquarters regions,
// action areas and financing types drawn from the demo partners.
func syntheticPartners(rng *rand.Rand, demo []*partner.Partner, countries []reference.Country, labels reference.LabelSet, start, n int) []*partner.Partner {
	byRegion := map[string][]reference.Country{}
	regionOf := map[string]string{}
	for _, c := range countries {
		if c.Region != "" && c.ITUMember {
			byRegion[c.Region] = append(byRegion[c.Region], c)
		}
		regionOf[c.Code] = c.Region
	}
	list := make([]*partner.Partner, 0, n)
	for i := start; i < start+n; i++ {
		model := demo[rng.IntN(len(demo))] // type, region and interests as one demo partner has them
		region := regionOf[model.Country]
		if region == "" {
			region = reference.RegionEUR
		}
		home := byRegion[region][rng.IntN(len(byRegion[region]))]
		suffixes := typeSuffixes[model.Type]
		name := fmt.Sprintf("%s %s %s", namePrefixes[rng.IntN(len(namePrefixes))], nameCores[rng.IntN(len(nameCores))], suffixes[rng.IntN(len(suffixes))])
		acronym := initials(name)
		p := &partner.Partner{
			Key:        fmt.Sprintf("%s-%d", strings.ToLower(strings.ReplaceAll(acronym, " ", "")), i+1),
			Type:       model.Type,
			Membership: model.Membership,
			Country:    home.Code,
			Website:    fmt.Sprintf("https://www.%s-%d.example", strings.ToLower(acronym), i+1),
			Status:     model.Status,
			Texts: map[string]partner.Text{"en": {
				Name:     name,
				Acronym:  acronym,
				Mandate:  fmt.Sprintf("%s, based in %s, works on %s.", name, home.Names["en"], englishLabels(labels, reference.ListActionArea, model.ActionAreas)),
				Strategy: fmt.Sprintf("Supports the bureau through %s in %s.", englishLabels(labels, reference.ListFinancingType, model.FinancingTypes), englishLabels(labels, reference.ListRegion, model.Regions)),
			}},
			ActionAreas:    slices.Clone(model.ActionAreas),
			Regions:        slices.Clone(model.Regions),
			FinancingTypes: slices.Clone(model.FinancingTypes),
		}
		if !slices.Contains(p.Regions, region) {
			p.Regions = append(p.Regions, region)
		}
		for range rng.IntN(4) {
			c := byRegion[region][rng.IntN(len(byRegion[region]))].Code
			if !slices.Contains(p.Countries, c) {
				p.Countries = append(p.Countries, c)
			}
		}
		if rng.IntN(10) == 0 {
			lang := scriptLanguages[rng.IntN(len(scriptLanguages))]
			words := otherScripts[lang]
			first, last := words[0][rng.IntN(len(words[0]))], words[1][rng.IntN(len(words[1]))]
			local := first + " " + last
			switch lang {
			case "zh":
				local = first + last
			case "ar":
				local = last + " " + first
			}
			p.Texts[lang] = partner.Text{Name: local}
		}
		list = append(list, p)
	}
	return list
}

// initials returns the capital initials of a name: "Kestrel Data Foundation" → "KDF".
func initials(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		b.WriteString(strings.ToUpper(w[:1]))
	}
	return b.String()
}

// englishLabels names codes in English, as a sentence lists them: "Infrastructure, Innovation".
func englishLabels(labels reference.LabelSet, list string, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = labels.Label(list, c, "en")
	}
	return strings.Join(names, ", ")
}
