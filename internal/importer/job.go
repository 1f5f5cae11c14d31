package importer

import (
	"errors"
	"time"

	"pactum/internal/apperr"
)

// The kinds of import: what a file holds. They name a job's kind, the command's first argument
// and the key of each kind's adapter (internal/importflow).
const (
	KindPartners   = "partners"
	KindAgreements = "agreements"
	KindRates      = "rates"
)

// The statuses of an import job. A job is queued when confirmed, running once a worker claimed
// it, and done or failed for good.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// MaxJobAttempts is how many times a job may be claimed and abandoned (its worker stopped saying
// it is at work) before it fails instead of waiting again: a file that brings a server down must
// not bring down every server in turn.
const MaxJobAttempts = 3

// ErrJobLost says a worker no longer holds the job it was running: it fell silent for so long
// that the job was reclaimed. Whatever the worker was writing is rolled back; the job's new
// worker does it.
var ErrJobLost = errors.New("the import job is no longer this worker's")

// Job is an import confirmed on a web page, kept in the database until a worker of any app
// server has run it, so that neither the request that confirmed it nor the server that claimed
// it need to last as long as the import. The store's room importjobs keeps it; it is a domain
// shape so that the store, the worker and the pages share it without importing each other.
type Job struct {
	ID         int64
	Kind       string // KindPartners, KindAgreements or KindRates
	DocumentID int64  // the uploaded file
	UserID     int64  // who confirmed it: the import runs with their rights, in their name
	// Plan is what the person confirmed: the counts of rows to create, update and leave
	// unchanged, as the check showed them ("12,3,400"). A run that finds another plan fails
	// rather than write what nobody saw.
	Plan                        string
	Status                      string
	Attempts                    int
	RowsDone, RowsTotal         int
	Created, Updated, Unchanged int
	// Error says why a failed job failed, to be translated for whoever reads it.
	Error apperr.Message
	// ClaimedBy names the worker running the job; HeartbeatAt is when it last said it is at work.
	ClaimedBy                                     string
	HeartbeatAt, CreatedAt, StartedAt, FinishedAt time.Time // zero until they happen
	// Filename is the name of the uploaded file.
	Filename string
}

// Active reports whether the job is still to run or running.
func (j *Job) Active() bool { return j.Status == JobQueued || j.Status == JobRunning }
