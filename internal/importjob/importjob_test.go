package importjob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/document"
	"pactum/internal/importer"
	"pactum/internal/importflow"
	"pactum/internal/importjob"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func newRunner(db *store.DB) *importjob.Runner {
	return importjob.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func mustUser(t *testing.T, db *store.DB, name string, role user.Role, region string) *user.User {
	t.Helper()
	u := &user.User{Username: name, Email: name + "@example.org", PasswordHash: "$argon2id$stand-in", Role: role, Region: region, Active: true}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func mustPartners(t *testing.T, db *store.DB, partners ...*partner.Partner) {
	t.Helper()
	if err := db.CreatePartners(t.Context(), partners); err != nil {
		t.Fatal(err)
	}
}

func newPartner(key, country string) *partner.Partner {
	return &partner.Partner{Key: key, Texts: map[string]partner.Text{"en": {Name: key}}, Type: "foundation", Membership: "none",
		Status: partner.StatusActive, Country: country}
}

// queue stores file as u's upload and queues its import, with the plan and rows of its check as
// the import page would.
func queue(t *testing.T, db *store.DB, u *user.User, kind, file string) *importer.Job {
	t.Helper()
	ctx := t.Context()
	data := []byte(file)
	k, ok := importflow.ByKey(kind)
	if !ok {
		t.Fatalf("kind %q", kind)
	}
	res, err := k.Check(ctx, db, importflow.Input{User: u, Data: bytes.NewReader(data)})
	if err != nil || !res.OK() {
		t.Fatalf("check: %v %+v", err, res.Problems)
	}
	plan, rows := res.Plan(), res.Rows
	sum := sha256.Sum256(data)
	doc := &document.Document{OwnerType: kind + "_import", OwnerID: u.ID, Filename: kind + ".csv", ContentType: "text/csv; charset=utf-8",
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: u.ID, Data: data}
	if err := db.AddDocument(ctx, doc, "partner_import_file", doc.Filename); err != nil {
		t.Fatal(err)
	}
	job := &importer.Job{Kind: kind, DocumentID: doc.ID, UserID: u.ID, Plan: plan, RowsTotal: rows}
	if err := db.EnqueueImportJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	return job
}

func mustJob(t *testing.T, db *store.DB, id int64) *importer.Job {
	t.Helper()
	job, err := db.ImportJobByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// agreementsFile is an agreement file of n agreements of nordic-fund, benefiting Africa.
func agreementsFile(n int) string {
	var b strings.Builder
	b.WriteString("reference,title,type,partners,signed_on,status,amount,currency,regions,action_area\n")
	for i := range n {
		fmt.Fprintf(&b, "JOB-%05d,Agreement %d,voluntary_contribution,nordic-fund,2016-05-02,active,1000,EUR,AFR,capacity_building\n", i, i)
	}
	return b.String()
}

func TestJobsRunWithTheRightsAndInTheNameOfWhoQueuedThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		afr := mustUser(t, db, "amina", user.RoleRegionalOfficer, "AFR")
		officer := mustUser(t, db, "bruno", user.RoleOfficer, "")
		mustPartners(t, db, newPartner("sahel-fund", "SN"), newPartner("moving-fund", "SN"))
		runner := newRunner(db)

		// The regional officer queues two updates of partners of Africa, the officer one of anything.
		done := queue(t, db, afr, importer.KindPartners, "key,name,type,membership,status\nsahel-fund,Sahel Fund,foundation,none,dormant\n")
		moved := queue(t, db, afr, importer.KindPartners, "key,name,type,membership,status\nmoving-fund,Moving Fund,foundation,none,dormant\n")
		deactivated := queue(t, db, officer, importer.KindPartners, "key,name,type,membership,status\nnew-fund,New Fund,foundation,none,active\n")
		// Before the jobs run, one partner moves its headquarters to Europe, and the officer's
		// account is deactivated.
		p, err := db.PartnerByKey(ctx, "moving-fund")
		if err != nil {
			t.Fatal(err)
		}
		p.Country = "CH"
		if err := db.UpdatePartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		officer.Active = false
		if err := db.UpdateUser(ctx, officer); err != nil {
			t.Fatal(err)
		}

		if err := runner.RunQueued(ctx); err != nil {
			t.Fatal(err)
		}
		// The first is done, in the regional officer's name.
		if got := mustJob(t, db, done.ID); got.Status != importer.JobDone || got.Updated != 1 || got.RowsDone != 1 {
			t.Errorf("the regional officer's import of an African partner: %+v", got)
		}
		if p, _ := db.PartnerByKey(ctx, "sahel-fund"); p == nil || p.Status != partner.StatusDormant {
			t.Errorf("sahel-fund after the import: %+v", p)
		}
		entries, _, err := db.AuditEntries(ctx, audit.Filter{Entity: "partner_import"})
		if err != nil || len(entries) != 1 || entries[0].Actor != "amina" || entries[0].UserID != afr.ID {
			t.Errorf("audit of the imports: %+v, %v; want one entry, in amina's name", entries, err)
		}
		// The partner now in Europe is no longer the regional officer's to change: checked again
		// with their rights, the file has a problem.
		if got := mustJob(t, db, moved.ID); got.Status != importer.JobFailed || got.Error.Key != "import.job.error.problems" {
			t.Errorf("the import of a partner that left the officer's region: %+v", got)
		}
		if p, _ := db.PartnerByKey(ctx, "moving-fund"); p == nil || p.Status != partner.StatusActive {
			t.Errorf("moving-fund was changed: %+v", p)
		}
		// A deactivated account imports nothing.
		if got := mustJob(t, db, deactivated.ID); got.Status != importer.JobFailed || got.Error.Key != "import.job.error.not_allowed" {
			t.Errorf("the import of a deactivated account: %+v", got)
		}
		if _, err := db.PartnerByKey(ctx, "new-fund"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a deactivated account's import created its partner: %v", err)
		}
	})
}

