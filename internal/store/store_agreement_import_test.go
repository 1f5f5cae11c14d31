package store_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/importer"
	"pactum/internal/store"
	"pactum/internal/store/agreements"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// importSetup gives a database the partners and the officer the import files of these tests name.
func importSetup(t *testing.T, db *store.DB) {
	t.Helper()
	ministry := newPartner("nordic-ministry", "Nordic Ministry of Foreign Affairs", "government")
	company := newPartner("kestrel-telecom", "Kestrel Telecom", "private")
	company.Texts["zh"] = partnerText("红隼电信")
	mustCreatePartners(t, db, ministry, company, newPartner("aurora-foundation", "Aurora Foundation", "foundation"))
	mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
	mustCreateUser(t, db, newUser("visitor", user.RoleExternal, true))
}

// importAgreementFile imports file into db as the command and the page do, and returns the check's
// result and what was written.
func importAgreementFile(t *testing.T, db *store.DB, file string) (*importer.AgreementResult, agreements.AgreementImportSummary, error) {
	t.Helper()
	ctx := t.Context()
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	rates, err := db.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := importer.AgreementOptions{Resolver: rs, Rates: rates, Today: civil.Of(time.Now()), Lookup: db}
	sess, err := db.BeginAgreementImport(ctx, "agreements.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Rollback()
	res, err := importer.ImportAgreements(ctx, strings.NewReader(file), opts, sess)
	if err != nil {
		return res, agreements.AgreementImportSummary{}, err
	}
	if !res.OK() {
		return res, agreements.AgreementImportSummary{}, errors.New("problems")
	}
	summary, err := sess.Commit(ctx, nil)
	return res, summary, err
}

const importFile1 = "reference,title,title_fr,type,partners,signed_on,start_on,end_on,status,amount,currency,regions,countries,action_area,amends,notes,officer,confidential,in_kind_usd,initiative,office\n" +
	"ITU-VC-2016-002-A1,More for girls,,amendment,kestrel-telecom,2017-02-01,,2019-12-31,active,100000,CHF,AFR,,digital_inclusion,ITU-VC-2016-002,,,,,,\n" +
	"ITU-COOP-2015-001,Rural broadband in Senegal,Haut débit rural au Sénégal,cooperation,nordic-ministry,2015-03-01,2015-04-01,2017-03-31,expired,100000,USD,AFR,SN,infrastructure,,Signed in Dakar,,,,,AFR\n" +
	"ITU-VC-2016-002,Digital skills for girls,,voluntary_contribution,kestrel-telecom;nordic-ministry:co_signatory,2016-05-01,,,active,2000000,EUR,AFR;ARB,SN;EG,digital_inclusion,,,,,25000,Girls in ICT,\n" +
	"ITU-VC-2016-004,Cyber drills in the Pacific,,voluntary_contribution,aurora-foundation,2016-11-01,,,signed,600000,USD,ASP,,cybersecurity,,,amina,yes,,,\n" +
	"ITU-DRAFT-7,Letter of intent on rural broadband,,letter_of_intent,kestrel-telecom,,,,draft,,,GLO,,generic,,,,,,,HQ\n" +
	"ITU-COOP-2015-001-A1,Added funds,,amendment,nordic-ministry,2016-02-01,,2018-03-31,active,50000,USD,AFR:0.6;EUR:0.4,,infrastructure,ITU-COOP-2015-001,,,,,,\n"

// TestImportAgreementsWritesWhatSavingThemWrites imports a file into one database and creates the
// same agreements one save at a time in another, then updates them both ways: the agreements, the
// search index, the registry's facet counts and the partners' figures must be the same.
func TestImportAgreementsWritesWhatSavingThemWrites(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			imported, saved := b.Open(t), b.Open(t)
			importSetup(t, imported)
			importSetup(t, saved)

			res, summary, err := importAgreementFile(t, imported, importFile1)
			if err != nil {
				t.Fatalf("import: %v (problems %v)", err, res.Problems)
			}
			if summary.Created != 6 || summary.Updated+summary.Unchanged != 0 || len(summary.CreatedRefs) != 6 {
				t.Errorf("summary %+v", summary)
			}
			// The same agreements, saved one by one in the order the import could write them.
			byRef := map[string]*agreement.Agreement{}
			for _, ref := range []string{"ITU-COOP-2015-001", "ITU-VC-2016-002", "ITU-VC-2016-004", "ITU-DRAFT-7",
				"ITU-COOP-2015-001-A1", "ITU-VC-2016-002-A1"} {
				a, err := imported.AgreementByReference(t.Context(), ref)
				if err != nil {
					t.Fatal(err)
				}
				a = copyForSaving(t, saved, a, byRef)
				mustCreateAgreements(t, saved, a)
				byRef[ref] = a
			}
			sameRegistry(t, imported, saved)

			// Importing the file again changes nothing, not even versions.
			_, summary, err = importAgreementFile(t, imported, importFile1)
			if err != nil || summary.Unchanged != 6 || summary.Created+summary.Updated != 0 {
				t.Fatalf("again: %+v, %v", summary, err)
			}
			if a, _ := imported.AgreementByReference(t.Context(), "ITU-VC-2016-002"); a.Version != 1 {
				t.Errorf("version %d after an import that changes nothing", a.Version)
			}

			// An update file, and the same changes saved on the form.
			update := "reference,title,type,partners,regions,status,currency,action_area,title_fr,confidential\n" +
				"ITU-VC-2016-002,Digital skills for women and girls,voluntary_contribution,kestrel-telecom;aurora-foundation:implementing_partner,ARB,active,EUR,digital_inclusion,Compétences,no\n" +
				"ITU-VC-2016-004,Cyber drills in the Pacific,voluntary_contribution,aurora-foundation,ASP,expired,USD,cybersecurity,,no\n" +
				"ITU-DRAFT-7,Letter of intent on rural broadband,letter_of_intent,kestrel-telecom,GLO,draft,USD,generic,,no\n"
			res, summary, err = importAgreementFile(t, imported, update)
			if err != nil {
				t.Fatalf("update: %v (problems %v)", err, res.Problems)
			}
			if summary.Updated != 2 || summary.Unchanged != 1 || !slices.Equal(summary.UpdatedRefs, []string{"ITU-VC-2016-002", "ITU-VC-2016-004"}) {
				t.Errorf("update summary %+v", summary)
			}
			vc, secret := byRef["ITU-VC-2016-002"], byRef["ITU-VC-2016-004"]
			vc.Titles["en"], vc.Titles["fr"] = "Digital skills for women and girls", "Compétences"
			aurora, _ := saved.PartnerByKey(t.Context(), "aurora-foundation")
			vc.Parties = []agreement.Party{vc.Parties[0], {PartnerID: aurora.ID, Role: agreement.RoleImplementing}}
			vc.Regions = agreement.EqualShares("ARB")
			secret.Status, secret.Confidential = agreement.StatusExpired, false
			for _, a := range []*agreement.Agreement{vc, secret} {
				if err := saved.UpdateAgreement(t.Context(), a); err != nil {
					t.Fatal(err)
				}
			}
			sameRegistry(t, imported, saved)
			if a, _ := imported.AgreementByReference(t.Context(), "ITU-VC-2016-002"); a.Version != 2 || a.Initiative != "Girls in ICT" {
				t.Errorf("updated agreement %+v, want version 2 and its initiative kept", a)
			}

			entries, _, err := imported.AuditEntries(t.Context(), audit.Filter{Entity: "agreement_import"})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 2 {
				t.Errorf("%d audit entries of imports, want 2 (the import that changed nothing leaves none)", len(entries))
			}
		})
	}
}

