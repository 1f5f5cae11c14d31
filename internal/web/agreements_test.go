package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/user"
)

// exportedRows downloads the registry's CSV export for a query and returns its rows by column code.
func exportedRows(t *testing.T, app *testApp, c *http.Client, query string) []map[string]string {
	t.Helper()
	resp, body := app.get(c, "/agreements/export.csv?"+query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export %s: %d", query, resp.StatusCode)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("export %s: %v", query, err)
	}
	if len(records[0]) != len(agreementExportColumns) {
		t.Fatalf("export %s: header %q", query, records[0])
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range agreementExportColumns {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// confidentialDemoAgreement returns a confidential demo agreement and its officer's username.
func confidentialDemoAgreement(t *testing.T, app *testApp) (*agreement.Agreement, string) {
	t.Helper()
	ctx := context.Background()
	page, err := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Confidential: []string{"yes"}, Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no confidential demo agreement: %v", err)
	}
	a, err := app.db.AgreementByReference(ctx, page.Items[0].Reference)
	if err != nil {
		t.Fatal(err)
	}
	officer, err := app.db.UserByID(ctx, a.OfficerID)
	if err != nil {
		t.Fatal(err)
	}
	return a, officer.Username
}

func TestAgreementRegistrySearchesFiltersAndExports(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	viewer := app.client(user.RoleViewer)

	resp, body := app.get(viewer, "/agreements?lang=en")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Newest signature first") {
		t.Fatalf("registry: %d", resp.StatusCode)
	}
	// A facet narrows the list; its export holds the same agreements, each of the chosen type.
	_, body = app.get(viewer, "/agreements?lang=en&type=mou&year=2016")
	m := resultCount.FindStringSubmatch(body)
	rows := exportedRows(t, app, viewer, "type=mou&year=2016")
	if m == nil || strings.TrimSpace(m[1]) != strconv.Itoa(len(rows))+" agreements" || len(rows) == 0 {
		t.Fatalf("MoUs of 2016: page says %v, export has %d", m, len(rows))
	}
	for _, r := range rows {
		if r["type"] != "mou" || !strings.HasPrefix(r["signed_on"], "2016-") {
			t.Errorf("exported %s: type %s signed %s", r["reference"], r["type"], r["signed_on"])
		}
	}
	// Searching a reference finds that agreement; its page shows its parties and figures.
	ref := rows[0]["reference"]
	_, body = app.get(viewer, "/agreements?lang=en&q="+url.QueryEscape(ref))
	if !strings.Contains(body, `href="/agreements/`+ref+`"`) {
		t.Errorf("searching %s does not list it", ref)
	}
	resp, body = app.get(viewer, "/agreements/"+ref+"?lang=fr")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Parties") {
		t.Errorf("agreement page in French: %d", resp.StatusCode)
	}

	// A confidential agreement: listed, found and shown to administrators and its officer only.
	secret, officer := confidentialDemoAgreement(t, app)
	for who, c := range map[string]*http.Client{"viewer": viewer, "another officer": app.client(user.RoleOfficer)} {
		_, body = app.get(c, "/agreements?q="+url.QueryEscape(secret.Reference))
		if strings.Contains(body, `href="/agreements/`+secret.Reference+`"`) {
			t.Errorf("the %s finds the confidential %s", who, secret.Reference)
		}
		if resp, _ = app.get(c, "/agreements/"+secret.Reference); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the %s opens the confidential agreement: %d", who, resp.StatusCode)
		}
		for _, r := range exportedRows(t, app, c, "confidential=yes") {
			t.Errorf("the %s exports the confidential %s", who, r["reference"])
		}
	}
	for who, c := range map[string]*http.Client{"administrator": app.client(user.RoleAdmin), "its officer": app.sessionFor(officer)} {
		_, body = app.get(c, "/agreements?q="+url.QueryEscape(secret.Reference))
		if !strings.Contains(body, `href="/agreements/`+secret.Reference+`"`) {
			t.Errorf("%s does not find the confidential %s", who, secret.Reference)
		}
		if resp, _ = app.get(c, "/agreements/"+secret.Reference); resp.StatusCode != http.StatusOK {
			t.Errorf("%s cannot open the confidential agreement: %d", who, resp.StatusCode)
		}
	}
}

