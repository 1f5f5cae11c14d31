package web

import (
	"net/http"

	"pactum/internal/apperr"
	"pactum/internal/document"
	"pactum/internal/eml"
	"pactum/internal/importer"
	"pactum/internal/user"
)

// access says who may use a route. Every route declares one; there is no default.
type access int

const (
	// anyone, signed in or not: public pages, sign-in, health.
	anyone access = iota + 1
	// signedIn is any account, staff or external.
	signedIn
	// staff is any staff role, viewers included.
	staff
	// editors are the staff roles that change records: administrators and officers.
	editors
	// admins are administrators only.
	admins
	// apiStaff is a staff account authenticated by an API token (Authorization: Bearer).
	apiStaff
)

// allows reports whether u (nil when anonymous) may use a route with this access.
func (a access) allows(u *user.User) bool {
	switch a {
	case anyone:
		return true
	case signedIn:
		return u != nil
	case staff, apiStaff:
		return u != nil && u.Role.IsStaff()
	case editors:
		return u != nil && (u.Role == user.RoleAdmin || u.Role == user.RoleOfficer || u.Role == user.RoleRegionalOfficer)
	case admins:
		return u != nil && u.Role == user.RoleAdmin
	}
	return false
}

// route is one entry of the route table.
type route struct {
	pattern string
	access  access
	handler http.HandlerFunc
}

// uploadLimits are the routes that accept bodies larger than maxBodyBytes: file uploads, with
// room for the form around the file.
var uploadLimits = map[string]int64{
	"POST /partners/import":              maxImportBytes + 1<<20,
	"POST /agreements/import":            maxImportBytes + 1<<20,
	"POST /admin/rates/import":           maxRatesBytes + 1<<20,
	"POST /partners/{key}/due-diligence": document.MaxSize + 1<<20,
	"POST /interactions/email":           eml.MaxSize + 1<<20,
	"POST /agreements/{ref}/documents":   document.MaxSize + 1<<20,
}

