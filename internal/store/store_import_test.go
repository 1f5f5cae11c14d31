package store_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// checkFile checks a partner file against the database, as the import command and page do.
func checkFile(t *testing.T, db *store.DB, file []byte) *importer.Result {
	t.Helper()
	rs, err := importer.LoadResolver(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.CheckPartners(t.Context(), bytes.NewReader(file), importer.Options{Resolver: rs, Existing: db.PartnersByKeys})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("problems: %+v", res.Problems)
	}
	return res
}

func applyFile(t *testing.T, db *store.DB, name string, res *importer.Result) {
	t.Helper()
	creates, updates := res.Changes()
	if err := db.ApplyPartnerImport(t.Context(), store.PartnerImport{File: name, Creates: creates, Updates: updates, Unchanged: len(res.Unchanged)}); err != nil {
		t.Fatalf("apply %s: %v", name, err)
	}
}

func mustPartner(t *testing.T, db *store.DB, key string) *partner.Partner {
	t.Helper()
	p, err := db.PartnerByKey(t.Context(), key)
	if err != nil {
		t.Fatalf("partner %s: %v", key, err)
	}
	return p
}

func auditTotal(t *testing.T, db *store.DB) int {
	t.Helper()
	_, total := mustAuditEntries(t, db, audit.Filter{})
	return total
}

func TestApplyPartnerImportCreatesAndUpdatesInOneGo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		kept := newPartner("digital-futures", "Digital Futures Fund", "foundation")
		kept.Texts["fr"] = partner.Text{Name: "Fonds numérique", Acronym: "FN", Mandate: "Connecter chaque école."}
		kept.Notes, kept.Tags, kept.Contacts = "Met at WTDC-17.", []string{"schools"}, []partner.Contact{{Name: "Zoé Martin", Primary: true}}
		mustCreatePartners(t, db, kept, newPartner("sahel-telecom", "Sahel Telecom", "private"))
		before := auditTotal(t, db)

		file := "key,name,name_fr,name_zh,type,membership,status,country,regions,action_areas\n" +
			"digital-futures,Digital Futures Fund,Fonds pour l'avenir numérique,数字未来基金,Foundation,Sector Member,active,CHE,Africa;EUR,capacity_building\n" +
			"sahel-telecom,Sahel Telecom,,,private,none,active,,,\n" +
			"new-fund,New Fund,,,Development bank,none,prospect,Senegal,,\n"
		res := checkFile(t, db, []byte(file))
		if len(res.Creates) != 1 || len(res.Updates) != 1 || len(res.Unchanged) != 1 {
			t.Fatalf("plan: %d creates, %d updates, %d unchanged; want 1 each", len(res.Creates), len(res.Updates), len(res.Unchanged))
		}
		applyFile(t, db, "partners.csv", res)

		got := mustPartner(t, db, "digital-futures")
		equal(t, "version", got.Version, 2)
		equal(t, "French text", got.Texts["fr"], partner.Text{Name: "Fonds pour l'avenir numérique", Acronym: "FN", Mandate: "Connecter chaque école."})
		equal(t, "Chinese text", got.Texts["zh"], partner.Text{Name: "数字未来基金"})
		equal(t, "membership", got.Membership, "sector_member")
		equal(t, "country", got.Country, "CH")
		equal(t, "regions", got.Regions, []string{"AFR", "EUR"})
		equal(t, "action areas", got.ActionAreas, []string{"capacity_building"})
		equal(t, "notes", got.Notes, "Met at WTDC-17.")
		equal(t, "tags", got.Tags, []string{"schools"})
		if len(got.Contacts) != 1 || got.Contacts[0].Name != "Zoé Martin" {
			t.Errorf("contacts %+v, want Zoé Martin kept", got.Contacts)
		}
		equal(t, "unchanged partner's version", mustPartner(t, db, "sahel-telecom").Version, 1)
		created := mustPartner(t, db, "new-fund")
		equal(t, "created type", created.Type, "development_bank")
		equal(t, "created country", created.Country, "SN")

		// One entry for the whole import, none per partner.
		if total := auditTotal(t, db); total != before+1 {
			t.Errorf("%d audit entries added, want 1", total-before)
		}
		e := onlyAuditEntry(t, db, audit.Filter{Entity: "partner_import"})
		if e.Action != audit.ActionImport || e.EntityKey != "partners.csv" || e.Actor != "system" {
			t.Errorf("import recorded as %s %s by %s", e.Action, e.EntityKey, e.Actor)
		}
		for field, want := range map[string]any{"created": 1.0, "updated": 1.0, "unchanged": 1.0} {
			if got := e.Changes[field].After; got != want {
				t.Errorf("audit %s = %v, want %v", field, got, want)
			}
		}
		if got := fmt.Sprint(e.Changes["created_keys"].After, e.Changes["updated_keys"].After); got != "[new-fund] [digital-futures]" {
			t.Errorf("audit keys %s", got)
		}

		// The partners are found by what the file wrote.
		list, err := db.ListPartners(ctx, partner.Filter{Query: "数字未来", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 1 || list.Items[0].Key != "digital-futures" {
			t.Errorf("search for the imported Chinese name found %+v", list.Items)
		}

		// The same file again: every row unchanged, nothing to write.
		again := checkFile(t, db, []byte(file))
		if len(again.Unchanged) != 3 || len(again.Creates)+len(again.Updates) != 0 {
			t.Errorf("second check: %d creates, %d updates, %d unchanged; want all 3 unchanged", len(again.Creates), len(again.Updates), len(again.Unchanged))
		}
	})
}

func TestApplyPartnerImportIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustCreatePartners(t, db, newPartner("taken", "Taken", "private"), newPartner("updated", "Updated", "private"))
		before := auditTotal(t, db)
		stored := mustPartner(t, db, "updated")
		changed := *stored
		changed.Status = partner.StatusDormant

		fail := func(name string, imp store.PartnerImport, code apperr.Code) {
			t.Helper()
			err := db.ApplyPartnerImport(ctx, imp)
			if !apperr.Is(err, code) {
				t.Fatalf("%s: error %v, want %s", name, err, code)
			}
			n, err := db.CountPartners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, name+": partners", n, 2)
			after := mustPartner(t, db, "updated")
			equal(t, name+": version of the partner to update", after.Version, 1)
			equal(t, name+": its status", after.Status, partner.StatusActive)
			equal(t, name+": audit entries", auditTotal(t, db), before)
		}
		// A key taken in the middle of the creates.
		copied := changed
		fail("taken key", store.PartnerImport{File: "a.csv",
			Creates: []*partner.Partner{newPartner("first-new", "First", "private"), newPartner("taken", "Again", "private"), newPartner("last-new", "Last", "private")},
			Updates: []*partner.Partner{&copied}}, apperr.Conflict)
		// A partner changed since the file was checked.
		stale := changed
		stale.Version = 0
		fail("changed meanwhile", store.PartnerImport{File: "b.csv",
			Creates: []*partner.Partner{newPartner("first-new", "First", "private")},
			Updates: []*partner.Partner{&stale}}, apperr.Conflict)
	})
}

// exportFile writes every stored partner in the export's columns (partner.Columns and the
// figures), as CSV or as a workbook.
func exportFile(t *testing.T, db *store.DB, format string) []byte {
	t.Helper()
	columns := append(slices.Clone(partner.Columns), "agreements", "value_usd", "last_signed_on")
	var rows [][]string
	err := db.ForEachPartner(t.Context(), partner.Filter{}, func(p *partner.Partner) error {
		rows = append(rows, append(p.Row(), fmt.Sprint(p.AgreementCount), p.ValueUSD.String(), p.LastSignedOn.String()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		buf.WriteString("\uFEFF")
		w := csv.NewWriter(&buf)
		w.Write(columns)
		w.WriteAll(rows)
	case "xlsx":
		book := excelize.NewFile()
		defer book.Close()
		for i, r := range append([][]string{columns}, rows...) {
			cells := make([]any, len(r))
			for j, c := range r {
				cells[j] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := book.SetSheetRow("Sheet1", cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
		if err := book.Write(&buf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// An exported file imports again unchanged: the demo partners, with their six languages,
// several lines of mandate and lists, round-trip through CSV and Excel.
func TestExportedPartnersImportUnchanged(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		n, err := db.CountPartners(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"csv", "xlsx"} {
			res := checkFile(t, db, exportFile(t, db, format))
			if len(res.Unchanged) != n || len(res.Creates)+len(res.Updates) != 0 {
				var changed []string
				for _, u := range res.Updates {
					changed = append(changed, u.Partner.Key+" "+strings.Join(u.Changed, ","))
				}
				t.Errorf("%s: %d unchanged of %d, %d creates, updates %v", format, len(res.Unchanged), n, len(res.Creates), changed)
			}
			equal(t, format+" ignored columns", res.Ignored, []string{"agreements", "value_usd", "last_signed_on"})
		}
	})
}
