// Package importjobs is the room of the store that keeps the queue of import jobs: queueing,
// claiming, progress, failure and release; an import marks its job done inside its own
// transaction through Finish.
package importjobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/importer"
	"pactum/internal/store/sqldb"
)

// ImportJobs is the queue of import jobs (table import_jobs, migration 0010): imports confirmed
// on the pages, claimed and run by a worker of any app server (internal/importjob).
type ImportJobs struct{ db *sqldb.DB }

// New returns the room on db.
func New(db *sqldb.DB) *ImportJobs { return &ImportJobs{db: db} }

const importJobColumns = `j.id, j.kind, j.document_id, j.user_id, j.plan, j.status, j.attempts, j.rows_done, j.rows_total,
	j.created_count, j.updated_count, j.unchanged_count, j.error_key, j.error_args, COALESCE(j.claimed_by, ''),
	j.heartbeat_at, j.created_at, j.started_at, j.finished_at, d.filename`

// EnqueueImportJob queues job (its Kind, DocumentID, UserID, Plan and RowsTotal) and sets its ID
// and status. A job already queued or running for the same upload is not queued twice: job gets
// that one's ID, so that a confirmation sent twice leads to the one import.
func (s *ImportJobs) EnqueueImportJob(ctx context.Context, job *importer.Job) error {
	job.Status, job.CreatedAt = importer.JobQueued, time.Now().UTC()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO import_jobs (kind, document_id, user_id, plan, status, rows_total, created_at)
			VALUES (?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			job.Kind, job.DocumentID, job.UserID, job.Plan, job.RowsTotal, job.CreatedAt).Scan(&job.ID)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRow(ctx, "SELECT id, status FROM import_jobs WHERE document_id = ? AND status IN ('queued', 'running')",
			job.DocumentID).Scan(&job.ID, &job.Status)
	})
	if err != nil {
		return fmt.Errorf("enqueue %s import of document %d: %w", job.Kind, job.DocumentID, err)
	}
	return nil
}

// ClaimImportJob gives worker the oldest queued job, running from now on, and reports whether
// there was one. On PostgreSQL, workers of several servers pass over each other's rows; on
// SQLite the single writer makes the claim atomic. Either way no job is claimed twice.
//
// The job is chosen by a scalar subquery (id = (SELECT …)), which PostgreSQL runs once. Written
// id IN (SELECT …), it may run again for each row the update looks at, and each run, passing
// over the row just claimed, picks the next: one claim took every queued job.
func (s *ImportJobs) ClaimImportJob(ctx context.Context, worker string) (*importer.Job, bool, error) {
	var job *importer.Job
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := time.Now().UTC()
		var id int64
		err := tx.QueryRow(ctx, `UPDATE import_jobs SET status = 'running', claimed_by = ?, heartbeat_at = ?, started_at = ?,
				attempts = attempts + 1, rows_done = 0
			WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued' ORDER BY id LIMIT 1`+tx.Dialect().SkipLocked()+`)
				AND status = 'queued'
			RETURNING id`, worker, now, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		job, err = importJobByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("claim import job: %w", err)
	}
	return job, job != nil, nil
}

// ReclaimStaleImportJobs takes back the running jobs whose worker has not said it is at work
// since silentSince: its server died or lost the database. An import writes in one transaction,
// which then never committed, so the job is queued again to run from the start — unless it was
// abandoned importer.MaxJobAttempts times, when it fails. It returns how many jobs it took back.
func (s *ImportJobs) ReclaimStaleImportJobs(ctx context.Context, silentSince time.Time) (int, error) {
	var n int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := time.Now().UTC()
		failed, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'failed', error_key = ?, error_args = '[]', finished_at = ?
			WHERE status = 'running' AND heartbeat_at < ? AND attempts >= ?`,
			"import.job.error.interrupted", now, silentSince.UTC(), importer.MaxJobAttempts)
		if err != nil {
			return err
		}
		queued, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'queued', claimed_by = NULL, heartbeat_at = NULL,
			started_at = NULL, rows_done = 0 WHERE status = 'running' AND heartbeat_at < ?`, silentSince.UTC())
		if err != nil {
			return err
		}
		f, _ := failed.RowsAffected()
		q, _ := queued.RowsAffected()
		n = f + q
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reclaim import jobs: %w", err)
	}
	return int(n), nil
}

// RecordImportProgress records how many rows of its job a worker has done, which also says the
// worker is at work. Workers call it about once a second. It reports whether the job is still
// the worker's; when it is not, the worker should stop.
func (s *ImportJobs) RecordImportProgress(ctx context.Context, job *importer.Job, rowsDone int) (bool, error) {
	var held bool
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE import_jobs SET rows_done = ?, heartbeat_at = ? WHERE id = ? AND claimed_by = ? AND status = 'running'",
			rowsDone, time.Now().UTC(), job.ID, job.ClaimedBy)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record progress of import job %d: %w", job.ID, err)
	}
	return held, nil
}

