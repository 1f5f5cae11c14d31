package store_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// The figures below are worked out by hand from the dataset of loadReportData, over 2015–2016:
// A1 (2015, cooperation, capacity building, AFR ½ ARB ½, government and private parties,
// 100,000.50), A2 (2016, sponsorship, cybersecurity, EUR, foundation, 50,000.99, office EUR) and
// A3 (2016, amendment of A1, 20,000.20).
func TestDashboardFilters(t *testing.T) {
	tests := []struct {
		name   string
		by     insight.Dimension
		filter insight.Filter
		rows   []insight.Row
		total  insight.Row
	}{
		{"a region weighs each agreement by its share there", insight.ByYear, insight.Filter{Region: "AFR"},
			[]insight.Row{{Key: "2015", New: 0.5, ValueUSD: 5000025}, {Key: "2016", Amendments: 0.5, ValueUSD: 1000010}},
			insight.Row{New: 0.5, Amendments: 0.5, ValueUSD: 6000035}},
		{"by region with a region shows that region alone", insight.ByRegion, insight.Filter{Region: "ARB"},
			[]insight.Row{{Key: "ARB", New: 0.5, Amendments: 0.5, ValueUSD: 6000035}},
			insight.Row{New: 0.5, Amendments: 0.5, ValueUSD: 6000035}},
		{"a partner type takes the agreements with a party of that type", insight.ByYear, insight.Filter{PartnerType: "private"},
			[]insight.Row{{Key: "2015", New: 1, ValueUSD: 10000050}},
			insight.Row{New: 1, ValueUSD: 10000050}},
		{"an action area", insight.ByType, insight.Filter{ActionArea: "capacity_building"},
			[]insight.Row{{Key: "cooperation", New: 1, ValueUSD: 10000050}, {Key: "amendment", Amendments: 1, ValueUSD: 2000020}},
			insight.Row{New: 1, Amendments: 1, ValueUSD: 12000070}},
		{"an agreement type and an office together", insight.ByRegion, insight.Filter{Type: "sponsorship", Office: "EUR"},
			[]insight.Row{{Key: "EUR", New: 1, ValueUSD: 5000099}},
			insight.Row{New: 1, ValueUSD: 5000099}},
		{"filters that select nothing", insight.ByYear, insight.Filter{Type: "sponsorship", Office: "AFR"},
			nil, insight.Row{}},
		{"a partner type by region: A1 (government and private) and A3 (government)", insight.ByRegion, insight.Filter{PartnerType: "government"},
			[]insight.Row{{Key: "AFR", New: 0.5, Amendments: 0.5, ValueUSD: 6000035}, {Key: "ARB", New: 0.5, Amendments: 0.5, ValueUSD: 6000035}},
			insight.Row{New: 1, Amendments: 1, ValueUSD: 12000070}},
		{"a partner type and a region weigh by the share", insight.ByYear, insight.Filter{PartnerType: "government", Region: "AFR"},
			[]insight.Row{{Key: "2015", New: 0.5, ValueUSD: 5000025}, {Key: "2016", Amendments: 0.5, ValueUSD: 1000010}},
			insight.Row{New: 0.5, Amendments: 0.5, ValueUSD: 6000035}},
		{"a partner type by action area", insight.ByActionArea, insight.Filter{PartnerType: "government"},
			[]insight.Row{{Key: "capacity_building", New: 1, Amendments: 1, ValueUSD: 12000070}},
			insight.Row{New: 1, Amendments: 1, ValueUSD: 12000070}},
		{"a partner type and an office", insight.ByType, insight.Filter{PartnerType: "foundation", Office: "EUR"},
			[]insight.Row{{Key: "sponsorship", New: 1, ValueUSD: 5000099}},
			insight.Row{New: 1, ValueUSD: 5000099}},
		{"a partner type that no agreement of the type has", insight.ByYear, insight.Filter{PartnerType: "private", Type: "amendment"},
			nil, insight.Row{}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		loadReportData(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, err := db.FilteredAgreementReport(t.Context(), tt.by, 2015, 2016, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "rows", r.Rows, tt.rows)
				equal(t, "total", r.Total, tt.total)
			})
		}
	})
}

