package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// hostileTexts are what no text field takes, with what the field then says.
var hostileTexts = []struct{ name, value, says string }{
	{"100,000 characters", strings.Repeat("x", 100_000), "Please shorten this to at most"},
	{"invalid UTF-8", "Bad \xff\xfe text", "cannot be saved here"},
	{"a NUL byte", "Bad\x00text", "cannot be saved here"},
	{"a control character", "Bad\x1btext", "cannot be saved here"},
}

// textForm is a form that saves text, posted valid but for one field at a time.
type textForm struct {
	name   string
	client *http.Client
	path   string
	values url.Values // valid, with markers: values that must come back in the refused page
	fields []string   // the text fields posted hostile, one after the other
	// any lists the fields whose own check speaks first (an address's shape, a reference's), so
	// that only an error on the field is asserted, not its words.
	any     []string
	errorID func(field string) string // the id of the field's error; by default f-<field>-error
}

// limitsFixture is a test app with a partner, its contact, an agreement and an interaction.
type limitsFixture struct {
	app         *testApp
	partner     *partner.Partner
	contactID   int64
	agreement   *agreement.Agreement
	interaction int64
}

func newLimitsFixture(t *testing.T, db *store.DB) *limitsFixture {
	ctx := context.Background()
	app := newTestApp(t, db)
	p := &partner.Partner{Key: "input-limits", Type: "government", Membership: "none", Status: partner.StatusActive,
		Texts: map[string]partner.Text{"en": {Name: "Input Limits Ministry"}}}
	if err := db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddContact(ctx, p.Key, &partner.Contact{Name: "Ana Lopez"}); err != nil {
		t.Fatal(err)
	}
	p, err := db.PartnerByKey(ctx, p.Key)
	if err != nil {
		t.Fatal(err)
	}
	a := &agreement.Agreement{Reference: "PCT-LIMITS-0001", Titles: map[string]string{"en": "Limits"}, Type: "voluntary_contribution", Status: agreement.StatusDraft,
		Currency: "USD", PrimaryActionArea: "generic", Regions: agreement.EqualShares("AFR"), Office: "HQ",
		Parties: []agreement.Party{{PartnerID: p.ID, Role: agreement.RoleFunder}}}
	if err := db.CreateAgreements(ctx, []*agreement.Agreement{a}); err != nil {
		t.Fatal(err)
	}
	if a, err = db.AgreementByReference(ctx, a.Reference); err != nil {
		t.Fatal(err)
	}
	in := &interaction.Interaction{Type: interaction.TypeBilateral, OccurredOn: civil.MustParse("2024-05-06"), Subject: "First meeting",
		PartnerIDs: []int64{p.ID}}
	if err := db.CreateInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	return &limitsFixture{app: app, partner: p, contactID: p.Contacts[0].ID, agreement: a, interaction: in.ID}
}

// withValue returns a copy of values with name set to value.
func withValue(values url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, v := range values {
		out[k] = v
	}
	out.Set(name, value)
	return out
}

// auditCount is how many entries the audit trail holds: every change a store method makes adds
// one in its transaction, so a refused form leaves it as it was.
func (a *testApp) auditCount() int {
	a.t.Helper()
	_, total, err := a.db.AuditEntries(context.Background(), audit.Filter{Limit: 1})
	if err != nil {
		a.t.Fatal(err)
	}
	return total
}

