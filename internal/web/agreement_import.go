package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"pactum/internal/document"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/importjob"
	"pactum/internal/store"
	"pactum/internal/user"
)

// agreementImportOwner is the owner type of uploaded agreement files waiting for confirmation,
// owned by the person who uploaded them, as importOwner is for partner files.
const agreementImportOwner = "agreement_import"

type agreementImportView struct {
	page
	MaxMB   int
	Errors  formErrors
	Done    *importDone
	Preview *agreementImportPreview
}

type agreementImportPreview struct {
	File                                  string
	Upload                                int64
	SHA256, Plan                          string
	Rows, Creates, Updates, Unchanged     int
	CreateRows, UpdateRows, UnchangedRows []agreementImportRow
	Shown                                 int
	Problems                              []importProblem
	ProblemCount, MoreProblems            int
	Ignored                               string
	CanConfirm                            bool
}

type agreementImportRow struct {
	Row                             int
	Reference, Title, ChangedFields string
}

func (s *Server) newAgreementImportView(r *http.Request) agreementImportView {
	return agreementImportView{page: s.newPage(r, "import.agreements.title"), MaxMB: maxImportBytes >> 20}
}

// showAgreementImport shows the agreement import page: what a file holds, the templates, the
// upload form, and after an import its outcome.
func (s *Server) showAgreementImport(w http.ResponseWriter, r *http.Request) {
	v := s.newAgreementImportView(r)
	v.Done = importDoneOf(r.URL.Query())
	s.render(w, r, http.StatusOK, "agreement_import", v)
}

// agreementImportTemplateCSV sends the empty agreement file as CSV.
func (s *Server) agreementImportTemplateCSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, "pactum-agreements-template.csv")
	if err := importer.WriteAgreementTemplateCSV(w); err != nil {
		s.log.Error("agreement import template", "err", err)
	}
}

// agreementImportTemplateXLSX sends the empty agreement workbook, with a sheet of the codes as stored.
func (s *Server) agreementImportTemplateXLSX(w http.ResponseWriter, r *http.Request) {
	rs, err := importer.LoadResolver(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := importer.WriteAgreementTemplateXLSX(&buf, rs); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendWorkbook(w, "pactum-agreements-template.xlsx", buf.Bytes())
}

// readImportUpload reads the file of an import form, answering for the page itself when there is
// none or it is too large (ok is false then).
func readImportUpload(r *http.Request, maxBytes int, refuse func(status int, key string, args ...any)) (data []byte, name string, ok bool, err error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if bodyTooLarge(err) {
			refuse(http.StatusRequestEntityTooLarge, "import.error.too_large", "mb", maxBytes>>20)
			return nil, "", false, nil
		}
		refuse(http.StatusUnprocessableEntity, "import.error.no_file")
		return nil, "", false, nil
	}
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if err != nil {
		refuse(http.StatusUnprocessableEntity, "import.error.no_file")
		return nil, "", false, nil
	}
	data, err = io.ReadAll(io.LimitReader(file, int64(maxBytes)+1))
	file.Close()
	switch {
	case err != nil:
		return nil, "", false, err
	case len(data) == 0:
		refuse(http.StatusUnprocessableEntity, "import.error.no_file")
		return nil, "", false, nil
	case len(data) > maxBytes:
		refuse(http.StatusRequestEntityTooLarge, "import.error.too_large", "mb", maxBytes>>20)
		return nil, "", false, nil
	}
	return data, header.Filename, true, nil
}

// previewAgreementImport checks an uploaded agreement file and shows what its import would do.
// A file that can be imported is kept in the documents table for the confirm step.
func (s *Server) previewAgreementImport(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	refuse := func(status int, key string, args ...any) {
		v := s.newAgreementImportView(r)
		v.Errors = fieldError(l, "file", key, args...)
		s.render(w, r, status, "agreement_import", v)
	}
	data, name, ok, err := readImportUpload(r, maxImportBytes, refuse)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		return
	}
	opts, err := s.agreementImportOptions(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	res, err := importer.CheckAgreements(r.Context(), bytes.NewReader(data), opts)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	doc := agreementImportDocument(currentUser(r), name, data)
	if res.OK() && res.Created+res.Updated > 0 {
		if err := s.db.AddDocument(r.Context(), doc, "agreement_import_file", doc.Filename); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	v := s.newAgreementImportView(r)
	v.Preview = agreementImportPreviewOf(l, doc, res)
	status := http.StatusOK
	if !res.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "agreement_import", v)
}

