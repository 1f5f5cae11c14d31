package demo_test

import (
	"context"
	"math"
	"strconv"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/demo"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// today is fixed so that the demo draw is the same in every run.
var today = civil.MustParse("2026-11-27")

func load(t *testing.T, db *store.DB) demo.Summary {
	t.Helper()
	s, err := demo.Load(context.Background(), db, today)
	if err != nil {
		t.Fatalf("load demo: %v", err)
	}
	return s
}

func report(t *testing.T, db *store.DB, by insight.Dimension, from, to int) map[string]insight.Row {
	t.Helper()
	r, err := db.AgreementReport(context.Background(), by, from, to)
	if err != nil {
		t.Fatalf("report by %s: %v", by, err)
	}
	rows := map[string]insight.Row{"total": r.Total}
	for _, row := range r.Rows {
		rows[row.Key] = row
	}
	return rows
}

// The figures of PRODUCT.md section 6 (the seed report's status analysis for 2014–2017).
var (
	newPerYear   = map[string]float64{"2014": 42, "2015": 68, "2016": 29, "2017": 58}
	newPerRegion = map[string]float64{"AFR": 27.5, "AMS": 26, "ARB": 17, "ASP": 42, "CIS": 5, "EUR": 10.5, "GLO": 69}
	newPerArea   = map[string]float64{
		"capacity_building": 49, "ict_applications": 32, "generic": 29, "infrastructure": 27, "cybersecurity": 20,
		"enabling_environment": 16, "emergency_telecom": 10, "digital_inclusion": 7, "innovation": 3,
		"climate_ewaste": 2, "statistics": 2,
	}
)

func TestDemoReproducesTheReportFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		load(t, db)
		checks := []struct {
			by   insight.Dimension
			want map[string]float64
		}{
			{insight.ByYear, newPerYear},
			{insight.ByRegion, newPerRegion},
			{insight.ByActionArea, newPerArea},
		}
		for _, c := range checks {
			rows := report(t, db, c.by, 2014, 2017)
			for key, want := range c.want {
				if got := rows[key].New; math.Abs(got-want) > 1e-9 {
					t.Errorf("new agreements 2014–2017 by %s %s: got %v, want %v", c.by, key, got, want)
				}
			}
			if len(rows) != len(c.want)+1 {
				t.Errorf("by %s: %d rows, want %d", c.by, len(rows)-1, len(c.want))
			}
			total := rows["total"]
			if total.New != 197 || total.Amendments != 35 {
				t.Errorf("by %s total: %v new and %v amendments, want 197 and 35", c.by, total.New, total.Amendments)
			}
			if diff := total.ValueUSD - money.FromUnits(36_600_000); diff < -money.FromUnits(50_000) || diff > money.FromUnits(50_000) {
				t.Errorf("value 2014–2017: USD %s, want 36.6 million within 0.05 million", total.ValueUSD)
			}
		}
	})
}

// By the end of 2017 the registry holds 990 agreements, as the report says, and it goes on after.
func TestDemoRegistrySpansTheYears(t *testing.T) {
	db := storetest.OpenSQLite(t)
	s := load(t, db)
	rows := report(t, db, insight.ByYear, 2006, 2017)
	if got := rows["total"].New; got != 990 {
		t.Errorf("new agreements 2006–2017: %v, want 990", got)
	}
	for y := 2006; y <= today.Year; y++ {
		key := strconv.Itoa(y)
		if all := report(t, db, insight.ByYear, y, y); all["total"].New == 0 || all[key].New == 0 {
			t.Errorf("no agreements signed in %d", y)
		}
	}
	if s.Partners < 110 {
		t.Errorf("%d demo partners, the report speaks of over 110", s.Partners)
	}
}