func TestAgreementJobReportsProgressAndIsQueuedAgainWhenInterrupted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		officer := mustUser(t, db, "bruno", user.RoleOfficer, "")
		mustPartners(t, db, newPartner("nordic-fund", "NO"))
		const n = 6000
		job := queue(t, db, officer, importer.KindAgreements, agreementsFile(n))
		if job.RowsTotal != n || job.Plan != fmt.Sprintf("%d,0,0", n) {
			t.Fatalf("queued %+v", job)
		}

		// The server stops while the job runs: what it wrote is rolled back, and the job waits
		// again, the interrupted run not counted as an attempt.
		runner := newRunner(db)
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { defer close(stopped); runner.Run(runCtx) }()
		var seen int
		for deadline := time.Now().Add(time.Minute); seen == 0 && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			seen, _ = runner.RowsDone(job.ID)
		}
		stop()
		<-stopped
		if seen == 0 || seen >= n {
			t.Fatalf("rows done seen while the job ran: %d of %d; want some", seen, n)
		}
		got := mustJob(t, db, job.ID)
		if got.Status != importer.JobQueued || got.Attempts != 0 || got.ClaimedBy != "" || got.RowsDone != 0 {
			t.Fatalf("job interrupted by the shutdown: %+v; want it queued again", got)
		}
		if found, err := db.AgreementsByReferences(ctx, []string{"JOB-00000"}); err != nil || len(found) != 0 {
			t.Fatalf("an interrupted import kept %d agreements (%v)", len(found), err)
		}

		// Run again, it imports the whole file once.
		if err := newRunner(db).RunQueued(ctx); err != nil {
			t.Fatal(err)
		}
		got = mustJob(t, db, job.ID)
		if got.Status != importer.JobDone || got.Created != n || got.RowsDone != n || got.Attempts != 1 {
			t.Errorf("job run again: %+v; want done, %d created", got, n)
		}
	})
}