// confirmAgreementImport queues the import of the file a preview showed, once it is checked again
// against the agreements as they are now (see queueImport). The import checks every row again as
// it writes it, in one transaction, so a change made meanwhile that breaks a row rolls it all back.
func (s *Server) confirmAgreementImport(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	doc, problem, err := s.confirmedUpload(r, agreementImportOwner)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != nil {
		v := s.newAgreementImportView(r)
		v.Errors = fieldError(l, "file", problem.Key, problem.Args...)
		s.render(w, r, http.StatusUnprocessableEntity, "agreement_import", v)
		return
	}
	opts, err := s.agreementImportOptions(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	res, err := importer.CheckAgreements(r.Context(), bytes.NewReader(doc.Data), opts)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	again := func(status int, errs formErrors, res *importer.AgreementResult) {
		v := s.newAgreementImportView(r)
		v.Errors, v.Preview = errs, agreementImportPreviewOf(l, doc, res)
		s.render(w, r, status, "agreement_import", v)
	}
	plan := importjob.AgreementPlan(res)
	switch {
	case !res.OK():
		again(http.StatusUnprocessableEntity, formErrors{}, res)
	case res.Created+res.Updated == 0:
		again(http.StatusOK, formErrors{}, res) // sent again once imported: nothing left to do, which the preview says
	case plan != r.PostFormValue("plan"):
		again(http.StatusConflict, formErrors{Summary: l.T("import.agreements.plan_changed")}, res)
	default:
		s.queueImport(w, r, &store.ImportJob{Kind: store.ImportAgreements, DocumentID: doc.ID, Plan: plan, RowsTotal: res.Rows})
	}
}

// agreementImportOptions are the options of a check by the person asking (see
// importjob.AgreementOptions), keeping the first rows of each kind for the preview.
func (s *Server) agreementImportOptions(r *http.Request) (importer.AgreementOptions, error) {
	opts, err := importjob.AgreementOptions(r.Context(), s.db, currentUser(r))
	opts.Keep = importShown
	return opts, err
}

// agreementImportDocument is the stored copy of an uploaded agreement file (see importDocument).
func agreementImportDocument(u *user.User, filename string, data []byte) *document.Document {
	doc := importDocument(u, filename, data)
	doc.OwnerType = agreementImportOwner
	return doc
}

func agreementImportPreviewOf(l *i18n.Localizer, doc *document.Document, res *importer.AgreementResult) *agreementImportPreview {
	p := &agreementImportPreview{File: doc.Filename, Upload: doc.ID, SHA256: doc.SHA256, Plan: importjob.AgreementPlan(res), Rows: res.Rows,
		Creates: res.Created, Updates: res.Updated, Unchanged: res.Unchanged, Shown: importShown, ProblemCount: res.ProblemCount,
		MoreProblems: res.ProblemCount - len(res.Problems), Ignored: strings.Join(res.Ignored, ", ")}
	p.CanConfirm = res.OK() && p.Creates+p.Updates > 0
	rows := func(entries []importer.AgreementEntry) []agreementImportRow {
		var out []agreementImportRow
		for _, e := range entries {
			out = append(out, agreementImportRow{Row: e.Row, Reference: e.Reference, Title: e.Title, ChangedFields: strings.Join(e.Changed, ", ")})
		}
		return out
	}
	p.CreateRows, p.UpdateRows, p.UnchangedRows = rows(res.CreatedRows), rows(res.UpdatedRows), rows(res.UnchangedRows)
	for _, pr := range res.Problems {
		p.Problems = append(p.Problems, importProblem{Row: pr.Row, Column: pr.Column, Message: l.T(pr.Message.Key, pr.Message.Args...)})
	}
	return p
}
