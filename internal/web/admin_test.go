package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func TestAdministratorChangesARoleAndTheTrailRecordsIt(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	admin := app.client(user.RoleAdmin)
	form := url.Values{"display_name": {"Vivian"}, "email": {"vivian@example.org"}, "role": {"officer"}, "language": {"es"}, "active": {"1"}, "version": {"1"}}
	if r := app.post(admin, "/admin/users/viewer", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save user: %d", r.StatusCode)
	}
	u, _ := app.db.UserByUsername(context.Background(), "viewer")
	if u.Role != user.RoleOfficer || u.DisplayName != "Vivian" || u.Language != "es" {
		t.Errorf("after saving: %+v", u)
	}
	entries, _, err := app.db.AuditEntries(context.Background(), audit.Filter{Entity: "user", EntityKey: "viewer", Action: audit.ActionUpdate})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit entries: %v %v", entries, err)
	}
	role := entries[0].Changes["role"]
	if entries[0].Actor != "admin" || role.Before != "viewer" || role.After != "officer" {
		t.Errorf("audit entry: %+v", entries[0])
	}
	// The same form again is stale: refused, and the page keeps what was typed.
	form.Set("display_name", "Viv")
	resp, body := app.postBody(admin, "/admin/users/viewer", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Viv"`) {
		t.Errorf("stale save: %d", resp.StatusCode)
	}
	// The audit page lists the change, filtered by the person who made it.
	_, page := app.get(admin, "/admin/audit?actor=admin&entity=user")
	if !strings.Contains(page, "officer") || !strings.Contains(page, "viewer") {
		t.Errorf("the audit page does not show the role change")
	}
	_, page = app.get(admin, "/admin/audit?actor=nobody")
	if !strings.Contains(page, "0 entries") {
		t.Errorf("filtering by an unknown person still lists entries")
	}
}

