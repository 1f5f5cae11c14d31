package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pactum/internal/audit"
	"pactum/internal/demo"
	"pactum/internal/partner"
	"pactum/internal/user"
)

// demoPartner returns a demo partner by key, as the demo file describes it.
func demoPartner(t *testing.T, key string) *partner.Partner {
	t.Helper()
	partners, _, err := demo.Partners()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range partners {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("no demo partner %s", key)
	return nil
}

// upload posts a multipart form with one file.
func (a *testApp) upload(c *http.Client, path string, fields map[string]string, fileField, fileName string, data []byte) (*http.Response, string) {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.http.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var resultCount = regexp.MustCompile(`id="results-count" role="status">([^<·]+)`)

func TestPartnerListSearchesFiltersAndExports(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	viewer := app.client(user.RoleViewer)

	// A two-character Chinese word, searched on the Chinese page, finds the telecommunication partners.
	_, body := app.get(viewer, "/partners?lang=zh&q="+url.QueryEscape("电信"))
	if !strings.Contains(body, "马鲁拉电信集团") {
		t.Errorf("searching 电信 does not list 马鲁拉电信集团")
	}
	// Facets narrow the list and count.
	_, body = app.get(viewer, "/partners?lang=en&type=foundation&region=AFR")
	m := resultCount.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `name="type" value="foundation" checked`) {
		t.Fatalf("filtered list lacks its count or its ticked facet")
	}
	filtered := strings.TrimSpace(m[1])

	// The CSV export holds the same partners, in the import's columns headed in the reader's
	// language, with a byte-order mark.
	resp, csvBody := app.get(viewer, "/partners/export.csv?type=foundation&region=AFR")
	if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(csvBody, "\uFEFFKey,Name,Name (Arabic)") {
		t.Fatalf("CSV export: %s %q", resp.Header.Get("Content-Type"), csvBody[:min(40, len(csvBody))])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d partners", len(rows)-1); filtered != want {
		t.Errorf("the page says %q, the export holds %d rows", filtered, len(rows)-1)
	}
	for _, row := range rows[1:] {
		if row[8] != "foundation" || !strings.Contains(row[15], "AFR") {
			t.Errorf("exported row outside the filter: %v", row)
		}
	}

	// The Excel export opens and holds the same rows.
	resp, xlsxBody := app.get(viewer, "/partners/export.xlsx?type=foundation&region=AFR")
	book, err := excelize.OpenReader(strings.NewReader(xlsxBody))
	if err != nil {
		t.Fatalf("XLSX export (%s): %v", resp.Header.Get("Content-Type"), err)
	}
	sheet, _ := book.GetRows("Partners")
	if len(sheet) != len(rows) || sheet[0][0] != "Key" || sheet[1][0] != rows[1][0] {
		t.Errorf("XLSX has %d rows starting %v, CSV %d", len(sheet), sheet[0], len(rows))
	}
}

func TestPartnerProfileShowsInvolvementInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	c := app.client(user.RoleViewer)
	resp, body := app.get(c, "/partners/marula-telecom-group?lang=zh")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("profile: %d", resp.StatusCode)
	}
	p := demoPartner(t, "marula-telecom-group")
	for _, want := range []string{p.Texts["zh"].Name, "<svg", "role=\"img\"", "马鲁拉电信塞内加尔公司"} {
		if !strings.Contains(body, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
	// The parent's figures include its subsidiaries' agreements.
	group, err := app.db.PartnerByKey(context.Background(), "marula-telecom-group")
	if err != nil {
		t.Fatal(err)
	}
	family, _ := app.db.PartnerFamily(context.Background(), group.ID)
	inv, _ := app.db.Involvement(context.Background(), family, "en", 0)
	own, _ := app.db.Involvement(context.Background(), family[:1], "en", 0)
	if len(family) < 2 || inv.Agreements < own.Agreements || inv.ValueUSD < own.ValueUSD {
		t.Errorf("family of %d: %d agreements, own %d", len(family), inv.Agreements, own.Agreements)
	}
}

func TestCreatingAPartnerWarnsOfDuplicatesAndKeepsWhatWasTyped(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	officer := app.client(user.RoleOfficer)
	form := url.Values{"key": {"marula-group-2"}, "name_en": {"Marula Telecom Group"}, "name_fr": {"Groupe Marula Télécom"},
		"type": {"private"}, "membership": {"sector_member"}, "status": {"prospect"}, "website": {"marula.example"}}
	resp, body := app.postBody(officer, "/partners", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Groupe Marula Télécom"`) ||
		!strings.Contains(body, "Please enter a web address starting with https://.") {
		t.Fatalf("bad website: %d", resp.StatusCode)
	}
	form.Set("website", "https://marula-two.example")
	resp, body = app.postBody(officer, "/partners", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `href="/partners/marula-telecom-group"`) {
		t.Fatalf("likely duplicate: %d", resp.StatusCode)
	}
	form.Set("confirm_duplicates", "1")
	if resp, _ = app.postBody(officer, "/partners", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed creation: %d", resp.StatusCode)
	}
	p, err := app.db.PartnerByKey(context.Background(), "marula-group-2")
	if err != nil || p.Texts["fr"].Name != "Groupe Marula Télécom" {
		t.Fatalf("created partner: %+v %v", p, err)
	}
	entries, _, _ := app.db.AuditEntries(context.Background(), audit.Filter{Entity: "partner", EntityKey: "marula-group-2"})
	if len(entries) != 1 || entries[0].Actor != "officer" || entries[0].Action != audit.ActionCreate {
		t.Errorf("audit of the creation: %+v", entries)
	}
	// A save over a newer version is refused and keeps the edit.
	edit := url.Values{"name_en": {"Marula Telecom Group II"}, "type": {"private"}, "membership": {"sector_member"}, "status": {"active"}, "version": {"1"}}
	if resp, _ = app.postBody(officer, "/partners/marula-group-2", edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first edit: %d", resp.StatusCode)
	}
	edit.Set("name_en", "Marula Telecom Group III")
	resp, body = app.postBody(officer, "/partners/marula-group-2", edit)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Marula Telecom Group III") {
		t.Errorf("stale edit: %d", resp.StatusCode)
	}
}

func TestRegionalOfficersEditTheirRegionOnly(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	regional := app.client(user.RoleRegionalOfficer) // region AFR
	if resp, _ := app.get(regional, "/partners/marula-telecom-group/edit"); resp.StatusCode != http.StatusOK {
		t.Errorf("AFR officer editing an African partner: %d", resp.StatusCode)
	}
	var european string
	partners, _, _ := demo.Partners()
	for _, p := range partners {
		if p.Country == "DE" && !contains(p.Regions, "AFR") {
			european = p.Key
			break
		}
	}
	if resp, _ := app.get(regional, "/partners/"+european+"/edit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("AFR officer editing %s: %d, want 403", european, resp.StatusCode)
	}
	if resp, _ := app.get(regional, "/partners/"+european); resp.StatusCode != http.StatusOK {
		t.Errorf("AFR officer reading %s: %d", european, resp.StatusCode)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestDueDiligenceWithDocuments(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	officer := app.client(user.RoleOfficer)
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	fields := map[string]string{"dd_status": "cleared", "risk_rating": "low", "reviewed_on": "2026-01-15", "recheck_on": "2028-01-15", "version": "0"}
	// The demo may already hold a record: start from its version.
	p, _ := app.db.PartnerByKey(context.Background(), "marula-telecom-group")
	if dd, _ := app.db.DueDiligenceOf(context.Background(), p.ID); dd != nil {
		fields["version"] = fmt.Sprint(dd.Version)
	}
	resp, body := app.upload(officer, "/partners/marula-telecom-group/due-diligence", fields, "file", "screening.exe", []byte("MZ..."))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This kind of file is not accepted") {
		t.Fatalf("an .exe upload: %d", resp.StatusCode)
	}
	// A scan of several megabytes is a normal document.
	pdf = append(pdf, bytes.Repeat([]byte("%scanned page\n"), 3<<20/14)...)
	resp, _ = app.upload(officer, "/partners/marula-telecom-group/due-diligence", fields, "file", "screening report.pdf", pdf)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save due diligence: %d", resp.StatusCode)
	}
	docs, _ := app.db.Documents(context.Background(), "due_diligence", p.ID)
	if len(docs) == 0 || docs[0].Filename != "screening report.pdf" {
		t.Fatalf("documents: %+v", docs)
	}
	resp, got := app.get(officer, fmt.Sprintf("/documents/%d", docs[0].ID))
	if resp.StatusCode != http.StatusOK || got != string(pdf) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := app.get(app.client(user.RoleExternal), fmt.Sprintf("/documents/%d", docs[0].ID)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("external account downloading a due-diligence document: %d", resp.StatusCode)
	}
	_, page := app.get(officer, "/partners/marula-telecom-group")
	if !strings.Contains(page, "Cleared") || strings.Contains(page, "Due diligence is missing") {
		t.Error("the profile does not show the cleared due diligence")
	}
}

func TestInteractionsFollowUpsAndEmailImport(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	officer := app.client(user.RoleOfficer)
	me, _ := app.db.UserByUsername(context.Background(), "officer")
	form := url.Values{"type": {"bilateral_meeting"}, "occurred_on": {"2026-11-20"}, "subject": {"Meeting on rural broadband"},
		"partners": {"marula-telecom-group"}, "followup_description": {"Send the concept note"},
		"followup_assignee": {fmt.Sprint(me.ID)}, "followup_due_on": {"2026-11-01"}}
	resp, _ := app.postBody(officer, "/interactions", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create interaction: %d", resp.StatusCode)
	}
	_, page := app.get(officer, "/follow-ups")
	if !strings.Contains(page, "Send the concept note") || !strings.Contains(page, "Overdue") {
		t.Fatal("my follow-ups do not show the overdue follow-up")
	}
	if _, start := app.get(officer, "/start"); !strings.Contains(start, "of your follow-ups is overdue") {
		t.Error("the start page does not flag the overdue follow-up")
	}
	list, _ := app.db.FollowUpsOf(context.Background(), me.ID, false)
	if len(list) != 1 {
		t.Fatalf("open follow-ups: %d", len(list))
	}
	done := url.Values{"status": {"done"}, "version": {fmt.Sprint(list[0].Version)}, "back": {"/follow-ups"}}
	if resp, _ := app.postBody(officer, fmt.Sprintf("/follow-ups/%d", list[0].ID), done); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark done: %d", resp.StatusCode)
	}
	if open, _ := app.db.FollowUpsOf(context.Background(), me.ID, false); len(open) != 0 {
		t.Errorf("after marking it done %d follow-ups are open", len(open))
	}

	// An e-mail from a demo contact fills in the form with the partner recognised.
	group, _ := app.db.PartnerByKey(context.Background(), "marula-telecom-group")
	contact := group.Contacts[0]
	eml := "From: " + contact.Name + " <" + contact.Email + ">\r\nTo: officer@bureau.example\r\nSubject: =?UTF-8?B?" +
		"UmU6IGNvbmNlcHQgbm90ZSDigJMgw6l0YXBlcw==?=\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <abc@marula.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nThank you for the concept note.\r\n"
	resp, body := app.upload(officer, "/interactions/email", nil, "eml", "reply.eml", []byte(eml))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Re: concept note – étapes") || !strings.Contains(body, "marula-telecom-group") ||
		!strings.Contains(body, `value="2026-11-24"`) || !strings.Contains(body, "Thank you for the concept note.") {
		t.Fatalf("e-mail import: %d", resp.StatusCode)
	}
	resp, _ = app.upload(officer, "/interactions/email", nil, "eml", "note.txt", []byte("just some text, not a mail"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a text file as e-mail: %d", resp.StatusCode)
	}
}

func TestMergingDuplicatesKeepsEverything(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	keep, _ := app.db.PartnerByKey(ctx, "marula-telecom-group")
	dup, _ := app.db.PartnerByKey(ctx, "marula-telecom-senegal")
	family, _ := app.db.PartnerFamily(ctx, keep.ID)
	before, _ := app.db.Involvement(ctx, family, "en", 0)
	_, body := app.postBody(officer, "/partners/marula-telecom-group/merge", url.Values{"duplicate": {"marula-telecom-senegal"}})
	if !strings.Contains(body, "Merging") {
		t.Fatalf("merge preview missing")
	}
	if resp, _ := app.postBody(officer, "/partners/marula-telecom-group/merge", url.Values{"duplicate": {"marula-telecom-senegal"}, "confirm": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("merge: %d", resp.StatusCode)
	}
	merged, _ := app.db.PartnerByKey(ctx, "marula-telecom-group")
	family, _ = app.db.PartnerFamily(ctx, merged.ID)
	after, _ := app.db.Involvement(ctx, family, "en", 0)
	if after.Agreements != before.Agreements || after.ValueUSD != before.ValueUSD {
		t.Errorf("family involvement changed by the merge: %d/%s before, %d/%s after", before.Agreements, before.ValueUSD, after.Agreements, after.ValueUSD)
	}
	if len(merged.Contacts) != len(keep.Contacts)+len(dup.Contacts) {
		t.Errorf("contacts: %d, want %d", len(merged.Contacts), len(keep.Contacts)+len(dup.Contacts))
	}
	resp, _ := app.get(officer, "/partners/marula-telecom-senegal")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/partners/marula-telecom-group" {
		t.Errorf("old key: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	entries, _, _ := app.db.AuditEntries(ctx, audit.Filter{Entity: "partner", EntityKey: "marula-telecom-senegal"})
	if len(entries) == 0 || entries[0].Action != audit.ActionDelete || entries[0].Changes["merged_into"].After != "marula-telecom-group" {
		t.Errorf("the duplicate's history: %+v", entries)
	}
}

func TestPartnersAPI(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	token := app.token(user.RoleViewer)
	c := &http.Client{}
	_, body := app.get(c, "/api/v1/partners?q=telecom&type=private&per_page=5", "Authorization", "Bearer "+token)
	var list struct {
		Total int `json:"total"`
		Items []struct {
			Key, Type string
		} `json:"items"`
		Facets map[string][]struct {
			Code  string
			Count int
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if list.Total == 0 || len(list.Items) == 0 || len(list.Items) > 5 || list.Facets["type"] == nil {
		t.Fatalf("list: %+v", list)
	}
	for _, it := range list.Items {
		if it.Type != "private" {
			t.Errorf("item outside the filter: %+v", it)
		}
	}
	_, body = app.get(c, "/api/v1/partners/marula-telecom-group", "Authorization", "Bearer "+token)
	var one struct {
		Key         string            `json:"key"`
		Names       map[string]string `json:"names"`
		Involvement struct {
			Agreements int `json:"agreements"`
		} `json:"involvement"`
	}
	if err := json.Unmarshal([]byte(body), &one); err != nil {
		t.Fatal(err)
	}
	if one.Key != "marula-telecom-group" || one.Names["zh"] != "马鲁拉电信集团" || one.Involvement.Agreements == 0 {
		t.Errorf("profile: %+v", one)
	}
	if resp, _ := app.get(c, "/api/v1/partners/nobody", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown partner: %d", resp.StatusCode)
	}
}

func TestContactsAreAddedEditedAndRemoved(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	add := url.Values{"contact_name": {"Zanele Dlamini"}, "contact_email": {"zanele@marula.example"}, "contact_language": {"en"}, "contact_primary": {"1"}}
	if resp, _ := app.postBody(officer, "/partners/marula-telecom-group/contacts", add); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add contact: %d", resp.StatusCode)
	}
	p, _ := app.db.PartnerByKey(ctx, "marula-telecom-group")
	var zanele partner.Contact
	primaries := 0
	for _, c := range p.Contacts {
		if c.Name == "Zanele Dlamini" {
			zanele = c
		}
		if c.Primary {
			primaries++
		}
	}
	if zanele.ID == 0 || !zanele.Primary || primaries != 1 {
		t.Fatalf("after adding a primary contact: %+v, %d primary", p.Contacts, primaries)
	}
	edit := url.Values{"contact_name": {"Zanele Dlamini-Mokoena"}, "contact_email": {"not an address"}}
	if resp, body := app.postBody(officer, fmt.Sprintf("/partners/marula-telecom-group/contacts/%d", zanele.ID), edit); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Please enter an e-mail address") {
		t.Errorf("bad e-mail: %d", resp.StatusCode)
	}
	edit.Set("contact_email", "zanele@marula.example")
	edit.Set("contact_title", "Head of Partnerships")
	if resp, _ := app.postBody(officer, fmt.Sprintf("/partners/marula-telecom-group/contacts/%d", zanele.ID), edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit contact: %d", resp.StatusCode)
	}
	entries, _, _ := app.db.AuditEntries(ctx, audit.Filter{Entity: "contact", EntityKey: "marula-telecom-group", Action: audit.ActionUpdate})
	if len(entries) != 1 || entries[0].Changes["name"].After != "Zanele Dlamini-Mokoena" || entries[0].Changes["primary"].Before != true {
		t.Errorf("audit of the contact change: %+v", entries)
	}
	if resp, _ := app.postBody(officer, fmt.Sprintf("/partners/marula-telecom-group/contacts/%d/delete", zanele.ID), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete contact: %d", resp.StatusCode)
	}
	p, _ = app.db.PartnerByKey(ctx, "marula-telecom-group")
	for _, c := range p.Contacts {
		if c.ID == zanele.ID {
			t.Error("the deleted contact is still there")
		}
	}
}
