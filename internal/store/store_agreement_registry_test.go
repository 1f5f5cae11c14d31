package store_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/insight"
	"pactum/internal/mail"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// registry is a small registry with something of every facet: three funders of three types,
// a confidential contribution, an amendment and a draft.
type registry struct {
	ministry, company, foundation int64
	officer, colleague            *user.User
	coop, vc, sponsorship, secret *agreement.Agreement
	amendment, draft              *agreement.Agreement
}

func newRegistry(t *testing.T, db *store.DB) *registry {
	t.Helper()
	r := &registry{}
	ministry := newPartner("nordic-ministry", "Nordic Ministry of Foreign Affairs", "government")
	company := newPartner("kestrel-telecom", "Kestrel Telecom", "private")
	company.Texts["zh"] = partnerText("红隼电信")
	foundation := newPartner("aurora-foundation", "Aurora Foundation", "foundation")
	mustCreatePartners(t, db, ministry, company, foundation)
	r.ministry, r.company, r.foundation = ministry.ID, company.ID, foundation.ID
	r.officer = mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
	r.colleague = mustCreateUser(t, db, newUser("samir", user.RoleOfficer, true))

	r.coop = newAgreement("ITU-COOP-2015-001", "cooperation", "2015-03-01", money.FromUnits(100_000), ministry.ID)
	r.coop.Titles["fr"] = "Haut débit rural au Sénégal"
	r.coop.Titles["en"] = "Rural broadband in Senegal"
	r.coop.Regions, r.coop.Countries, r.coop.PrimaryActionArea = agreement.EqualShares("AFR"), []string{"SN"}, "infrastructure"
	r.coop.StartOn, r.coop.EndOn = civil.MustParse("2015-04-01"), civil.MustParse("2017-03-31")

	r.vc = newAgreement("ITU-VC-2016-002", "voluntary_contribution", "2016-05-01", money.FromUnits(2_000_000), company.ID)
	r.vc.Titles["en"] = "Digital skills for girls"
	r.vc.Parties = append(r.vc.Parties, agreement.Party{PartnerID: ministry.ID, Role: agreement.RoleCoSignatory})
	r.vc.Regions, r.vc.Countries, r.vc.PrimaryActionArea = agreement.EqualShares("AFR", "ARB"), []string{"SN", "EG"}, "digital_inclusion"

	r.sponsorship = newAgreement("ITU-SP-2016-003", "sponsorship", "2016-09-01", money.FromUnits(30_000), foundation.ID)
	r.sponsorship.Titles["en"] = "Sponsorship of the WSIS Forum"

	r.secret = newAgreement("ITU-VC-2016-004", "voluntary_contribution", "2016-11-01", money.FromUnits(600_000), foundation.ID)
	r.secret.Titles["en"] = "Cyber drills in the Pacific"
	r.secret.Regions, r.secret.PrimaryActionArea = agreement.EqualShares("ASP"), "cybersecurity"
	r.secret.Confidential, r.secret.OfficerID = true, r.officer.ID

	r.draft = newAgreement("ITU-DRAFT-7", "letter_of_intent", "", 0, company.ID)
	r.draft.Status = agreement.StatusDraft
	r.draft.Titles["en"] = "Letter of intent on rural broadband"
	mustCreateAgreements(t, db, r.coop, r.vc, r.sponsorship, r.secret, r.draft)

	r.amendment = newAgreement("ITU-COOP-2015-001-A1", "amendment", "2016-02-01", money.FromUnits(50_000), ministry.ID)
	r.amendment.AmendsID, r.amendment.AmendmentKind = r.coop.ID, agreement.KindAddedFunds
	r.amendment.EndOn = civil.MustParse("2018-03-31")
	r.amendment.Regions, r.amendment.PrimaryActionArea = agreement.EqualShares("AFR"), "infrastructure"
	mustCreateAgreements(t, db, r.amendment)
	return r
}