// A worker that falls silent loses its job to another, and what it writes is rolled back. Only
// PostgreSQL lets the job be taken back while its import writes: SQLite has one writer.
func TestJobTakenBackFromASilentWorkerIsNotWrittenTwice(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := t.Context()
	officer := mustUser(t, db, "bruno", user.RoleOfficer, "")
	mustPartners(t, db, newPartner("nordic-fund", "NO"))
	const n = 6000
	job := queue(t, db, officer, importer.KindAgreements, agreementsFile(n))

	runner := newRunner(db)
	ran := make(chan error, 1)
	go func() { ran <- runner.RunQueued(ctx) }()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if rows, _ := runner.RowsDone(job.ID); rows > 0 {
			break
		}
	}
	// As if the worker had been silent for longer than the others wait.
	if n, err := db.ReclaimStaleImportJobs(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("reclaimed %d jobs (%v), want the running one", n, err)
	}
	// The worker notices, gives up what it wrote, and — the job being queued again — claims it
	// anew and imports the file once.
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	got := mustJob(t, db, job.ID)
	if got.Status != importer.JobDone || got.Created != n || got.Attempts != 2 {
		t.Fatalf("job taken back and run again: %+v; want done on its second attempt, %d created", got, n)
	}
	entries, total, err := db.AuditEntries(ctx, audit.Filter{Entity: "agreement_import"})
	if err != nil || total != 1 {
		t.Errorf("audit of the import: %d entries (%v), want one: the lost run left none", total, err)
	}
	if total == 1 && fmt.Sprint(entries[0].Changes["created"].After) != fmt.Sprint(n) {
		t.Errorf("audit of the import: %+v", entries[0].Changes)
	}
}

// An agreement file is checked and imported as the person who queued it sees the registry: to an
// officer who may not see a confidential agreement, a row amending it is a row amending a
// reference that names nothing, in the check of the page as in the job's import.
func TestAgreementFilesSeeTheRegistryAsTheirImporterDoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		amina := mustUser(t, db, "amina", user.RoleOfficer, "")
		bruno := mustUser(t, db, "bruno", user.RoleOfficer, "")
		ada := mustUser(t, db, "ada", user.RoleAdmin, "")
		mustPartners(t, db, newPartner("nordic-fund", "NO"))
		secret := "reference,title,type,partners,signed_on,status,amount,currency,regions,action_area,officer,confidential\n" +
			"SECRET-1,Quiet talks,cooperation,nordic-fund,2016-05-02,active,1000,EUR,AFR,capacity_building,amina,yes\n"
		if res := importAs(t, db, ada, secret); !res.OK() {
			t.Fatalf("the confidential agreement: %v", res.Problems)
		}
		amending := func(target string) string {
			return "reference,title,type,partners,signed_on,status,amount,currency,regions,action_area,amends\n" +
				"NEW-A1,More,amendment,nordic-fund,2017-01-10,signed,100,EUR,AFR,capacity_building," + target + "\n"
		}
		check := func(u *user.User, file string) (*importflow.Result, error) {
			return importflow.Agreements.Check(ctx, db, importflow.Input{User: u, Data: strings.NewReader(file)})
		}
		problems := func(res *importflow.Result) string {
			return strings.ReplaceAll(fmt.Sprint(res.Problems), "SECRET-1", "NOWHERE-1")
		}
		for name, run := range map[string]func(file string) *importflow.Result{
			"check": func(file string) *importflow.Result {
				res, err := check(bruno, file)
				if err != nil {
					t.Fatal(err)
				}
				return res
			},
			"import": func(file string) *importflow.Result { return importAs(t, db, bruno, file) },
		} {
			hidden, unknown := run(amending("SECRET-1")), run(amending("NOWHERE-1"))
			if problems(hidden) != problems(unknown) || unknown.OK() {
				t.Errorf("%s: amending the hidden agreement: %v; amending none: %v", name, hidden.Problems, unknown.Problems)
			}
		}
		for _, u := range []*user.User{amina, ada} {
			if res, err := check(u, amending("SECRET-1")); err != nil || !res.OK() {
				t.Errorf("%s may not amend the confidential agreement: %v %v", u.Username, err, res.Problems)
			}
		}
	})
}

// importAs imports an agreement file in one transaction as u, as the job does, and returns what
// the import found.
func importAs(t *testing.T, db *store.DB, u *user.User, file string) *importflow.Result {
	t.Helper()
	in := importflow.Input{User: u, File: "agreements.csv", Data: strings.NewReader(file)}
	res, err := importflow.Agreements.Import(t.Context(), db, in, func(res *importflow.Result) error {
		if !res.OK() {
			return errProblems
		}
		return nil
	})
	if err != nil && !errors.Is(err, errProblems) {
		t.Fatal(err)
	}
	return res
}

var errProblems = errors.New("the file has problems")