func TestCreatingAnAgreementWarnsAndKeepsWhatWasTyped(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	today := civil.Of(time.Now())

	// A company whose due diligence is not in order and that has an active agreement with countries.
	var company *partner.Partner
	var active *agreement.Agreement
	page, err := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Statuses: []string{agreement.StatusActive},
		PartnerTypes: []string{"private", "foundation"}, Types: []string{"voluntary_contribution", "cooperation"}, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		a, _ := app.db.AgreementByReference(ctx, it.Reference)
		if len(a.Countries) == 0 || a.Confidential || a.StartOn.IsZero() {
			continue
		}
		p, _ := app.db.PartnerByID(ctx, a.Parties[0].PartnerID)
		dd, _ := app.db.DueDiligenceOf(ctx, p.ID)
		if partner.NeedsDueDiligence(p.Type) && partner.ConcernOn(dd, today) != "" {
			company, active = p, a
			break
		}
	}
	if company == nil {
		t.Fatal("the demo has no company with a due-diligence concern and an active agreement")
	}
	form := url.Values{
		"reference": {"PCT-TEST-0001"}, "type": {active.Type}, "status": {"negotiation"}, "title_en": {""},
		"title_fr": {"Écoles connectées au Sahel"}, "party_rows": {"3"}, "party_0": {company.Key}, "role_0": {"funder"},
		"start_on": {active.StartOn.AddDays(30).String()}, "end_on": {active.StartOn.AddDays(400).String()},
		"amount": {"250000"}, "currency": {"USD"}, "regions": {"AFR", "ARB"}, "share_AFR": {"0.7"}, "share_ARB": {"0.2"},
		"countries": {active.Countries[0]}, "action_area": {active.PrimaryActionArea}, "office": {"HQ"},
	}
	// Refused with a message next to each field at fault, keeping what was typed.
	resp, body := app.postBody(officer, "/agreements?lang=en", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Écoles connectées au Sahel"`) ||
		!strings.Contains(body, "The region shares must each be above 0 and add up to 1.") || !strings.Contains(body, `id="f-title_en-error"`) {
		t.Fatalf("invalid agreement: %d", resp.StatusCode)
	}
	form.Set("title_en", "Connected schools in the Sahel")
	form.Set("share_ARB", "0.3")
	form.Set("party_1", "no partner has this name at all")
	resp, body = app.postBody(officer, "/agreements?lang=en", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No partner matches") {
		t.Fatalf("unknown partner: %d", resp.StatusCode)
	}
	form.Del("party_1")
	// Warned of the company's due diligence and of the overlapping active agreement, with links.
	resp, body = app.postBody(officer, "/agreements?lang=en", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `href="/partners/`+company.Key+`#dd"`) ||
		!strings.Contains(body, `href="/agreements/`+active.Reference+`"`) {
		t.Fatalf("warnings: %d", resp.StatusCode)
	}
	form.Set("confirm", "1")
	if resp, _ = app.postBody(officer, "/agreements?lang=en", form); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/agreements/PCT-TEST-0001?saved=1" {
		t.Fatalf("confirmed: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	a, err := app.db.AgreementByReference(ctx, "PCT-TEST-0001")
	if err != nil || a.Titles["fr"] != "Écoles connectées au Sahel" || len(a.Regions) != 2 || a.Regions[0].Share != 0.7 ||
		a.ValueUSD != 25_000_000 || a.Parties[0].PartnerID != company.ID {
		t.Fatalf("stored: %+v, %v", a, err)
	}
	// The same reference again is refused on its field.
	resp, body = app.postBody(officer, "/agreements?lang=en", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-reference-error"`) {
		t.Errorf("taken reference: %d", resp.StatusCode)
	}
}

func TestEditConflictShowsBothVersions(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	page, _ := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Types: []string{"cooperation"}, Limit: 1})
	a, _ := app.db.AgreementByReference(ctx, page.Items[0].Reference)
	form := agreementFormOf(a)
	values := url.Values{"version": {strconv.Itoa(a.Version)}, "type": {form.Type}, "status": {form.Status},
		"signed_on": {form.SignedOn}, "start_on": {form.StartOn}, "end_on": {form.EndOn}, "amount": {form.Amount},
		"currency": {form.Currency}, "regions": form.Regions, "countries": form.Countries, "action_area": {form.ActionArea},
		"office": {form.Office}, "officer": {form.Officer}, "party_rows": {strconv.Itoa(len(form.Parties))}}
	for lang, title := range form.Titles {
		values.Set("title_"+lang, title)
	}
	for i, p := range form.Parties {
		values.Set("party_"+strconv.Itoa(i), p.Partner)
		values.Set("role_"+strconv.Itoa(i), p.Role)
	}
	for region, share := range form.Shares {
		values.Set("share_"+region, share)
	}
	first, second := app.client(user.RoleOfficer), app.client(user.RoleAdmin)
	mine := url.Values{}
	for k, v := range values {
		mine[k] = slices.Clone(v)
	}
	values.Set("notes", "Renewal agreed in principle.")
	if resp, _ := app.postBody(first, "/agreements/"+a.Reference, values); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	mine.Set("notes", "Waiting for the partner's board.")
	resp, body := app.postBody(second, "/agreements/"+a.Reference+"?lang=en", mine)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Renewal agreed in principle.") ||
		!strings.Contains(body, "Waiting for the partner&#39;s board.") || !strings.Contains(body, `name="version" value="`+strconv.Itoa(a.Version+1)+`"`) {
		t.Fatalf("conflicting save: %d", resp.StatusCode)
	}
	stored, _ := app.db.AgreementByReference(ctx, a.Reference)
	if stored.Notes != "Renewal agreed in principle." {
		t.Errorf("the conflicting save changed the agreement: %q", stored.Notes)
	}
	// Saving again, knowingly, replaces their version.
	mine.Set("version", strconv.Itoa(a.Version+1))
	if resp, _ = app.postBody(second, "/agreements/"+a.Reference, mine); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", resp.StatusCode)
	}
	stored, _ = app.db.AgreementByReference(ctx, a.Reference)
	if stored.Notes != "Waiting for the partner's board." {
		t.Errorf("after saving again: %q", stored.Notes)
	}
}

