package relations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/interaction"
	"pactum/internal/store/sqldb"
)

func auditInteraction(i *interaction.Interaction) audit.Record {
	ids := func(list []int64) []string {
		out := make([]string, len(list))
		for k, id := range list {
			out[k] = fmt.Sprint(id)
		}
		return out
	}
	return audit.Record{
		"type": i.Type, "occurred_on": i.OccurredOn, "subject": i.Subject, "place": i.Place, "event": i.Event,
		"summary": i.Summary, "outcome": i.Outcome, "partners": ids(i.PartnerIDs), "contacts": ids(i.ContactIDs),
		"staff": ids(i.StaffIDs), "agreement_id": sqldb.NullID(i.AgreementID), "concept": i.ConceptRef, "sponsorship": i.SponsorshipRef,
	}
}

// CreateInteraction stores an interaction with its partners, contacts, staff and follow-ups.
func (s *Relations) CreateInteraction(ctx context.Context, i *interaction.Interaction) error {
	if err := i.Validate(); err != nil {
		return err
	}
	for k := range i.FollowUps {
		if err := i.FollowUps[k].Validate(); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return createInteraction(ctx, tx, i, true) })
}

// CreateInteractions stores many interactions in one transaction (the demo data); the trail
// gets no entry per interaction.
func (s *Relations) CreateInteractions(ctx context.Context, list []*interaction.Interaction) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, i := range list {
			if err := createInteraction(ctx, tx, i, false); err != nil {
				return err
			}
		}
		return nil
	})
}

func createInteraction(ctx context.Context, tx *sqldb.Tx, i *interaction.Interaction, record bool) error {
	now := time.Now().UTC()
	if i.EmailMessageID != "" {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM interactions WHERE email_message_id = ?)", i.EmailMessageID).Scan(&exists); err != nil {
			return fmt.Errorf("create interaction: %w", err)
		}
		if exists {
			return apperr.New(apperr.Conflict, "interaction.error.email_imported")
		}
	}
	err := tx.QueryRow(ctx, `INSERT INTO interactions (type, occurred_on, subject, place, event, summary, outcome, agreement_id,
		concept_ref, sponsorship_ref, email_message_id, created_by, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		i.Type, i.OccurredOn, i.Subject, i.Place, i.Event, i.Summary, i.Outcome, sqldb.NullID(i.AgreementID), i.ConceptRef,
		i.SponsorshipRef, i.EmailMessageID, sqldb.NullID(i.CreatedBy), now, now).Scan(&i.ID)
	if err != nil {
		return fmt.Errorf("create interaction: %w", err)
	}
	i.Version, i.CreatedAt, i.UpdatedAt = 1, now, now
	if err := writeInteractionLinks(ctx, tx, i); err != nil {
		return err
	}
	for k := range i.FollowUps {
		f := &i.FollowUps[k]
		f.InteractionID = i.ID
		if err := createFollowUp(ctx, tx, f, now); err != nil {
			return err
		}
	}
	if !record {
		return nil
	}
	if err := tx.Audit(ctx, audit.ActionCreate, "interaction", fmt.Sprint(i.ID), audit.Diff(nil, auditInteraction(i))); err != nil {
		return err
	}
	for k := range i.FollowUps {
		f := &i.FollowUps[k]
		if err := tx.Audit(ctx, audit.ActionCreate, "follow_up", fmt.Sprint(f.ID), audit.Diff(nil, auditFollowUp(f))); err != nil {
			return err
		}
	}
	return nil
}

func writeInteractionLinks(ctx context.Context, tx *sqldb.Tx, i *interaction.Interaction) error {
	links := []struct {
		table, column string
		ids           []int64
	}{
		{"interaction_partners", "partner_id", i.PartnerIDs},
		{"interaction_contacts", "contact_id", i.ContactIDs},
		{"interaction_staff", "user_id", i.StaffIDs},
	}
	for _, l := range links {
		seen := map[int64]bool{}
		for _, id := range l.ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, err := tx.Exec(ctx, "INSERT INTO "+l.table+" (interaction_id, "+l.column+") VALUES (?, ?)", i.ID, id); err != nil {
				return fmt.Errorf("interaction %s: %w", l.table, err)
			}
		}
	}
	return nil
}

// UpdateInteraction saves an interaction (not its follow-ups), refusing a stale version.
func (s *Relations) UpdateInteraction(ctx context.Context, i *interaction.Interaction) error {
	if err := i.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := interactionByID(ctx, tx, i.ID)
		if err != nil {
			return err
		}
		if before.Version != i.Version {
			return apperr.New(apperr.Conflict, "error.changed_meanwhile")
		}
		now := time.Now().UTC()
		_, err = tx.Exec(ctx, `UPDATE interactions SET type = ?, occurred_on = ?, subject = ?, place = ?, event = ?, summary = ?,
			outcome = ?, agreement_id = ?, concept_ref = ?, sponsorship_ref = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			i.Type, i.OccurredOn, i.Subject, i.Place, i.Event, i.Summary, i.Outcome, sqldb.NullID(i.AgreementID), i.ConceptRef,
			i.SponsorshipRef, now, i.ID)
		if err != nil {
			return fmt.Errorf("update interaction %d: %w", i.ID, err)
		}
		for _, table := range []string{"interaction_partners", "interaction_contacts", "interaction_staff"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE interaction_id = ?", i.ID); err != nil {
				return fmt.Errorf("update interaction %d: %w", i.ID, err)
			}
		}
		if err := writeInteractionLinks(ctx, tx, i); err != nil {
			return err
		}
		i.Version, i.UpdatedAt = before.Version+1, now
		return tx.Audit(ctx, audit.ActionUpdate, "interaction", fmt.Sprint(i.ID), audit.Diff(auditInteraction(before), auditInteraction(i)))
	})
}