func TestDashboardPanels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		loadReportData(t, db)
		// A1 is paid in two instalments, one in 2015 and one in 2016; A2's is due but unpaid.
		for _, i := range []struct {
			ref               string
			due, received     string
			amount, received_ int64
		}{
			{"A1", "2015-06-30", "2015-07-02", 6000000, 6000000},
			{"A1", "2016-06-30", "2016-08-01", 4000050, 3000000},
			{"A2", "2016-12-31", "", 5000099, 0},
		} {
			in := &agreement.Instalment{DueOn: civil.MustParse(i.due), Amount: money.Amount(i.amount), Received: money.Amount(i.received_)}
			if i.received != "" {
				in.ReceivedOn = civil.MustParse(i.received)
			}
			if err := db.SaveInstalment(ctx, i.ref, in); err != nil {
				t.Fatal(err)
			}
		}
		byYear, err := db.MoneyByYear(ctx, 2014, 2016, insight.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "money by year", byYear, []insight.YearMoney{
			{Year: 2014, Pledged: 99999900},
			{Year: 2015, Pledged: 10000050, Received: 6000000},
			{Year: 2016, Pledged: 7000119, Received: 3000000},
		})
		byYear, err = db.MoneyByYear(ctx, 2015, 2016, insight.Filter{Region: "AFR"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "money by year in Africa", byYear, []insight.YearMoney{
			{Year: 2015, Pledged: 5000025, Received: 3000000},
			{Year: 2016, Pledged: 1000010, Received: 1500000},
		})

		byYear, err = db.MoneyByYear(ctx, 2015, 2016, insight.Filter{PartnerType: "government", Region: "ARB"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "money by year of governments in the Arab States", byYear, []insight.YearMoney{
			{Year: 2015, Pledged: 5000025, Received: 3000000},
			{Year: 2016, Pledged: 1000010, Received: 1500000},
		})
		byYear, err = db.MoneyByYear(ctx, 2015, 2016, insight.Filter{PartnerType: "foundation"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "money by year of foundations", byYear, []insight.YearMoney{{Year: 2016, Pledged: 5000099}})

		types, err := db.PartnersByType(ctx, 2015, 2016, insight.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// The government appears in A1 and A3 but counts once.
		equal(t, "partners by type", types, []insight.TypeCount{{Type: "government", Partners: 1}, {Type: "foundation", Partners: 1}, {Type: "private", Partners: 1}})
		types, err = db.PartnersByType(ctx, 2015, 2016, insight.Filter{Type: "sponsorship"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "partners by type of sponsorships", types, []insight.TypeCount{{Type: "foundation", Partners: 1}})

		// Agreements with a private party: A1, with the ministry as the other party.
		types, err = db.PartnersByType(ctx, 2015, 2016, insight.Filter{PartnerType: "private"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "partners by type of agreements with a private party", types, []insight.TypeCount{{Type: "government", Partners: 1}, {Type: "private", Partners: 1}})
		// Partners of African agreements: A1 and A3, half in Africa.
		types, err = db.PartnersByType(ctx, 2015, 2016, insight.Filter{Region: "AFR"})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "partners by type of African agreements", types, []insight.TypeCount{{Type: "government", Partners: 1}, {Type: "private", Partners: 1}})
		african, err := db.TopPartners(ctx, 2015, 2016, insight.Filter{Region: "AFR"}, 5)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "top partners of African agreements", african, []insight.TopPartner{
			{ID: african[0].ID, Key: "gov-ministry", Name: "Ministry of Digital Economy", Agreements: 1, ValueUSD: 6000035},
			{ID: african[min(1, len(african)-1)].ID, Key: "telco-firm", Name: "Telco Firm", Agreements: 0.5, ValueUSD: 5000025}})
		privately, err := db.TopPartners(ctx, 2014, 2016, insight.Filter{PartnerType: "private"}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(privately) != 2 || privately[0].Key != "telco-firm" || privately[0].ValueUSD != 109999950 || privately[0].Agreements != 2 ||
			privately[1].Key != "gov-ministry" || privately[1].ValueUSD != 10000050 || privately[1].Agreements != 1 {
			t.Errorf("top partners of agreements with a private party = %+v; want the firm (A4 and A1) then the ministry (A1)", privately)
		}

		top, err := db.TopPartners(ctx, 2015, 2016, insight.Filter{}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 2 || top[0].Key != "gov-ministry" || top[0].ValueUSD != 12000070 || top[0].Agreements != 2 ||
			top[1].Key != "telco-firm" || top[1].ValueUSD != 10000050 {
			t.Errorf("top partners = %+v; want the ministry (A1 and A3, 120,000.70) then the firm (A1, 100,000.50)", top)
		}
	})
}

// The report by partner type follows a partner that changes type: the agreements it is a party
// to move from the old type to the new one, and nothing is left behind.
func TestReportFollowsAPartnerThatChangesType(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		loadReportData(t, db)
		report := func() []insight.Row {
			t.Helper()
			r, err := db.AgreementReport(ctx, insight.ByPartnerType, 2015, 2016)
			if err != nil {
				t.Fatal(err)
			}
			return r.Rows
		}
		// A1 has two parties (half each), A2 one, A3 (the amendment) one.
		equal(t, "by partner type", report(), []insight.Row{
			{Key: "government", New: 0.5, Amendments: 1, ValueUSD: 7000045},
			{Key: "foundation", New: 1, ValueUSD: 5000099},
			{Key: "private", New: 0.5, ValueUSD: 5000025},
		})
		firm, err := db.PartnerByKey(ctx, "telco-firm")
		if err != nil {
			t.Fatal(err)
		}
		firm.Type = "academia"
		if err := db.UpdatePartner(ctx, firm); err != nil {
			t.Fatal(err)
		}
		equal(t, "by partner type after the firm became academia", report(), []insight.Row{
			{Key: "government", New: 0.5, Amendments: 1, ValueUSD: 7000045},
			{Key: "foundation", New: 1, ValueUSD: 5000099},
			{Key: "academia", New: 0.5, ValueUSD: 5000025},
		})
		types, err := db.PartnersByType(ctx, 2015, 2016, insight.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "partners by type after the firm became academia", types, []insight.TypeCount{
			{Type: "government", Partners: 1}, {Type: "foundation", Partners: 1}, {Type: "academia", Partners: 1}})
		r, err := db.AgreementReport(ctx, insight.ByCountry, 2015, 2016)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "by country", r.Rows, []insight.Row{
			{Key: "EG", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
			{Key: "FR", New: 1, ValueUSD: 5000099},
			{Key: "SN", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
		})
	})
}

// A database from before agreement_type_cube and partner_filter_cells (search version 5) gains
// them at the re-index that runs at start: the dashboard filtered by partner type, and the
// partner panels filtered, then show what they show on a new database.
func TestTypeCubeFilledByTheReindex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		loadReportData(t, db)
		filters := []insight.Filter{{PartnerType: "government"}, {Region: "AFR"}, {ActionArea: "capacity_building"},
			{ActionArea: "cybersecurity"}, {Type: "cooperation"}, {Office: "EUR"}}
		panels := func() string {
			t.Helper()
			var out []string
			for _, f := range filters {
				types, err := db.PartnersByType(ctx, 2014, 2017, f)
				if err != nil {
					t.Fatal(err)
				}
				top, err := db.TopPartners(ctx, 2014, 2017, f, 5)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%+v: %+v %+v", f, types, top))
			}
			return strings.Join(out, "\n")
		}
		want := panels()
		if err := db.IndexAgreementsAsVersion5(ctx); err != nil {
			t.Fatal(err)
		}
		if panels() == want {
			t.Fatal("the partner panels of version 5 already show what a new database shows: the test proves nothing")
		}
		for range 2 { // the second re-index has nothing to do
			if _, err := db.ReindexAgreements(ctx); err != nil {
				t.Fatal(err)
			}
			r, err := db.FilteredAgreementReport(ctx, insight.ByRegion, 2015, 2016, insight.Filter{PartnerType: "government"})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "governments by region", r.Rows, []insight.Row{{Key: "AFR", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
				{Key: "ARB", New: 0.5, Amendments: 0.5, ValueUSD: 6000035}})
			equal(t, "total of governments", r.Total, insight.Row{New: 1, Amendments: 1, ValueUSD: 12000070})
			r, err = db.FilteredAgreementReport(ctx, insight.ByYear, 2014, 2017, insight.Filter{PartnerType: "private"})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "private partners by year", r.Rows, []insight.Row{{Key: "2014", New: 1, ValueUSD: 99999900},
				{Key: "2015", New: 1, ValueUSD: 10000050}})
			equal(t, "partner panels after the re-index", panels(), want)
		}
	})
}

