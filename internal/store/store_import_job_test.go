package store_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/document"
	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// mustUpload stores an import file of u, as the import pages keep an upload for its confirmation.
func mustUpload(t *testing.T, db *store.DB, u *user.User, name string) *document.Document {
	t.Helper()
	data := []byte("key,name\n")
	doc := &document.Document{OwnerType: "partner_import", OwnerID: u.ID, Filename: name, ContentType: "text/csv; charset=utf-8",
		Size: int64(len(data)), SHA256: "0123456789abcdef", UploadedBy: u.ID, Data: data}
	if err := db.AddDocument(t.Context(), doc, "partner_import_file", name); err != nil {
		t.Fatalf("store upload %s: %v", name, err)
	}
	return doc
}

func mustEnqueueJob(t *testing.T, db *store.DB, u *user.User, doc *document.Document, rowsTotal int) *importer.Job {
	t.Helper()
	job := &importer.Job{Kind: importer.KindPartners, DocumentID: doc.ID, UserID: u.ID, Plan: "1,0,0", RowsTotal: rowsTotal}
	if err := db.EnqueueImportJob(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	return job
}

func mustClaimJob(t *testing.T, db *store.DB, worker string) *importer.Job {
	t.Helper()
	job, ok, err := db.ClaimImportJob(t.Context(), worker)
	if err != nil || !ok {
		t.Fatalf("%s claims a job: %v, %v; want one", worker, ok, err)
	}
	return job
}

func mustJob(t *testing.T, db *store.DB, id int64) *importer.Job {
	t.Helper()
	job, err := db.ImportJobByID(t.Context(), id)
	if err != nil {
		t.Fatalf("import job %d: %v", id, err)
	}
	return job
}

func TestImportJobsAreClaimedOnceOldestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		const n = 12
		var ids []int64
		for i := range n {
			job := mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "partners-"+strconv.Itoa(i)+".csv"), 10)
			ids = append(ids, job.ID)
		}
		// A confirmation sent twice finds the job already queued for its upload.
		again := &importer.Job{Kind: importer.KindPartners, DocumentID: mustJob(t, db, ids[0]).DocumentID, UserID: amina.ID, Plan: "1,0,0"}
		if err := db.EnqueueImportJob(t.Context(), again); err != nil || again.ID != ids[0] || again.Status != importer.JobQueued {
			t.Fatalf("the same upload queued again: job %d (%s), %v; want job %d", again.ID, again.Status, err, ids[0])
		}

		first := mustClaimJob(t, db, "server-a")
		if first.ID != ids[0] || first.Status != importer.JobRunning || first.ClaimedBy != "server-a" || first.Attempts != 1 ||
			first.Filename != "partners-0.csv" || first.StartedAt.IsZero() || first.HeartbeatAt.IsZero() {
			t.Fatalf("first claim: %+v; want job %d running for server-a", first, ids[0])
		}
		if next := mustJob(t, db, ids[1]); next.Status != importer.JobQueued {
			t.Fatalf("after one claim the next job is %s, want queued: a claim takes one job", next.Status)
		}

		// Two workers claiming at once never get the same job, and together they get them all.
		var mu sync.Mutex
		claimedBy := map[int64]string{first.ID: "server-a"}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		start := make(chan struct{})
		for _, worker := range []string{"server-b", "server-c"} {
			wg.Go(func() {
				<-start
				for {
					job, ok, err := db.ClaimImportJob(t.Context(), worker)
					if err != nil {
						errs <- err
						return
					}
					if !ok {
						return
					}
					mu.Lock()
					if prev, taken := claimedBy[job.ID]; taken {
						t.Errorf("job %d claimed by %s and again by %s", job.ID, prev, worker)
					}
					claimedBy[job.ID] = worker
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent claim: %v", err)
		}
		if len(claimedBy) != n {
			t.Errorf("%d jobs claimed, want %d", len(claimedBy), n)
		}
		if _, ok, err := db.ClaimImportJob(t.Context(), "server-d"); ok || err != nil {
			t.Errorf("a claim with every job running: %v, %v; want none", ok, err)
		}
		if _, err := db.ImportJobByID(t.Context(), 999_999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown job: %v, want not found", err)
		}
	})
}

