package web

import (
	"net/http"
	"strings"

	"pactum/internal/document"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/importjob"
	"pactum/internal/reference"
	"pactum/internal/store"
)

// maxRatesBytes is the largest rates file the page takes: a rate per currency and day for years
// is well under it.
const maxRatesBytes = 5 << 20

// rateImportOwner is the owner type of uploaded rates files waiting for confirmation.
const rateImportOwner = "rate_import"

type rateImportView struct {
	page
	MaxMB   int
	Errors  formErrors
	Done    *importDone
	Preview *rateImportPreview
}

type rateImportPreview struct {
	File                              string
	Upload                            int64
	SHA256, Plan                      string
	Rows, Creates, Updates, Unchanged int
	// The first new and replaced rates.
	Shown                      int
	CreateRows, UpdateRows     []importedRate
	Problems                   []importProblem
	ProblemCount, MoreProblems int
	Ignored                    string
	CanConfirm                 bool
}

// importedRate is a rate of the file as the preview lists it.
type importedRate struct {
	Currency, ValidFrom, USDPerUnit string
}

func (s *Server) newRateImportView(r *http.Request) rateImportView {
	return rateImportView{page: s.newPage(r, "import.rates.title"), MaxMB: maxRatesBytes >> 20}
}

// showRateImport shows the page that imports currency rates from a file, and after an import
// its outcome.
func (s *Server) showRateImport(w http.ResponseWriter, r *http.Request) {
	v := s.newRateImportView(r)
	v.Done = importDoneOf(r.URL.Query())
	s.render(w, r, http.StatusOK, "rate_import", v)
}

// previewRateImport checks an uploaded rates file and shows what its import would do; a file
// that can be imported is kept for the confirm step.
func (s *Server) previewRateImport(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	refuse := func(status int, key string, args ...any) {
		v := s.newRateImportView(r)
		v.Errors = fieldError(l, "file", key, args...)
		s.render(w, r, status, "rate_import", v)
	}
	data, name, ok, err := readImportUpload(r, maxRatesBytes, refuse)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		return
	}
	res, err := importjob.CheckRates(r.Context(), s.db, data)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	doc := importDocument(currentUser(r), name, data)
	doc.OwnerType = rateImportOwner
	if res.OK() && len(res.Creates)+len(res.Updates) > 0 {
		if err := s.db.AddDocument(r.Context(), doc, "currency_rate_import_file", doc.Filename); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	v := s.newRateImportView(r)
	v.Preview = ratePreviewOf(l, doc, res)
	status := http.StatusOK
	if !res.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "rate_import", v)
}

// confirmRateImport queues the import of the rates file a preview showed, once it is checked again
// against the rates as they are now (see queueImport).
func (s *Server) confirmRateImport(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	doc, problem, err := s.confirmedUpload(r, rateImportOwner)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != nil {
		v := s.newRateImportView(r)
		v.Errors = fieldError(l, "file", problem.Key, problem.Args...)
		s.render(w, r, http.StatusUnprocessableEntity, "rate_import", v)
		return
	}
	res, err := importjob.CheckRates(r.Context(), s.db, doc.Data)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	plan := importjob.RatePlan(res)
	if !res.OK() || plan != r.PostFormValue("plan") {
		v := s.newRateImportView(r)
		v.Preview = ratePreviewOf(l, doc, res)
		status := http.StatusUnprocessableEntity
		if res.OK() {
			status, v.Errors = http.StatusConflict, formErrors{Summary: l.T("import.rates.plan_changed")}
		}
		s.render(w, r, status, "rate_import", v)
		return
	}
	s.queueImport(w, r, &store.ImportJob{Kind: store.ImportRates, DocumentID: doc.ID, Plan: plan, RowsTotal: res.Rows})
}

func ratePreviewOf(l *i18n.Localizer, doc *document.Document, res *importer.RateResult) *rateImportPreview {
	p := &rateImportPreview{File: doc.Filename, Upload: doc.ID, SHA256: doc.SHA256, Plan: importjob.RatePlan(res), Rows: res.Rows,
		Creates: len(res.Creates), Updates: len(res.Updates), Unchanged: res.Unchanged, Shown: importShown,
		ProblemCount: res.ProblemCount, MoreProblems: res.ProblemCount - len(res.Problems), Ignored: strings.Join(res.Ignored, ", ")}
	p.CanConfirm = res.OK() && p.Creates+p.Updates > 0
	rows := func(rates []reference.Rate) []importedRate {
		var out []importedRate
		for _, rate := range rates[:min(importShown, len(rates))] {
			out = append(out, importedRate{Currency: rate.Currency, ValidFrom: l.Date(rate.ValidFrom), USDPerUnit: l.Decimal(rate.USDPerUnit, 8)})
		}
		return out
	}
	p.CreateRows, p.UpdateRows = rows(res.Creates), rows(res.Updates)
	for _, pr := range res.Problems {
		p.Problems = append(p.Problems, importProblem{Row: pr.Row, Column: pr.Column, Message: l.T(pr.Message.Key, pr.Message.Args...)})
	}
	return p
}
