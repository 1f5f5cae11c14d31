package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pactum/internal/agreement"
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

// fieldErrorOf returns the message shown next to a form's field (its f-NAME-error paragraph).
func fieldErrorOf(body, name string) string {
	_, rest, ok := strings.Cut(body, `<p class="field-error" id="f-`+name+`-error">`)
	if !ok {
		return ""
	}
	msg, _, _ := strings.Cut(rest, "</p>")
	return msg
}

// A record's number in a path that is no number above zero names no record: it is answered as a
// record that does not exist, in the reader's language, and never taken for 0 — a new
// instalment, report or interaction.
func TestPathNumbersThatNameNoRecordAreNotFound(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
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

// A list of people offers their numbers: one that is no number is refused next to its field,
// with the rest of the form as typed, in the reader's language; an empty choice is still none.
func TestChoicesThatAreNoNumberAreRefusedNextToTheirField(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	ctx := context.Background()
	officer := app.client(user.RoleOfficer)
	person := "Please choose a person from the list."

	// A partner's owner.
	form := url.Values{"key": {"qorvath-trust"}, "name_en": {"Qorvath Lagoon Trust"}, "name_fr": {"Fiducie Qorvath de la lagune"},
		"type": {"foundation"}, "membership": {"none"}, "status": {"prospect"}, "owner": {"abc"}}
	resp, body := app.postBody(officer, "/partners?lang=fr", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "owner") != "Veuillez choisir une personne dans la liste." ||
		!strings.Contains(body, `value="Fiducie Qorvath de la lagune"`) || !strings.Contains(body, `value="qorvath-trust"`) {
		t.Errorf("a partner whose owner is no number: %d, owner says %q", resp.StatusCode, fieldErrorOf(body, "owner"))
	}
	// With the parent unknown as well, both fields say so at once.
	form.Set("parent", "no-such-parent")
	if _, body = app.postBody(officer, "/partners?lang=en", form); fieldErrorOf(body, "owner") != person || fieldErrorOf(body, "parent") == "" {
		t.Errorf("owner and parent both wrong: owner %q, parent %q", fieldErrorOf(body, "owner"), fieldErrorOf(body, "parent"))
	}
	form.Del("parent")
	// A number that is no account's (one removed since the form was shown) is refused alike.
	form.Set("owner", "999999")
	if resp, body = app.postBody(officer, "/partners?lang=en", form); resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "owner") != person {
		t.Errorf("a partner whose owner is no account: %d, owner says %q", resp.StatusCode, fieldErrorOf(body, "owner"))
	}
	form.Set("owner", "")
	if resp, _ = app.postBody(officer, "/partners", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a partner with no owner: %d", resp.StatusCode)
	}

	// An agreement's officer.
	a := editableDemoAgreement(t, app)
	_, body = app.get(officer, "/agreements/"+a.Reference+"/edit?lang=en")
	edit := formValues(body)
	edit.Set("officer", "7x")
	edit.Set("notes", "Kept as typed")
	resp, body = app.postBody(officer, "/agreements/"+a.Reference+"?lang=en", edit)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "officer") != person || !strings.Contains(body, "Kept as typed") {
		t.Errorf("an agreement whose officer is no number: %d, officer says %q", resp.StatusCode, fieldErrorOf(body, "officer"))
	}
	edit.Set("officer", "999999")
	if resp, body = app.postBody(officer, "/agreements/"+a.Reference+"?lang=en", edit); resp.StatusCode != http.StatusUnprocessableEntity ||
		fieldErrorOf(body, "officer") != person {
		t.Errorf("an agreement whose officer is no account: %d, officer says %q", resp.StatusCode, fieldErrorOf(body, "officer"))
	}
	if stored, _ := app.db.AgreementByReference(ctx, a.Reference); stored.Notes == "Kept as typed" || stored.OfficerID != a.OfficerID {
		t.Errorf("the refused save changed the agreement: officer %d, notes %q", stored.OfficerID, stored.Notes)
	}

	// A due diligence's reviewer.
	dd := map[string]string{"dd_status": "in_progress", "reviewer": "-2", "notes": "Screening under way", "version": "0"}
	p, _ := app.db.PartnerByKey(ctx, "marula-telecom-group")
	if d, _ := app.db.DueDiligenceOf(ctx, p.ID); d != nil {
		dd["version"] = fmt.Sprint(d.Version)
	}
	resp, body = app.upload(officer, "/partners/marula-telecom-group/due-diligence?lang=en", dd, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "reviewer") != person || !strings.Contains(body, "Screening under way") {
		t.Errorf("a due diligence whose reviewer is no number: %d, reviewer says %q", resp.StatusCode, fieldErrorOf(body, "reviewer"))
	}
	dd["reviewer"] = "999999"
	resp, body = app.upload(officer, "/partners/marula-telecom-group/due-diligence?lang=en", dd, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "reviewer") != person {
		t.Errorf("a due diligence whose reviewer is no account: %d, reviewer says %q", resp.StatusCode, fieldErrorOf(body, "reviewer"))
	}

	// The people of a new interaction and of its follow-up.
	interaction := url.Values{"type": {"bilateral_meeting"}, "occurred_on": {"2026-11-20"}, "subject": {"Rural broadband"},
		"partners": {"marula-telecom-group"}, "staff": {"x"}, "followup_description": {"Send the concept note"},
		"followup_assignee": {"abc"}, "followup_due_on": {"2026-12-01"}}
	resp, body = app.postBody(officer, "/interactions?lang=en", interaction)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "followup_assignee") != person ||
		fieldErrorOf(body, "staff") != "Please choose people from the list." || !strings.Contains(body, `value="Send the concept note"`) ||
		!strings.Contains(body, `value="2026-12-01"`) {
		t.Errorf("an interaction whose people are no numbers: %d, assignee %q, staff %q", resp.StatusCode,
			fieldErrorOf(body, "followup_assignee"), fieldErrorOf(body, "staff"))
	}
	me, _ := app.db.UserByUsername(ctx, "officer")
	interaction.Set("staff", fmt.Sprint(me.ID))
	interaction.Set("followup_assignee", fmt.Sprint(me.ID))
	resp = app.post(officer, "/interactions", interaction)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the interaction with its people chosen: %d", resp.StatusCode)
	}
	page := strings.TrimSuffix(resp.Header.Get("Location"), "?saved=1")
	followUp := url.Values{"followup_description": {"Call back"}, "followup_assignee": {"1.5"}, "followup_due_on": {"tomorrow"}}
	resp, body = app.postBody(officer, page+"/follow-ups?lang=en", followUp)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "followup_assignee") != person ||
		fieldErrorOf(body, "followup_due_on") != "Please enter a date as YYYY-MM-DD." || !strings.Contains(body, `value="Call back"`) ||
		!strings.Contains(body, `value="tomorrow"`) || !strings.Contains(body, "<details open>") {
		t.Errorf("a follow-up whose assignee is no number: %d, assignee %q", resp.StatusCode, fieldErrorOf(body, "followup_assignee"))
	}
	followUp.Set("followup_assignee", "999999")
	followUp.Set("followup_due_on", "2026-12-24")
	if resp, body = app.postBody(officer, page+"/follow-ups?lang=en", followUp); resp.StatusCode != http.StatusUnprocessableEntity ||
		fieldErrorOf(body, "followup_assignee") != person {
		t.Errorf("a follow-up whose assignee is no account: %d, assignee %q", resp.StatusCode, fieldErrorOf(body, "followup_assignee"))
	}

	// The upload an import's confirmation names.
	resp, body = app.postBody(officer, "/partners/import/confirm?lang=en", url.Values{"upload": {"abc"}, "sha256": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "file") != "This confirmation names no upload. Please check the file again." {
		t.Errorf("a confirmation whose upload is no number: %d, file says %q", resp.StatusCode, fieldErrorOf(body, "file"))
	}
}