func listAgreements(t *testing.T, db *store.DB, f agreement.Filter) *agreement.Page {
	t.Helper()
	page, err := db.ListAgreements(t.Context(), f)
	if err != nil {
		t.Fatalf("list agreements %+v: %v", f, err)
	}
	return page
}

func references(items []agreement.Summary) []string {
	refs := []string{}
	for _, s := range items {
		refs = append(refs, s.Reference)
	}
	return refs
}

// countsOf returns a facet's counts as code → count.
func countsOf(page *agreement.Page, facet string) map[string]int {
	m := map[string]int{}
	for _, c := range page.Facets[facet] {
		m[c.Code] = c.Count
	}
	return m
}

func TestAgreementRegistrySearchAndFacets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRegistry(t, db)
		admin := agreement.Filter{AllConfidential: true}

		t.Run("whole registry, newest signature first, drafts last", func(t *testing.T) {
			page := listAgreements(t, db, admin)
			equal(t, "order", references(page.Items), []string{"ITU-VC-2016-004", "ITU-SP-2016-003", "ITU-VC-2016-002",
				"ITU-COOP-2015-001-A1", "ITU-COOP-2015-001", "ITU-DRAFT-7"})
			if page.Total != 6 {
				t.Errorf("total = %d, want 6", page.Total)
			}
			equal(t, "type counts", countsOf(page, agreement.FacetType), map[string]int{"voluntary_contribution": 2,
				"cooperation": 1, "sponsorship": 1, "amendment": 1, "letter_of_intent": 1})
			equal(t, "year counts", countsOf(page, agreement.FacetYear), map[string]int{"2015": 1, "2016": 4, "none": 1})
			equal(t, "partner type counts", countsOf(page, agreement.FacetPartnerType), map[string]int{"government": 3,
				"private": 2, "foundation": 2})
			equal(t, "value counts", countsOf(page, agreement.FacetValue), map[string]int{"none": 1, "under_50k": 1,
				"50k_250k": 2, "250k_1m": 1, "1m_5m": 1})
			equal(t, "region counts", countsOf(page, agreement.FacetRegion), map[string]int{"AFR": 3, "ARB": 1, "ASP": 1, "GLO": 2})
			equal(t, "confidential counts", countsOf(page, agreement.FacetConfidential), map[string]int{"yes": 1, "no": 5})
			first := page.Items[2]
			if first.Title != "Digital skills for girls" || len(first.Parties) != 2 || first.Parties[0].Name != "Kestrel Telecom" ||
				first.Parties[0].Role != agreement.RoleFunder {
				t.Errorf("line of ITU-VC-2016-002 = %+v, want its title and Kestrel Telecom as funder first", first)
			}
		})

		t.Run("search words, accents and languages", func(t *testing.T) {
			for query, want := range map[string][]string{
				"senegal":                  {"ITU-COOP-2015-001"}, // French title, accent folded
				"rural broadband":          {"ITU-COOP-2015-001", "ITU-DRAFT-7"},
				"kestrel":                  {"ITU-DRAFT-7", "ITU-VC-2016-002"}, // a party's name
				"红隼":                       {"ITU-DRAFT-7", "ITU-VC-2016-002"}, // its Chinese name, two characters
				"ITU-VC-2016-002":          {"ITU-VC-2016-002"},
				"nordic":                   {"ITU-COOP-2015-001", "ITU-COOP-2015-001-A1", "ITU-VC-2016-002"},
				"nothing-matches-this-one": {},
			} {
				page := listAgreements(t, db, agreement.Filter{Query: query, AllConfidential: true, Sort: agreement.SortReference})
				equal(t, "search "+query, references(page.Items), want)
				if page.Total != len(want) {
					t.Errorf("search %q: total %d, want %d", query, page.Total, len(want))
				}
			}
		})

		t.Run("facets combine; a chosen facet is counted over the others", func(t *testing.T) {
			f := admin
			f.Types = []string{"voluntary_contribution", "sponsorship"}
			f.Years = []string{"2016"}
			f.Sort = agreement.SortValue
			page := listAgreements(t, db, f)
			equal(t, "selection by value", references(page.Items), []string{"ITU-VC-2016-002", "ITU-VC-2016-004", "ITU-SP-2016-003"})
			// Types over the 2016 agreements; years over the chosen types.
			equal(t, "type counts", countsOf(page, agreement.FacetType), map[string]int{"voluntary_contribution": 2,
				"sponsorship": 1, "amendment": 1})
			equal(t, "year counts", countsOf(page, agreement.FacetYear), map[string]int{"2016": 3})
			equal(t, "partner counts", countsOf(page, agreement.FacetPartner), map[string]int{
				strconv.FormatInt(r.company, 10): 1, strconv.FormatInt(r.ministry, 10): 1, strconv.FormatInt(r.foundation, 10): 2})

			f = admin
			f.Query = "rural"
			f.Partners = []string{strconv.FormatInt(r.ministry, 10)}
			equal(t, "word and partner", references(listAgreements(t, db, f).Items), []string{"ITU-COOP-2015-001"})

			f = admin
			f.Ranges = []string{"1m_5m", "under_50k"}
			f.Countries = []string{"EG"}
			equal(t, "value range and country", references(listAgreements(t, db, f).Items), []string{"ITU-VC-2016-002"})
		})

		t.Run("confidential agreements show to administrators and their officer only; totals count them", func(t *testing.T) {
			for _, c := range []struct {
				who    string
				filter agreement.Filter
				sees   bool
			}{
				{"administrator", admin, true},
				{"the officer", agreement.Filter{ReaderID: r.officer.ID}, true},
				{"another officer", agreement.Filter{ReaderID: r.colleague.ID}, false},
				{"no one in particular", agreement.Filter{}, false},
			} {
				for _, query := range []string{"", "cyber", "2016"} {
					f := c.filter
					f.Query = query
					page := listAgreements(t, db, f)
					got := slices.Contains(references(page.Items), "ITU-VC-2016-004")
					if got != c.sees {
						t.Errorf("%s searching %q sees the confidential agreement: %v, want %v", c.who, query, got, c.sees)
					}
					if countsOf(page, agreement.FacetConfidential)["yes"] > 0 != c.sees {
						t.Errorf("%s searching %q: confidential facet %v", c.who, query, page.Facets[agreement.FacetConfidential])
					}
					if page.Total != len(page.Items) {
						t.Errorf("%s searching %q: total %d for %d lines", c.who, query, page.Total, len(page.Items))
					}
				}
			}
			report, err := db.AgreementReport(t.Context(), insight.ByYear, 2016, 2016)
			if err != nil {
				t.Fatal(err)
			}
			if report.Total.New != 3 || report.Total.Amendments != 1 {
				t.Errorf("2016 report counts %v new and %v amendments, want 3 and 1 (the confidential one counted)", report.Total.New, report.Total.Amendments)
			}
		})

		t.Run("pages", func(t *testing.T) {
			f := admin
			f.Limit, f.Offset = 2, 4
			page := listAgreements(t, db, f)
			equal(t, "last page", references(page.Items), []string{"ITU-COOP-2015-001", "ITU-DRAFT-7"})
			f.Query, f.Offset = "2016", 10
			page = listAgreements(t, db, f)
			if len(page.Items) != 0 || page.Total != 3 {
				t.Errorf("past the end: %d lines of %d, want none of 3", len(page.Items), page.Total)
			}
		})

		t.Run("export reads every selected agreement in order", func(t *testing.T) {
			var refs []string
			f := admin
			f.Sort = agreement.SortReference
			f.ActionAreas = []string{"infrastructure"}
			err := db.ForEachAgreement(t.Context(), f, func(a *agreement.Agreement) error {
				refs = append(refs, a.Reference)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "exported", refs, []string{"ITU-COOP-2015-001", "ITU-COOP-2015-001-A1"})
		})
	})
}