func TestAdministratorsCannotLockThemselvesOut(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	resp, _ := app.postBody(app.client(user.RoleAdmin), "/admin/users/admin", url.Values{"role": {"viewer"}, "active": {"1"}, "version": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("admin demoting themselves: %d, want 422", resp.StatusCode)
	}
	if u, _ := app.db.UserByUsername(context.Background(), "admin"); u.Role != user.RoleAdmin {
		t.Errorf("admin's role became %s", u.Role)
	}
}

func TestDeactivatingAnAccountEndsItsSessions(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	viewer := app.client(user.RoleViewer)
	if r := app.post(app.client(user.RoleAdmin), "/admin/users/viewer", url.Values{"role": {"viewer"}, "version": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", r.StatusCode)
	}
	if resp, _ := app.get(viewer, "/start"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a deactivated user's session still opens pages: %d", resp.StatusCode)
	}
	if r := app.post(app.client(""), "/login", url.Values{"username": {"viewer"}, "password": {testPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a deactivated user signs in: %d", r.StatusCode)
	}
}

func TestAdministratorEditsLabelsInSixLanguages(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	admin := app.client(user.RoleAdmin)
	form := url.Values{"label_en": {"ICT applications and services"}, "label_fr": {"Applications et services TIC"},
		"label_zh": {"信通技术应用与服务"}, "label_ar": {"تطبيقات وخدمات تكنولوجيا المعلومات والاتصالات"}, "label_es": {"Aplicaciones y servicios TIC"},
		"label_ru": {"Приложения и услуги ИКТ"}, "detail": {"22040 22030"}}
	if r := app.post(admin, "/admin/reference/action_area/ict_applications", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save labels: %d", r.StatusCode)
	}
	_, page := app.get(admin, "/admin/reference/action_area?lang=zh")
	if !strings.Contains(page, "信通技术应用与服务") {
		t.Error("the Chinese label does not show in the list")
	}
	_, page = app.get(admin, "/admin/reference/action_area/ict_applications")
	if !strings.Contains(page, "22030 22040") {
		t.Error("the DAC sectors are not saved")
	}
	form.Set("label_en", "")
	form.Set("detail", "2204")
	resp, body := app.postBody(app.client(user.RoleAdmin), "/admin/reference/action_area/ict_applications", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Please fill this in.") ||
		!strings.Contains(body, "“2204” is not a five-digit OECD-DAC sector code.") || !strings.Contains(body, "信通技术应用与服务") {
		t.Errorf("invalid labels: %d", resp.StatusCode)
	}
	entries, _, _ := app.db.AuditEntries(context.Background(), audit.Filter{Entity: "reference_action_area", EntityKey: "ict_applications"})
	if len(entries) != 1 || entries[0].Changes["label_zh"].After != "信通技术应用与服务" {
		t.Errorf("audit of the label change: %+v", entries)
	}
}

func TestAdministratorAddsACurrencyRate(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	admin := app.client(user.RoleAdmin)
	if r := app.post(admin, "/admin/reference/currency/EUR/rates", url.Values{"valid_from": {"2027-01-01"}, "usd_per_unit": {"1.2"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add rate: %d", r.StatusCode)
	}
	rates, err := app.db.Rates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rate, _ := rates.USDPerUnit("EUR", civil.MustParse("2027-03-01")); rate != 1.2 {
		t.Errorf("EUR in March 2027: %v, want 1.2", rate)
	}
	resp, body := app.postBody(admin, "/admin/reference/currency/EUR/rates", url.Values{"valid_from": {"2027-02-30"}, "usd_per_unit": {"-1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "YYYY-MM-DD") || !strings.Contains(body, `value="-1"`) {
		t.Errorf("bad rate: %d", resp.StatusCode)
	}
}

// The audit page names kinds of record and fields in the reader's language, in the filter too,
// rather than as the identifiers the trail stores.
func TestAuditPageNamesKindsAndFieldsInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	p := &partner.Partner{Key: "kestrel-bank", Type: "development_bank", Membership: "none", Status: partner.StatusActive,
		Texts: map[string]partner.Text{"en": {Name: "Kestrel Development Bank"}, "fr": {Name: "Banque de développement Kestrel"}}}
	if err := app.db.CreatePartners(ctx, []*partner.Partner{p}); err != nil {
		t.Fatal(err)
	}
	if err := app.db.AddContact(ctx, p.Key, &partner.Contact{Name: "Ana Lima", Title: "Treasurer"}); err != nil {
		t.Fatal(err)
	}
	admin := app.sessionClient(user.RoleAdmin)
	resp, page := app.get(admin, "/admin/audit?lang=fr")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit trail in French: %d", resp.StatusCode)
	}
	for _, want := range []string{
		// the filter's kinds of record
		`<option value="partner">Partenaire</option>`, `<option value="contact">Interlocuteur</option>`,
		`<option value="user">Compte utilisateur</option>`,
		// the kinds of record and the fields of the entries
		`<td>Partenaire <span dir="ltr">kestrel-bank</span></td>`, `<td>Compte utilisateur <span dir="ltr">admin</span></td>`,
		"<dt>Nom (Français)</dt>", "<dt>Nom (English)</dt>", "<dt>Type</dt>", "<dt>Statut</dt>", // a partner's
		"<dt>Nom</dt>", "<dt>Titre ou fonction</dt>", // a contact's name and function
		"<dt>Rôle</dt>", "<dt>Actif</dt>", // an account's
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the French audit trail lacks %s", want)
		}
	}
	for _, raw := range []string{">partner</option>", ">contact</option>", ">user</option>", "<td>partner ", "<td>user ",
		"<dt>name_fr</dt>", "<dt>role</dt>", "<dt>active</dt>", "<dt>title</dt>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the French audit trail shows the identifier %s", raw)
		}
	}
	// Filtering still goes by the kind's code.
	if _, page := app.get(admin, "/admin/audit?lang=fr&entity=contact"); !strings.Contains(page, "1 entrée") ||
		!strings.Contains(page, `<option value="contact" selected>Interlocuteur</option>`) {
		t.Error("filtering the French audit trail by contact does not list the one contact entry")
	}
}