func (f *limitsFixture) forms(t *testing.T) []textForm {
	ctx := context.Background()
	app := f.app
	admin, external := app.sessionClient(user.RoleAdmin), app.sessionClient(user.RoleExternal)
	version := func(username string) string {
		u, err := app.db.UserByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(u.Version)
	}
	adminUser, err := app.db.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	key, ref, in := f.partner.Key, f.agreement.Reference, strconv.FormatInt(f.interaction, 10)
	agreementForm := url.Values{"title_en": {"Marker agreement title"}, "initiative": {"Marker initiative"}, "type": {"voluntary_contribution"},
		"status": {"draft"}, "party_rows": {"1"}, "party_0": {key}, "role_0": {"funder"}, "currency": {"USD"}, "regions": {"AFR"},
		"action_area": {"generic"}, "office": {"HQ"}}
	interactionForm := url.Values{"type": {interaction.TypeBilateral}, "occurred_on": {"2024-05-06"}, "subject": {"Marker subject"},
		"place": {"Marker place"}, "partners": {key}}
	return []textForm{
		{name: "new partner", client: admin, path: "/partners",
			values: url.Values{"key": {"limits-new"}, "name_en": {"Marker partner name"}, "type": {"government"}, "membership": {"none"},
				"status": {"prospect"}, "notes": {"Marker notes"}},
			fields: []string{"name_en", "name_fr", "acronym_en", "acronym_zh", "mandate_en", "strategy_ar", "financing_mechanisms",
				"website", "tags", "notes", "country"}, any: []string{"country"}},
		{name: "partner", client: admin, path: "/partners/" + key,
			values: url.Values{"name_en": {"Marker partner name"}, "type": {"government"}, "membership": {"none"}, "status": {"active"},
				"notes": {"Marker notes"}, "version": {strconv.Itoa(f.partner.Version)}},
			fields: []string{"name_en", "mandate_fr", "notes"}},
		{name: "new contact", client: admin, path: "/partners/" + key + "/contacts",
			values: url.Values{"contact_name": {"Marker contact"}, "contact_title": {"Marker title"}},
			fields: []string{"contact_name", "contact_title", "contact_email", "contact_phone"}},
		{name: "contact", client: admin, path: fmt.Sprintf("/partners/%s/contacts/%d", key, f.contactID),
			values:  url.Values{"contact_name": {"Marker contact"}, "contact_title": {"Marker title"}},
			fields:  []string{"contact_name", "contact_title", "contact_email", "contact_phone"},
			errorID: func(field string) string { return fmt.Sprintf("f-%s-%d-error", field, f.contactID) }},
		{name: "recognition", client: admin, path: "/partners/" + key + "/recognitions",
			values: url.Values{"recognition_title": {"Marker award"}, "recognition_awarded_on": {"2015-05-17"}},
			fields: []string{"recognition_title", "recognition_event", "recognition_description"}},
		{name: "due diligence", client: admin, path: "/partners/" + key + "/due-diligence",
			values: url.Values{"dd_status": {partner.DDInProgress}, "reviewed_on": {"2024-02-03"}},
			fields: []string{"notes"}},
		{name: "new agreement", client: admin, path: "/agreements",
			values: withValue(agreementForm, "reference", "PCT-LIMITS-0002"),
			fields: []string{"reference", "title_en", "title_fr", "initiative", "notes", "party_0", "office", "amendment_kind"},
			any:    []string{"reference", "office", "amendment_kind"},
			errorID: func(field string) string {
				if field == "party_0" {
					return "f-parties-error"
				}
				return "f-" + field + "-error"
			}},
		{name: "agreement", client: admin, path: "/agreements/" + ref,
			values: withValue(agreementForm, "version", strconv.Itoa(f.agreement.Version)), fields: []string{"title_en", "title_zh", "notes"}},
		{name: "instalment", client: admin, path: "/agreements/" + ref + "/instalments",
			values: url.Values{"due_on": {"2031-03-04"}, "amount": {"1234.56"}}, fields: []string{"note"},
			errorID: func(string) string { return "f-instalment-note-error" }},
		{name: "report owed", client: admin, path: "/agreements/" + ref + "/obligations",
			values: url.Values{"kind": {agreement.ObligationNarrative}, "due_on": {"2031-05-06"}}, fields: []string{"note"},
			errorID: func(string) string { return "f-obligation-note-error" }},
		{name: "new interaction", client: admin, path: "/interactions", values: interactionForm,
			fields: []string{"subject", "place", "event", "summary", "outcome", "concept", "sponsorship", "followup_description",
				"partners", "agreement"}, any: []string{"partners", "agreement"}},
		{name: "interaction", client: admin, path: "/interactions/" + in, values: withValue(interactionForm, "version", "1"),
			fields: []string{"subject", "summary"}},
		{name: "follow-up", client: admin, path: "/interactions/" + in + "/follow-ups",
			values: url.Values{"followup_description": {"Marker follow-up"}, "followup_assignee": {strconv.FormatInt(adminUser.ID, 10)},
				"followup_due_on": {"2031-07-08"}},
			fields: []string{"followup_description"}},
		{name: "profile", client: external, path: "/account",
			values: url.Values{"display_name": {"Marker partner"}, "organisation": {"Marker organisation"}, "version": {version("external")}},
			fields: []string{"display_name", "organisation", "language"}, any: []string{"language"}},
		{name: "registration", client: app.client(""), path: "/register",
			values: url.Values{"display_name": {"Marker registrant"}, "organisation": {"Marker organisation"}, "email": {"marker@example.org"},
				"password": {testPassword}, "confirm_password": {testPassword}, "language": {"es"}},
			fields: []string{"display_name", "organisation", "email"}, any: []string{"email"}},
		{name: "invitation", client: admin, path: "/admin/users",
			values: url.Values{"username": {"marker.person"}, "email": {"marker.person@example.org"}, "display_name": {"Marker invitee"},
				"organisation": {"Marker organisation"}, "role": {string(user.RoleViewer)}},
			fields: []string{"username", "display_name", "organisation", "email"}, any: []string{"username", "email"}},
		{name: "user", client: admin, path: "/admin/users/viewer",
			values: url.Values{"email": {"viewer@example.org"}, "display_name": {"Marker viewer"}, "organisation": {"Marker organisation"},
				"role": {string(user.RoleViewer)}, "active": {"1"}, "version": {version("viewer")}},
			fields: []string{"display_name", "organisation", "email"}},
		{name: "reference list entry", client: admin, path: "/admin/reference/action_area/generic",
			values: url.Values{"label_en": {"Marker label"}, "label_fr": {"Marker libelle"}, "detail": {"22010"}},
			fields: []string{"label_en", "label_fr", "label_zh", "detail"}},
		{name: "forgotten password", client: app.client(""), path: "/password/forgot", values: url.Values{"login": {"viewer"}},
			fields: []string{"login"}},
	}
}

