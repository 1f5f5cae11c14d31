// Package importjob runs in the background the imports that people confirm on the import pages
// (partners, agreements, currency rates), so that a large file is not bound to the request that
// confirmed it: the page queues a job in the database (the store's room importjobs) and a Runner
// in every app server claims queued jobs and runs them, one at a time per server.
//
// It is a package of its own rather than part of internal/jobs, whose daily jobs run once a day
// on whichever server claims the day: import jobs are queued by people at any time, claimed one
// by one by any server, reclaimed when their server dies, and watched while they run. A job's file is read, checked and
// written through the kind's adapter of internal/importflow, the one the page that previewed and
// queued it used, so that both apply the same rules as the same person.
package importjob

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/importer"
	"pactum/internal/importflow"
	"pactum/internal/store"
)

// Defaults of the Runner's settings.
const (
	// DefaultPollInterval is how often a runner looks for jobs queued by other servers; a job
	// queued through this server wakes it at once.
	DefaultPollInterval = 3 * time.Second
	// DefaultStaleAfter is how long a running job's worker may stay silent before another takes
	// the job back. Workers speak every heartbeatEvery while the database lets them: on SQLite the
	// import's transaction holds the only write connection, but there is only one server there.
	DefaultStaleAfter = 3 * time.Minute
)

// heartbeatEvery is how often a worker records its job's progress, which says it is at work.
const heartbeatEvery = time.Second

// releaseTimeout bounds giving a job back when the server stops.
const releaseTimeout = 5 * time.Second

// Runner claims queued import jobs and runs them.
type Runner struct {
	DB  *store.DB
	Log *slog.Logger
	// Worker names this runner in the jobs it claims; unique among the servers of a database.
	Worker       string
	PollInterval time.Duration
	StaleAfter   time.Duration

	wake chan struct{}
	// live holds the rows done of the job this runner is running (job ID → *atomic.Int64). The
	// database has them too, but on SQLite only once the import's transaction ends.
	live sync.Map
}

// New returns a runner for db named after this host and process.
func New(db *store.DB, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{DB: db, Log: log, Worker: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8]),
		PollInterval: DefaultPollInterval, StaleAfter: DefaultStaleAfter, wake: make(chan struct{}, 1)}
}

// Wake makes a running runner look for queued jobs now instead of at its next poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// RowsDone returns how many rows of job id this runner has done, when it is running it: fresher
// than the database's figure, which SQLite can only record once the import ends.
func (r *Runner) RowsDone(id int64) (int, bool) {
	v, ok := r.live.Load(id)
	if !ok {
		return 0, false
	}
	return int(v.(*atomic.Int64).Load()), true
}