func TestStaleImportJobsAreReclaimed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		queued := mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "partners.csv"), 300_000)
		job := mustClaimJob(t, db, "server-a")

		// A worker that says it is at work keeps its job.
		if held, err := db.RecordImportProgress(ctx, job, 1000); err != nil || !held {
			t.Fatalf("progress of a held job: %v, %v", held, err)
		}
		if n, err := db.ReclaimStaleImportJobs(ctx, time.Now().Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("reclaimed %d jobs (%v) whose worker spoke a moment ago, want none", n, err)
		}

		// Its server dies: once it has been silent long enough, the job waits again, from the start.
		if n, err := db.ReclaimStaleImportJobs(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("reclaimed %d jobs (%v), want the silent one", n, err)
		}
		got := mustJob(t, db, queued.ID)
		if got.Status != importer.JobQueued || got.ClaimedBy != "" || got.RowsDone != 0 || !got.HeartbeatAt.IsZero() || got.RowsTotal != 300_000 {
			t.Fatalf("reclaimed job: %+v; want it queued, unclaimed, from the start", got)
		}
		// The old worker, should it come back, is told the job is no longer its own, and what it
		// writes for the job is rolled back.
		if held, err := db.RecordImportProgress(ctx, job, 2000); err != nil || held {
			t.Errorf("progress of a reclaimed job: held %v, %v; want not held", held, err)
		}
		if err := db.FailImportJob(ctx, job, apperr.Msg("import.job.error.internal")); !errors.Is(err, importer.ErrJobLost) {
			t.Errorf("failing a reclaimed job: %v, want ErrImportJobLost", err)
		}
		p := newPartner("late-fund", "Late Fund", "foundation")
		err := db.ApplyPartnerImport(ctx, store.PartnerImport{File: "partners.csv", Creates: []*partner.Partner{p}, Job: job})
		if !errors.Is(err, importer.ErrJobLost) {
			t.Errorf("import of a reclaimed job: %v, want ErrImportJobLost", err)
		}
		if _, err := db.PartnerByKey(ctx, "late-fund"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the import of a reclaimed job left its partner: %v", err)
		}

		// Another worker runs it. A worker that stops cleanly gives it back without counting an
		// attempt; a job abandoned MaxImportAttempts times fails instead of waiting again.
		job = mustClaimJob(t, db, "server-b")
		if job.Attempts != 2 {
			t.Errorf("second claim: attempt %d, want 2", job.Attempts)
		}
		if err := db.ReleaseImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		if got := mustJob(t, db, job.ID); got.Status != importer.JobQueued || got.Attempts != 1 {
			t.Errorf("released job: %s after %d attempts; want queued after 1", got.Status, got.Attempts)
		}
		for attempt := 2; attempt <= importer.MaxJobAttempts; attempt++ {
			mustClaimJob(t, db, "server-"+strconv.Itoa(attempt))
			if n, err := db.ReclaimStaleImportJobs(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
				t.Fatalf("attempt %d: reclaimed %d (%v)", attempt, n, err)
			}
		}
		got = mustJob(t, db, job.ID)
		if got.Status != importer.JobFailed || got.Error.Key != "import.job.error.interrupted" || got.FinishedAt.IsZero() {
			t.Errorf("job abandoned %d times: %+v; want it failed as interrupted", importer.MaxJobAttempts, got)
		}
	})
}

func TestImportJobProgressAndOutcomeRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		before := time.Now()
		queued := mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "partners.csv"), 3)
		got := mustJob(t, db, queued.ID)
		checkStamp(t, "created_at", got.CreatedAt, before, time.Now())
		if got.Kind != importer.KindPartners || got.UserID != amina.ID || got.Plan != "1,0,0" || got.Status != importer.JobQueued ||
			got.RowsTotal != 3 || got.Filename != "partners.csv" || got.ClaimedBy != "" || !got.StartedAt.IsZero() || !got.FinishedAt.IsZero() {
			t.Fatalf("queued job: %+v", got)
		}

		job := mustClaimJob(t, db, "server-a")
		if held, err := db.RecordImportProgress(ctx, job, 2); err != nil || !held {
			t.Fatalf("progress: %v, %v", held, err)
		}
		if got := mustJob(t, db, job.ID); got.RowsDone != 2 || got.Status != importer.JobRunning {
			t.Errorf("progress read back: %d rows, %s; want 2, running", got.RowsDone, got.Status)
		}

		// The import marks its job done in its own transaction, with its counts, and still records
		// one audit entry for the file.
		entriesBefore := auditTotal(t, db)
		p := newPartner("new-fund", "New Fund", "foundation")
		if err := db.ApplyPartnerImport(ctx, store.PartnerImport{File: "partners.csv", Creates: []*partner.Partner{p}, Unchanged: 2, Job: job}); err != nil {
			t.Fatal(err)
		}
		got = mustJob(t, db, job.ID)
		if got.Status != importer.JobDone || got.Created != 1 || got.Updated != 0 || got.Unchanged != 2 || got.RowsDone != 3 || got.FinishedAt.IsZero() {
			t.Errorf("done job: %+v; want done, 1 created, 2 unchanged, 3 of 3 rows", got)
		}
		if n := auditTotal(t, db) - entriesBefore; n != 1 {
			t.Errorf("the import recorded %d audit entries, want 1", n)
		}
		onlyAuditEntry(t, db, audit.Filter{Entity: "partner_import"})
		// A done job is no longer running: nothing more is recorded for it.
		if held, err := db.RecordImportProgress(ctx, job, 1); err != nil || held {
			t.Errorf("progress of a done job: held %v, %v", held, err)
		}

		// A failed job keeps its reason, arguments and all, to be translated for its reader.
		mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "rates.csv"), 40)
		job = mustClaimJob(t, db, "server-a")
		if err := db.FailImportJob(ctx, job, apperr.Msg("import.error.too_large", "mb", 50, "share", 0.5, "name", "rates.csv")); err != nil {
			t.Fatal(err)
		}
		got = mustJob(t, db, job.ID)
		if got.Status != importer.JobFailed || got.FinishedAt.IsZero() {
			t.Errorf("failed job: %+v", got)
		}
		equal(t, "reason", got.Error, apperr.Msg("import.error.too_large", "mb", 50, "share", 0.5, "name", "rates.csv"))
	})
}

// The rates and agreements imports mark their job done too.
func TestRateAndAgreementImportsFinishTheirJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustCreateUser(t, db, newUser("amina", user.RoleOfficer, true))
		mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "rates.csv"), 2)
		job := mustClaimJob(t, db, "server-a")
		if err := db.ImportRates(ctx, store.RateImport{File: "rates.csv", Creates: []reference.Rate{{Currency: "EUR", ValidFrom: civil.MustParse("2031-01-01"), USDPerUnit: 1.3}},
			Unchanged: 1, Job: job}); err != nil {
			t.Fatal(err)
		}
		if got := mustJob(t, db, job.ID); got.Status != importer.JobDone || got.Created != 1 || got.Unchanged != 1 {
			t.Errorf("rates job: %+v", got)
		}

		mustEnqueueJob(t, db, amina, mustUpload(t, db, amina, "agreements.csv"), 5)
		job = mustClaimJob(t, db, "server-a")
		sess, err := db.BeginAgreementImport(ctx, "agreements.csv")
		if err != nil {
			t.Fatal(err)
		}
		summary, err := sess.Commit(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustJob(t, db, job.ID); got.Status != importer.JobDone || got.Created != summary.Created || got.RowsDone != 5 {
			t.Errorf("agreements job: %+v", got)
		}
	})
}