// Finish marks a claimed job done with what its import did, inside the import's own
// transaction: the job is done exactly when its rows are written, so a job whose server dies
// just after the commit is never run again. It returns importer.ErrJobLost, which rolls the import
// back, when the job is no longer the worker's.
func Finish(ctx context.Context, tx *sqldb.Tx, job *importer.Job, created, updated, unchanged int) error {
	now := time.Now().UTC()
	res, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'done', rows_done = rows_total, created_count = ?, updated_count = ?,
		unchanged_count = ?, heartbeat_at = ?, finished_at = ? WHERE id = ? AND claimed_by = ? AND status = 'running'`,
		created, updated, unchanged, now, now, job.ID, job.ClaimedBy)
	if err := jobUpdated(res, err); err != nil {
		return fmt.Errorf("finish import job %d: %w", job.ID, err)
	}
	return nil
}

// FailImportJob ends a claimed job that wrote nothing, with the reason its page shows.
func (s *ImportJobs) FailImportJob(ctx context.Context, job *importer.Job, reason apperr.Message) error {
	args, err := json.Marshal(append([]any{}, reason.Args...))
	if err != nil {
		return fmt.Errorf("fail import job %d: %w", job.ID, err)
	}
	now := time.Now().UTC()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'failed', error_key = ?, error_args = ?, heartbeat_at = ?,
			finished_at = ? WHERE id = ? AND claimed_by = ? AND status = 'running'`,
			reason.Key, string(args), now, now, job.ID, job.ClaimedBy)
		return jobUpdated(res, err)
	})
	if err != nil {
		return fmt.Errorf("fail import job %d: %w", job.ID, err)
	}
	return nil
}

// ReleaseImportJob queues a claimed job again, to run from the start, when its worker stops
// before the job ends (the server shuts down). The claim does not count as an attempt.
func (s *ImportJobs) ReleaseImportJob(ctx context.Context, job *importer.Job) error {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'queued', claimed_by = NULL, heartbeat_at = NULL,
			started_at = NULL, rows_done = 0, attempts = attempts - 1 WHERE id = ? AND claimed_by = ? AND status = 'running'`,
			job.ID, job.ClaimedBy)
		return jobUpdated(res, err)
	})
	if err != nil {
		return fmt.Errorf("release import job %d: %w", job.ID, err)
	}
	return nil
}

// jobUpdated turns the outcome of an update of one claimed job into importer.ErrJobLost when it
// changed no row.
func jobUpdated(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return importer.ErrJobLost
	}
	return nil
}

// ImportJobByID returns a job, for its status page and its worker.
func (s *ImportJobs) ImportJobByID(ctx context.Context, id int64) (*importer.Job, error) {
	return importJobByID(ctx, s.db, id)
}

func importJobByID(ctx context.Context, q sqldb.Querier, id int64) (*importer.Job, error) {
	j := &importer.Job{}
	var errorArgs string
	var heartbeat, started, finished sql.NullTime
	err := q.QueryRow(ctx, "SELECT "+importJobColumns+" FROM import_jobs j JOIN documents d ON d.id = j.document_id WHERE j.id = ?", id).
		Scan(&j.ID, &j.Kind, &j.DocumentID, &j.UserID, &j.Plan, &j.Status, &j.Attempts, &j.RowsDone, &j.RowsTotal,
			&j.Created, &j.Updated, &j.Unchanged, &j.Error.Key, &errorArgs, &j.ClaimedBy,
			&heartbeat, &j.CreatedAt, &started, &finished, &j.Filename)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.page.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("import job %d: %w", id, err)
	}
	if j.Error.Args, err = messageArgs(errorArgs); err != nil {
		return nil, fmt.Errorf("import job %d: %w", id, err)
	}
	// A NULL time scans as the zero time, which stays zero in UTC.
	j.CreatedAt, j.HeartbeatAt, j.StartedAt, j.FinishedAt = j.CreatedAt.UTC(), heartbeat.Time.UTC(), started.Time.UTC(), finished.Time.UTC()
	return j, nil
}

// messageArgs reads the name, value pairs of a message kept as JSON, whole numbers as int so that
// they are written as numbers in the reader's format and choose plural forms.
func messageArgs(text string) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var args []any
	if err := dec.Decode(&args); err != nil {
		return nil, fmt.Errorf("message arguments %q: %w", text, err)
	}
	for i, a := range args {
		if n, ok := a.(json.Number); ok {
			if whole, err := n.Int64(); err == nil {
				args[i] = int(whole)
			} else if f, err := n.Float64(); err == nil {
				args[i] = f
			}
		}
	}
	return args, nil
}
