package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/document"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/importflow"
	"pactum/internal/user"
)

// The import pages of every kind (partners, agreements, currency rates) are served by the
// handlers of this file, given the kind's importPage: the page with the templates and the upload
// form, the preview of a file, its confirmation, which queues the job (import_jobs.go), and the
// template downloads. The kind's adapter (internal/importflow) checks and writes the file.

type importView struct {
	page
	Kind    *importPage
	MaxMB   int
	Errors  formErrors
	Done    *importDone
	Preview *importPreview
}

type importDone struct{ Created, Updated, Unchanged int }

type importPreview struct {
	File                              string
	Upload                            int64
	SHA256, Plan                      string
	Rows, Creates, Updates, Unchanged int
	// The first rows of each kind.
	CreateRows, UpdateRows, UnchangedRows []importRow
	Shown                                 int
	Problems                              []importProblem
	ProblemCount, MoreProblems            int
	Ignored                               string
	CanConfirm                            bool
}

// importRow is a row of the preview: a record's key and name, or a rate's currency, date and value.
type importRow struct {
	Row                             int
	Key, Name, ChangedFields        string
	Currency, ValidFrom, USDPerUnit string
}

type importProblem struct {
	Row             int
	Column, Message string
}

func (s *Server) newImportView(r *http.Request, p *importPage) importView {
	return importView{page: s.newPage(r, p.Title), Kind: p, MaxMB: p.maxBytes >> 20}
}

// showImport shows the import page: what a file holds, the templates, the upload form, and after
// an import its outcome.
func (s *Server) showImport(p *importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := s.newImportView(r, p)
		v.Done = importDoneOf(r.URL.Query())
		s.render(w, r, http.StatusOK, "import", v)
	}
}

// importTemplateCSV sends the kind's empty file as CSV.
func (s *Server) importTemplateCSV(p *importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := p.kind.Template()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		attachment(w, "pactum-"+t.Name+"-template.csv")
		if err := t.WriteCSV(w); err != nil {
			s.log.Error("import template", "kind", p.kind.Key(), "err", err)
		}
	}
}

// importTemplateXLSX sends the kind's empty workbook, with a sheet of the codes as stored.
func (s *Server) importTemplateXLSX(p *importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rs, err := importer.LoadResolver(r.Context(), s.db)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		t := p.kind.Template()
		var buf bytes.Buffer
		if err := t.WriteXLSX(&buf, rs); err != nil {
			s.serverError(w, r, err)
			return
		}
		sendWorkbook(w, "pactum-"+t.Name+"-template.xlsx", buf.Bytes())
	}
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

// checkImport checks a file of the page's kind as the person asking, keeping the first rows of
// each kind for the preview.
func (s *Server) checkImport(r *http.Request, p *importPage, data []byte) (*importflow.Result, error) {
	return p.kind.Check(r.Context(), s.db, importflow.Input{User: currentUser(r), Data: bytes.NewReader(data), Keep: importShown})
}

// previewImport checks an uploaded file and shows what its import would do. A file that can be
// imported is kept in the documents table for the confirm step, so that any app server can
// finish it and nothing is uploaded twice.
func (s *Server) previewImport(p *importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = actorContext(r)
		l := localizer(r)
		refuse := func(status int, key string, args ...any) {
			v := s.newImportView(r, p)
			v.Errors = fieldError(l, "file", key, args...)
			s.render(w, r, status, "import", v)
		}
		data, name, ok, err := readImportUpload(r, p.maxBytes, refuse)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			return
		}
		res, err := s.checkImport(r, p, data)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		doc := importDocument(currentUser(r), name, data)
		doc.OwnerType = p.owner
		if res.OK() && res.Changes() {
			if err := s.db.AddDocument(r.Context(), doc, p.docEntity, doc.Filename); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		v := s.newImportView(r, p)
		v.Preview = importPreviewOf(l, doc, res)
		status := http.StatusOK
		if !res.OK() {
			status = http.StatusUnprocessableEntity
		}
		s.render(w, r, status, "import", v)
	}
}

// confirmImport queues the import of the file a preview showed, once it is checked again against
// the data as it is now (see queueImport): if someone changed the data meanwhile so that the
// import would do something else than what was shown, the page shows the new plan and asks
// again. An upload that is not the person's or is gone is answered alike; an upload number that
// is no number says the form is damaged.
func (s *Server) confirmImport(p *importPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := localizer(r)
		doc, problem, err := s.confirmedUpload(r, p.owner)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if problem != nil {
			v := s.newImportView(r, p)
			v.Errors = fieldError(l, "file", problem.Key, problem.Args...)
			s.render(w, r, http.StatusUnprocessableEntity, "import", v)
			return
		}
		res, err := s.checkImport(r, p, doc.Data)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		again := func(status int, errs formErrors) {
			v := s.newImportView(r, p)
			v.Errors, v.Preview = errs, importPreviewOf(l, doc, res)
			s.render(w, r, status, "import", v)
		}
		switch {
		case !res.OK():
			again(http.StatusUnprocessableEntity, formErrors{})
		case !res.Changes():
			again(http.StatusOK, formErrors{}) // sent again once imported: nothing left to do, which the preview says
		case res.Plan() != r.PostFormValue("plan"):
			again(http.StatusConflict, formErrors{Summary: l.T(p.PlanChanged)})
		default:
			s.queueImport(w, r, &importer.Job{Kind: p.kind.Key(), DocumentID: doc.ID, Plan: res.Plan(), RowsTotal: res.Rows})
		}
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

// importPreviewOf is the preview of a checked file, in the reader's language.
func importPreviewOf(l *i18n.Localizer, doc *document.Document, res *importflow.Result) *importPreview {
	p := &importPreview{File: doc.Filename, Upload: doc.ID, SHA256: doc.SHA256, Plan: res.Plan(), Rows: res.Rows,
		Creates: res.Created, Updates: res.Updated, Unchanged: res.Unchanged, Shown: importShown, ProblemCount: res.ProblemCount,
		MoreProblems: res.ProblemCount - len(res.Problems), Ignored: strings.Join(res.Ignored, ", "), CanConfirm: res.OK() && res.Changes()}
	rows := func(entries []importflow.Entry) []importRow {
		var out []importRow
		for _, e := range entries {
			row := importRow{Row: e.Row, Key: e.Key, ChangedFields: strings.Join(e.Changed, ", ")}
			if e.Name != nil {
				row.Name = e.Name(l.Lang)
			}
			if e.Rate != nil {
				row.Currency, row.ValidFrom, row.USDPerUnit = e.Rate.Currency, l.Date(e.Rate.ValidFrom), l.Decimal(e.Rate.USDPerUnit, 8)
			}
			out = append(out, row)
		}
		return out
	}
	p.CreateRows, p.UpdateRows, p.UnchangedRows = rows(res.CreatedRows), rows(res.UpdatedRows), rows(res.UnchangedRows)
	for _, pr := range res.Problems {
		p.Problems = append(p.Problems, importProblem{Row: pr.Row, Column: pr.Column, Message: l.T(pr.Message.Key, pr.Message.Args...)})
	}
	return p
}