// copyForSaving returns a stored agreement of one database as a new agreement for another: the
// partners, officer and amended agreement by their ids there.
func copyForSaving(t *testing.T, db *store.DB, a *agreement.Agreement, byRef map[string]*agreement.Agreement) *agreement.Agreement {
	t.Helper()
	c := *a
	c.ID, c.Version, c.AmendsRef, c.FrameworkRef = 0, 0, "", ""
	c.Parties = nil
	for _, p := range a.Parties {
		partner, err := db.PartnerByKey(t.Context(), p.PartnerKey)
		if err != nil {
			t.Fatal(err)
		}
		c.Parties = append(c.Parties, agreement.Party{PartnerID: partner.ID, Role: p.Role})
	}
	if a.AmendsID != 0 {
		c.AmendsID = byRef[a.AmendsRef].ID
	}
	if a.OfficerID != 0 {
		officer, err := db.UserByUsername(t.Context(), "amina")
		if err != nil {
			t.Fatal(err)
		}
		c.OfficerID = officer.ID
	}
	return &c
}

// sameRegistry fails the test when two databases hold different agreements, partners' figures,
// facet counts or search results.
func sameRegistry(t *testing.T, a, b *store.DB) {
	t.Helper()
	all := agreement.Filter{AllConfidential: true, Limit: 100, Sort: agreement.SortReference}
	pa, pb := listAgreements(t, a, all), listAgreements(t, b, all)
	if !slices.Equal(references(pa.Items), references(pb.Items)) {
		t.Fatalf("agreements %v and %v", references(pa.Items), references(pb.Items))
	}
	for _, facet := range agreement.Facets {
		if facet == agreement.FacetPartner {
			continue // by partner id, which differs between the two databases
		}
		equal(t, "facet "+facet, countsOf(pa, facet), countsOf(pb, facet))
	}
	for _, ref := range references(pa.Items) {
		x, err := a.AgreementByReference(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		y, err := b.AgreementByReference(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*agreement.Agreement{x, y} {
			c.ID, c.AmendsID, c.OfficerID, c.CreatedAt, c.UpdatedAt = 0, 0, 0, time.Time{}, time.Time{}
			for i := range c.Parties {
				c.Parties[i].PartnerID = 0
			}
		}
		equal(t, ref, x, y)
	}
	for _, q := range []string{"girls", "Sénégal", "红隼", "nordic", "pacific"} {
		f := all
		f.Query = q
		equal(t, "search "+q, references(listAgreements(t, a, f).Items), references(listAgreements(t, b, f).Items))
	}
	for _, key := range []string{"nordic-ministry", "kestrel-telecom", "aurora-foundation"} {
		x, _ := a.PartnerByKey(t.Context(), key)
		y, _ := b.PartnerByKey(t.Context(), key)
		if x.AgreementCount != y.AgreementCount || x.ValueUSD != y.ValueUSD || x.LastSignedOn != y.LastSignedOn {
			t.Errorf("%s: figures %d %d %s and %d %d %s", key, x.AgreementCount, x.ValueUSD, x.LastSignedOn,
				y.AgreementCount, y.ValueUSD, y.LastSignedOn)
		}
	}
}

func TestImportAgreementsWithAProblemWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSetup(t, db)
		before := listAgreements(t, db, agreement.Filter{AllConfidential: true})
		// The problem is on the last row, after the first rows were written.
		var file strings.Builder
		file.WriteString("reference,title,type,partners,status,currency,regions,action_area\n")
		for i := range 2500 {
			file.WriteString("ITU-" + strconv.Itoa(i) + ",T,mou,nordic-ministry,draft,,AFR,generic\n")
		}
		file.WriteString("ITU-LAST,T,mou,nobody,draft,,AFR,generic\n")
		res, _, err := importAgreementFile(t, db, file.String())
		if err == nil || res == nil || res.OK() {
			t.Fatalf("import of a file with a problem: %v", err)
		}
		if got := len(res.Problems); got != 1 || res.Problems[0].Row != 2502 || res.Problems[0].Column != "partners" {
			t.Errorf("problems %+v", res.Problems)
		}
		mustCount(t, "agreements", db.CountAgreements, 0)
		equal(t, "facets", listAgreements(t, db, agreement.Filter{AllConfidential: true}).Facets, before.Facets)
		if p, _ := db.PartnerByKey(t.Context(), "nordic-ministry"); p.AgreementCount != 0 {
			t.Errorf("the partner counts %d agreements", p.AgreementCount)
		}
		if _, n, _ := db.AuditEntries(t.Context(), audit.Filter{Entity: "agreement_import"}); n != 0 {
			t.Errorf("%d audit entries of a failed import", n)
		}
	})
}

func TestImportAgreementsLooksUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSetup(t, db)
		if _, _, err := importAgreementFile(t, db, importFile1); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAgreement(t.Context(), "ITU-DRAFT-7", 1); err != nil {
			t.Fatal(err)
		}
		found, err := db.AgreementsByReferences(t.Context(), []string{"ITU-DRAFT-7", "ITU-VC-2016-002", "NOWHERE"})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 2 || !found["ITU-DRAFT-7"].Deleted() || len(found["ITU-VC-2016-002"].Parties) != 2 {
			t.Errorf("found %+v", found)
		}
		partners, err := db.PartnerIDs(t.Context(), []string{"nordic-ministry", "nobody"})
		if err != nil || len(partners) != 1 || partners["nordic-ministry"] == 0 {
			t.Errorf("partners %v, %v", partners, err)
		}
		officers, err := db.OfficerIDs(t.Context(), []string{"amina", "visitor", "nobody"})
		if err != nil || len(officers) != 1 || officers["amina"] == 0 {
			t.Errorf("officers %v (external accounts are none), %v", officers, err)
		}
	})
}

func TestImportRates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		rs, err := importer.LoadResolver(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := db.Rates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		eur2016, _ := stored.USDPerUnit("EUR", civil.MustParse("2016-06-01"))
		file := "date,currency,usd_per_unit\n2016-01-01,EUR," + strconv.FormatFloat(eur2016, 'g', -1, 64) +
			"\n2016-01-01,CHF,1.5\n2027-07-01,Euro,1.2\n"
		res := importer.CheckRates(strings.NewReader(file), rs, stored)
		if !res.OK() || res.Unchanged != 1 || len(res.Updates) != 1 || len(res.Creates) != 1 {
			t.Fatalf("plan: %+v", res)
		}
		if err := db.ImportRates(ctx, store.RateImport{File: "rates.csv", Creates: res.Creates, Updates: res.Updates, Unchanged: res.Unchanged}); err != nil {
			t.Fatal(err)
		}
		rates, err := db.Rates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			currency, day string
			want          float64
		}{{"CHF", "2016-03-01", 1.5}, {"EUR", "2027-08-01", 1.2}, {"EUR", "2016-03-01", eur2016}} {
			if got, _ := rates.USDPerUnit(tt.currency, civil.MustParse(tt.day)); got != tt.want {
				t.Errorf("%s on %s: %g, want %g", tt.currency, tt.day, got, tt.want)
			}
		}
		if again := importer.CheckRates(strings.NewReader(file), rs, rates); again.Unchanged != 3 {
			t.Errorf("the same file again: %+v", again)
		}
		if _, n, _ := db.AuditEntries(ctx, audit.Filter{Entity: "currency_rate_import"}); n != 1 {
			t.Errorf("%d audit entries", n)
		}
	})
}