// TestInputLimitsOfEveryForm is the security suite's check of input limits (issue 13 item
// 8): each form that saves text, posted with a 100,000-character value, invalid UTF-8, a NUL
// byte or a control character in each of its text fields, answers 422 with the error next to
// that field and the other values as typed, and stores nothing, on SQLite and on PostgreSQL
// (which refused such text with a 500, losing the form).
func TestInputLimitsOfEveryForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLimitsFixture(t, db)
		app := f.app
		for _, form := range f.forms(t) {
			for _, field := range form.fields {
				for _, hostile := range hostileTexts {
					values := withValue(form.values, field, hostile.value)
					before := app.auditCount()
					resp, body := app.postBody(form.client, form.path+"?lang=en", values)
					what := fmt.Sprintf("%s, %s with %s", form.name, field, hostile.name)
					if resp.StatusCode != http.StatusUnprocessableEntity {
						t.Errorf("%s: status %d, want 422", what, resp.StatusCode)
						continue
					}
					id := "f-" + field + "-error"
					if form.errorID != nil {
						id = form.errorID(field)
					}
					if !strings.Contains(body, `id="`+id+`"`) {
						t.Errorf("%s: no error next to the field (%s)", what, id)
					} else if !slices.Contains(form.any, field) && !strings.Contains(body, hostile.says) {
						t.Errorf("%s: the page does not say %q", what, hostile.says)
					}
					for k, v := range form.values {
						if _, err := civil.Parse(v[0]); k != field && (strings.HasPrefix(v[0], "Marker") || err == nil) && !strings.Contains(body, v[0]) {
							t.Errorf("%s: the page lost %s = %q", what, k, v[0])
						}
					}
					if after := app.auditCount(); after != before {
						t.Errorf("%s: %d changes recorded, want none", what, after-before)
					}
				}
			}
			// As it was before any field was made hostile, the form saves.
			if resp, _ := app.postBody(form.client, form.path, form.values); resp.StatusCode >= 400 {
				t.Errorf("%s as valid: status %d", form.name, resp.StatusCode)
			}
		}
		// Signing in with a name no account can have is refused as such, before it is looked up.
		for _, hostile := range hostileTexts {
			resp, body := app.postBody(app.client(""), "/login?lang=en", url.Values{"username": {hostile.value}, "password": {testPassword}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, hostile.says) {
				t.Errorf("sign-in with %s: %d, want 422 saying %q", hostile.name, resp.StatusCode, hostile.says)
			}
		}
	})
}

