package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"pactum/internal/audit"
	"pactum/internal/mail"
)

// What every change may do inside its transaction besides its own rows: record itself in the
// audit trail, and queue the e-mail it causes.

// Audit appends an entry to the audit trail in the transaction of the change it describes,
// with the actor of ctx. An update that changed nothing records nothing. A kind or field missing
// from audit.Kinds or audit.Fields fails the change, so the audit page never meets one unlabelled.
func (tx *Tx) Audit(ctx context.Context, action, entity, key string, changes audit.Changes) error {
	if action == audit.ActionUpdate && len(changes) == 0 {
		return nil
	}
	if err := audit.Check(entity, changes); err != nil {
		return err
	}
	if changes == nil {
		changes = audit.Changes{}
	}
	data, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", entity, key, err)
	}
	actor := audit.ActorFrom(ctx)
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, user_id, actor, action, entity, entity_key, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, time.Now().UTC(), NullID(actor.UserID), actor.Username, action, entity, key, string(data))
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", entity, key, err)
	}
	return nil
}

// EnqueueMail puts a message in the outbox in the transaction of the change that causes it, so
// that the change and its mail are stored together or not at all.
func (tx *Tx) EnqueueMail(ctx context.Context, m mail.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := time.Now().UTC()
	_, err := tx.Exec(ctx, `INSERT INTO mail_outbox (to_address, to_name, subject, body_text, body_html, language,
		created_at, attempts, next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, '')`,
		m.To, m.ToName, m.Subject, m.Text, m.HTML, m.Language, now, now)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}
