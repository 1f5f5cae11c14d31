package web

import (
	"context"
	"encoding/json"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// linksFixture is a registry whose confidential agreements, all of the officer "amina", are
// linked to from agreements everybody sees:
//
//   - PCT-OPEN, ordinary, USD 100,000 to 2027-12-31, with the ordinary amendment PCT-OPEN-A1
//     (USD 25,000, to 2028-06-30) and the confidential one PCT-QUIET-7 (USD 40,000, to 2029-03-31);
//   - the confidential PCT-SECRET, amended by the ordinary PCT-VISIBLE-9 and linked to from an
//     interaction with nordic-fund;
//   - the confidential memorandum PCT-MOU-HUSH, under which falls the ordinary PCT-CHILD-3.
type linksFixture struct {
	app         *testApp
	interaction int64
}

// hiddenRefs are the references of linksFixture's confidential agreements.
var hiddenRefs = []string{"PCT-QUIET-7", "PCT-SECRET", "PCT-MOU-HUSH"}

func newLinksFixture(t *testing.T, db *store.DB) *linksFixture {
	t.Helper()
	ctx := context.Background()
	app := newTestApp(t, db)
	p := &partner.Partner{Key: "nordic-fund", Texts: map[string]partner.Text{"en": {Name: "Nordic Fund"}}, Type: "government",
		Membership: "none", Status: partner.StatusActive}
	if err := db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
		t.Fatal(err)
	}
	amina := &user.User{Username: "amina", Email: "amina@example.org", Role: user.RoleOfficer, Active: true, PasswordHash: "$argon2id$stand-in"}
	if err := db.CreateUser(ctx, amina); err != nil {
		t.Fatal(err)
	}
	stored := map[string]*agreement.Agreement{}
	add := func(ref, typ string, usd money.Amount, end string, confidential bool, links func(a *agreement.Agreement)) {
		t.Helper()
		a := &agreement.Agreement{Reference: ref, Titles: map[string]string{"en": "Title of " + strings.ToLower(ref)}, Type: typ,
			Status: agreement.StatusSigned, SignedOn: civil.MustParse("2025-01-15"), EndOn: civil.MustParse(end), Amount: usd,
			Currency: "USD", ValueUSD: usd, PrimaryActionArea: "generic", Regions: agreement.EqualShares("AFR"),
			Parties: []agreement.Party{{PartnerID: p.ID, Role: agreement.RoleFunder}}, Office: "HQ", Confidential: confidential}
		if confidential {
			a.OfficerID = amina.ID
		}
		if links != nil {
			links(a)
		}
		if err := db.CreateAgreements(ctx, []*agreement.Agreement{a}); err != nil {
			t.Fatalf("create %s: %v", ref, err)
		}
		stored[ref] = a
	}
	amends := func(parent string) func(a *agreement.Agreement) {
		return func(a *agreement.Agreement) {
			a.AmendsID, a.AmendmentKind = stored[parent].ID, agreement.KindAddedFunds
		}
	}
	add("PCT-OPEN", "voluntary_contribution", 10_000_000, "2027-12-31", false, nil)
	add("PCT-OPEN-A1", reference.AgreementTypeAmendment, 2_500_000, "2028-06-30", false, amends("PCT-OPEN"))
	add("PCT-QUIET-7", reference.AgreementTypeAmendment, 4_000_000, "2029-03-31", true, amends("PCT-OPEN"))
	add("PCT-SECRET", "cooperation", 7_000_000, "2027-12-31", true, nil)
	add("PCT-VISIBLE-9", reference.AgreementTypeAmendment, 1_000_000, "2028-12-31", false, amends("PCT-SECRET"))
	add("PCT-MOU-HUSH", "mou", 0, "2030-12-31", true, nil)
	add("PCT-CHILD-3", "project_document", 3_000_000, "2028-12-31", false, func(a *agreement.Agreement) { a.FrameworkID = stored["PCT-MOU-HUSH"].ID })
	in := &interaction.Interaction{Type: interaction.TypeBilateral, OccurredOn: civil.MustParse("2025-02-01"), Subject: "Follow-up meeting",
		PartnerIDs: []int64{p.ID}, AgreementID: stored["PCT-SECRET"].ID}
	if err := db.CreateInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	return &linksFixture{app: app, interaction: in.ID}
}

