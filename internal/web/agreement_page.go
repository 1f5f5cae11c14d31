package web

import (
	"io"
	"net/http"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/document"
	"pactum/internal/reference"
	"pactum/internal/user"
)

// readableAgreement loads the agreement of the URL for the reader, answering 404 itself when it
// does not exist, is deleted (except for administrators) or is confidential and not theirs: a
// reader who may not see it does not learn that it exists.
func (s *Server) readableAgreement(w http.ResponseWriter, r *http.Request) (*agreement.Agreement, bool) {
	a, err := s.db.AgreementByReference(r.Context(), r.PathValue("ref"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	u := currentUser(r)
	if (a.Deleted() && u.Role != user.RoleAdmin) || !agreement.CanSee(u, a) {
		s.notFound(w, r)
		return nil, false
	}
	return a, true
}

// editableAgreement is readableAgreement for a change: it also answers 403 when the user may not
// change the agreement, and 404 when it is deleted.
func (s *Server) editableAgreement(w http.ResponseWriter, r *http.Request) (*agreement.Agreement, bool) {
	a, ok := s.readableAgreement(w, r)
	if !ok {
		return nil, false
	}
	if a.Deleted() {
		s.notFound(w, r)
		return nil, false
	}
	if !agreement.CanEdit(currentUser(r), a) {
		s.renderError(w, r, http.StatusForbidden)
		return nil, false
	}
	return a, true
}

type factRow struct {
	Label, Value string
	URL          string // when the value links somewhere
	Dir          string // "auto" for free text in any script
}

type amendmentRow struct {
	Reference, Title, Kind, Signed, Added, EndOn string
}

type instalmentRow struct {
	ID                                                    int64
	Due, Amount, ReceivedOn, Received, Outstanding        string // as shown
	DueValue, AmountValue, ReceivedOnValue, ReceivedValue string // as the row's form holds them
	Note                                                  string
	Late                                                  bool
}

type obligationRow struct {
	ID                                 int64
	Kind, Due, Submitted, Note, DueISO string
	Overdue                            bool
}

// pageForms keeps what someone typed into one of the small forms of the agreement page when it
// was refused, with the errors, so the page shows them next to that form.
type pageForms struct {
	Instalment   instalmentForm
	InstalmentID int64 // the instalment whose row form was refused; 0 for the new one
	Obligation   obligationForm
	ObligationID int64
	Errors       formErrors
	Which        string // "instalment", "obligation", "document" or "delete"
}

type agreementPageView struct {
	page
	A            *agreement.Agreement
	Reference    string
	Confidential bool
	Deleted      string // who deleted it and when, for administrators
	Status       string
	Facts        []factRow
	Parties      []partyLink
	Amended      []factRow // the agreement as amended, when it has amendments
	Amendments   []amendmentRow
	Framework    []amendmentRow // agreements signed under this memorandum of understanding
	Instalments  []instalmentRow
	Money        moneyView
	Scheduled    bool
	Obligations  []obligationRow
	Documents    []documentRow
	Kinds        []option
	CanEdit      bool
	IsAdmin      bool
	Forms        pageForms
	Saved        bool
	AuditURL     string
}

func (s *Server) showAgreement(w http.ResponseWriter, r *http.Request) {
	a, ok := s.readableAgreement(w, r)
	if !ok {
		return
	}
	v, err := s.agreementPage(r, a, pageForms{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agreement", v)
}

// agreementPage builds the agreement page, with forms holding what was typed when a change was refused.
func (s *Server) agreementPage(r *http.Request, a *agreement.Agreement, forms pageForms) (agreementPageView, error) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		return agreementPageView{}, err
	}
	l := lb.l
	u := currentUser(r)
	today := civil.Of(time.Now())
	v := agreementPageView{page: s.newPage(r, "agreement.page_title"), A: a, Reference: a.Reference, Confidential: a.Confidential,
		Status: l.T("agreement.status." + a.Status), CanEdit: !a.Deleted() && agreement.CanEdit(u, a), IsAdmin: u.Role == user.RoleAdmin,
		Forms: forms, Saved: r.URL.Query().Get("saved") == "1"}
	v.Title = a.Title(l.Lang)
	if v.IsAdmin {
		v.AuditURL = "/admin/audit?entity=agreement&key=" + a.Reference
	}
	if err := s.hideLinks(ctx, u, a); err != nil {
		return v, err
	}
	if a.Deleted() {
		v.Deleted = l.T("agreement.deleted_by", "date", l.Date(civil.Of(a.DeletedAt)), "name", a.DeletedBy)
	}

	ids := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		ids[i] = idString(p.PartnerID)
	}
	names, err := s.db.PartnerLabels(ctx, ids, l.Lang)
	if err != nil {
		return v, err
	}
	for _, p := range a.Parties {
		v.Parties = append(v.Parties, partyLink{URL: "/partners/" + p.PartnerKey, Name: names[idString(p.PartnerID)],
			Role: l.T("agreement.role." + p.Role)})
	}

	add := func(label, value string) {
		if value != "" {
			v.Facts = append(v.Facts, factRow{Label: l.T(label), Value: value})
		}
	}
	add("agreement.type", lb.code(reference.ListAgreementType, a.Type))
	if a.AmendsRef != "" {
		v.Facts = append(v.Facts, factRow{Label: l.T("agreement.amends"), Value: a.AmendsRef, URL: agreementURL(a.AmendsRef)})
	}
	if a.IsAmendment() {
		add("agreement.amendment_kind", l.T("agreement.kind."+a.AmendmentKind))
	}
	if a.FrameworkRef != "" {
		v.Facts = append(v.Facts, factRow{Label: l.T("agreement.framework"), Value: a.FrameworkRef, URL: agreementURL(a.FrameworkRef)})
	}
	add("agreement.signed_on", l.Date(a.SignedOn))
	add("agreement.start_on", l.Date(a.StartOn))
	add("agreement.end_on", l.Date(a.EndOn))
	if a.Amount != 0 || a.Currency != "USD" {
		add("agreement.amount", l.Money(a.Amount, a.Currency))
	}
	add("agreement.value_usd", l.Money(a.ValueUSD, "USD"))
	if a.InKindUSD != 0 {
		add("agreement.in_kind_usd", l.Money(a.InKindUSD, "USD"))
	}
	var regions []string
	for _, rs := range a.Regions {
		regions = append(regions, l.T("agreement.region_share", "region", lb.code(reference.ListRegion, rs.Region), "share", l.Decimal(rs.Share*100, 1)))
	}
	add("agreement.regions", strings.Join(regions, " · "))
	var countries []string
	for _, c := range a.Countries {
		countries = append(countries, lb.code(reference.ListCountry, c))
	}
	add("agreement.countries", strings.Join(countries, ", "))
	add("agreement.action_area", lb.code(reference.ListActionArea, a.PrimaryActionArea))
	var others []string
	for _, c := range a.OtherActionAreas {
		others = append(others, lb.code(reference.ListActionArea, c))
	}
	add("agreement.other_action_areas", strings.Join(others, ", "))
	if a.Initiative != "" {
		v.Facts = append(v.Facts, factRow{Label: l.T("agreement.initiative"), Value: a.Initiative, Dir: "auto"})
	}
	if a.OfficerID != 0 {
		if officer, err := s.db.UserByID(ctx, a.OfficerID); err == nil {
			add("agreement.officer", officer.Name())
		}
	}
	office := a.Office
	if office != "" && office != agreement.OfficeHQ {
		office = lb.code(reference.ListRegion, office)
	} else if office == agreement.OfficeHQ {
		office = l.T("agreement.office.hq")
	}
	add("agreement.office", office)
	if a.Notes != "" {
		v.Facts = append(v.Facts, factRow{Label: l.T("agreement.notes"), Value: a.Notes, Dir: "auto"})
	}

	if err := s.fillLinkedAgreements(ctx, l, u, a, &v); err != nil {
		return v, err
	}

	instalments, err := s.db.Instalments(ctx, a.ID)
	if err != nil {
		return v, err
	}
	v.Scheduled = len(instalments) > 0 || a.Type == "voluntary_contribution" || a.Type == "project_document"
	for _, i := range instalments {
		row := instalmentRow{ID: i.ID, Due: l.Date(i.DueOn), Amount: l.Money(i.Amount, a.Currency), ReceivedOn: l.Date(i.ReceivedOn),
			Outstanding: l.Money(agreement.Money{Pledged: i.Amount, Received: i.Received}.Outstanding(), a.Currency),
			DueValue:    i.DueOn.String(), AmountValue: i.Amount.String(), ReceivedOnValue: i.ReceivedOn.String(),
			Note: i.Note, Late: i.Received < i.Amount && i.DueOn.Before(today)}
		if i.Received != 0 {
			row.Received, row.ReceivedValue = l.Money(i.Received, a.Currency), i.Received.String()
		}
		v.Instalments = append(v.Instalments, row)
	}
	sum := agreement.Schedule(instalments)
	v.Money = newMoneyView(l, &agreement.Contributions{
		ByCurrency: []agreement.CurrencyMoney{{Currency: a.Currency, Money: sum}},
		USD:        agreement.Money{Pledged: a.InUSD(sum.Pledged), Received: a.InUSD(sum.Received)},
	})

	obligations, err := s.db.Obligations(ctx, a.ID)
	if err != nil {
		return v, err
	}
	for _, o := range obligations {
		v.Obligations = append(v.Obligations, obligationRow{ID: o.ID, Kind: l.T("agreement.obligation." + o.Kind), Due: l.Date(o.DueOn),
			DueISO: o.DueOn.String(), Submitted: l.Date(o.SubmittedOn), Note: o.Note, Overdue: o.OverdueOn(today)})
	}
	for _, k := range agreement.ObligationKinds {
		v.Kinds = append(v.Kinds, option{Value: k, Label: l.T("agreement.obligation." + k), Selected: forms.Obligation.Kind == k})
	}

	docs, err := s.db.Documents(ctx, document.OwnerAgreement, a.ID)
	if err != nil {
		return v, err
	}
	for _, d := range docs {
		v.Documents = append(v.Documents, documentRow{ID: d.ID, Name: d.Filename, Version: d.Version,
			Size: l.N("document.kilobytes", (d.Size+1023)/1024), Uploaded: l.Date(civil.Of(d.UploadedAt)), Uploader: d.UploaderName,
			Digest: d.SHA256[:12]})
	}
	return v, nil
}

// refusePageForm shows the agreement page again with a refused form's values and errors, answered
// with the refusal's status: 422 for a field at fault, 404 for a line no longer on the agreement,
// 409 for a change made meanwhile, 503 when Pactum is busy, 413 for a file too large.
func (s *Server) refusePageForm(w http.ResponseWriter, r *http.Request, a *agreement.Agreement, forms pageForms, err error) {
	l := localizer(r)
	fe, ok := explain(l, err)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	if fe.Summary == "" {
		fe.Summary = l.T("error.invalid")
	}
	forms.Errors = fe
	v, verr := s.agreementPage(r, a, forms)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	status := statusOf(apperr.CodeOf(err))
	if bodyTooLarge(err) {
		status = http.StatusRequestEntityTooLarge
	}
	s.render(w, r, status, "agreement", v)
}

// addAgreementDocument uploads a file to an agreement; a file of the same name becomes its next version.
func (s *Server) addAgreementDocument(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		problem := apperr.Msg("document.error.none")
		if bodyTooLarge(err) {
			problem = apperr.Msg("document.error.too_large", "mb", document.MaxSize>>20)
		}
		s.refusePageForm(w, r, a, pageForms{Which: "document"},
			&apperr.Error{Code: apperr.Invalid, Message: apperr.Msg("error.invalid"), Fields: apperr.FieldErrors{"file": problem}, Err: err})
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "document"}, apperr.FieldErrors{"file": apperr.Msg("document.error.none")}.Err())
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, document.MaxSize+1))
	file.Close()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	doc, err := document.New(document.OwnerAgreement, a.ID, header.Filename, data, currentUser(r).ID)
	if err == nil {
		err = s.db.AddDocument(r.Context(), doc, "agreement", a.Reference)
	}
	if err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "document"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1#documents", http.StatusSeeOther)
}