// A large import puts off the merges of the search index to its end; the index answers as usual.
func TestLargeImportKeepsTheSearchIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSetup(t, db)
		var file strings.Builder
		file.WriteString("reference,title,type,partners,status,currency,regions,action_area\n")
		const rows = 10_050 // beyond the size at which the merges are put off
		for i := range rows {
			title := "Agreement"
			if i%1000 == 7 {
				title = "Kestrel spectrum"
			}
			fmt.Fprintf(&file, "ITU-%05d,%s %d,cooperation,kestrel-telecom,draft,,ASP,generic\n", i, title, i)
		}
		res, summary, err := importAgreementFile(t, db, file.String())
		if err != nil || summary.Created != rows {
			t.Fatalf("import: %+v, %v (%v)", summary, err, res.Problems)
		}
		page := listAgreements(t, db, agreement.Filter{Query: "spectrum", Limit: 50})
		if page.Total != 11 || countsOf(page, agreement.FacetRegion)["ASP"] != 11 {
			t.Errorf("search: %d found, facets %v", page.Total, page.Facets[agreement.FacetRegion])
		}
		if got := countsOf(listAgreements(t, db, agreement.Filter{}), agreement.FacetType)["cooperation"]; got != rows {
			t.Errorf("%d cooperation agreements counted", got)
		}
		// A small import after it merges as usual.
		if _, summary, err := importAgreementFile(t, db, "reference,title,type,partners,status,currency,regions,action_area\nNEW-1,Kestrel spectrum again,mou,kestrel-telecom,draft,,ASP,generic\n"); err != nil || summary.Created != 1 {
			t.Fatalf("small import: %+v, %v", summary, err)
		}
		if page := listAgreements(t, db, agreement.Filter{Query: "spectrum"}); page.Total != 12 {
			t.Errorf("search after: %d found", page.Total)
		}
	})
}

