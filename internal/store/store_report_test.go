package store_test

import (
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/insight"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// loadReportData stores a small dataset whose report figures are worked out by hand below.
//
//	agreement  signed      type         action area        regions          countries  parties (type)                       USD
//	A1         2015-03-10  cooperation  capacity_building  AFR ½, ARB ½     EG, SN     gov funder, private implementing     100,000.50
//	A2         2016-11-20  sponsorship  cybersecurity      EUR              FR         foundation funder                     50,000.99  (office EUR)
//	A3         2016-02-01  amendment    capacity_building  AFR ½, ARB ½     EG, SN     gov funder                            20,000.20  (amends A1)
//	out of the 2015–2016 period: A4 2014-12-31 and A5 2017-01-01 (GLO, mou), and a draft with no signing date.
func loadReportData(t *testing.T, db *store.DB) {
	t.Helper()
	gov := newPartner("gov-ministry", "Ministry of Digital Economy", "government")
	firm := newPartner("telco-firm", "Telco Firm", "private")
	fund := newPartner("open-fund", "Open Foundation", "foundation")
	mustCreatePartners(t, db, gov, firm, fund)

	a1 := newAgreement("A1", "cooperation", "2015-03-10", 10000050, gov.ID)
	a1.PrimaryActionArea = "capacity_building"
	a1.Regions = []agreement.RegionShare{{Region: "AFR", Share: 0.5}, {Region: "ARB", Share: 0.5}}
	a1.Countries = []string{"SN", "EG"}
	a1.Parties = append(a1.Parties, agreement.Party{PartnerID: firm.ID, Role: agreement.RoleImplementing})

	a2 := newAgreement("A2", "sponsorship", "2016-11-20", 5000099, fund.ID)
	a2.PrimaryActionArea = "cybersecurity"
	a2.Regions = agreement.EqualShares("EUR")
	a2.Countries = []string{"FR"}
	a2.Office = "EUR"

	a4 := newAgreement("A4", "mou", "2014-12-31", 99999900, firm.ID)
	a5 := newAgreement("A5", "mou", "2017-01-01", 77700, fund.ID)
	draft := newAgreement("DRAFT", "letter_of_intent", "", 500, gov.ID)
	draft.Status = agreement.StatusDraft
	mustCreateAgreements(t, db, a1, a2, a4, a5, draft)

	a3 := newAgreement("A3", "amendment", "2016-02-01", 2000020, gov.ID)
	a3.AmendsID, a3.AmendmentKind = a1.ID, agreement.KindAddedFunds
	a3.PrimaryActionArea = "capacity_building"
	a3.Regions = []agreement.RegionShare{{Region: "AFR", Share: 0.5}, {Region: "ARB", Share: 0.5}}
	a3.Countries = []string{"SN", "EG"}
	mustCreateAgreements(t, db, a3)
}

func TestAgreementReport(t *testing.T) {
	// Every dimension has the same total for 2015–2016: A1 and A2 are new, A3 is an amendment,
	// worth 100,000.50 + 50,000.99 + 20,000.20 = 170,001.69.
	total := insight.Row{New: 2, Amendments: 1, ValueUSD: 17000169}
	tests := []struct {
		by   insight.Dimension
		want []insight.Row
	}{
		{insight.ByYear, []insight.Row{
			{Key: "2015", New: 1, ValueUSD: 10000050},               // A1
			{Key: "2016", New: 1, Amendments: 1, ValueUSD: 7000119}, // A2 + A3
		}},
		{insight.ByRegion, []insight.Row{ // in region order; A1 and A3 count half in AFR and ARB
			{Key: "AFR", New: 0.5, Amendments: 0.5, ValueUSD: 6000035}, // 5,000,025 + 1,000,010 cents
			{Key: "ARB", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
			{Key: "EUR", New: 1, ValueUSD: 5000099},
		}},
		{insight.ByActionArea, []insight.Row{ // in action-area order
			{Key: "capacity_building", New: 1, Amendments: 1, ValueUSD: 12000070},
			{Key: "cybersecurity", New: 1, ValueUSD: 5000099},
		}},
		{insight.ByType, []insight.Row{ // in agreement-type order, amendment last
			{Key: "cooperation", New: 1, ValueUSD: 10000050},
			{Key: "sponsorship", New: 1, ValueUSD: 5000099},
			{Key: "amendment", Amendments: 1, ValueUSD: 2000020},
		}},
		{insight.ByPartnerType, []insight.Row{ // A1 has two parties: half each
			{Key: "government", New: 0.5, Amendments: 1, ValueUSD: 7000045}, // 5,000,025 (A1) + 2,000,020 (A3)
			{Key: "foundation", New: 1, ValueUSD: 5000099},
			{Key: "private", New: 0.5, ValueUSD: 5000025},
		}},
		{insight.ByCountry, []insight.Row{ // by code; A1 and A3 count half in EG and SN
			{Key: "EG", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
			{Key: "FR", New: 1, ValueUSD: 5000099},
			{Key: "SN", New: 0.5, Amendments: 0.5, ValueUSD: 6000035},
		}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		loadReportData(t, db)
		for _, tt := range tests {
			t.Run(string(tt.by), func(t *testing.T) {
				r, err := db.AgreementReport(t.Context(), tt.by, 2015, 2016)
				if err != nil {
					t.Fatal(err)
				}
				if r.By != tt.by || r.From != 2015 || r.To != 2016 {
					t.Errorf("report is by %s for %d–%d, want by %s for 2015–2016", r.By, r.From, r.To, tt.by)
				}
				equal(t, "rows", r.Rows, tt.want)
				equal(t, "total", r.Total, total)
			})
		}
	})
}

func TestAgreementReportPeriods(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		loadReportData(t, db)

		// 2014–2017 takes in A4 (last day of 2014) and A5 (first day of 2017) too; the draft stays out.
		r, err := db.AgreementReport(ctx, insight.ByYear, 2014, 2017)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "rows 2014–2017", r.Rows, []insight.Row{
			{Key: "2014", New: 1, ValueUSD: 99999900},
			{Key: "2015", New: 1, ValueUSD: 10000050},
			{Key: "2016", New: 1, Amendments: 1, ValueUSD: 7000119},
			{Key: "2017", New: 1, ValueUSD: 77700},
		})
		equal(t, "total 2014–2017", r.Total, insight.Row{New: 4, Amendments: 1, ValueUSD: 117077769})

		// A period includes its first and last days: A4 is signed on 31 December, A5 on 1 January.
		for _, y := range []struct {
			year int
			want insight.Row
		}{
			{2014, insight.Row{Key: "2014", New: 1, ValueUSD: 99999900}},
			{2017, insight.Row{Key: "2017", New: 1, ValueUSD: 77700}},
		} {
			r, err := db.AgreementReport(ctx, insight.ByYear, y.year, y.year)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "rows of the single year", r.Rows, []insight.Row{y.want})
			equal(t, "total of the single year", r.Total, insight.Row{New: 1, ValueUSD: y.want.ValueUSD})
		}

		// A single year.
		r, err = db.AgreementReport(ctx, insight.ByRegion, 2015, 2015)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "regions 2015", r.Rows, []insight.Row{
			{Key: "AFR", New: 0.5, ValueUSD: 5000025},
			{Key: "ARB", New: 0.5, ValueUSD: 5000025},
		})
		equal(t, "total 2015", r.Total, insight.Row{New: 1, ValueUSD: 10000050})

		// Years with nothing signed.
		r, err = db.AgreementReport(ctx, insight.ByType, 2020, 2021)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 0 || r.Total != (insight.Row{}) {
			t.Errorf("2020–2021 = %+v, total %+v; want no rows and a zero total", r.Rows, r.Total)
		}
	})
}

func TestAgreementReportRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name     string
			by       insight.Dimension
			from, to int
		}{
			{"unknown dimension", "colour", 2015, 2016},
			{"empty dimension", "", 2015, 2016},
			{"to before from", insight.ByYear, 2016, 2015},
			{"year too early", insight.ByYear, 1800, 2016},
			{"year too late", insight.ByYear, 2015, 10000},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.AgreementReport(t.Context(), tt.by, tt.from, tt.to)
				wantCode(t, err, apperr.Invalid)
			})
		}
	})
}