// InteractionByID returns an interaction with its links and follow-ups.
func (s *Relations) InteractionByID(ctx context.Context, id int64) (*interaction.Interaction, error) {
	return interactionByID(ctx, s.db, id)
}

func interactionByID(ctx context.Context, q sqldb.Querier, id int64) (*interaction.Interaction, error) {
	i := &interaction.Interaction{}
	var agreementID, createdBy sql.NullInt64
	err := q.QueryRow(ctx, `SELECT id, type, occurred_on, subject, place, event, summary, outcome, agreement_id, concept_ref,
		sponsorship_ref, email_message_id, created_by, version, created_at, updated_at FROM interactions WHERE id = ?`, id).
		Scan(&i.ID, &i.Type, &i.OccurredOn, &i.Subject, &i.Place, &i.Event, &i.Summary, &i.Outcome, &agreementID, &i.ConceptRef,
			&i.SponsorshipRef, &i.EmailMessageID, &createdBy, &i.Version, &i.CreatedAt, &i.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "interaction.error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("interaction %d: %w", id, err)
	}
	i.AgreementID, i.CreatedBy = agreementID.Int64, createdBy.Int64
	for _, l := range []struct {
		dst   *[]int64
		query string
	}{
		{&i.PartnerIDs, "SELECT partner_id FROM interaction_partners WHERE interaction_id = ? ORDER BY partner_id"},
		{&i.ContactIDs, "SELECT contact_id FROM interaction_contacts WHERE interaction_id = ? ORDER BY contact_id"},
		{&i.StaffIDs, "SELECT user_id FROM interaction_staff WHERE interaction_id = ? ORDER BY user_id"},
	} {
		if *l.dst, err = sqldb.QueryIDs(ctx, q, l.query, id); err != nil {
			return nil, fmt.Errorf("interaction %d: %w", id, err)
		}
	}
	i.FollowUps, err = followUpsWhere(ctx, q, "f.interaction_id = ?", []any{id}, "f.due_on, f.id", 0)
	return i, err
}

// PartnerInteractions returns the latest interactions with any of the partners ids, newest first.
func (s *Relations) PartnerInteractions(ctx context.Context, ids []int64, limit int) ([]interaction.Line, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+2)
	args = append(args, interaction.StatusOpen)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, limit)
	rows, err := s.db.Query(ctx, `SELECT i.id, i.type, i.occurred_on, i.subject, i.outcome,
		(SELECT COUNT(*) FROM follow_ups f WHERE f.interaction_id = i.id AND f.status = ?)
		FROM interactions i WHERE i.id IN (SELECT interaction_id FROM interaction_partners WHERE partner_id IN (`+sqldb.Placeholders(len(ids))+`))
		ORDER BY i.occurred_on DESC, i.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("partner interactions: %w", err)
	}
	defer rows.Close()
	var list []interaction.Line
	for rows.Next() {
		var l interaction.Line
		if err := rows.Scan(&l.ID, &l.Type, &l.OccurredOn, &l.Subject, &l.Outcome, &l.OpenFollow); err != nil {
			return nil, fmt.Errorf("partner interactions: %w", err)
		}
		list = append(list, l)
	}
	return list, rows.Err()
}