// reader is a person of linksFixture, signed in on the pages and holding an API token.
type reader struct {
	name  string
	web   *http.Client
	token string
	sees  bool // sees amina's confidential agreements
}

func (f *linksFixture) readers() []reader {
	app := f.app
	return []reader{
		{"another officer", app.client(user.RoleOfficer), app.token(user.RoleOfficer), false},
		{"a viewer", app.client(user.RoleViewer), app.token(user.RoleViewer), false},
		{"the responsible officer", app.sessionFor("amina"), app.token("amina"), true},
		{"an administrator", app.client(user.RoleAdmin), app.token(user.RoleAdmin), true},
	}
}

func (f *linksFixture) api(t *testing.T, r reader, ref string) map[string]any {
	t.Helper()
	resp, body := f.app.get(http.DefaultClient, "/api/v1/agreements/"+ref, "Authorization", "Bearer "+r.token)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s reads %s from the API: %d %v", r.name, ref, resp.StatusCode, err)
	}
	return out
}

func TestConfidentialAgreementsShowThroughNoLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLinksFixture(t, db)
		id := strconv.FormatInt(f.interaction, 10)
		// What of amina's agreements each page shows to those who may see them, and nobody else.
		pages := map[string]string{"/agreements/PCT-OPEN": "PCT-QUIET-7", "/agreements/PCT-VISIBLE-9": "PCT-SECRET",
			"/agreements/PCT-CHILD-3": "PCT-MOU-HUSH", "/interactions/" + id: "PCT-SECRET"}
		forms := map[string]string{"/agreements/PCT-VISIBLE-9/edit": "PCT-SECRET", "/agreements/PCT-CHILD-3/edit": "PCT-MOU-HUSH",
			"/interactions/" + id + "/edit": "PCT-SECRET", "/agreements/new?amends=PCT-OPEN": `name="end_on" type="date" value="2029-03-31"`}
		for _, r := range f.readers() {
			shown := pages
			if r.name != "a viewer" {
				shown = maps.Clone(pages)
				maps.Copy(shown, forms)
			}
			for path, secret := range shown {
				resp, body := f.app.get(r.web, path+sep(path)+"lang=en")
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s opens %s: %d", r.name, path, resp.StatusCode)
				}
				if strings.Contains(body, secret) != r.sees {
					t.Errorf("%s: %s shows %s: %t", r.name, path, secret, !r.sees)
				}
				for _, ref := range hiddenRefs {
					if !r.sees && strings.Contains(body, ref) {
						t.Errorf("%s: %s shows %s", r.name, path, ref)
					}
				}
			}
			// As amended, the page and the API count only the amendments the reader sees.
			type asAmended struct {
				value, end        string
				usd               float64
				amendments        []any
				amends, framework any
			}
			want, other := asAmended{"125,000.00", "2028-06-30", 125000, []any{"PCT-OPEN-A1"}, nil, nil},
				asAmended{"165,000.00", "2029-03-31", 165000, []any{"PCT-OPEN-A1", "PCT-QUIET-7"}, "PCT-SECRET", "PCT-MOU-HUSH"}
			if r.sees {
				want, other = other, want
			}
			_, body := f.app.get(r.web, "/agreements/PCT-OPEN?lang=en")
			if !strings.Contains(body, want.value) || strings.Contains(body, other.value) {
				t.Errorf("%s: the page of PCT-OPEN does not say it is worth %s as amended", r.name, want.value)
			}
			open := f.api(t, r, "PCT-OPEN")
			if !slices.Equal(open["amendments"].([]any), want.amendments) || open["amended_value_usd"] != want.usd || open["amended_end_on"] != want.end {
				t.Errorf("%s: the API's PCT-OPEN is amended by %v to %v, until %v", r.name, open["amendments"], open["amended_value_usd"], open["amended_end_on"])
			}
			if got := f.api(t, r, "PCT-VISIBLE-9")["amends"]; got != want.amends {
				t.Errorf("%s: the API's PCT-VISIBLE-9 amends %v, want %v", r.name, got, want.amends)
			}
			if got := f.api(t, r, "PCT-CHILD-3")["framework"]; got != want.framework {
				t.Errorf("%s: the API's PCT-CHILD-3 falls under %v, want %v", r.name, got, want.framework)
			}
		}
	})
}