// Uploads, lookups and e-mails carry text too: a document's name that no database takes is
// refused on the file's field, a partner to merge that no key can name is not found (PostgreSQL
// answered 500), and an e-mail's subject and text are cut to the interaction's limits, so that
// the form they fill saves.
func TestUploadsLookupsAndEmailsKeepToTheLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLimitsFixture(t, db)
		app := f.app
		admin := app.sessionClient(user.RoleAdmin)
		pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
		// (A C0 control character breaks the multipart header itself, which is refused as a whole.)
		for _, name := range []string{strings.Repeat("x", 300) + ".pdf", "next\u0085line.pdf", "bad \xff\xfe.pdf"} {
			for path, fields := range map[string]map[string]string{
				"/agreements/" + f.agreement.Reference + "/documents": nil,
				"/partners/" + f.partner.Key + "/due-diligence":       {"dd_status": partner.DDInProgress, "notes": "Marker notes"},
			} {
				before := app.auditCount()
				resp, body := app.upload(admin, path+"?lang=en", fields, "file", name, pdf)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-file-error"`) ||
					!strings.Contains(body, "rename the file") || (fields != nil && !strings.Contains(body, "Marker notes")) {
					t.Errorf("%s with a file named %q: %d, want 422 with the error next to the file", path, name, resp.StatusCode)
				}
				if after := app.auditCount(); after != before {
					t.Errorf("%s with a file named %q: %d changes recorded, want none", path, name, after-before)
				}
			}
		}

		for _, hostile := range hostileTexts {
			resp, body := app.postBody(admin, "/partners/"+f.partner.Key+"/merge?lang=en", url.Values{"duplicate": {hostile.value}})
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `id="f-duplicate-error"`) {
				t.Errorf("merging %s: %d, want 404 with the error next to the field", hostile.name, resp.StatusCode)
			}
		}

		subject, text := strings.Repeat("s", 400), strings.Repeat("Long text. ", 3000)
		eml := "From: Ana Lopez <ana@limits.example>\r\nTo: admin@bureau.example\r\nSubject: " + subject +
			"\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <limits@limits.example>\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
		resp, body := app.upload(admin, "/interactions/email", nil, "eml", "long.eml", []byte(eml))
		cutSubject := strings.Repeat("s", interaction.MaxSubjectLength-2) + " …"
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="`+cutSubject+`"`) {
			t.Fatalf("e-mail import: %d, want the subject cut to %d characters", resp.StatusCode, interaction.MaxSubjectLength)
		}
		summary := textareaValue(t, body, "summary")
		if n := len([]rune(summary)); n != interaction.MaxTextLength || !strings.HasSuffix(summary, " …") {
			t.Errorf("the e-mail's summary has %d characters, want it cut to %d", n, interaction.MaxTextLength)
		}
		form := url.Values{"type": {interaction.TypeEmail}, "occurred_on": {"2026-11-24"}, "subject": {cutSubject}, "summary": {summary},
			"partners": {f.partner.Key}, "email_message_id": {"limits@limits.example"}}
		if resp, _ := app.postBody(admin, "/interactions", form); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("saving the e-mail's interaction as filled in: %d", resp.StatusCode)
		}
	})
}

// textareaValue reads the text of a page's textarea named name, as a browser would send it.
func textareaValue(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea id="f-` + name + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no textarea %s", name)
	}
	return html.UnescapeString(strings.TrimPrefix(m[1], "\n"))
}

