package relations

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/store/sqldb"
)

// FollowUpByID returns a follow-up with its interaction's id, for a change of its status.
func (s *Relations) FollowUpByID(ctx context.Context, id int64) (*interaction.FollowUp, error) {
	list, err := followUpsWhere(ctx, s.db, "f.id = ?", []any{id}, "f.id", 0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperr.New(apperr.NotFound, "interaction.error.not_found")
	}
	return &list[0], nil
}

// followUpsWhere lists follow-ups with their interaction's subject, assignee and partners.
func followUpsWhere(ctx context.Context, q sqldb.Querier, cond string, args []any, order string, limit int) ([]interaction.FollowUp, error) {
	query := `SELECT f.id, f.interaction_id, f.description, f.assignee_id, f.due_on, f.status, f.done_at, f.version,
		i.subject, COALESCE(NULLIF(u.display_name, ''), u.username)
		FROM follow_ups f JOIN interactions i ON i.id = f.interaction_id JOIN users u ON u.id = f.assignee_id
		WHERE ` + cond + " ORDER BY " + order
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	var list []interaction.FollowUp
	for rows.Next() {
		var f interaction.FollowUp
		var done sql.NullTime
		if err := rows.Scan(&f.ID, &f.InteractionID, &f.Description, &f.AssigneeID, &f.DueOn, &f.Status, &done, &f.Version,
			&f.Subject, &f.AssigneeName); err != nil {
			rows.Close()
			return nil, fmt.Errorf("follow-ups: %w", err)
		}
		f.DoneAt = done.Time
		list = append(list, f)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	// The partners of each follow-up's interaction, for lists that show whom it concerns.
	for k := range list {
		prows, err := q.Query(ctx, `SELECT p.key, p.name FROM interaction_partners ip JOIN partners p ON p.id = ip.partner_id
			WHERE ip.interaction_id = ? ORDER BY p.name`, list[k].InteractionID)
		if err != nil {
			return nil, fmt.Errorf("follow-up partners: %w", err)
		}
		for prows.Next() {
			var key, name string
			if err := prows.Scan(&key, &name); err != nil {
				prows.Close()
				return nil, fmt.Errorf("follow-up partners: %w", err)
			}
			list[k].PartnerKeys = append(list[k].PartnerKeys, key)
			list[k].PartnerNames = append(list[k].PartnerNames, name)
		}
		err = prows.Err()
		prows.Close()
		if err != nil {
			return nil, fmt.Errorf("follow-up partners: %w", err)
		}
	}
	return list, nil
}

// FollowUpsOf returns a user's follow-ups: the open ones by due date, then (with done) the
// closed ones, latest first.
func (s *Relations) FollowUpsOf(ctx context.Context, userID int64, withClosed bool) ([]interaction.FollowUp, error) {
	open, err := followUpsWhere(ctx, s.db, "f.assignee_id = ? AND f.status = ?", []any{userID, interaction.StatusOpen}, "f.due_on, f.id", 0)
	if err != nil || !withClosed {
		return open, err
	}
	closed, err := followUpsWhere(ctx, s.db, "f.assignee_id = ? AND f.status <> ?", []any{userID, interaction.StatusOpen}, "f.due_on DESC, f.id DESC", 100)
	return append(open, closed...), err
}

// OpenFollowUpsOfPartners returns the open follow-ups of interactions with any of ids.
func (s *Relations) OpenFollowUpsOfPartners(ctx context.Context, ids []int64) ([]interaction.FollowUp, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{interaction.StatusOpen}
	for _, id := range ids {
		args = append(args, id)
	}
	return followUpsWhere(ctx, s.db, "f.status = ? AND f.interaction_id IN (SELECT interaction_id FROM interaction_partners WHERE partner_id IN ("+
		sqldb.Placeholders(len(ids))+"))", args, "f.due_on, f.id", 50)
}

// CountOverdueFollowUps counts the open follow-ups past their due date, of one user (or all for 0).
func (s *Relations) CountOverdueFollowUps(ctx context.Context, userID int64, today civil.Date) (int, error) {
	query := "SELECT COUNT(*) FROM follow_ups WHERE status = ? AND due_on < ?"
	args := []any{interaction.StatusOpen, today}
	if userID != 0 {
		query += " AND assignee_id = ?"
		args = append(args, userID)
	}
	var n int
	if err := s.db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count overdue follow-ups: %w", err)
	}
	return n, nil
}

// AddFollowUp adds a follow-up to an interaction.
func (s *Relations) AddFollowUp(ctx context.Context, f *interaction.FollowUp) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := createFollowUp(ctx, tx, f, time.Now().UTC()); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.ActionCreate, "follow_up", fmt.Sprint(f.ID), audit.Diff(nil, auditFollowUp(f)))
	})
}

func auditFollowUp(f *interaction.FollowUp) audit.Record {
	return audit.Record{"description": f.Description, "assignee_id": f.AssigneeID, "due_on": f.DueOn, "status": f.Status}
}

// SetFollowUpStatus marks a follow-up open, done or cancelled, refusing a stale version.
func (s *Relations) SetFollowUpStatus(ctx context.Context, id int64, version int, status string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		list, err := followUpsWhere(ctx, tx, "f.id = ?", []any{id}, "f.id", 0)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return apperr.New(apperr.NotFound, "interaction.error.not_found")
		}
		before := list[0]
		if before.Version != version {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		after := before
		after.Status = status
		if err := after.Validate(); err != nil {
			return err
		}
		var done any
		now := time.Now().UTC()
		if status == interaction.StatusDone {
			done = now
		}
		if _, err := tx.Exec(ctx, "UPDATE follow_ups SET status = ?, done_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
			status, done, now, id); err != nil {
			return fmt.Errorf("follow-up %d: %w", id, err)
		}
		return tx.Audit(ctx, audit.ActionUpdate, "follow_up", fmt.Sprint(id), audit.Diff(auditFollowUp(&before), auditFollowUp(&after)))
	})
}

func createFollowUp(ctx context.Context, tx *sqldb.Tx, f *interaction.FollowUp, now time.Time) error {
	var done any
	if f.Status == interaction.StatusDone {
		done = now
	}
	err := tx.QueryRow(ctx, `INSERT INTO follow_ups (interaction_id, description, assignee_id, due_on, status, done_at, version,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		f.InteractionID, f.Description, f.AssigneeID, f.DueOn, f.Status, done, now, now).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("create follow-up: %w", err)
	}
	f.Version = 1
	return nil
}