// sep is what joins a query parameter to path.
func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

func TestSavingAFormKeepsTheLinksItCouldNotShow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLinksFixture(t, db)
		ctx := context.Background()
		officer := f.app.client(user.RoleOfficer)
		before := map[string]*agreement.Agreement{}
		for _, ref := range []string{"PCT-VISIBLE-9", "PCT-CHILD-3"} {
			a, err := db.AgreementByReference(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			before[ref] = a
			_, body := f.app.get(officer, "/agreements/"+ref+"/edit?lang=en")
			form := formValues(body)
			form.Set("notes", "Seen by another officer")
			if resp := f.app.post(officer, "/agreements/"+ref, form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("saving %s: %d", ref, resp.StatusCode)
			}
			after, err := db.AgreementByReference(ctx, ref)
			if err != nil || after.Notes != "Seen by another officer" || after.AmendsID != a.AmendsID || after.FrameworkID != a.FrameworkID {
				t.Errorf("%s saved amending %d under %d, was %d under %d (%v)", ref, after.AmendsID, after.FrameworkID, a.AmendsID, a.FrameworkID, err)
			}
		}
		id := strconv.FormatInt(f.interaction, 10)
		_, body := f.app.get(officer, "/interactions/"+id+"/edit?lang=en")
		form := formValues(body)
		form.Set("outcome", "Agreed to meet again")
		if resp := f.app.post(officer, "/interactions/"+id, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the interaction: %d", resp.StatusCode)
		}
		in, err := db.InteractionByID(ctx, f.interaction)
		if err != nil || in.Outcome != "Agreed to meet again" || in.AgreementID != before["PCT-VISIBLE-9"].AmendsID {
			t.Errorf("the interaction saved linked to %d, was %d (%v)", in.AgreementID, before["PCT-VISIBLE-9"].AmendsID, err)
		}
	})
}