func TestAmendmentsPaymentsReportsAndDocuments(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	page, _ := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Types: []string{"voluntary_contribution"},
		Statuses: []string{agreement.StatusActive}, Limit: 1})
	parent, _ := app.db.AgreementByReference(ctx, page.Items[0].Reference)
	amendments, _ := app.db.Amendments(ctx, parent.ID)
	before := agreement.Amend(parent, amendments)

	// The form for an amendment comes prepared from the agreement.
	resp, body := app.get(officer, "/agreements/new?lang=en&amends="+parent.Reference)
	wantRef := parent.Reference + "-A" + strconv.Itoa(len(amendments)+1)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="`+wantRef+`"`) {
		t.Fatalf("amendment form: %d", resp.StatusCode)
	}
	end := before.EndOn.AddDays(365)
	form := url.Values{"reference": {wantRef}, "type": {"amendment"}, "status": {"signed"}, "title_en": {"Added funds"},
		"amends": {parent.Reference}, "amendment_kind": {"added_funds"}, "signed_on": {today().String()},
		"end_on": {end.String()}, "amount": {"10000"}, "currency": {"USD"}, "regions": {parent.Regions[0].Region},
		"action_area": {parent.PrimaryActionArea}, "party_rows": {"1"}, "party_0": {parent.Parties[0].PartnerKey}, "role_0": {"funder"}}
	if resp, body = app.postBody(officer, "/agreements", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("amendment: %d %s", resp.StatusCode, body)
	}
	updated, _ := app.db.Amendments(ctx, parent.ID)
	after := agreement.Amend(parent, updated)
	if after.ValueUSD != before.ValueUSD+1_000_000 || after.EndOn != end {
		t.Errorf("as amended: %v until %v, want %v until %v", after.ValueUSD, after.EndOn, before.ValueUSD+1_000_000, end)
	}
	_, body = app.get(officer, "/agreements/"+parent.Reference+"?lang=en")
	if !strings.Contains(body, `href="/agreements/`+wantRef+`"`) || !strings.Contains(body, "As amended") {
		t.Errorf("the agreement page does not show the amendment")
	}

	// An instalment, then its payment; a refused one keeps what was typed.
	base := "/agreements/" + parent.Reference
	resp, body = app.postBody(officer, base+"/instalments?lang=en", url.Values{"due_on": {"2030-01-31"}, "amount": {"12,5"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="12,5"`) {
		t.Errorf("bad amount: %d", resp.StatusCode)
	}
	if resp, _ = app.postBody(officer, base+"/instalments", url.Values{"due_on": {"2030-01-31"}, "amount": {"5000"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("instalment: %d", resp.StatusCode)
	}
	list, _ := app.db.Instalments(ctx, parent.ID)
	added := list[slices.IndexFunc(list, func(i agreement.Instalment) bool { return i.DueOn.String() == "2030-01-31" })]
	if resp, _ = app.postBody(officer, base+"/instalments/"+strconv.FormatInt(added.ID, 10), url.Values{"due_on": {"2030-01-31"},
		"amount": {"5000"}, "received_on": {"2030-02-03"}, "received": {"4000"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("payment: %d", resp.StatusCode)
	}
	list, _ = app.db.Instalments(ctx, parent.ID)
	if i := list[slices.IndexFunc(list, func(i agreement.Instalment) bool { return i.ID == added.ID })]; i.Received != 400_000 || i.ReceivedOn.String() != "2030-02-03" {
		t.Errorf("recorded payment: %+v", i)
	}

	// A report owed, then submitted.
	if resp, _ = app.postBody(officer, base+"/obligations", url.Values{"kind": {"financial"}, "due_on": {"2020-03-31"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("obligation: %d", resp.StatusCode)
	}
	_, body = app.get(officer, base+"?lang=en")
	if !strings.Contains(body, "overdue") {
		t.Errorf("a report due in 2020 is not marked overdue")
	}
	obligations, _ := app.db.Obligations(ctx, parent.ID)
	late := obligations[slices.IndexFunc(obligations, func(o agreement.Obligation) bool { return o.DueOn.String() == "2020-03-31" })]
	if resp, _ = app.postBody(officer, base+"/obligations/"+strconv.FormatInt(late.ID, 10)+"/submitted", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submitted: %d", resp.StatusCode)
	}
	obligations, _ = app.db.Obligations(ctx, parent.ID)
	if o := obligations[slices.IndexFunc(obligations, func(o agreement.Obligation) bool { return o.ID == late.ID })]; o.SubmittedOn != today() {
		t.Errorf("submitted on %v", o.SubmittedOn)
	}

	// The signed agreement, uploaded twice: two versions, both downloadable.
	for _, content := range []string{"%PDF-1.4 first", "%PDF-1.4 second"} {
		if resp, body = app.upload(officer, base+"/documents", nil, "file", "signed.pdf", []byte(content)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
	}
	_, body = app.get(app.client(user.RoleViewer), base+"?lang=en")
	if !strings.Contains(body, "version 2") {
		t.Errorf("the second upload is not version 2")
	}
}

func today() civil.Date { return civil.Of(time.Now()) }

func TestDeletedAgreementsAreRestorable(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer, admin, viewer := app.client(user.RoleOfficer), app.client(user.RoleAdmin), app.client(user.RoleViewer)
	page, _ := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Types: []string{"sponsorship"}, Limit: 1})
	a, _ := app.db.AgreementByReference(ctx, page.Items[0].Reference)
	if resp := app.post(officer, "/agreements/"+a.Reference+"/delete", url.Values{"version": {strconv.Itoa(a.Version)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp, _ := app.get(viewer, "/agreements/"+a.Reference); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a deleted agreement opens for a viewer: %d", resp.StatusCode)
	}
	if rows := exportedRows(t, app, admin, "q="+url.QueryEscape(a.Reference)); len(rows) != 0 {
		t.Errorf("a deleted agreement is exported")
	}
	_, body := app.get(admin, "/admin/agreements/deleted?lang=en")
	if !strings.Contains(body, `action="/agreements/`+a.Reference+`/restore"`) {
		t.Fatalf("the deleted agreement is not offered for restoring")
	}
	if resp := app.post(officer, "/agreements/"+a.Reference+"/restore", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an officer restores: %d", resp.StatusCode)
	}
	if resp := app.post(admin, "/agreements/"+a.Reference+"/restore", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	if resp, _ := app.get(viewer, "/agreements/"+a.Reference); resp.StatusCode != http.StatusOK {
		t.Errorf("the restored agreement: %d", resp.StatusCode)
	}
}

func TestAgreementsAPI(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	token := app.token(user.RoleViewer)
	api := func(path string) (*http.Response, map[string]any) {
		resp, body := app.get(http.DefaultClient, path, "Authorization", "Bearer "+token)
		var out map[string]any
		json.Unmarshal([]byte(body), &out)
		return resp, out
	}
	resp, list := api("/api/v1/agreements?type=voluntary_contribution&region=AFR&per_page=5")
	items, _ := list["items"].([]any)
	if resp.StatusCode != http.StatusOK || len(items) != 5 || list["total"].(float64) < 5 {
		t.Fatalf("list: %d %v", resp.StatusCode, list["total"])
	}
	first := items[0].(map[string]any)
	if first["type"] != "voluntary_contribution" || first["reference"] == "" {
		t.Errorf("first item: %v", first)
	}
	resp, one := api("/api/v1/agreements/" + first["reference"].(string))
	if resp.StatusCode != http.StatusOK || one["reference"] != first["reference"] || one["money_usd"] == nil {
		t.Errorf("one agreement: %d %v", resp.StatusCode, one)
	}
	secret, _ := confidentialDemoAgreement(t, app)
	if resp, _ = api("/api/v1/agreements/" + secret.Reference); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a viewer's token reads a confidential agreement: %d", resp.StatusCode)
	}
	if resp, _ = api("/api/v1/agreements?sort=cheapest"); resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown sort: %d", resp.StatusCode)
	}
}

func TestStartPageListsAgreementsNeedingAttention(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	_, body := app.get(app.client(user.RoleViewer), "/start?lang=en")
	if !strings.Contains(body, "Agreements needing attention") || !strings.Contains(body, "overdue since") || !strings.Contains(body, "ends on") {
		t.Errorf("the start page lists no overdue report or agreement ending soon")
	}
}
