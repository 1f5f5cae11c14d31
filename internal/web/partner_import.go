package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"path"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/document"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/importjob"
	"pactum/internal/store"
	"pactum/internal/user"
)

// maxImportBytes is the largest partner file the page takes; larger files go through the
// pactum import command.
const maxImportBytes = 50 << 20

// importOwner is the owner type of uploaded import files in the documents table. The owner is
// the person who uploaded the file, so that only they can confirm its import.
const importOwner = "partner_import"

// importShown is how many rows of each kind the preview lists.
const importShown = 20

type importView struct {
	page
	MaxMB   int
	Errors  formErrors
	Done    *importDone
	Preview *importPreview
}

type importDone struct{ Created, Updated, Unchanged int }

type importPreview struct {
	File      string
	Upload    int64
	SHA256    string
	Plan      string
	Rows      int
	Creates   int
	Updates   int
	Unchanged int
	// The first rows of each kind.
	CreateRows, UpdateRows, UnchangedRows []importRow
	Shown                                 int
	Problems                              []importProblem
	ProblemCount                          int
	MoreProblems                          int
	Ignored                               string
	CanConfirm                            bool
}

type importRow struct {
	Row           int
	Key, Name     string
	ChangedFields string
}

type importProblem struct {
	Row             int
	Column, Message string
}

func (s *Server) newImportView(r *http.Request) importView {
	return importView{page: s.newPage(r, "import.title"), MaxMB: maxImportBytes >> 20}
}

// showPartnerImport shows the import page: what a file holds, the templates, the upload form,
// and after an import its outcome.
func (s *Server) showPartnerImport(w http.ResponseWriter, r *http.Request) {
	v := s.newImportView(r)
	v.Done = importDoneOf(r.URL.Query())
	s.render(w, r, http.StatusOK, "partner_import", v)
}

// partnerImportTemplateCSV sends the empty partner file as CSV.
func (s *Server) partnerImportTemplateCSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, "pactum-partners-template.csv")
	if err := importer.WriteTemplateCSV(w); err != nil {
		s.log.Error("import template", "err", err)
	}
}

// partnerImportTemplateXLSX sends the empty partner workbook, with a sheet of the codes as stored.
func (s *Server) partnerImportTemplateXLSX(w http.ResponseWriter, r *http.Request) {
	rs, err := importer.LoadResolver(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := importer.WriteTemplateXLSX(&buf, rs); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendWorkbook(w, "pactum-partners-template.xlsx", buf.Bytes())
}

// importDoneOf reads the outcome of a finished import from the page's address, where the
// confirmation redirects with it; nil when there is none.
func importDoneOf(q url.Values) *importDone {
	if !q.Has("created") {
		return nil
	}
	return &importDone{Created: formInt(q.Get("created"), 0), Updated: formInt(q.Get("updated"), 0), Unchanged: formInt(q.Get("unchanged"), 0)}
}

// sendWorkbook answers with an Excel workbook written in full beforehand, as a download.
func sendWorkbook(w http.ResponseWriter, filename string, workbook []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	attachment(w, filename)
	w.Write(workbook)
}

// previewPartnerImport checks an uploaded file and shows what its import would do. The file is
// kept in the documents table for the confirm step, so that any app server can finish it.
func (s *Server) previewPartnerImport(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	refuse := func(status int, key string, args ...any) {
		v := s.newImportView(r)
		v.Errors = fieldError(l, "file", key, args...)
		s.render(w, r, status, "partner_import", v)
	}
	data, name, ok, err := readImportUpload(r, maxImportBytes, refuse)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		return
	}
	res, err := importjob.CheckPartners(r.Context(), s.db, currentUser(r), data)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Only a file that can be imported is kept, for the confirm step.
	doc := importDocument(currentUser(r), name, data)
	if res.OK() && len(res.Creates)+len(res.Updates) > 0 {
		if err := s.db.AddDocument(r.Context(), doc, "partner_import_file", doc.Filename); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	v := s.newImportView(r)
	v.Preview = importPreviewOf(l, doc, res)
	status := http.StatusOK
	if !res.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "partner_import", v)
}