// bulkFile is an agreement file of rows from first to last (excluded): several parties, regions
// with and without shares, titles in French, officers, confidential agreements, drafts, and
// amendments, one of them before the agreement it amends. Revised, the even rows have new
// titles and no row names aurora-foundation any more.
func bulkFile(first, last int, revised bool) string {
	var b strings.Builder
	b.WriteString("reference,title,title_fr,type,partners,signed_on,status,amount,currency,regions,countries,action_area,amends,officer,confidential,office\n")
	for i := first; i < last; i++ {
		title := fmt.Sprintf("Agreement %d", i)
		if i%10 == 3 {
			title += " for girls"
		}
		if revised && i%2 == 0 {
			title += " revised"
		}
		frenchTitle := ""
		if i%2 == 0 {
			frenchTitle = fmt.Sprintf("Accord %d", i)
		}
		kind := []string{"mou", "cooperation", "voluntary_contribution", "letter_of_intent"}[i%4]
		amends := ""
		if i%9 == 4 {
			kind, amends = "amendment", fmt.Sprintf("BULK-%05d", i-4)
			if i == 4 {
				amends = "BULK-00008" // a row further down the file
			}
		}
		partners := []string{"nordic-ministry", "kestrel-telecom;aurora-foundation:implementing_partner", "aurora-foundation"}[i%3]
		if revised && i%3 != 0 {
			partners = "kestrel-telecom"
		}
		signed, status := fmt.Sprintf("%d-%02d-15", 2010+i%12, 1+i%12), "signed"
		if i%13 == 0 && i%9 != 0 {
			signed, status = "", "draft"
		}
		countries := ""
		if i%5 == 0 {
			countries = "SN;EG"
		}
		officer, confidential := "", ""
		if i%6 == 0 {
			officer = "amina"
		}
		if i%11 == 0 {
			confidential = "yes"
		}
		fmt.Fprintf(&b, "BULK-%05d,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s\n", i, title, frenchTitle, kind, partners, signed,
			status, 1000*(i+1), []string{"USD", "EUR", "CHF"}[i%3], []string{"AFR", "AFR;ARB", "AFR:0.6;EUR:0.4", "ASP"}[i%4],
			countries, []string{"infrastructure", "digital_inclusion", "cybersecurity", "generic"}[i%4], amends, officer,
			confidential, []string{"HQ", "AFR"}[i%2])
	}
	return b.String()
}

// importedTables are queries reading everything an agreement import writes but the search index
// and the times of writing.
var importedTables = []string{
	`SELECT id, reference, title, type_code, status, signed_on, start_on, end_on, amount_cents, currency_code, value_usd_cents,
		in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id, initiative, officer_id, office_code,
		confidential, notes, search_version, version, deleted_at FROM agreements ORDER BY id`,
	"SELECT agreement_id, lang, title FROM agreement_translations ORDER BY agreement_id, lang",
	"SELECT agreement_id, partner_id, role FROM agreement_parties ORDER BY agreement_id, partner_id",
	"SELECT agreement_id, region_code, share FROM agreement_regions ORDER BY agreement_id, region_code",
	"SELECT agreement_id, country_code FROM agreement_countries ORDER BY agreement_id, country_code",
	"SELECT agreement_id, action_area_code FROM agreement_action_areas ORDER BY agreement_id, action_area_code",
	"SELECT agreement_id, codes, cells FROM agreement_codes ORDER BY agreement_id",
	"SELECT facet, code, confidential, n FROM agreement_facet_counts ORDER BY facet, code, confidential",
	"SELECT year, type_code, action_area_code, office_code, region_code, n, value FROM agreement_cube ORDER BY year, type_code, action_area_code, office_code, region_code",
	"SELECT partner_type, year, type_code, action_area_code, office_code, region_code, n, value FROM agreement_type_cube ORDER BY partner_type, year, type_code, action_area_code, office_code, region_code",
	"SELECT dimension, year, code, new_n, amendment_n, value FROM agreement_shares ORDER BY dimension, year, code",
	"SELECT year, partner_id, partner_type, n, value FROM partner_cells ORDER BY year, partner_id",
	"SELECT dimension, code, year, partner_id, partner_type, n, value FROM partner_filter_cells ORDER BY dimension, code, year, partner_id",
	"SELECT partner_id, partner_type, years FROM partner_activity ORDER BY partner_id",
	"SELECT id, key, agreement_count, value_usd_cents, last_signed_on FROM partners ORDER BY id",
}