func TestAgreementEditingIsSafe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRegistry(t, db)
		admin := agreement.Filter{AllConfidential: true}

		// Two people open the same agreement; the second save is refused.
		first, _ := db.AgreementByReference(ctx, "ITU-SP-2016-003")
		second, _ := db.AgreementByReference(ctx, "ITU-SP-2016-003")
		first.Type = "cooperation"
		first.Titles["es"] = "Patrocinio del Foro CMSI"
		if err := db.UpdateAgreement(ctx, first); err != nil {
			t.Fatalf("first save: %v", err)
		}
		second.Notes = "A second opinion"
		wantCode(t, db.UpdateAgreement(ctx, second), apperr.Conflict)
		saved, _ := db.AgreementByReference(ctx, "ITU-SP-2016-003")
		if saved.Version != 2 || saved.Notes != "" || saved.Type != "cooperation" {
			t.Errorf("after the conflict: version %d, notes %q, type %s; want the first save kept", saved.Version, saved.Notes, saved.Type)
		}
		// The list and its counts follow the change.
		page := listAgreements(t, db, agreement.Filter{AllConfidential: true, Types: []string{"cooperation"}, Query: "patrocinio"})
		equal(t, "found by its new Spanish title and type", references(page.Items), []string{"ITU-SP-2016-003"})
		counts := countsOf(listAgreements(t, db, admin), agreement.FacetType)
		if counts["cooperation"] != 2 || counts["sponsorship"] != 0 {
			t.Errorf("type counts after the change: %v", counts)
		}

		// An agreement with an amendment cannot be deleted before it.
		coop, _ := db.AgreementByReference(ctx, "ITU-COOP-2015-001")
		wantCode(t, db.DeleteAgreement(ctx, coop.Reference, coop.Version), apperr.Conflict)
		amendment, _ := db.AgreementByReference(ctx, "ITU-COOP-2015-001-A1")
		if err := db.DeleteAgreement(ctx, amendment.Reference, amendment.Version); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAgreement(ctx, coop.Reference, coop.Version); err != nil {
			t.Fatal(err)
		}
		// Deleted: out of the list, counts, searches, partners' figures and reports.
		page = listAgreements(t, db, admin)
		if page.Total != 4 || slices.Contains(references(page.Items), "ITU-COOP-2015-001") {
			t.Errorf("after deleting two: %v of %d", references(page.Items), page.Total)
		}
		if n := countsOf(page, agreement.FacetActionArea)["infrastructure"]; n != 0 {
			t.Errorf("infrastructure still counted %d times", n)
		}
		if got := references(listAgreements(t, db, agreement.Filter{AllConfidential: true, Query: "senegal"}).Items); len(got) != 0 {
			t.Errorf("search finds deleted agreements %v", got)
		}
		report, _ := db.AgreementReport(ctx, insight.ByYear, 2015, 2016)
		if report.Total.New != 3 || report.Total.Amendments != 0 {
			t.Errorf("report after deletion: %v new, %v amendments; want 3 and 0", report.Total.New, report.Total.Amendments)
		}
		ministry, _ := db.PartnerByID(ctx, r.ministry)
		if ministry.AgreementCount != 1 {
			t.Errorf("ministry figures count %d agreements, want 1 (the co-signed contribution)", ministry.AgreementCount)
		}
		deleted, err := db.DeletedAgreements(ctx)
		if err != nil || len(deleted) != 2 {
			t.Fatalf("deleted agreements: %d, %v", len(deleted), err)
		}
		// Editing a deleted agreement is refused; an amendment cannot come back before its agreement.
		coop, _ = db.AgreementByReference(ctx, "ITU-COOP-2015-001")
		if !coop.Deleted() {
			t.Fatal("deleted agreement does not say so")
		}
		wantCode(t, db.UpdateAgreement(ctx, coop), apperr.NotFound)
		wantCode(t, db.RestoreAgreement(ctx, "ITU-COOP-2015-001-A1"), apperr.Conflict)
		for _, ref := range []string{"ITU-COOP-2015-001", "ITU-COOP-2015-001-A1"} {
			if err := db.RestoreAgreement(ctx, ref); err != nil {
				t.Fatalf("restore %s: %v", ref, err)
			}
		}
		page = listAgreements(t, db, admin)
		if page.Total != 6 || countsOf(page, agreement.FacetActionArea)["infrastructure"] != 2 {
			t.Errorf("after restoring: %d agreements, infrastructure %d", page.Total, countsOf(page, agreement.FacetActionArea)["infrastructure"])
		}
		equal(t, "restored found again", references(listAgreements(t, db, agreement.Filter{AllConfidential: true, Query: "senegal"}).Items),
			[]string{"ITU-COOP-2015-001"})
		ministry, _ = db.PartnerByID(ctx, r.ministry)
		if ministry.AgreementCount != 2 {
			t.Errorf("ministry figures count %d agreements after restoring, want 2", ministry.AgreementCount)
		}
	})
}