// The small forms of the agreement and partner pages are kept as typed when refused, with the
// form's own errors and the domain's together; the audit trail's dates say when they are none.
func TestSmallFormsKeepWhatWasTypedWithEveryError(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	officer := app.client(user.RoleOfficer)
	a := editableDemoAgreement(t, app)
	base := "/agreements/" + a.Reference

	long := strings.Repeat("n", agreement.MaxNoteLength+1)
	resp, body := app.postBody(officer, base+"/instalments?lang=en", url.Values{"due_on": {"31/01/2031"}, "amount": {"5000"}, "note": {long}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "due_on") != "Please enter a date as YYYY-MM-DD." ||
		!strings.Contains(fieldErrorOf(body, "instalment-note"), "at most 500 characters") || !strings.Contains(body, `value="31/01/2031"`) {
		t.Errorf("an instalment with a bad date and a long note: %d, due %q, note %q", resp.StatusCode,
			fieldErrorOf(body, "due_on"), fieldErrorOf(body, "instalment-note"))
	}
	resp, body = app.postBody(officer, base+"/obligations?lang=en", url.Values{"kind": {"final"}, "due_on": {"soon"}, "note": {"Final report"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "due_on") != "Please enter a date as YYYY-MM-DD." ||
		!strings.Contains(body, `value="soon"`) || !strings.Contains(body, `value="Final report"`) ||
		!strings.Contains(body, `<option value="final" selected>`) {
		t.Errorf("a report owed with a bad date: %d", resp.StatusCode)
	}

	resp, body = app.postBody(officer, "/partners/marula-telecom-group/recognitions?lang=en", url.Values{
		"recognition_title": {"Partner of the year"}, "recognition_awarded_on": {"last May"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "recognition_awarded_on") != "Please enter a date as YYYY-MM-DD." ||
		!strings.Contains(body, `value="Partner of the year"`) || !strings.Contains(body, `value="last May"`) {
		t.Errorf("a recognition with a bad date: %d", resp.StatusCode)
	}

	admin := app.client(user.RoleAdmin)
	resp, body = app.get(admin, "/admin/audit?lang=en&from=2026-13-45")
	if resp.StatusCode != http.StatusOK || fieldErrorOf(body, "from") != "Please enter a date as YYYY-MM-DD." || !strings.Contains(body, `value="2026-13-45"`) {
		t.Errorf("the audit trail from a date that is none: %d, from says %q", resp.StatusCode, fieldErrorOf(body, "from"))
	}
}

// References follow the agreements' own rule (agreement.ValidReference and Validate), its length
// included, in the agreement form and wherever a form links to an agreement.
func TestReferencesFollowTheAgreementsRule(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	officer := app.client(user.RoleOfficer)
	a := editableDemoAgreement(t, app)
	tooLong := "PCT-" + strings.Repeat("7", agreement.MaxReferenceLength-3)

	_, body := app.get(officer, "/agreements/new?lang=en&amends="+a.Reference)
	form := formValues(body)
	form.Set("reference", tooLong)
	resp, body := app.postBody(officer, "/agreements?lang=en", form)
	want := fmt.Sprintf("Please shorten this to at most %d characters.", agreement.MaxReferenceLength)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldErrorOf(body, "reference") != want || !strings.Contains(body, `value="`+tooLong+`"`) {
		t.Errorf("a reference of %d characters: %d, reference says %q", len(tooLong), resp.StatusCode, fieldErrorOf(body, "reference"))
	}
	form.Set("reference", a.Reference+"-X1")
	form.Set("amends", tooLong)
	_, body = app.postBody(officer, "/agreements?lang=en", form)
	if got := fieldErrorOf(body, "amends"); !strings.Contains(got, "There is no agreement with the reference") {
		t.Errorf("amending a reference too long to be one: %q", got)
	}

	interaction := url.Values{"type": {"bilateral_meeting"}, "occurred_on": {"2026-11-20"}, "subject": {"Reference test"},
		"partners": {"marula-telecom-group"}, "agreement": {tooLong}}
	resp, body = app.postBody(officer, "/interactions?lang=en", interaction)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldErrorOf(body, "agreement"), "There is no agreement with the reference") {
		t.Errorf("an interaction about a reference too long to be one: %d, agreement says %q", resp.StatusCode, fieldErrorOf(body, "agreement"))
	}
}
