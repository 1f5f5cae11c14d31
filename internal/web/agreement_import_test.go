package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// hiddenField finds the value of a hidden input of a page.
func hiddenField(body, name string) string {
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// newImportApp is a test app with the partners the import files of these tests name.
func newImportApp(t *testing.T) *testApp {
	t.Helper()
	app := newTestApp(t, storetest.OpenSQLite(t))
	for _, key := range []string{"nordic-fund", "sahel-telecom"} {
		p := &partner.Partner{Key: key, Texts: map[string]partner.Text{"en": {Name: key}}, Type: "foundation", Membership: "none", Status: partner.StatusActive}
		if err := app.db.CreatePartners(context.Background(), []*partner.Partner{p}); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

const agreementsFile = "reference,title,type,partners,signed_on,status,amount,currency,regions,action_area,amends\n" +
	"PCT-2016-0001-A1,More funds,amendment,nordic-fund,2017-02-01,signed,50000,EUR,AFR,capacity_building,PCT-2016-0001\n" +
	"PCT-2016-0001,Skills for the Sahel,voluntary_contribution,nordic-fund;sahel-telecom:implementing_partner,2016-05-02,active,250000,EUR,AFR;ARB,capacity_building,\n"

func TestAgreementImportChecksThenImports(t *testing.T) {
	app := newImportApp(t)
	officer := app.client(user.RoleOfficer)

	// The page and its templates.
	if resp, body := app.get(officer, "/agreements/import?lang=fr"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Importer des accords") {
		t.Fatalf("import page: %d", resp.StatusCode)
	}
	resp, body := app.get(officer, "/agreements/import/template.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "\uFEFFreference,title,type,partners,signed_on") {
		t.Errorf("CSV template: %d %q", resp.StatusCode, body[:min(60, len(body))])
	}
	if resp, _ := app.get(officer, "/agreements/import/template.xlsx"); resp.StatusCode != http.StatusOK ||
		!strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("XLSX template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A file with problems lists them by row and column in the reader's language and offers no import.
	bad := strings.Replace(agreementsFile, "nordic-fund;sahel-telecom", "nordic-fund;ghost", 1)
	resp, body = app.upload(officer, "/agreements/import?lang=fr", nil, "file", "agreements.csv", []byte(bad))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Il n&#39;existe aucun partenaire ayant la clé « ghost ».") ||
		!strings.Contains(body, `<td dir="ltr">partners</td>`) || strings.Contains(body, "/agreements/import/confirm") {
		t.Fatalf("file with a problem: %d\n%s", resp.StatusCode, body)
	}

	// A valid file is previewed, then imported on confirmation.
	resp, body = app.upload(officer, "/agreements/import?lang=en", nil, "file", "agreements.csv", []byte(agreementsFile))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "PCT-2016-0001-A1") || !strings.Contains(body, "Skills for the Sahel") {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"upload": {hiddenField(body, "upload")}, "sha256": {hiddenField(body, "sha256")}, "plan": {hiddenField(body, "plan")}}
	if form.Get("plan") != "2,0,0" {
		t.Fatalf("plan %q, want 2 to create", form.Get("plan"))
	}
	// Only the person who uploaded the file may import it.
	if resp, body := postPage(app, app.client(user.RoleAdmin), "/agreements/import/confirm", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "This upload cannot be found any more") {
		t.Errorf("someone else's upload: %d", resp.StatusCode)
	}
	resp = app.post(officer, "/agreements/import/confirm", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/agreements/import?created=2&unchanged=0&updated=0" {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	parent, err := app.db.AgreementByReference(context.Background(), "PCT-2016-0001")
	if err != nil {
		t.Fatal(err)
	}
	amendment, err := app.db.AgreementByReference(context.Background(), "PCT-2016-0001-A1")
	if err != nil || amendment.AmendsID != parent.ID || len(parent.Parties) != 2 || parent.ValueUSD == 0 {
		t.Errorf("imported %+v and %+v (%v)", parent, amendment, err)
	}
	// The same confirmation again has nothing left to do, and says so.
	if resp, body := postPage(app, officer, "/agreements/import/confirm", form); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "there is nothing to import") {
		t.Errorf("confirmed twice: %d\n%s", resp.StatusCode, body)
	}
	if _, body := app.get(officer, "/agreements/import?created=2&updated=0&unchanged=0"); !strings.Contains(body, "Created: 2") {
		t.Errorf("the outcome is not shown\n%s", body)
	}
}

func TestAgreementImportKeepsRegionalOfficersToTheirRegion(t *testing.T) {
	app := newImportApp(t)
	file := "reference,title,type,partners,status,currency,regions,action_area\n" +
		"AFR-1,Sahel,mou,nordic-fund,draft,,AFR,generic\nEUR-1,Europe,mou,nordic-fund,draft,,EUR,generic\n"
	resp, body := app.upload(app.client(user.RoleRegionalOfficer), "/agreements/import", nil, "file", "a.csv", []byte(file))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "You may not create or change the agreement “EUR-1”.") ||
		strings.Contains(body, "“AFR-1”") {
		t.Errorf("regional officer: %d\n%s", resp.StatusCode, body)
	}
}

func TestRateImportChecksThenImports(t *testing.T) {
	app := newImportApp(t)
	admin := app.client(user.RoleAdmin)
	if _, body := app.get(admin, "/admin/reference/currency"); !strings.Contains(body, `href="/admin/rates/import"`) {
		t.Errorf("the currency list does not link to the rates import")
	}
	resp, body := app.upload(admin, "/admin/rates/import?lang=es", nil, "file", "rates.csv", []byte("date,currency,usd_per_unit\n2030-01-01,USD,1\n2030-01-01,EUR,x\n"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "<td>2</td><td dir=\"ltr\">currency</td>") ||
		!strings.Contains(body, "<td dir=\"ltr\">usd_per_unit</td>") {
		t.Fatalf("rates with problems: %d\n%s", resp.StatusCode, body)
	}
	resp, body = app.upload(admin, "/admin/rates/import", nil, "file", "rates.csv", []byte("valid_from;currency;usd_per_unit\n2030-01-01;EUR;1,25\n2030-01-01;Swiss franc;1.1\n"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "CHF") {
		t.Fatalf("rates preview: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"upload": {hiddenField(body, "upload")}, "sha256": {hiddenField(body, "sha256")}, "plan": {hiddenField(body, "plan")}}
	if resp := app.post(admin, "/admin/rates/import/confirm", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	rates, err := app.db.Rates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := rates.USDPerUnit("EUR", civil.MustParse("2030-06-01")); got != 1.25 {
		t.Errorf("EUR in 2030: %g", got)
	}
}

// postPage posts a form and returns the response with its body.
func postPage(app *testApp, c *http.Client, path string, form url.Values) (*http.Response, string) {
	app.t.Helper()
	resp, err := c.PostForm(app.http.URL+path, form)
	if err != nil {
		app.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}