func TestPartnerChangesReachItsAgreements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRegistry(t, db)
		company, _ := db.PartnerByID(ctx, r.company)
		company.Texts["en"] = partnerText("Falcon Networks")
		company.Type = "foundation"
		if err := db.UpdatePartner(ctx, company); err != nil {
			t.Fatal(err)
		}
		f := agreement.Filter{AllConfidential: true, Query: "falcon", Sort: agreement.SortReference}
		equal(t, "found by the new name", references(listAgreements(t, db, f).Items), []string{"ITU-DRAFT-7", "ITU-VC-2016-002"})
		counts := countsOf(listAgreements(t, db, agreement.Filter{AllConfidential: true}), agreement.FacetPartnerType)
		equal(t, "partner types", counts, map[string]int{"government": 3, "foundation": 4})

		// Merging the foundation into the ministry moves its agreements to the ministry.
		if err := db.MergePartners(ctx, "nordic-ministry", "aurora-foundation"); err != nil {
			t.Fatal(err)
		}
		f = agreement.Filter{AllConfidential: true, Partners: []string{strconv.FormatInt(r.ministry, 10)}, Sort: agreement.SortReference}
		equal(t, "the ministry's after the merge", references(listAgreements(t, db, f).Items), []string{"ITU-COOP-2015-001",
			"ITU-COOP-2015-001-A1", "ITU-SP-2016-003", "ITU-VC-2016-002", "ITU-VC-2016-004"})
		counts = countsOf(listAgreements(t, db, agreement.Filter{AllConfidential: true}), agreement.FacetPartner)
		if _, ok := counts[strconv.FormatInt(r.foundation, 10)]; ok {
			t.Errorf("the merged foundation is still a partner facet: %v", counts)
		}
	})
}

func TestContributionsObligationsAndReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRegistry(t, db)
		// A contribution in euros: EUR 1,000,000 worth USD 1,100,000 at signing.
		euro := newAgreement("ITU-VC-2016-010", "voluntary_contribution", "2016-01-15", money.FromUnits(1_100_000), r.ministry)
		euro.Amount, euro.Currency, euro.OfficerID = money.FromUnits(1_000_000), "EUR", r.colleague.ID
		euro.Status, euro.StartOn, euro.EndOn = agreement.StatusActive, civil.MustParse("2016-02-01"), civil.MustParse("2017-02-28")
		mustCreateAgreements(t, db, euro)
		for _, i := range []agreement.Instalment{
			{DueOn: civil.MustParse("2016-02-01"), Amount: money.FromUnits(600_000), ReceivedOn: civil.MustParse("2016-02-10"), Received: money.FromUnits(600_000)},
			{DueOn: civil.MustParse("2017-02-01"), Amount: money.FromUnits(400_000)},
		} {
			if err := db.SaveInstalment(ctx, euro.Reference, &i); err != nil {
				t.Fatal(err)
			}
		}
		usd := agreement.Instalment{DueOn: civil.MustParse("2016-06-01"), Amount: money.FromUnits(2_000_000), ReceivedOn: civil.MustParse("2016-06-20"),
			Received: money.FromUnits(500_000)}
		if err := db.SaveInstalment(ctx, r.vc.Reference, &usd); err != nil {
			t.Fatal(err)
		}
		// A receipt without its date is refused, next to the field.
		bad := agreement.Instalment{DueOn: civil.MustParse("2016-07-01"), Amount: 100, Received: 100}
		if fields := apperr.FieldsOf(db.SaveInstalment(ctx, r.vc.Reference, &bad)); fields["received_on"].Key == "" {
			t.Errorf("receipt without a date: fields %v", fields)
		}

		ministryOnly, err := db.Contributions(ctx, []int64{r.ministry})
		if err != nil {
			t.Fatal(err)
		}
		// The ministry funds the euro contribution only (it co-signed the dollar one).
		equal(t, "ministry", *ministryOnly, agreement.Contributions{
			ByCurrency: []agreement.CurrencyMoney{{Currency: "EUR", Money: agreement.Money{Pledged: money.FromUnits(1_000_000), Received: money.FromUnits(600_000)}}},
			USD:        agreement.Money{Pledged: money.FromUnits(1_100_000), Received: money.FromUnits(660_000)},
		})
		all, err := db.Contributions(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if all.USD.Pledged != money.FromUnits(3_100_000) || all.USD.Received != money.FromUnits(1_160_000) ||
			all.USD.Outstanding() != money.FromUnits(1_940_000) || len(all.ByCurrency) != 2 {
			t.Errorf("registry contributions = %+v, want USD 3.1M pledged, 1.16M received, 1.94M outstanding in two currencies", all)
		}

		// Reports owed: one late, one submitted, one not yet due.
		for _, o := range []agreement.Obligation{
			{Kind: agreement.ObligationNarrative, DueOn: civil.MustParse("2016-12-31")},
			{Kind: agreement.ObligationFinancial, DueOn: civil.MustParse("2016-12-31"), SubmittedOn: civil.MustParse("2016-12-20")},
			{Kind: agreement.ObligationFinal, DueOn: civil.MustParse("2017-05-31")},
		} {
			if err := db.SaveObligation(ctx, euro.Reference, &o); err != nil {
				t.Fatal(err)
			}
		}
		day := civil.MustParse("2017-01-10")
		alerts, err := db.AgreementAlerts(ctx, day, agreement.Filter{ReaderID: r.colleague.ID, Lang: "en"}, 20)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, a := range alerts {
			lines = append(lines, a.Kind+" "+a.Reference+" "+a.On.String()+" "+a.ObligationKind)
		}
		// The euro contribution (samir's) ends on 28 February and the cooperation (no one's) on 31 March:
		// both within 90 days, samir's first.
		equal(t, "alerts", lines, []string{"obligation_overdue ITU-VC-2016-010 2016-12-31 narrative", "ending ITU-VC-2016-010 2017-02-28 ",
			"ending ITU-COOP-2015-001 2017-03-31 "})
		// A dashboard's filter keeps the alerts of the agreements it selects: the euro
		// contribution is global, the cooperation African, both the ministry's.
		for _, c := range []struct {
			scope insight.Filter
			want  []string
		}{
			{insight.Filter{Region: "AFR"}, []string{"ending ITU-COOP-2015-001"}},
			{insight.Filter{Region: "GLO", PartnerType: "government"}, []string{"obligation_overdue ITU-VC-2016-010", "ending ITU-VC-2016-010"}},
			{insight.Filter{Region: "ASP"}, nil},
			{insight.Filter{PartnerType: "government", Type: "cooperation"}, []string{"ending ITU-COOP-2015-001"}},
			{insight.Filter{PartnerType: "private"}, nil},
		} {
			alerts, err := db.DashboardAlerts(ctx, day, agreement.Filter{ReaderID: r.colleague.ID, Lang: "en"}, c.scope, 20)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range alerts {
				got = append(got, a.Kind+" "+a.Reference)
			}
			equal(t, fmt.Sprintf("alerts of %+v", c.scope), got, c.want)
		}

		var sent []agreement.Reminder
		compose := func(rem agreement.Reminder) (*mail.Message, error) {
			sent = append(sent, rem)
			return &mail.Message{To: "samir@example.org", Subject: "reminder", Text: "see Pactum"}, nil
		}
		if n, err := db.DueAgreementReminders(ctx, day, compose); err != nil || n != 1 {
			t.Fatalf("reminders queued: %d, %v; want 1", n, err)
		}
		if len(sent) != 1 || sent[0].UserID != r.colleague.ID || len(sent[0].Alerts) != 2 {
			t.Fatalf("reminders = %+v, want one to samir with two alerts", sent)
		}
		// The same day and the next: nothing new. A week later the late report again, not the ending.
		for _, d := range []string{"2017-01-10", "2017-01-11", "2017-01-16"} {
			sent = nil
			if n, err := db.DueAgreementReminders(ctx, civil.MustParse(d), compose); err != nil || n != 0 {
				t.Errorf("reminders on %s: %d, %v; want none", d, n, err)
			}
		}
		sent = nil
		if n, err := db.DueAgreementReminders(ctx, civil.MustParse("2017-01-17"), compose); err != nil || n != 1 ||
			len(sent[0].Alerts) != 1 || sent[0].Alerts[0].Kind != agreement.AlertObligationOverdue {
			t.Errorf("a week later: %d reminders %+v, %v; want the late report once more", n, sent, err)
		}
	})
}