// deleteAgreement deletes an agreement, keeping it restorable by an administrator.
func (s *Server) deleteAgreement(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	if err := s.db.DeleteAgreement(r.Context(), a.Reference, formInt(r.PostFormValue("version"), 0)); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "delete"}, err)
		return
	}
	http.Redirect(w, r, "/agreements?deleted="+a.Reference, http.StatusSeeOther)
}

// restoreAgreement brings a deleted agreement back (administrators).
func (s *Server) restoreAgreement(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	a, ok := s.readableAgreement(w, r)
	if !ok {
		return
	}
	if err := s.db.RestoreAgreement(r.Context(), a.Reference); err != nil {
		s.refusePageForm(w, r, a, pageForms{Which: "delete"}, err)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1", http.StatusSeeOther)
}

type deletedRow struct {
	Reference, Title, Deleted string
}

type deletedAgreementsView struct {
	page
	Rows []deletedRow
}

// showDeletedAgreements lists deleted agreements for an administrator to restore.
func (s *Server) showDeletedAgreements(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	list, err := s.db.DeletedAgreements(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := deletedAgreementsView{page: s.newPage(r, "agreements.deleted_title")}
	for _, a := range list {
		v.Rows = append(v.Rows, deletedRow{Reference: a.Reference, Title: a.Title(l.Lang),
			Deleted: l.T("agreement.deleted_by", "date", l.Date(civil.Of(a.DeletedAt)), "name", a.DeletedBy)})
	}
	s.render(w, r, http.StatusOK, "agreements_deleted", v)
}
