// Package outbox stores the e-mail waiting to be sent and lets the mail sender claim, retry and
// mark it: a room of its own, as it serves the mail sender rather than any record, and the
// changes that cause mail queue it in their own transaction (sqldb.Tx.EnqueueMail).
package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"pactum/internal/apperr"
	"pactum/internal/mail"
	"pactum/internal/store/sqldb"
)

// Outbox reads, leases and marks the messages of the mail outbox. It is one room of store.DB, and
// the outbox of the mail sender.
type Outbox struct {
	db *sqldb.DB
}

var _ mail.Outbox = (*Outbox)(nil)

// New returns the room on an open database.
func New(db *sqldb.DB) *Outbox { return &Outbox{db: db} }

const outboxColumns = "id, to_address, to_name, subject, body_text, body_html, language, created_at, attempts, next_attempt_at, last_error"

// maxMailError is how much of a failure's reason the outbox keeps.
const maxMailError = 1000

func scanQueued(row interface{ Scan(...any) error }, extra ...any) (mail.Queued, error) {
	var q mail.Queued
	m := &q.Message
	dest := append([]any{&q.ID, &m.To, &m.ToName, &m.Subject, &m.Text, &m.HTML, &m.Language, &q.CreatedAt,
		&q.Attempts, &q.NextAttemptAt, &q.LastError}, extra...)
	if err := row.Scan(dest...); err != nil {
		return q, err
	}
	q.CreatedAt, q.NextAttemptAt = q.CreatedAt.UTC(), q.NextAttemptAt.UTC()
	return q, nil
}

// EnqueueMail puts a message in the outbox; the mail sender delivers it.
func (s *Outbox) EnqueueMail(ctx context.Context, m mail.Message) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return tx.EnqueueMail(ctx, m) })
}

// ClaimDueMail leases up to limit unsent messages that are due at now and held by no other
// sender, until now+lease, oldest due first. On PostgreSQL, senders of several app servers skip
// each other's rows; on SQLite the single writer makes the claim atomic.
func (s *Outbox) ClaimDueMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]mail.Queued, error) {
	now = now.UTC()
	var claimed []mail.Queued
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE mail_outbox SET claimed_until = ?
			WHERE id IN (SELECT id FROM mail_outbox
				WHERE sent_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?`+tx.Dialect().SkipLocked()+`)
			RETURNING `+outboxColumns, now.Add(lease), now, now, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			q, err := scanQueued(rows)
			if err != nil {
				return err
			}
			claimed = append(claimed, q)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim due mail: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(claimed, func(a, b mail.Queued) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return claimed, nil
}

// MarkMailSent records that the SMTP server accepted message id, ending its lease; a sent message
// is never claimed again.
func (s *Outbox) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL
			WHERE id = ? AND sent_at IS NULL`, at.UTC(), id)
		return outboxUpdated(res, err, id)
	})
}

// MarkMailFailed counts a failed attempt at message id, keeps reason (shortened) and makes the
// message due again at next, ending its lease.
func (s *Outbox) MarkMailFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	if len(reason) > maxMailError {
		reason = reason[:maxMailError]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
			claimed_until = NULL WHERE id = ? AND sent_at IS NULL`, next.UTC(), reason, id)
		return outboxUpdated(res, err, id)
	})
}

func outboxUpdated(res sql.Result, err error, id int64) error {
	if err != nil {
		return fmt.Errorf("mail %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mail %d: %w", id, err)
	} else if n == 0 {
		return apperr.Wrap(apperr.NotFound, fmt.Errorf("mail %d is not waiting in the outbox", id), "error.page.not_found")
	}
	return nil
}

// MailOutbox lists up to limit messages still waiting to be sent, those never tried and those
// that failed (with their attempts and last error), oldest first, and how many wait in all.
func (s *Outbox) MailOutbox(ctx context.Context, limit int) ([]mail.Queued, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.db.Query(ctx, "SELECT "+outboxColumns+", COUNT(*) OVER () FROM mail_outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT ?", limit)
	if err != nil {
		return nil, 0, fmt.Errorf("mail outbox: %w", err)
	}
	defer rows.Close()
	var list []mail.Queued
	total := 0
	for rows.Next() {
		q, err := scanQueued(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("mail outbox: %w", err)
		}
		list = append(list, q)
	}
	return list, total, rows.Err()
}

// CountFailingMail returns how many waiting messages the mail server has refused or could not
// take at least once.
func (s *Outbox) CountFailingMail(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts > 0").Scan(&n); err != nil {
		return 0, fmt.Errorf("count failing mail: %w", err)
	}
	return n, nil
}