// An address whose text no database takes (invalid UTF-8, a NUL) is refused before anything is
// looked up with it: 400, or for the API 422 naming the parameter; PostgreSQL answered 500. A
// search longer than any name is cut, not refused.
func TestAddressesKeepToTheLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLimitsFixture(t, db)
		app := f.app
		admin := app.sessionClient(user.RoleAdmin)
		for _, path := range []string{"/partners?q=%FF%FE", "/partners?q=a%00b", "/partners/%FF", "/partners?type=%FF", "/agreements?q=%FF",
			"/agreements/PCT%00", "/admin/audit?key=%FF", "/admin/users/%FF", "/interactions/new?partner=%00", "/%FF"} {
			if resp, body := app.get(admin, path); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Request not understood") {
				t.Errorf("GET %s: %d, want 400", path, resp.StatusCode)
			}
		}
		token := app.token(user.RoleViewer)
		for path, param := range map[string]string{"/api/v1/partners?q=%FF": "q", "/api/v1/agreements?partner=%00": "partner",
			"/api/v1/agreements/%FF": "path", "/api/v1/partners/x%00": "path"} {
			resp, body := app.get(&http.Client{}, path, "Authorization", "Bearer "+token)
			var got apiErrorBody
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusUnprocessableEntity || got.Error.Fields[param] == "" {
				t.Errorf("GET %s: %d %s, want 422 naming %s", path, resp.StatusCode, body, param)
			}
		}
		long := strings.Repeat("x", 100_000)
		for _, path := range []string{"/partners?q=", "/agreements?q="} {
			resp, body := app.get(admin, path+long)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="`+long[:maxQueryLength]+`"`) ||
				strings.Contains(body, `value="`+long[:maxQueryLength+1]) {
				t.Errorf("GET %s with 100,000 characters: %d, want 200 with the search cut to %d", path, resp.StatusCode, maxQueryLength)
			}
		}
		for _, path := range []string{"/api/v1/partners?q=", "/api/v1/agreements?q="} {
			if resp, _ := app.get(&http.Client{}, path+long, "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s with 100,000 characters: %d, want 200", path, resp.StatusCode)
			}
		}
	})
}

// A page number beyond the last (page=9223372036854775807, whose offset overflowed to the first
// page) shows the last page and says so: the lists clamp it, as they do a page below the first.
// The API answers its last page too, and refuses a per_page out of its range with 422.
func TestPagesBeyondTheLastShowTheLast(t *testing.T) {
	demoData.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := newTestApp(t, db)
		for i := range 60 {
			if err := db.RecordAudit(ctx, audit.ActionUpdate, "partner", fmt.Sprintf("p-%d", i), nil); err != nil {
				t.Fatal(err)
			}
		}
		partners, err := db.ListPartners(ctx, partner.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		agreements, err := db.ListAgreements(ctx, agreement.Filter{AllConfidential: true, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		admin := app.sessionClient(user.RoleAdmin)
		lists := []struct {
			path           string
			total, perPage int
		}{
			{"/partners", partners.Total, partnersPerPage},
			{"/agreements", agreements.Total, agreementsPerPage},
			{"/admin/audit", app.auditCount(), auditPerPage},
		}
		for _, list := range lists {
			last := lastPage(list.total, list.perPage)
			if last < 2 {
				t.Fatalf("%s has %d pages: the test needs several", list.path, last)
			}
			for page, want := range map[string]int{"9223372036854775807": last, "99999999999999999999999": last, "-3": 1, "x": 1, "2": 2} {
				resp, body := app.get(admin, list.path+"?lang=en&page="+page)
				if says := fmt.Sprintf("Page %d of %d", want, last); resp.StatusCode != http.StatusOK || !strings.Contains(body, says) {
					t.Errorf("%s?page=%s: %d, want 200 saying %q", list.path, page, resp.StatusCode, says)
				}
			}
		}

		token := app.token(user.RoleAdmin)
		api := func(path string) (*http.Response, map[string]any) {
			resp, body := app.get(&http.Client{}, path, "Authorization", "Bearer "+token)
			var got map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("GET %s: %v\n%s", path, err, body)
			}
			return resp, got
		}
		for path, total := range map[string]int{"/api/v1/partners": partners.Total, "/api/v1/agreements": agreements.Total} {
			last := lastPage(total, 50)
			resp, got := api(path + "?page=9223372036854775807")
			items, _ := got["items"].([]any)
			if resp.StatusCode != http.StatusOK || got["page"] != float64(last) || len(items) != total-(last-1)*50 {
				t.Errorf("%s?page=9223372036854775807: %d, page %v with %d items, want page %d with %d", path, resp.StatusCode,
					got["page"], len(items), last, total-(last-1)*50)
			}
			for _, perPage := range []string{"99999999999999999999", "9223372036854775807", "-5", "0", "501", "ten"} {
				resp, got := api(path + "?per_page=" + perPage)
				refusal, _ := got["error"].(map[string]any)
				fields, _ := refusal["fields"].(map[string]any)
				if resp.StatusCode != http.StatusUnprocessableEntity || fields["per_page"] == nil {
					t.Errorf("%s?per_page=%s: %d %v, want 422 naming per_page", path, perPage, resp.StatusCode, got)
				}
			}
		}
	})
}