// The partner panels (partners by type, top partners) read the report cells without a filter
// or with one field of it, and the report parts of the agreements the search index selects with
// several. Both must give what the agreements themselves give, counted here by hand: on skewed
// random values, where the best partner of a year is often not among the best of the period
// (the threshold algorithm of the ranking), and binary-fraction region shares, so that sums in
// any order are exact.
func TestPartnerPanelsMatchTheAgreements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		rng := rand.New(rand.NewPCG(6, 6))
		types := []string{"government", "private", "foundation", "academia"}
		var partners []*partner.Partner
		for i := range 300 {
			partners = append(partners, newPartner(fmt.Sprintf("p-%03d", i), fmt.Sprintf("Partner %03d", i), types[i%len(types)]))
		}
		mustCreatePartners(t, db, partners...)
		var list []*agreement.Agreement
		for i := range 1500 {
			value := money.Amount(rng.IntN(1000)) * 100
			if rng.IntN(20) == 0 {
				value *= 1000 // a few large contributions
			}
			year := 2019 + rng.IntN(4)
			if i%50 == 0 {
				year = 2040 // beyond the years partner_activity holds
			}
			a := newAgreement(fmt.Sprintf("R-%04d", i), "cooperation", fmt.Sprintf("%d-06-15", year), value,
				partners[rng.IntN(len(partners))].ID)
			if rng.IntN(4) == 0 {
				other := partners[rng.IntN(len(partners))]
				if other.ID != a.Parties[0].PartnerID {
					a.Parties = append(a.Parties, agreement.Party{PartnerID: other.ID, Role: agreement.RoleImplementing})
				}
			}
			a.Office = "HQ"
			if rng.IntN(3) == 0 {
				a.PrimaryActionArea = "ict_applications"
			}
			// Shares that are binary fractions, so that sums in any order are exact.
			switch rng.IntN(3) {
			case 0:
				a.Regions = []agreement.RegionShare{{Region: "AFR", Share: 0.25}, {Region: "ASP", Share: 0.75}}
			case 1:
				a.Regions = agreement.EqualShares("AFR")
			}
			list = append(list, a)
		}
		mustCreateAgreements(t, db, list...)
		byID := map[int64]*partner.Partner{}
		for _, p := range partners {
			byID[p.ID] = p
		}
		// want counts the panels of the agreements live by hand.
		want := func(live []*agreement.Agreement, from, to int, f insight.Filter, limit int) ([]insight.TypeCount, []insight.TopPartner) {
			types := map[string]map[int64]bool{}
			sums := map[int64]*insight.TopPartner{}
			var values = map[int64]float64{}
			for _, a := range live {
				weight := 1.0
				if f.Region != "" {
					weight = 0
					for _, r := range a.Regions {
						if r.Region == f.Region {
							weight = r.Share
						}
					}
				}
				hasType := f.PartnerType == ""
				for _, party := range a.Parties {
					hasType = hasType || byID[party.PartnerID].Type == f.PartnerType
				}
				if a.SignedOn.Year < from || a.SignedOn.Year > to || weight == 0 || !hasType ||
					f.ActionArea != "" && a.PrimaryActionArea != f.ActionArea || f.Type != "" && a.Type != f.Type ||
					f.Office != "" && a.Office != f.Office {
					continue
				}
				for _, party := range a.Parties {
					p := byID[party.PartnerID]
					if types[p.Type] == nil {
						types[p.Type] = map[int64]bool{}
					}
					types[p.Type][p.ID] = true
					if sums[p.ID] == nil {
						sums[p.ID] = &insight.TopPartner{ID: p.ID, Key: p.Key, Name: p.Name("en")}
					}
					sums[p.ID].Agreements += weight
					values[p.ID] += weight * float64(a.ValueUSD)
				}
			}
			var byType []insight.TypeCount
			for typ, ids := range types {
				byType = append(byType, insight.TypeCount{Type: typ, Partners: len(ids)})
			}
			var top []insight.TopPartner
			for id, p := range sums {
				p.ValueUSD = money.Amount(math.Round(values[id]))
				top = append(top, *p)
			}
			slices.SortFunc(top, func(a, b insight.TopPartner) int {
				return cmp.Or(cmp.Compare(values[b.ID], values[a.ID]), cmp.Compare(a.ID, b.ID))
			})
			return byType, top[:min(limit, len(top))]
		}
		filters := []insight.Filter{{}, {PartnerType: "government"}, {PartnerType: "academia"}, {Region: "AFR"}, {Region: "ASP"},
			{ActionArea: "generic"}, {ActionArea: "ict_applications"}, {Type: "cooperation"}, {Office: "HQ"},
			{Region: "AFR", ActionArea: "ict_applications"}, {PartnerType: "government", Region: "ASP"},
			{Office: "HQ", Type: "cooperation"}, {PartnerType: "academia", ActionArea: "generic", Office: "HQ"}}
		compare := func(live []*agreement.Agreement, when string) {
			t.Helper()
			for _, period := range [][2]int{{2019, 2022}, {2020, 2021}, {2022, 2022}, {2022, 2040}} {
				for _, f := range filters {
					for _, limit := range []int{1, 2, 3, 5, 10} {
						top, err := db.TopPartners(ctx, period[0], period[1], f, limit)
						if err != nil {
							t.Fatal(err)
						}
						_, wantTop := want(live, period[0], period[1], f, limit)
						if len(wantTop) == 0 {
							t.Fatalf("no partner of %+v in %v: the comparison would prove nothing", f, period)
						}
						equal(t, fmt.Sprintf("top %d partners of %+v, %v %s", limit, f, period, when), top, wantTop)
					}
					types, err := db.PartnersByType(ctx, period[0], period[1], f)
					if err != nil {
						t.Fatal(err)
					}
					wantTypes, _ := want(live, period[0], period[1], f, 0)
					byName := func(a, b insight.TypeCount) int { return strings.Compare(a.Type, b.Type) }
					slices.SortFunc(types, byName)
					slices.SortFunc(wantTypes, byName)
					equal(t, fmt.Sprintf("partners by type of %+v, %v %s", f, period, when), types, wantTypes)
				}
			}
		}
		compare(list, "as created")
		// Deleting agreements takes their partners out of the years they no longer have.
		for _, a := range list[:900] {
			if err := db.DeleteAgreement(ctx, a.Reference, 1); err != nil {
				t.Fatal(err)
			}
		}
		compare(list[900:], "after deletions")
	})
}

