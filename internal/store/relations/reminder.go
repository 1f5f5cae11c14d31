package relations

import (
	"context"
	"fmt"

	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/mail"
	"pactum/internal/store/sqldb"
)

// DueReminders returns, per assignee, the open follow-ups due by today that have not been
// reminded of today, and marks them reminded; it runs in the transaction that queues the e-mails
// so that a reminder is neither lost nor sent twice. Assignees without an e-mail address or
// inactive are left out.
func (s *Relations) DueReminders(ctx context.Context, today civil.Date, compose func(interaction.Reminder) (*mail.Message, error)) (int, error) {
	sent := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		list, err := followUpsWhere(ctx, tx, `f.status = ? AND f.due_on <= ? AND (f.last_reminded_on IS NULL OR f.last_reminded_on < ?)
			AND u.active = ? AND u.email <> ''`, []any{interaction.StatusOpen, today, today, true}, "f.assignee_id, f.due_on, f.id", 0)
		if err != nil {
			return err
		}
		var order []int64
		byUser := map[int64][]interaction.FollowUp{}
		for _, f := range list {
			if _, ok := byUser[f.AssigneeID]; !ok {
				order = append(order, f.AssigneeID)
			}
			byUser[f.AssigneeID] = append(byUser[f.AssigneeID], f)
		}
		for _, uid := range order {
			m, err := compose(interaction.Reminder{UserID: uid, FollowUps: byUser[uid]})
			if err != nil {
				return err
			}
			if m != nil {
				if err := tx.EnqueueMail(ctx, *m); err != nil {
					return err
				}
				sent++
			}
			ids := make([]any, 0, len(byUser[uid])+1)
			ids = append(ids, today)
			for _, f := range byUser[uid] {
				ids = append(ids, f.ID)
			}
			if _, err := tx.Exec(ctx, "UPDATE follow_ups SET last_reminded_on = ? WHERE id IN ("+sqldb.Placeholders(len(ids)-1)+")", ids...); err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
		}
		return nil
	})
	return sent, err
}