// Every partner type and every region has partners, and some profiles are in all six languages.
func TestDemoPartnersCoverTypesRegionsAndLanguages(t *testing.T) {
	partners, parents, err := demo.Partners()
	if err != nil {
		t.Fatal(err)
	}
	countries, err := reference.DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	regionOf := map[string]string{}
	for _, c := range countries {
		regionOf[c.Code] = c.Region
	}
	types, regions := map[string]int{}, map[string]int{}
	sixLanguages := 0
	for _, p := range partners {
		types[p.Type]++
		regions[regionOf[p.Country]]++
		if len(p.Texts) == len(reference.Languages) {
			sixLanguages++
		}
	}
	for _, pt := range reference.PartnerTypes {
		if types[pt.Code] == 0 {
			t.Errorf("no demo partner of type %s", pt.Code)
		}
	}
	for _, r := range reference.Regions[:6] {
		if regions[r] == 0 {
			t.Errorf("no demo partner headquartered in %s", r)
		}
	}
	if sixLanguages < 30 {
		t.Errorf("%d partners with texts in six languages, want at least 30", sixLanguages)
	}
	if len(parents) == 0 {
		t.Error("no demo partner belongs to a parent organisation")
	}
}

// Two loads on the same day give the same registry.
func TestDemoIsDeterministic(t *testing.T) {
	a, b := storetest.OpenSQLite(t), storetest.OpenSQLite(t)
	load(t, a)
	load(t, b)
	for _, by := range insight.Dimensions {
		ra, rb := report(t, a, by, 2006, today.Year), report(t, b, by, 2006, today.Year)
		if len(ra) != len(rb) {
			t.Fatalf("by %s: %d rows and %d rows", by, len(ra), len(rb))
		}
		for k, row := range ra {
			if rb[k] != row {
				t.Errorf("by %s %s: %+v and %+v", by, k, row, rb[k])
			}
		}
	}
	for _, ref := range []string{"PCT-2006-0001", "PCT-2015-0030", "PCT-2026-0001"} {
		x, err := a.AgreementByReference(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		y, err := b.AgreementByReference(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if x.Title("en") != y.Title("en") || x.ValueUSD != y.ValueUSD || x.SignedOn != y.SignedOn {
			t.Errorf("%s differs between loads: %q %s %s and %q %s %s", ref, x.Title("en"), x.ValueUSD, x.SignedOn, y.Title("en"), y.ValueUSD, y.SignedOn)
		}
	}
}

// The large generator keeps the demo's shape: every agreement stored, amendments among them.
func TestGenerateFillsAnEmptyDatabase(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	if err := demo.Generate(ctx, db, 500, 3000, today, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountPartners(ctx); n != 500 {
		t.Errorf("%d partners, want 500", n)
	}
	n, _ := db.CountAgreements(ctx)
	if n < 2900 || n > 3000 {
		t.Errorf("%d agreements, want about 3000", n)
	}
	rows := report(t, db, insight.ByType, 2006, today.Year)
	if rows["amendment"].Amendments < 200 {
		t.Errorf("%v amendments among %d agreements, want about 12%%", rows["amendment"].Amendments, n)
	}
	if err := demo.Generate(ctx, db, 10, 10, today, nil); err == nil {
		t.Error("generate into a database with partners: no error")
	}
}

// The registry of the demo shows what the agreements pages are for: money pledged, received and
// outstanding, reports overdue, agreements ending soon, and a few confidential ones.
func TestDemoRegistryHasMoneyObligationsAndAlerts(t *testing.T) {
	db := storetest.OpenSQLite(t)
	load(t, db)
	ctx := context.Background()
	c, err := db.Contributions(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.USD.Received <= 0 || c.USD.Outstanding() <= 0 || c.USD.Received >= c.USD.Pledged || len(c.ByCurrency) < 2 {
		t.Errorf("demo contributions: %+v, want money received and outstanding in several currencies", c)
	}
	alerts, err := db.AgreementAlerts(ctx, today, agreement.Filter{AllConfidential: true, Lang: "en"}, 500)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, a := range alerts {
		kinds[a.Kind]++
		if a.OfficerID == 0 {
			t.Errorf("alert on %s has no officer to remind", a.Reference)
		}
	}
	if kinds[agreement.AlertObligationOverdue] == 0 || kinds[agreement.AlertEnding] == 0 {
		t.Errorf("demo alerts by kind: %v, want overdue reports and agreements ending", kinds)
	}
	page, err := db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Confidential: []string{"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total == 0 || page.Total > 40 {
		t.Errorf("%d confidential demo agreements, want a few", page.Total)
	}
}