// dumpImported returns what importedTables read, and the indexes of the database.
func dumpImported(t *testing.T, db *store.DB) (tables [][]string, indexes []string) {
	t.Helper()
	for _, query := range importedTables {
		rows, err := db.Rows(t.Context(), query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		tables = append(tables, rows)
	}
	indexes, err := db.Indexes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return tables, indexes
}

// sameRows tells whether two dumps of a table hold the same rows, and the first that differs.
// The report cells hold sums of region shares, which come out a few units in the last place
// apart when added in another order: numbers are equal within a billionth.
func sameRows(a, b []string) (string, bool) {
	if len(a) != len(b) {
		return fmt.Sprintf("%d rows against %d", len(a), len(b)), false
	}
	for i := range a {
		x, y := strings.Fields(a[i]), strings.Fields(b[i])
		same := len(x) == len(y)
		for j := 0; same && j < len(x); j++ {
			if x[j] == y[j] {
				continue
			}
			u, err1 := strconv.ParseFloat(strings.Trim(x[j], "[]"), 64)
			v, err2 := strconv.ParseFloat(strings.Trim(y[j], "[]"), 64)
			same = err1 == nil && err2 == nil && math.Abs(u-v) <= 1e-9*max(1, math.Abs(u), math.Abs(v))
		}
		if !same {
			return a[i] + " against " + b[i], false
		}
	}
	return "", true
}

// An import that writes more agreements than the registry holds, and many, writes in bulk: on
// SQLite without the secondary indexes of the agreements' tables, which it creates again at its
// end, with the partners' figures refreshed in one pass, and with the report cells written
// whenever many have changed instead of once. It must write exactly what the same
// import writes row by row, leave the indexes as the migrations made them, and write nothing when
// it fails.
func TestBulkImportWritesWhatAnImportRowByRowWrites(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			bulk, byRow := b.Open(t), b.Open(t)
			importSetup(t, bulk)
			importSetup(t, byRow)
			store.WriteInBulkAfter(t, 1000) // after the first batch of rows
			emptyTables, indexes := dumpImported(t, bulk)

			// Both, so that PostgreSQL's sequences, which a rollback leaves as they are, go on alike.
			failing := bulkFile(0, 2500, false) + "BULK-LAST,T,,mou,nobody,,draft,,,AFR,,generic,,,,\n"
			for _, db := range []*store.DB{bulk, byRow} {
				if res, _, err := importAgreementFile(t, db, failing); err == nil || res.ProblemCount != 1 {
					t.Fatalf("import of a file with a problem on its last row: %v, %+v", err, res)
				}
			}
			tables, afterFailure := dumpImported(t, bulk)
			equal(t, "what a failed import leaves", tables, emptyTables)
			equal(t, "indexes after a failed import", afterFailure, indexes)

			for _, file := range []string{bulkFile(0, 2500, false), bulkFile(0, 3100, true)} {
				store.WriteInBulkAfter(t, 1000)
				store.FlushCellsAbove(t, 50) // on SQLite, the report cells written many times over
				res, inBulk, err := importAgreementFile(t, bulk, file)
				if err != nil {
					t.Fatalf("import in bulk: %v (%+v)", err, res.Problems)
				}
				store.WriteInBulkAfter(t, 1_000_000)
				store.FlushCellsAbove(t, 1_000_000)
				res, rowByRow, err := importAgreementFile(t, byRow, file)
				if err != nil {
					t.Fatalf("import row by row: %v (%+v)", err, res.Problems)
				}
				equal(t, "summary", inBulk, rowByRow)
				tablesInBulk, indexesAfter := dumpImported(t, bulk)
				tablesByRow, _ := dumpImported(t, byRow)
				for i, query := range importedTables {
					if row, ok := sameRows(tablesInBulk[i], tablesByRow[i]); !ok {
						t.Errorf("%s differs after a bulk import: %s", query, row)
					}
				}
				equal(t, "indexes after a bulk import", indexesAfter, indexes)
				for _, q := range []string{"girls", "revised", "accord", "kestrel", "aurora"} {
					f := agreement.Filter{AllConfidential: true, Query: q, Limit: 5000, Sort: agreement.SortReference}
					equal(t, "search "+q, references(listAgreements(t, bulk, f).Items), references(listAgreements(t, byRow, f).Items))
				}
			}
			if aurora, _ := bulk.PartnerByKey(t.Context(), "aurora-foundation"); aurora.AgreementCount != 0 || !aurora.LastSignedOn.IsZero() {
				t.Errorf("a partner no agreement names any more counts %d, last signed %s", aurora.AgreementCount, aurora.LastSignedOn)
			}
		})
	}
}
