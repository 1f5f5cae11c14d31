package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// editableDemoAgreement returns an active voluntary contribution of the demo that is not
// confidential, so that every officer may change it.
func editableDemoAgreement(t *testing.T, app *testApp) *agreement.Agreement {
	t.Helper()
	ctx := context.Background()
	page, err := app.db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Confidential: []string{"no"},
		Types: []string{"voluntary_contribution"}, Statuses: []string{agreement.StatusActive}, Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no open voluntary contribution in the demo: %v", err)
	}
	a, err := app.db.AgreementByReference(ctx, page.Items[0].Reference)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A record's number in a path that is no number above zero names no record: it is answered as a
// record that does not exist, in the reader's language, and never taken for 0 — a new
// instalment, report or interaction.
func TestPathNumbersThatNameNoRecordAreNotFound(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t), true)
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	a := editableDemoAgreement(t, app)
	base := "/agreements/" + a.Reference
	before, _ := app.db.Instalments(ctx, a.ID)
	obligationsBefore, _ := app.db.Obligations(ctx, a.ID)

	instalment := url.Values{"due_on": {"2031-01-31"}, "amount": {"5000"}}
	obligation := url.Values{"kind": {"financial"}, "due_on": {"2031-03-31"}}
	gone := template.HTMLEscapeString("Cette ligne ne figure plus dans l'accord")
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/instalments/abc", instalment},
		{"/instalments/0", instalment},
		{"/instalments/-4", instalment},
		{"/instalments/%20", instalment},
		{"/instalments/abc/delete", nil},
		{"/instalments/99999999999999999999/delete", nil},
		{"/instalments/2147483647/delete", nil}, // a number, but no line of the agreement: the same answer
		{"/obligations/abc", obligation},
		{"/obligations/1e3/submitted", nil},
		{"/obligations/x/delete", nil},
	} {
		resp, body := app.postBody(officer, base+tc.path+"?lang=fr", tc.form)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, gone) {
			t.Errorf("POST %s: %d, want 404 saying the line is not on the agreement, in French", tc.path, resp.StatusCode)
		}
	}
	if after, _ := app.db.Instalments(ctx, a.ID); len(after) != len(before) {
		t.Errorf("instalments: %d, then %d after posts to paths naming none", len(before), len(after))
	}
	if after, _ := app.db.Obligations(ctx, a.ID); len(after) != len(obligationsBefore) {
		t.Errorf("reports owed: %d, then %d after posts to paths naming none", len(obligationsBefore), len(after))
	}

	// Interactions, follow-ups, documents, contacts, import jobs and tokens alike.
	interaction := url.Values{"type": {"bilateral_meeting"}, "occurred_on": {"2026-11-20"}, "subject": {"Path test"},
		"partners": {"marula-telecom-group"}}
	for _, tc := range []struct {
		method, path string
		form         url.Values
		want         string
	}{
		{"GET", "/interactions/abc", nil, "Page introuvable"},
		{"GET", "/interactions/0/edit", nil, "Page introuvable"},
		{"POST", "/interactions/abc", interaction, "Page introuvable"},
		{"POST", "/interactions/-1/follow-ups", url.Values{"followup_description": {"x"}}, "Page introuvable"},
		{"POST", "/follow-ups/abc", url.Values{"status": {"done"}}, "Page introuvable"},
		{"GET", "/documents/abc", nil, "Page introuvable"},
		{"GET", "/imports/abc", nil, "Page introuvable"},
		{"POST", "/account/tokens/abc/revoke", nil, "Page introuvable"},
		{"POST", "/partners/marula-telecom-group/contacts/abc", url.Values{"contact_name": {"Ana"}}, "Cet interlocuteur n"},
		{"POST", "/partners/marula-telecom-group/contacts/abc/delete", nil, "Cet interlocuteur n"},
	} {
		var resp *http.Response
		var body string
		if tc.method == "GET" {
			resp, body = app.get(officer, tc.path+"?lang=fr")
		} else {
			resp, body = app.postBody(officer, tc.path+"?lang=fr", tc.form)
		}
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s: %d, want 404 with %q", tc.method, tc.path, resp.StatusCode, tc.want)
		}
	}
	marula, _ := app.db.PartnerByKey(ctx, "marula-telecom-group")
	lines, _ := app.db.PartnerInteractions(ctx, []int64{marula.ID}, 1000)
	for _, in := range lines {
		if in.Subject == "Path test" {
			t.Errorf("a post to /interactions/abc created interaction %d", in.ID)
		}
	}
}
