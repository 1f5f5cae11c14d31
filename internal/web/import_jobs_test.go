package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/importer"

	"pactum/internal/audit"
	"pactum/internal/partner"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

const partnersFile = "key,name,type,membership,status,country\n" +
	"kestrel-fund,Kestrel Fund,foundation,none,prospect,CH\n" +
	"sahel-bank,Sahel Bank,development_bank,none,active,SN\n"

// confirmUpload uploads file to an import page as c, confirms what the preview shows, and returns
// the confirmation's answer.
func confirmUpload(t *testing.T, app *testApp, c *http.Client, page, file string) *http.Response {
	t.Helper()
	resp, body := app.upload(c, page, nil, "file", "partners.csv", []byte(file))
	if resp.StatusCode != http.StatusOK || hiddenField(body, "upload") == "" {
		t.Fatalf("preview of %s: %d\n%s", page, resp.StatusCode, body)
	}
	form := url.Values{"upload": {hiddenField(body, "upload")}, "sha256": {hiddenField(body, "sha256")}, "plan": {hiddenField(body, "plan")}}
	return app.post(c, page+"/confirm", form)
}

var statusPagePath = regexp.MustCompile(`^/imports/[0-9]+$`)

// statusPage is where a confirmation sent the person, which must be a job's status page.
func statusPage(t *testing.T, resp *http.Response) string {
	t.Helper()
	where := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !statusPagePath.MatchString(where) {
		t.Fatalf("confirmation: %d to %q, want 303 to a job's status page", resp.StatusCode, where)
	}
	return where
}