// confirmPartnerImport queues the import of the file a preview showed, once it is checked again
// against the partners as they are now (see queueImport).
func (s *Server) confirmPartnerImport(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	doc, problem, err := s.confirmedUpload(r, importOwner)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != nil {
		v := s.newImportView(r)
		v.Errors = fieldError(l, "file", problem.Key, problem.Args...)
		s.render(w, r, http.StatusUnprocessableEntity, "partner_import", v)
		return
	}
	res, err := importjob.CheckPartners(r.Context(), s.db, currentUser(r), doc.Data)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	again := func(status int, errs formErrors) {
		v := s.newImportView(r)
		v.Errors, v.Preview = errs, importPreviewOf(l, doc, res)
		s.render(w, r, status, "partner_import", v)
	}
	if !res.OK() {
		again(http.StatusUnprocessableEntity, formErrors{})
		return
	}
	// Partners created or changed since the preview make another plan: show it and ask again.
	plan := importjob.PartnerPlan(res)
	switch {
	case len(res.Creates)+len(res.Updates) == 0:
		again(http.StatusOK, formErrors{}) // sent again once imported: nothing left to do, which the preview says
	case plan != r.PostFormValue("plan"):
		again(http.StatusConflict, formErrors{Summary: l.T("import.error.plan_changed")})
	default:
		s.queueImport(w, r, &store.ImportJob{Kind: store.ImportPartners, DocumentID: doc.ID, Plan: plan, RowsTotal: res.Rows})
	}
}

// importDocument makes the stored copy of an upload. It is not a document.New: an import file
// may be larger than an attachment, and its content, not its name, tells CSV from Excel; a name
// that cannot be stored (apperr.Text) is replaced, as the file is what matters.
func importDocument(u *user.User, filename string, data []byte) *document.Document {
	name := path.Base(strings.ReplaceAll(strings.TrimSpace(filename), "\\", "/"))
	if name == "" || name == "." || name == "/" || apperr.Text(name, document.MaxNameLength, false) != nil {
		name = "partners"
	}
	contentType := "text/csv; charset=utf-8"
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	sum := sha256.Sum256(data)
	return &document.Document{OwnerType: importOwner, OwnerID: u.ID, Filename: name, ContentType: contentType,
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: u.ID, Data: data}
}

func importPreviewOf(l *i18n.Localizer, doc *document.Document, res *importer.Result) *importPreview {
	p := &importPreview{File: doc.Filename, Upload: doc.ID, SHA256: doc.SHA256, Rows: res.Rows, Creates: len(res.Creates),
		Updates: len(res.Updates), Unchanged: len(res.Unchanged), Shown: importShown, ProblemCount: res.ProblemCount,
		MoreProblems: res.ProblemCount - len(res.Problems), Ignored: strings.Join(res.Ignored, ", ")}
	p.CanConfirm = res.OK() && p.Creates+p.Updates > 0
	p.Plan = importjob.PartnerPlan(res)
	rows := func(entries []importer.Entry) []importRow {
		var out []importRow
		for _, e := range entries[:min(importShown, len(entries))] {
			out = append(out, importRow{Row: e.Row, Key: e.Partner.Key, Name: e.Partner.Name(l.Lang), ChangedFields: strings.Join(e.Changed, ", ")})
		}
		return out
	}
	p.CreateRows, p.UpdateRows, p.UnchangedRows = rows(res.Creates), rows(res.Updates), rows(res.Unchanged)
	for _, pr := range res.Problems {
		p.Problems = append(p.Problems, importProblem{Row: pr.Row, Column: pr.Column, Message: l.T(pr.Message.Key, pr.Message.Args...)})
	}
	return p
}
