package sqldb

import (
	"context"
	"fmt"
	"time"

	"pactum/internal/civil"
)

// ClaimDailyJob reports whether this server should run job today: the first to ask gets it.
// Every room's daily jobs (the reminders of follow-ups and of agreements, the purge of old
// counters) claim their day with it, so that each runs once a day however many servers there are.
func (db *DB) ClaimDailyJob(ctx context.Context, job string, today civil.Date) (bool, error) {
	claimed := false
	err := db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "INSERT INTO job_runs (job, run_on, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", job, today, time.Now().UTC())
		if err != nil {
			return fmt.Errorf("claim job %s: %w", job, err)
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}