// routeTable lists every route of the application with who may use it. The authorisation test
// walks this table with every role, so a route cannot be added without a declaration.
func (s *Server) routeTable() []route {
	return []route{
		{"GET /healthz", anyone, s.healthz},
		{"GET /static/", anyone, s.serveStatic},
		{"GET /{$}", anyone, s.showHome},
		{"GET /login", anyone, s.showLogin},
		{"POST /login", anyone, s.login},
		{"POST /logout", signedIn, s.logout},
		{"GET /register", anyone, s.showRegister},
		{"POST /register", anyone, s.register},
		{"GET /verify", anyone, s.verify},
		{"GET /password/forgot", anyone, s.showForgot},
		{"POST /password/forgot", anyone, s.forgot},
		{"GET /password/reset", anyone, s.showSetPassword},
		{"POST /password/reset", anyone, s.setPassword},
		{"GET /invite", anyone, s.showSetPassword},
		{"POST /invite", anyone, s.setPassword},
		{"GET /start", staff, s.showStart},
		{"GET /account", signedIn, s.showAccount},
		{"POST /account", signedIn, s.saveProfile},
		{"POST /account/password", signedIn, s.changePassword},
		{"POST /account/tokens", staff, s.createToken},
		{"POST /account/tokens/{id}/revoke", signedIn, s.revokeOwnToken},
		{"GET /partners", staff, s.showPartners},
		{"GET /partners/export.csv", staff, s.exportPartnersCSV},
		{"GET /partners/export.xlsx", staff, s.exportPartnersXLSX},
		{"GET /partners/new", editors, s.showNewPartner},
		{"POST /partners", editors, s.savePartner},
		{"GET /partners/import", editors, s.showImport(importPages[importer.KindPartners])},
		{"POST /partners/import", editors, s.previewImport(importPages[importer.KindPartners])},
		{"POST /partners/import/confirm", editors, s.confirmImport(importPages[importer.KindPartners])},
		{"GET /insights", staff, s.showInsights},
		{"GET /insights/export", staff, s.exportInsights},
		{"GET /insights/status", staff, s.showStatusAnalysis},
		{"GET /insights/status.xlsx", staff, s.statusAnalysisXLSX},
		{"GET /insights/status.pdf", staff, s.statusAnalysisPDF},
		{"GET /partners/import/template.csv", editors, s.importTemplateCSV(importPages[importer.KindPartners])},
		{"GET /partners/import/template.xlsx", editors, s.importTemplateXLSX(importPages[importer.KindPartners])},
		{"GET /agreements/import", editors, s.showImport(importPages[importer.KindAgreements])},
		{"POST /agreements/import", editors, s.previewImport(importPages[importer.KindAgreements])},
		{"POST /agreements/import/confirm", editors, s.confirmImport(importPages[importer.KindAgreements])},
		{"GET /agreements/import/template.csv", editors, s.importTemplateCSV(importPages[importer.KindAgreements])},
		{"GET /agreements/import/template.xlsx", editors, s.importTemplateXLSX(importPages[importer.KindAgreements])},
		{"GET /admin/rates/import", admins, s.showImport(importPages[importer.KindRates])},
		{"POST /admin/rates/import", admins, s.previewImport(importPages[importer.KindRates])},
		{"POST /admin/rates/import/confirm", admins, s.confirmImport(importPages[importer.KindRates])},
		{"GET /imports/{id}", editors, s.showImportJob},
		{"GET /partners/{key}", staff, s.showPartner},
		{"GET /partners/{key}/edit", editors, s.showEditPartner},
		{"POST /partners/{key}", editors, s.savePartner},
		{"POST /partners/{key}/contacts", editors, s.addContact},
		{"POST /partners/{key}/contacts/{id}", editors, s.updateContact},
		{"POST /partners/{key}/contacts/{id}/delete", editors, s.deleteContact},
		{"POST /partners/{key}/recognitions", editors, s.addRecognition},
		{"GET /partners/{key}/merge", editors, s.showMerge},
		{"POST /partners/{key}/merge", editors, s.mergePartner},
		{"GET /partners/{key}/due-diligence", editors, s.showDueDiligence},
		{"POST /partners/{key}/due-diligence", editors, s.saveDueDiligence},
		{"GET /documents/{id}", staff, s.showDocument},
		{"GET /agreements", staff, s.showAgreements},
		{"GET /agreements/export.csv", staff, s.exportAgreementsCSV},
		{"GET /agreements/export.xlsx", staff, s.exportAgreementsXLSX},
		{"GET /agreements/new", editors, s.showNewAgreement},
		{"POST /agreements", editors, s.saveAgreement},
		{"GET /agreements/{ref}", staff, s.showAgreement},
		{"GET /agreements/{ref}/edit", editors, s.showEditAgreement},
		{"POST /agreements/{ref}", editors, s.saveAgreement},
		{"POST /agreements/{ref}/delete", editors, s.deleteAgreement},
		{"POST /agreements/{ref}/restore", admins, s.restoreAgreement},
		{"POST /agreements/{ref}/instalments", editors, s.saveInstalment},
		{"POST /agreements/{ref}/instalments/{id}", editors, s.saveInstalment},
		{"POST /agreements/{ref}/instalments/{id}/delete", editors, s.deleteInstalment},
		{"POST /agreements/{ref}/obligations", editors, s.saveObligation},
		{"POST /agreements/{ref}/obligations/{id}", editors, s.saveObligation},
		{"POST /agreements/{ref}/obligations/{id}/submitted", editors, s.markObligationSubmitted},
		{"POST /agreements/{ref}/obligations/{id}/delete", editors, s.deleteObligation},
		{"POST /agreements/{ref}/documents", editors, s.addAgreementDocument},
		{"GET /interactions/new", editors, s.showNewInteraction},
		{"POST /interactions", editors, s.saveInteraction},
		{"POST /interactions/email", editors, s.readEmail},
		{"GET /interactions/{id}", staff, s.showInteraction},
		{"GET /interactions/{id}/edit", editors, s.showEditInteraction},
		{"POST /interactions/{id}", editors, s.saveInteraction},
		{"POST /interactions/{id}/follow-ups", editors, s.addFollowUp},
		{"GET /follow-ups", staff, s.showMyFollowUps},
		{"POST /follow-ups/{id}", editors, s.setFollowUpStatus},
		{"GET /admin", admins, s.showAdmin},
		{"GET /admin/users", admins, s.showUsers},
		{"GET /admin/users/new", admins, s.showInvite},
		{"POST /admin/users", admins, s.invite},
		{"GET /admin/users/{username}", admins, s.showUser},
		{"POST /admin/users/{username}", admins, s.saveUser},
		{"POST /admin/users/{username}/unlock", admins, s.unlockUser},
		{"POST /admin/users/{username}/tokens/{id}/revoke", admins, s.revokeUserToken},
		{"GET /admin/audit", admins, s.showAudit},
		{"GET /admin/agreements/deleted", admins, s.showDeletedAgreements},
		{"GET /admin/mail", admins, s.showOutbox},
		{"GET /admin/reference", admins, s.showReferenceLists},
		{"GET /admin/reference/{list}", admins, s.showReferenceList},
		{"GET /admin/reference/{list}/{code}", admins, s.showReferenceItem},
		{"POST /admin/reference/{list}/{code}", admins, s.saveReferenceItem},
		{"POST /admin/reference/{list}/{code}/rates", admins, s.saveRate},
		{"GET /api/v1/reports/agreements", apiStaff, s.apiAgreementReport},
		{"GET /api/v1/partners", apiStaff, s.apiPartners},
		{"GET /api/v1/partners/{key}", apiStaff, s.apiPartner},
		{"GET /api/v1/agreements", apiStaff, s.apiAgreements},
		{"GET /api/v1/agreements/{ref}", apiStaff, s.apiAgreement},
		{"/", anyone, s.notFound},
	}
}

// guard enforces a route's access: anonymous visitors of a page are sent to sign in, signed-in
// users without the right get 403, API callers get JSON errors. It also reads the form of a
// route allowed to post, unless the route takes uploads, whose handlers answer a file too large
// on their own page. An address whose text no database takes is refused first (badAddressText):
// 400, or for the API 422 naming the parameter.
func (s *Server) guard(r route) http.Handler {
	limit, upload := uploadLimits[r.pattern]
	if !upload {
		limit = maxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		req.Body = http.MaxBytesReader(w, req.Body, limit)
		if name, bad := badAddressText(req); bad {
			s.log.Info("address refused", "method", req.Method, "parameter", name)
			if r.access == apiStaff {
				s.apiError(w, req, apperr.FieldErrors{name: apperr.Msg("error.bad_text")}.Err())
			} else {
				s.renderError(w, req, http.StatusBadRequest)
			}
			return
		}
		if r.access == apiStaff {
			s.serveAPI(w, req, r.handler)
			return
		}
		u := currentUser(req)
		if r.access.allows(u) {
			if req.Method == http.MethodPost && !upload && !s.readForm(w, req) {
				return
			}
			r.handler(w, req)
			return
		}
		if u == nil {
			http.Redirect(w, req, "/login?next="+safeNext(req.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.renderError(w, req, http.StatusForbidden)
	})
}