func TestPartnerImportRunsInTheBackgroundAndShowsItsProgress(t *testing.T) {
	app := newTestAppImporting(t, storetest.OpenSQLite(t), importsPaused)
	officer := app.client(user.RoleOfficer)

	// With no worker free, the confirmation leads to the job's page, which waits and reloads itself.
	job := statusPage(t, confirmUpload(t, app, officer, "/partners/import", partnersFile))
	resp, body := app.get(officer, job+"?lang=fr")
	for _, want := range []string{`<meta http-equiv="refresh" content="2">`, "<h1>Importer des partenaires</h1>", `<dd dir="auto">partners.csv</dd>`,
		"<dd>Partenaires</dd>", "<dd>En attente</dd>", `<div role="status">`, `<label for="job-progress">Avancement</label>`,
		`<progress id="job-progress" max="2" value="0">0 sur 2 lignes</progress>`} {
		if !strings.Contains(body, want) {
			t.Errorf("queued job's page lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusOK || t.Failed() {
		t.Fatalf("queued job's page: %d\n%s", resp.StatusCode, body)
	}
	if _, err := app.db.PartnerByKey(context.Background(), "kestrel-fund"); err == nil {
		t.Fatal("a queued import has already written its partners")
	}

	// The job is the uploader's: an administrator sees it too, another editor does not.
	if resp, _ := app.get(app.client(user.RoleAdmin), job); resp.StatusCode != http.StatusOK {
		t.Errorf("administrator on the job's page: %d, want 200", resp.StatusCode)
	}
	if resp, body := app.get(app.client(user.RoleRegionalOfficer), job); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "partners.csv") {
		t.Errorf("another editor on the job's page: %d, want 404", resp.StatusCode)
	}
	if resp, _ := app.get(officer, "/imports/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown job: %d, want 404", resp.StatusCode)
	}

	// A worker runs it, as the person who queued it; the page shows the outcome and stops reloading.
	if err := app.imports.RunQueued(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, body = app.get(officer, job+"?lang=en")
	for _, want := range []string{"<dd>Done</dd>", "The import is done. Created: 2. Updated: 0. Unchanged: 0.",
		`<a href="/partners">See the partners</a>`, `<a href="/partners/import">Import another file</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("done job's page lacks %q\n%s", want, body)
		}
	}
	if strings.Contains(body, `http-equiv="refresh"`) || strings.Contains(body, "<progress") {
		t.Errorf("a done job's page still reloads or shows progress")
	}
	p, err := app.db.PartnerByKey(context.Background(), "sahel-bank")
	if err != nil || p.Type != "development_bank" || p.Country != "SN" {
		t.Fatalf("imported partner: %+v, %v", p, err)
	}
	entries, _, err := app.db.AuditEntries(context.Background(), audit.Filter{Entity: "partner_import"})
	if err != nil || len(entries) != 1 || entries[0].Actor != string(user.RoleOfficer) {
		t.Errorf("audit of the import: %+v, %v; want one entry by the officer", entries, err)
	}
}

func TestImportJobThatFindsTheDataChangedFailsWithItsReason(t *testing.T) {
	app := newTestAppImporting(t, storetest.OpenSQLite(t), importsPaused)
	officer := app.client(user.RoleOfficer)
	job := statusPage(t, confirmUpload(t, app, officer, "/partners/import", partnersFile))

	// A colleague creates one of the file's partners before the job runs: it would now update it
	// instead of creating it, which nobody confirmed.
	kestrel := &partner.Partner{Key: "kestrel-fund", Texts: map[string]partner.Text{"en": {Name: "Kestrel"}}, Type: "private", Membership: "none", Status: partner.StatusActive}
	if err := app.db.CreatePartners(context.Background(), []*partner.Partner{kestrel}); err != nil {
		t.Fatal(err)
	}
	if err := app.imports.RunQueued(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body := app.get(officer, job+"?lang=es")
	for _, want := range []string{"<dd>Fallida</dd>", `<div class="alert">`,
		"Algunos registros cambiaron después de que usted confirmara la importación", `<a href="/partners/import">Volver a cargar el archivo</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("failed job's page lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `http-equiv="refresh"`) || t.Failed() {
		t.Fatalf("failed job's page: %d\n%s", resp.StatusCode, body)
	}
	if _, err := app.db.PartnerByKey(context.Background(), "sahel-bank"); err == nil {
		t.Error("a failed import wrote a partner")
	}
	if p, _ := app.db.PartnerByKey(context.Background(), "kestrel-fund"); p == nil || p.Type != "private" {
		t.Errorf("a failed import changed the colleague's partner: %+v", p)
	}
}

// A running job's page counts its rows in the reader's digits and grouping.
func TestImportJobProgressIsWrittenInTheReadersNumbers(t *testing.T) {
	app := newTestAppImporting(t, storetest.OpenSQLite(t), importsPaused)
	ctx := context.Background()
	officer, err := app.db.UserByUsername(ctx, string(user.RoleOfficer))
	if err != nil {
		t.Fatal(err)
	}
	doc := importDocument(officer, "agreements.csv", []byte("reference\n"))
	doc.OwnerType = agreementImportOwner
	if err := app.db.AddDocument(ctx, doc, "agreement_import_file", doc.Filename); err != nil {
		t.Fatal(err)
	}
	job := &importer.Job{Kind: importer.KindAgreements, DocumentID: doc.ID, UserID: officer.ID, Plan: "300000,0,0", RowsTotal: 300_000}
	if err := app.db.EnqueueImportJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	claimed, _, err := app.db.ClaimImportJob(ctx, "test-worker")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.db.RecordImportProgress(ctx, claimed, 12_345); err != nil {
		t.Fatal(err)
	}
	path := "/imports/" + strconv.FormatInt(job.ID, 10)
	for lang, want := range map[string]string{
		"en": `<progress id="job-progress" max="300000" value="12345">12,345 of 300,000 rows</progress>`,
		"ar": "١٢٬٣٤٥ من ٣٠٠٬٠٠٠ صف",
		"ru": "12\u00a0345 из 300\u00a0000 строк", // grouped by no-break spaces
	} {
		_, body := app.get(app.sessionClient(user.RoleOfficer), path+"?lang="+lang)
		if !strings.Contains(body, want) || !strings.Contains(body, `http-equiv="refresh"`) {
			t.Errorf("%s: running job's page lacks %q\n%s", lang, want, body)
		}
	}
}

// The wired worker, woken by the confirmation, runs a job queued by the page; one that outlasts
// the confirmation's wait is followed on its page until it is done.
func TestImportWorkerRunsQueuedJobs(t *testing.T) {
	app := newTestAppImporting(t, storetest.OpenSQLite(t), importsInTheBackground)
	admin := app.client(user.RoleAdmin)
	resp, body := app.upload(admin, "/admin/rates/import", nil, "file", "rates.csv", []byte("date,currency,usd_per_unit\n2031-01-01,EUR,1.25\n2031-01-01,CHF,1.1\n"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("rates preview: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"upload": {hiddenField(body, "upload")}, "sha256": {hiddenField(body, "sha256")}, "plan": {hiddenField(body, "plan")}}
	resp = app.post(admin, "/admin/rates/import/confirm", form)
	where := resp.Header.Get("Location")
	for deadline := time.Now().Add(30 * time.Second); statusPagePath.MatchString(where) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		if _, body := app.get(admin, where); strings.Contains(body, "<dd>Done</dd>") {
			where = "/admin/rates/import?created=2" // done: as if the confirmation had waited for it
		}
	}
	if !strings.HasPrefix(where, "/admin/rates/import?created=2") {
		t.Fatalf("confirmation: %d to %q; want the rates page with the outcome, at once or once the job is done", resp.StatusCode, where)
	}
	if _, body := app.get(admin, where); !strings.Contains(body, "The import is done. Created: 2.") {
		t.Errorf("the rates page does not show the outcome\n%s", body)
	}
}
