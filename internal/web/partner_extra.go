package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/document"
	"pactum/internal/partner"
	"pactum/internal/user"
)

// addContact adds a contact person to a partner.
func (s *Server) addContact(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := partner.Contact{Name: v("contact_name"), Title: v("contact_title"), Email: v("contact_email"), Phone: v("contact_phone"),
		Language: v("contact_language"), Primary: v("contact_primary") == "1"}
	typed := c
	if err := s.db.AddContact(r.Context(), p.Key, &c); err != nil {
		s.refuseProfileForm(w, r, p, profileForms{Which: "contact", Contact: typed}, err)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=1#contacts", http.StatusSeeOther)
}

// updateContact saves the changes to a contact person.
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	id, ok := s.contactID(w, r, p)
	if !ok {
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := partner.Contact{ID: id, Name: v("contact_name"), Title: v("contact_title"), Email: v("contact_email"), Phone: v("contact_phone"),
		Language: v("contact_language"), Primary: v("contact_primary") == "1"}
	typed := c
	if err := s.db.UpdateContact(r.Context(), p.Key, &c); err != nil {
		s.refuseProfileForm(w, r, p, profileForms{Which: "contact", Contact: typed}, err)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=1#contacts", http.StatusSeeOther)
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	id, ok := s.contactID(w, r, p)
	if !ok {
		return
	}
	if err := s.db.DeleteContact(r.Context(), p.Key, id); err != nil {
		s.formErrorPage(w, r, err, "/partners/"+p.Key)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=1#contacts", http.StatusSeeOther)
}

// contactID reads the contact person of the path ({id}) of partner p. A path that names none by
// number is answered as a contact no longer there (404, with a way back to p), never taken for
// another.
func (s *Server) contactID(w http.ResponseWriter, r *http.Request, p *partner.Partner) (int64, bool) {
	id, ok := pathID(r)
	if !ok {
		s.formErrorPage(w, r, apperr.New(apperr.NotFound, "contact.error.not_found"), "/partners/"+p.Key)
	}
	return id, ok
}

// recognitionForm is what the form of a recognition sends; it is kept as typed when a save is
// refused.
type recognitionForm struct {
	Title, Event, AwardedOn, Description string
}

func parseRecognitionForm(r *http.Request) recognitionForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return recognitionForm{Title: v("recognition_title"), Event: v("recognition_event"), AwardedOn: v("recognition_awarded_on"),
		Description: v("recognition_description")}
}

// recognition turns the form into a recognition of the partner partnerID. The form's own checks
// come first, the domain's rules add the rest, all by field.
func (f recognitionForm) recognition(partnerID int64) (partner.Recognition, error) {
	rec := partner.Recognition{PartnerID: partnerID, Title: f.Title, Event: f.Event, Description: f.Description}
	errs := apperr.FieldErrors{}
	parseDate(f.AwardedOn, "recognition_awarded_on", &rec.AwardedOn, errs)
	addDomainErrors(errs, rec.Validate())
	return rec, errs.Err()
}

func (s *Server) addRecognition(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	form := parseRecognitionForm(r)
	rec, err := form.recognition(p.ID)
	if err == nil {
		err = s.db.AddRecognitions(r.Context(), []partner.Recognition{rec})
	}
	if err != nil {
		s.refuseProfileForm(w, r, p, profileForms{Which: "recognition", Recognition: form}, err)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=1#recognitions", http.StatusSeeOther)
}

// refuseProfileForm answers a small form of the partner page whose fields were refused with the
// page again, holding what was typed and the errors next to that form; other refusals (a contact
// gone meanwhile) get formErrorPage.
func (s *Server) refuseProfileForm(w http.ResponseWriter, r *http.Request, p *partner.Partner, forms profileForms, err error) {
	fe, ok := explain(localizer(r), err)
	if !ok || len(fe.Fields) == 0 {
		s.formErrorPage(w, r, err, "/partners/"+p.Key)
		return
	}
	forms.Errors = fe
	v, verr := s.partnerPage(r, p, forms)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	s.render(w, r, statusOf(apperr.CodeOf(err)), "partner", v)
}

// formErrorPage answers a refused small form of a profile page (a contact, a recognition) with
// the reasons and a way back, for the forms too small to have a page of their own.
func (s *Server) formErrorPage(w http.ResponseWriter, r *http.Request, err error, back string) {
	fe, ok := explain(localizer(r), err)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	v := messageView{page: s.newPage(r, "error.invalid")}
	v.Heading = v.Title
	var parts []string
	for _, msg := range fe.Fields {
		parts = append(parts, msg)
	}
	v.Text = fe.Summary + " " + strings.Join(parts, " ")
	v.LinkURL, v.LinkText = back, v.L.T("form.back")
	s.render(w, r, statusOf(apperr.CodeOf(err)), "message", v)
}

type dueDiligenceView struct {
	page
	Key       string
	Name      string
	Form      dueDiligenceForm
	Errors    formErrors
	Statuses  []option
	Risks     []option
	Reviewers []option
	Documents []documentRow
	MaxMB     int
}

type dueDiligenceForm struct {
	Status, Risk, Reviewer, ReviewedOn, RecheckOn, Notes string
	Version                                              int
}

// dueDiligence turns the form into the record. The form's own checks come first, the domain's
// rules add the rest, all by field.
func (f dueDiligenceForm) dueDiligence() (*partner.DueDiligence, error) {
	d := &partner.DueDiligence{Status: f.Status, RiskRating: f.Risk, Notes: f.Notes, Version: f.Version}
	errs := apperr.FieldErrors{}
	d.ReviewerID = idField(f.Reviewer, "reviewer", "error.person", errs)
	parseDate(f.ReviewedOn, "reviewed_on", &d.ReviewedOn, errs)
	parseDate(f.RecheckOn, "recheck_on", &d.RecheckOn, errs)
	addDomainErrors(errs, d.Validate())
	return d, errs.Err()
}

func (s *Server) dueDiligenceView(r *http.Request, p *partner.Partner, form dueDiligenceForm, errs formErrors) (dueDiligenceView, error) {
	l := localizer(r)
	v := dueDiligenceView{page: s.newPage(r, "partner.dd.title"), Key: p.Key, Name: p.Name(l.Lang), Form: form, Errors: errs, MaxMB: document.MaxSize >> 20}
	for _, st := range partner.DDStatuses {
		v.Statuses = append(v.Statuses, option{Value: st, Label: l.T("partner.dd.status." + st), Selected: st == form.Status})
	}
	v.Risks = []option{{Value: "", Label: l.T("form.none"), Selected: form.Risk == ""}}
	for _, rk := range partner.RiskRatings {
		v.Risks = append(v.Risks, option{Value: rk, Label: l.T("partner.dd.risk." + rk), Selected: rk == form.Risk})
	}
	users, err := s.db.Users(r.Context())
	if err != nil {
		return v, err
	}
	v.Reviewers = []option{{Value: "", Label: l.T("form.none"), Selected: form.Reviewer == ""}}
	for _, u := range users {
		if u.Role.IsStaff() && u.Active {
			id := strconv.FormatInt(u.ID, 10)
			v.Reviewers = append(v.Reviewers, option{Value: id, Label: u.Name(), Selected: id == form.Reviewer})
		}
	}
	docs, err := s.db.Documents(r.Context(), document.OwnerDueDiligence, p.ID)
	if err != nil {
		return v, err
	}
	for _, d := range docs {
		v.Documents = append(v.Documents, documentRow{ID: d.ID, Name: d.Filename, Version: d.Version,
			Size: l.N("document.kilobytes", (d.Size+1023)/1024), Uploaded: l.Date(civil.Of(d.UploadedAt)), Uploader: d.UploaderName})
	}
	return v, nil
}

func (s *Server) showDueDiligence(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	dd, err := s.db.DueDiligenceOf(r.Context(), p.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	form := dueDiligenceForm{Status: partner.DDNotStarted}
	if dd != nil {
		form = dueDiligenceForm{Status: dd.Status, Risk: dd.RiskRating, ReviewedOn: dd.ReviewedOn.String(), RecheckOn: dd.RecheckOn.String(),
			Notes: dd.Notes, Version: dd.Version}
		if dd.ReviewerID != 0 {
			form.Reviewer = strconv.FormatInt(dd.ReviewerID, 10)
		}
	}
	v, err := s.dueDiligenceView(r, p, form, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "due_diligence", v)
}

// saveDueDiligence saves the record and, when a file is attached, adds it as a document.
func (s *Server) saveDueDiligence(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
		v, verr := s.dueDiligenceView(r, p, dueDiligenceForm{}, fieldError(l, "file", "document.error.too_large", "mb", document.MaxSize>>20))
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		s.render(w, r, http.StatusRequestEntityTooLarge, "due_diligence", v)
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.FormValue(name)) }
	form := dueDiligenceForm{Status: v("dd_status"), Risk: v("risk_rating"), Reviewer: v("reviewer"), ReviewedOn: v("reviewed_on"),
		RecheckOn: v("recheck_on"), Notes: v("notes"), Version: formInt(v("version"), 0)}
	errs := formErrors{Fields: map[string]string{}}
	d, err := form.dueDiligence()
	addFieldErrors(l, errs, err)
	known := apperr.FieldErrors{}
	if err := s.knownAccounts(r.Context(), known, "reviewer", "error.person", d.ReviewerID); err != nil {
		s.serverError(w, r, err)
		return
	}
	addFieldErrors(l, errs, known.Err())
	var doc *document.Document
	if file, header, ferr := r.FormFile("file"); ferr == nil {
		data, rerr := io.ReadAll(io.LimitReader(file, document.MaxSize+1))
		file.Close()
		if rerr != nil {
			s.serverError(w, r, rerr)
			return
		}
		if doc, err = document.New(document.OwnerDueDiligence, p.ID, header.Filename, data, currentUser(r).ID); err != nil {
			fe, _ := explain(l, err)
			errs.Fields["file"] = fe.Fields["file"]
		}
	}
	if len(errs.Fields) == 0 {
		err = s.db.SaveDueDiligence(r.Context(), p.Key, d)
		if err == nil && doc != nil {
			err = s.db.AddDocument(r.Context(), doc, "due_diligence", p.Key)
		}
		if err == nil {
			http.Redirect(w, r, "/partners/"+p.Key+"?saved=1#dd", http.StatusSeeOther)
			return
		}
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		errs = fe
	}
	if errs.Summary == "" {
		errs.Summary = l.T("error.invalid")
	}
	view, verr := s.dueDiligenceView(r, p, form, errs)
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "due_diligence", view)
}

// showDocument sends a stored file to staff, as an attachment so that the browser does not
// render it inside Pactum.
func (s *Server) showDocument(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.db.DocumentByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !s.mayReadDocument(r, d) {
		s.renderError(w, r, http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(d.Data)))
	attachment(w, d.Filename)
	w.Write(d.Data)
}

// mayReadDocument decides who may download a file: staff, for the documents of partners and of
// the agreements they may see (a confidential agreement's only to administrators and its officer).
func (s *Server) mayReadDocument(r *http.Request, d *document.Document) bool {
	u := currentUser(r)
	if u == nil || !u.Role.IsStaff() {
		return false
	}
	switch d.OwnerType {
	case document.OwnerDueDiligence:
		return true
	case document.OwnerAgreement:
		ref, err := s.db.AgreementReferenceOf(r.Context(), d.OwnerID)
		if err != nil {
			return false
		}
		a, err := s.db.AgreementByReference(r.Context(), ref)
		return err == nil && (u.Role == user.RoleAdmin || !a.Deleted()) && agreement.CanSee(u, a)
	}
	return false
}