func TestOverlappingAgreements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := newRegistry(t, db)
		active := newAgreement("ITU-COOP-2016-020", "cooperation", "2016-01-10", money.FromUnits(80_000), r.ministry)
		active.Status, active.StartOn, active.EndOn = agreement.StatusActive, civil.MustParse("2016-02-01"), civil.MustParse("2017-12-31")
		active.Countries, active.PrimaryActionArea = []string{"KE", "SN"}, "infrastructure"
		mustCreateAgreements(t, db, active)

		planned := newAgreement("", "cooperation", "", 0, r.ministry)
		planned.StartOn, planned.EndOn = civil.MustParse("2017-06-01"), civil.MustParse("2018-06-01")
		planned.Countries, planned.PrimaryActionArea = []string{"SN"}, "infrastructure"
		found, err := db.Overlapping(ctx, planned, agreement.Filter{AllConfidential: true})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "overlapping", references(found), []string{"ITU-COOP-2016-020"})
		for what, change := range map[string]func(a *agreement.Agreement){
			"another country": func(a *agreement.Agreement) { a.Countries = []string{"GH"} },
			"another area":    func(a *agreement.Agreement) { a.PrimaryActionArea = "cybersecurity" },
			"later dates": func(a *agreement.Agreement) {
				a.StartOn, a.EndOn = civil.MustParse("2018-01-01"), civil.MustParse("2019-01-01")
			},
			"another partner": func(a *agreement.Agreement) {
				a.Parties = []agreement.Party{{PartnerID: r.foundation, Role: agreement.RoleFunder}}
			},
			"the agreement itself": func(a *agreement.Agreement) { a.ID = active.ID },
		} {
			p := *planned
			change(&p)
			found, err := db.Overlapping(ctx, &p, agreement.Filter{AllConfidential: true})
			if err != nil || len(found) != 0 {
				t.Errorf("%s: overlapping %v, %v; want none", what, references(found), err)
			}
		}
	})
}

func partnerText(name string) partner.Text { return partner.Text{Name: name} }
