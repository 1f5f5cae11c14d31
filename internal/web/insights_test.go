package web

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// csvLines fetches a download and returns its lines without the byte-order mark.
func csvLines(t *testing.T, app *testApp, c *http.Client, path string) []string {
	t.Helper()
	resp, body := app.get(c, path)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("GET %s: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return strings.Split(strings.TrimSpace(strings.TrimPrefix(body, "\uFEFF")), "\n")
}

// The dashboard, its downloads and the status analysis show the figures of PRODUCT.md section 6
// for 2014–2017 on the demo dataset.
func TestDashboardAndStatusAnalysisGiveTheReportFigures(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		c := app.sessionClient(user.RoleAdmin)

		resp, body := app.get(c, "/insights?from=2014&to=2017")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("dashboard: %d\n%s", resp.StatusCode, body)
		}
		for _, want := range []string{"<dt>New agreements</dt><dd>197</dd>", "<dt>Amendments</dt><dd>35</dd>",
			"<dt>Value (USD)</dt><dd>USD\u00a036,6", "<svg"} {
			if !strings.Contains(body, want) {
				t.Errorf("the dashboard lacks %q", want)
			}
		}

		years := csvLines(t, app, c, "/insights/export?panel=years&format=csv&from=2014&to=2017")
		wantYears := []string{"Year,New agreements,Amendments,Value (USD)", "2014,42,", "2015,68,", "2016,29,", "2017,58,"}
		if len(years) != len(wantYears) {
			t.Fatalf("years download:\n%s", strings.Join(years, "\n"))
		}
		for i, prefix := range wantYears {
			if !strings.HasPrefix(years[i], prefix) {
				t.Errorf("years download line %d = %q, want it to start with %q", i, years[i], prefix)
			}
		}
		regions := csvLines(t, app, c, "/insights/export?panel=regions&format=csv&from=2014&to=2017")
		wantRegions := []string{"Africa,27.5,", "Americas,26,", "Arab States,17,", "Asia-Pacific,42,", "CIS,5,", "Europe,10.5,", "Global,69,"}
		if len(regions) != len(wantRegions)+1 {
			t.Fatalf("regions download:\n%s", strings.Join(regions, "\n"))
		}
		for i, prefix := range wantRegions {
			if !strings.HasPrefix(regions[i+1], prefix) {
				t.Errorf("regions download line %d = %q, want it to start with %q", i+1, regions[i+1], prefix)
			}
		}
		areas := csvLines(t, app, c, "/insights/export?panel=action_areas&format=csv&from=2014&to=2017")
		var counts []string
		for _, line := range areas[1:] {
			counts = append(counts, strings.Split(line, ",")[1])
		}
		if got := strings.Join(counts, " "); got != "49 32 29 27 20 16 10 7 3 2 2" {
			t.Errorf("new agreements by action area = %s, want 49 32 29 27 20 16 10 7 3 2 2", got)
		}

		// The status analysis says the same in its sentences, in the reader's number format.
		_, body = app.get(c, "/insights/status?from=2014&to=2017&lang=fr")
		for _, want := range []string{"197", "35", "36,6"} {
			if !strings.Contains(body, want) {
				t.Errorf("the French status analysis lacks %q", want)
			}
		}
		resp, body = app.get(c, "/insights/status.xlsx?from=2014&to=2017&lang=en")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status workbook: %d", resp.StatusCode)
		}
		book, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.GetRows("Summary")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 5 || rows[2][1] != "197" || rows[3][1] != "35" || !strings.HasPrefix(rows[4][1], "366") {
			t.Errorf("status workbook summary: %q", rows)
		}
		if sheets := book.GetSheetList(); len(sheets) != 4 {
			t.Errorf("status workbook sheets = %q, want the summary and one per chart", sheets)
		}
	})
}

func TestDashboardFiltersApplyToEveryPanelAndLinkToTheRegistry(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	c := app.sessionClient(user.RoleAdmin)

	// Africa's share of the period's new agreements is 27.5, on every panel.
	_, body := app.get(c, "/insights?from=2014&to=2017&region=AFR")
	if !strings.Contains(body, "<dt>New agreements</dt><dd>27.5</dd>") {
		t.Errorf("the headline of the dashboard filtered to Africa lacks 27.5 new agreements")
	}
	regions := csvLines(t, app, c, "/insights/export?panel=regions&format=csv&from=2014&to=2017&region=AFR")
	if len(regions) != 2 || !strings.HasPrefix(regions[1], "Africa,27.5,") {
		t.Errorf("regions filtered to Africa:\n%s", strings.Join(regions, "\n"))
	}
	areas := csvLines(t, app, c, "/insights/export?panel=action_areas&format=csv&from=2014&to=2017&region=AFR")
	total := 0.0
	for _, line := range areas[1:] {
		var n float64
		fields := strings.Split(line, ",")
		if _, err := fmt.Sscan(fields[len(fields)-3], &n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != 27.5 {
		t.Errorf("action areas filtered to Africa add up to %v, want 27.5", total)
	}

	// A bar opens the registry on the agreements behind it: 2015 holds 68 new agreements and 10 amendments.
	_, body = app.get(c, "/insights?from=2014&to=2017")
	link := "/agreements?year=2015"
	if !strings.Contains(body, `href="`+link+`"`) {
		t.Fatalf("the dashboard has no link %s", link)
	}
	_, registry := app.get(c, link)
	if !strings.Contains(registry, "78 agreements") {
		t.Errorf("the registry opened from the 2015 bar does not count 78 agreements")
	}
}

func TestDashboardKeepsABadPeriodNextToItsField(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	c := app.sessionClient(user.RoleViewer)
	resp, body := app.get(c, "/insights?from=twenty&to=2017")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Give a year such as 2017.") || !strings.Contains(body, `value="twenty"`) {
		t.Errorf("a period that is not a year: %d, message or typed value missing", resp.StatusCode)
	}
	_, body = app.get(c, "/insights?from=2017&to=2014&lang=es")
	if !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("a period ending before it starts is not marked on its field")
	}
	if resp, _ := app.get(c, "/insights/export?panel=nothing&format=csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown panel: %d, want 404", resp.StatusCode)
	}
}

// The status analysis downloads as a PDF in the reader's language, Chinese and Arabic included.
func TestStatusAnalysisPDFIsInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	c := app.sessionClient(user.RoleViewer)
	pdftotext, lookErr := exec.LookPath("pdftotext")
	if lookErr != nil && os.Getenv("PACTUM_BROWSER_TESTS") != "" {
		t.Fatal("pdftotext (poppler-utils) is needed to read the PDFs back")
	}
	for _, tc := range []struct{ lang, title, label string }{
		{"zh", "现况分析", "新协议"},
		{"en", "Status analysis 2014–2017", "New agreements"},
		{"ru", "2014", "соглашени"},
	} {
		resp, body := app.get(c, "/insights/status.pdf?from=2014&to=2017&lang="+tc.lang)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
			t.Fatalf("%s PDF: %d %s", tc.lang, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if lookErr != nil {
			continue
		}
		file := filepath.Join(t.TempDir(), "status.pdf")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		text, err := exec.Command(pdftotext, file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		for _, want := range []string{tc.title, tc.label} {
			if !strings.Contains(string(text), want) {
				t.Errorf("the %s PDF lacks %q:\n%s", tc.lang, want, text)
			}
		}
	}
}