// TestTopPartnersFindsAPartnerNeverAmongAYearsLeaders ranks first a partner whose value is
// spread over four years, among the leaders of only one of them: each year has more partners
// worth 200 than the ranking reads first, the spread partner is worth 600 and then 190 a year,
// and the partner worth the most in a single year 1,000 in all.
func TestTopPartnersFindsAPartnerNeverAmongAYearsLeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		single, spread := newPartner("single", "Single year", "private"), newPartner("spread", "Spread", "private")
		partners := []*partner.Partner{single, spread}
		var fillers [][]*partner.Partner
		for year := range 4 {
			var ofYear []*partner.Partner
			for i := range 300 {
				ofYear = append(ofYear, newPartner(fmt.Sprintf("f-%d-%03d", year, i), fmt.Sprintf("Filler %d %03d", year, i), "government"))
			}
			fillers = append(fillers, ofYear)
			partners = append(partners, ofYear...)
		}
		mustCreatePartners(t, db, partners...)
		var list []*agreement.Agreement
		add := func(p *partner.Partner, year int, value money.Amount) {
			list = append(list, newAgreement(fmt.Sprintf("T-%04d", len(list)), "cooperation", fmt.Sprintf("%d-03-01", year), value, p.ID))
		}
		add(single, 2021, 1000)
		add(spread, 2021, 600)
		for year := range 4 {
			if year > 0 {
				add(spread, 2021+year, 190)
			}
			for _, f := range fillers[year] {
				add(f, 2021+year, 200)
			}
		}
		mustCreateAgreements(t, db, list...)
		for limit, want := range map[int][]string{1: {"spread 11.70"}, 2: {"spread 11.70", "single 10.00"}} {
			top, err := db.TopPartners(ctx, 2021, 2024, insight.Filter{}, limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range top {
				got = append(got, fmt.Sprintf("%s %v", p.Key, p.ValueUSD))
			}
			equal(t, fmt.Sprintf("top %d partners", limit), got, want)
		}
	})
}