// Run runs queued jobs until ctx ends, looking for them every PollInterval and when woken. A job
// that ctx interrupts is queued again, to run from the start on this or another server.
func (r *Runner) Run(ctx context.Context) {
	for {
		if err := r.RunQueued(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("import jobs", "err", err)
		}
		timer := time.NewTimer(r.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-r.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// RunQueued takes back the jobs of silent workers, then runs queued jobs one after the other
// until none is left or ctx ends.
func (r *Runner) RunQueued(ctx context.Context) error {
	n, err := r.DB.ReclaimStaleImportJobs(ctx, time.Now().Add(-r.StaleAfter))
	if err != nil {
		return err
	}
	if n > 0 {
		r.Log.Warn("import jobs taken back from silent workers", "jobs", n)
	}
	for ctx.Err() == nil {
		job, ok, err := r.DB.ClaimImportJob(ctx, r.Worker)
		if err != nil || !ok {
			return err
		}
		r.run(ctx, job)
	}
	return nil
}

// run runs one claimed job and records how it ended, unless the job was taken from this worker.
func (r *Runner) run(ctx context.Context, job *importer.Job) {
	log := r.Log.With("job", job.ID, "kind", job.Kind, "file", job.Filename)
	log.Info("import job started")
	rows := &atomic.Int64{}
	r.live.Store(job.ID, rows)
	defer r.live.Delete(job.ID)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lost atomic.Bool
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		r.heartbeat(runCtx, job, rows, func() { lost.Store(true); cancel() }, log)
	}()
	err := r.execute(runCtx, job, rows)
	cancel()
	<-beating

	switch {
	case err == nil:
		log.Info("import job done")
	case lost.Load() || errors.Is(err, importer.ErrJobLost):
		log.Warn("import job taken over by another worker; what this one wrote is rolled back")
	case ctx.Err() != nil:
		releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := r.DB.ReleaseImportJob(releaseCtx, job); err != nil {
			log.Error("import job interrupted and not queued again; another server takes it back once it is stale", "err", err)
			return
		}
		log.Info("import job interrupted by the shutdown and queued again")
	default:
		reason, ok := reasonOf(err)
		if !ok {
			log.Error("import job failed", "err", err)
		} else {
			log.Info("import job refused", "reason", reason.Key, "err", err)
		}
		if err := r.DB.FailImportJob(ctx, job, reason); err != nil {
			log.Error("record the failure of an import job", "err", err)
		}
	}
}

// heartbeat records the job's progress every heartbeatEvery until ctx ends, and calls lost when
// the job is no longer this worker's.
func (r *Runner) heartbeat(ctx context.Context, job *importer.Job, rows *atomic.Int64, lost func(), log *slog.Logger) {
	ticker := time.NewTicker(heartbeatEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		held, err := r.DB.RecordImportProgress(ctx, job, int(rows.Load()))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("record import progress", "err", err)
		case err == nil && !held:
			lost()
			return
		}
	}
}

// The reasons a job fails, as its page says them.
var (
	// errProblems: checked again before it was written, the file has problems.
	errProblems = apperr.New(apperr.Conflict, "import.job.error.problems")
	// errChanged: the file would now do something else than what the person confirmed.
	errChanged = apperr.New(apperr.Conflict, "import.job.error.changed")
	// errNotAllowed: the person who confirmed the import may no longer make it.
	errNotAllowed = apperr.New(apperr.Forbidden, "import.job.error.not_allowed")
)

// reasonOf is the message a failed job shows for err, and whether err says what went wrong:
// the import's own refusals as they are; anything else the store refused means the data changed
// under the import, which a new check of the file shows; a fault of ours is said to be one.
func reasonOf(err error) (apperr.Message, bool) {
	var e *apperr.Error
	switch {
	case !errors.As(err, &e) || e.Code == apperr.Internal:
		return apperr.Msg("import.job.error.internal"), false
	case e == errProblems || e == errChanged || e == errNotAllowed:
		return e.Message, true
	}
	return errChanged.Message, true
}

// execute checks the job's file again against the data as it is now and imports it through its
// kind's adapter, as the person who confirmed it, recording rows done as it goes. The file is
// read once; the store marks the job done in the import's transaction, which a file that now has
// problems or does something else than what was confirmed rolls back.
func (r *Runner) execute(ctx context.Context, job *importer.Job, rows *atomic.Int64) error {
	kind, ok := importflow.ByKey(job.Kind)
	if !ok {
		return fmt.Errorf("import job %d: unknown kind %q", job.ID, job.Kind)
	}
	u, err := r.DB.UserByID(ctx, job.UserID)
	if err != nil {
		return fmt.Errorf("the user of import job %d: %w", job.ID, err)
	}
	if !kind.Allowed(u) {
		return errNotAllowed
	}
	doc, err := r.DB.DocumentByID(ctx, job.DocumentID)
	if err != nil {
		return fmt.Errorf("the file of import job %d: %w", job.ID, err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{UserID: u.ID, Username: u.Username})
	in := importflow.Input{User: u, File: doc.Filename, Data: bytes.NewReader(doc.Data), Job: job,
		Progress: func(p importflow.Progress) { rows.Store(int64(p.Rows)) }}
	_, err = kind.Import(ctx, r.DB, in, func(res *importflow.Result) error {
		switch {
		case !res.OK():
			return errProblems
		case res.Plan() != job.Plan:
			return errChanged
		}
		return nil
	})
	return err
}
