package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/document"
	"pactum/internal/importer"
	"pactum/internal/user"
)

// importWait is how long a confirmation waits for its import before it shows the job's status
// page: long enough for a small file to be done, so that the person sees the outcome at once.
const importWait = 2 * time.Second

// importPollEvery is how often a waiting confirmation looks at its job.
const importPollEvery = 50 * time.Millisecond

// importRefreshSeconds is how often the status page of a job still to finish reloads itself.
const importRefreshSeconds = 2

// queueImport queues the import of a checked upload as the person asking, with job's Kind,
// DocumentID, Plan and RowsTotal, and answers with where to follow it: the import page with the
// outcome, as before imports ran in the background, when the job is done within importWait;
// otherwise the job's status page. The import runs outside the request, so a large file outlives
// the server's write timeout and survives a server that stops (another takes the job over).
func (s *Server) queueImport(w http.ResponseWriter, r *http.Request, job *importer.Job) {
	job.UserID = currentUser(r).ID
	if err := s.db.EnqueueImportJob(r.Context(), job); err != nil {
		s.serverError(w, r, err)
		return
	}
	if s.opts.ImportQueued != nil {
		s.opts.ImportQueued()
	}
	status := "/imports/" + strconv.FormatInt(job.ID, 10)
	done, err := s.awaitImport(r.Context(), job.ID)
	switch {
	case err != nil:
		s.serverError(w, r, err)
	case done != nil:
		q := url.Values{"created": {strconv.Itoa(done.Created)}, "updated": {strconv.Itoa(done.Updated)}, "unchanged": {strconv.Itoa(done.Unchanged)}}
		http.Redirect(w, r, importPages[job.Kind].Path+"?"+q.Encode(), http.StatusSeeOther)
	default:
		http.Redirect(w, r, status, http.StatusSeeOther)
	}
}

// confirmedUpload finds the upload a confirmation names by its hidden fields upload and sha256:
// one of ownerType, made by the person asking, unchanged since its preview. When there is none it
// returns the message for the file's field, the number of an upload being none (the form is
// damaged) or the upload being gone.
func (s *Server) confirmedUpload(r *http.Request, ownerType string) (*document.Document, *apperr.Message, error) {
	id, ok := recordID(r.PostFormValue("upload"))
	if !ok {
		m := apperr.Msg("import.error.upload_invalid")
		return nil, &m, nil
	}
	doc, err := s.db.DocumentByID(r.Context(), id)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, nil, err
	}
	if err != nil || doc.OwnerType != ownerType || doc.OwnerID != currentUser(r).ID || doc.SHA256 != r.PostFormValue("sha256") {
		m := apperr.Msg("import.error.upload_gone")
		return nil, &m, nil
	}
	return doc, nil, nil
}

// awaitImport waits up to importWait for job id to be done and returns it then; nil when it is
// not done by then, or failed.
func (s *Server) awaitImport(ctx context.Context, id int64) (*importer.Job, error) {
	ctx, cancel := context.WithTimeout(ctx, importWait)
	defer cancel()
	ticker := time.NewTicker(importPollEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-ticker.C:
		}
		job, err := s.db.ImportJobByID(ctx, id)
		switch {
		case ctx.Err() != nil:
			return nil, nil
		case err != nil:
			return nil, err
		case job.Status == importer.JobDone:
			return job, nil
		case job.Status == importer.JobFailed:
			return nil, nil
		}
	}
}

type importJobView struct {
	page
	File, Kind, Status string
	// Active is set while the job is queued or running: the page reloads itself.
	Active, Done, Failed bool
	// RefreshSeconds is how often an active page reloads.
	RefreshSeconds      int
	RowsDone, RowsTotal int
	Progress            string
	Outcome             *importDone
	Reason              string
	ListURL, ListTitle  string
	ListLink, ImportURL string
}

// showImportJob shows how an import job is getting on: waiting, running with the rows done, or
// its outcome. Only the person who queued it and administrators may see it; to anyone else it
// does not exist.
func (s *Server) showImportJob(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	job, err := s.db.ImportJobByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if u := currentUser(r); job.UserID != u.ID && u.Role != user.RoleAdmin {
		s.notFound(w, r)
		return
	}
	pages := importPages[job.Kind]
	l := localizer(r)
	v := importJobView{page: s.newPage(r, pages.Title), File: job.Filename, Kind: l.T("import.job.kind." + job.Kind),
		Status: l.T("import.job.status." + job.Status), Active: job.Active(), Done: job.Status == importer.JobDone,
		Failed: job.Status == importer.JobFailed, RefreshSeconds: importRefreshSeconds, RowsDone: job.RowsDone, RowsTotal: job.RowsTotal,
		ListURL: pages.List, ListTitle: l.T(pages.ListTitle), ListLink: l.T(pages.ListLink), ImportURL: pages.Path}
	if rows, ok := s.liveRowsDone(job); ok {
		v.RowsDone = rows
	}
	v.RowsDone = min(v.RowsDone, v.RowsTotal)
	v.Progress = l.N("import.job.rows", v.RowsTotal, "done", v.RowsDone)
	if v.Done {
		v.Outcome = &importDone{Created: job.Created, Updated: job.Updated, Unchanged: job.Unchanged}
	}
	if v.Failed {
		v.Reason = l.T(job.Error.Key, job.Error.Args...)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "import_job", v)
}

// liveRowsDone is how many rows of a running job this server's worker has done, when it is the
// one running it: on SQLite the import's transaction keeps the database's figure from moving.
func (s *Server) liveRowsDone(job *importer.Job) (int, bool) {
	if job.Status != importer.JobRunning || s.opts.ImportRowsDone == nil {
		return 0, false
	}
	return s.opts.ImportRowsDone(job.ID)
}