func TestHiddenReferencesAnswerAsUnknownOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLinksFixture(t, db)
		const unknown = "PCT-NOWHERE-0"
		amendment := func(ref, amends string) url.Values {
			return url.Values{"reference": {ref}, "type": {reference.AgreementTypeAmendment}, "status": {agreement.StatusSigned},
				"signed_on": {"2025-03-01"}, "title_en": {"More funds"}, "party_rows": {"1"}, "party_0": {"nordic-fund"}, "role_0": {agreement.RoleFunder},
				"amount": {"1000"}, "currency": {"USD"}, "regions": {"AFR"}, "action_area": {"generic"}, "office": {"HQ"},
				"amends": {amends}, "amendment_kind": {agreement.KindAddedFunds}, "confirm": {"1"}}
		}
		underFramework := func(ref, framework string) url.Values {
			form := amendment(ref, "")
			form.Set("type", "project_document")
			form.Del("amendment_kind")
			form.Set("framework", framework)
			return form
		}
		meeting := func(_, agreementRef string) url.Values {
			return url.Values{"type": {interaction.TypeBilateral}, "occurred_on": {"2025-03-01"}, "subject": {"Talks"},
				"partners": {"nordic-fund"}, "agreement": {agreementRef}}
		}
		importFile := func(ref, amends string) string {
			return "reference,title,type,partners,signed_on,status,amount,currency,regions,action_area,amends\n" +
				ref + ",More funds,amendment,nordic-fund,2025-03-01,signed,1000,USD,AFR,generic," + amends + "\n"
		}
		type attempt struct {
			what   string
			hidden string // a reference hidden from those who may not see amina's agreements
			send   func(c *http.Client, ref, target string) (*http.Response, string)
		}
		post := func(path string, form func(ref, target string) url.Values) func(c *http.Client, ref, target string) (*http.Response, string) {
			return func(c *http.Client, ref, target string) (*http.Response, string) {
				return f.app.postBody(c, path, form(ref, target))
			}
		}
		attempts := []attempt{
			{"an amendment", "PCT-SECRET", post("/agreements?lang=en", amendment)},
			{"an agreement under a memorandum", "PCT-MOU-HUSH", post("/agreements?lang=en", underFramework)},
			{"an interaction", "PCT-SECRET", post("/interactions?lang=en", meeting)},
			{"an import", "PCT-SECRET", func(c *http.Client, ref, target string) (*http.Response, string) {
				return f.app.upload(c, "/agreements/import?lang=en", nil, "file", "agreements.csv", []byte(importFile(ref, target)))
			}},
		}
		for i, r := range f.readers() {
			for j, a := range attempts {
				ref := "PCT-NEW-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
				resp, body := a.send(r.web, ref, a.hidden)
				if r.sees {
					if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
						t.Errorf("%s may not link %s to %s: %d", r.name, a.what, a.hidden, resp.StatusCode)
					}
					continue
				}
				// Byte for byte the answer to an unknown reference, once the references are swapped.
				other, otherBody := a.send(r.web, ref, unknown)
				if resp.StatusCode != other.StatusCode || strings.ReplaceAll(body, a.hidden, unknown) != otherBody {
					t.Errorf("%s linking %s to the hidden %s is told %d, to an unknown reference %d:\n%s\n----\n%s",
						r.name, a.what, a.hidden, resp.StatusCode, other.StatusCode, body, otherBody)
				}
				if r.name == "another officer" && resp.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s links %s to the hidden %s: %d", r.name, a.what, a.hidden, resp.StatusCode)
				}
			}
		}
	})
}

var (
	formPattern     = regexp.MustCompile(`(?s)<form method="post" action="[^"]*" class="form">(.*?)</form>`)
	inputPattern    = regexp.MustCompile(`<input ([^>]*)>`)
	selectPattern   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]*)"[^>]*>(.*?)</select>`)
	selectedPattern = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	textareaPattern = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`)
)

// formValues returns what a browser sends of the main form of a page (class "form") as it is
// shown: its inputs, ticked boxes, chosen options and text areas.
func formValues(body string) url.Values {
	values := url.Values{}
	m := formPattern.FindStringSubmatch(body)
	if m == nil {
		return values
	}
	attr := func(attrs, name string) (string, bool) {
		a := regexp.MustCompile(`\b` + name + `(?:="([^"]*)")?`).FindStringSubmatch(attrs)
		if a == nil {
			return "", false
		}
		return html.UnescapeString(a[1]), true
	}
	for _, in := range inputPattern.FindAllStringSubmatch(m[1], -1) {
		name, _ := attr(in[1], "name")
		typ, _ := attr(in[1], "type")
		value, _ := attr(in[1], "value")
		_, checked := attr(in[1], "checked")
		if name == "" || typ == "file" || ((typ == "checkbox" || typ == "radio") && !checked) {
			continue
		}
		values.Add(name, value)
	}
	for _, s := range selectPattern.FindAllStringSubmatch(m[1], -1) {
		for _, o := range selectedPattern.FindAllStringSubmatch(s[2], -1) {
			values.Add(s[1], html.UnescapeString(o[1]))
		}
	}
	for _, t := range textareaPattern.FindAllStringSubmatch(m[1], -1) {
		values.Add(t[1], html.UnescapeString(t[2]))
	}
	return values
}
