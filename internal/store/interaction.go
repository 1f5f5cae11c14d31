package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/partner"
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
func (db *DB) CreateInteraction(ctx context.Context, i *interaction.Interaction) error {
	if err := i.Validate(); err != nil {
		return err
	}
	for k := range i.FollowUps {
		if err := i.FollowUps[k].Validate(); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error { return createInteraction(ctx, tx, i, true) })
}

// CreateInteractions stores many interactions in one transaction (the demo data); the trail
// gets no entry per interaction.
func (db *DB) CreateInteractions(ctx context.Context, list []*interaction.Interaction) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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

// UpdateInteraction saves an interaction (not its follow-ups), refusing a stale version.
func (db *DB) UpdateInteraction(ctx context.Context, i *interaction.Interaction) error {
	if err := i.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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
func (db *DB) InteractionByID(ctx context.Context, id int64) (*interaction.Interaction, error) {
	return interactionByID(ctx, db, id)
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
func (db *DB) PartnerInteractions(ctx context.Context, ids []int64, limit int) ([]interaction.Line, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+2)
	args = append(args, interaction.StatusOpen)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, limit)
	rows, err := db.Query(ctx, `SELECT i.id, i.type, i.occurred_on, i.subject, i.outcome,
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

// followUpsWhere lists follow-ups with their interaction's subject, assignee and partners.
// FollowUpByID returns a follow-up with its interaction's id, for a change of its status.
func (db *DB) FollowUpByID(ctx context.Context, id int64) (*interaction.FollowUp, error) {
	list, err := followUpsWhere(ctx, db, "f.id = ?", []any{id}, "f.id", 0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperr.New(apperr.NotFound, "interaction.error.not_found")
	}
	return &list[0], nil
}

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
func (db *DB) FollowUpsOf(ctx context.Context, userID int64, withClosed bool) ([]interaction.FollowUp, error) {
	open, err := followUpsWhere(ctx, db, "f.assignee_id = ? AND f.status = ?", []any{userID, interaction.StatusOpen}, "f.due_on, f.id", 0)
	if err != nil || !withClosed {
		return open, err
	}
	closed, err := followUpsWhere(ctx, db, "f.assignee_id = ? AND f.status <> ?", []any{userID, interaction.StatusOpen}, "f.due_on DESC, f.id DESC", 100)
	return append(open, closed...), err
}

// OpenFollowUpsOfPartners returns the open follow-ups of interactions with any of ids.
func (db *DB) OpenFollowUpsOfPartners(ctx context.Context, ids []int64) ([]interaction.FollowUp, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{interaction.StatusOpen}
	for _, id := range ids {
		args = append(args, id)
	}
	return followUpsWhere(ctx, db, "f.status = ? AND f.interaction_id IN (SELECT interaction_id FROM interaction_partners WHERE partner_id IN ("+
		sqldb.Placeholders(len(ids))+"))", args, "f.due_on, f.id", 50)
}

// CountOverdueFollowUps counts the open follow-ups past their due date, of one user (or all for 0).
func (db *DB) CountOverdueFollowUps(ctx context.Context, userID int64, today civil.Date) (int, error) {
	query := "SELECT COUNT(*) FROM follow_ups WHERE status = ? AND due_on < ?"
	args := []any{interaction.StatusOpen, today}
	if userID != 0 {
		query += " AND assignee_id = ?"
		args = append(args, userID)
	}
	var n int
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count overdue follow-ups: %w", err)
	}
	return n, nil
}

// AddFollowUp adds a follow-up to an interaction.
func (db *DB) AddFollowUp(ctx context.Context, f *interaction.FollowUp) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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
func (db *DB) SetFollowUpStatus(ctx context.Context, id int64, version int, status string) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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

func (db *DB) Recognitions(ctx context.Context, partnerIDs []int64) ([]partner.Recognition, error) {
	if len(partnerIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(partnerIDs))
	for i, id := range partnerIDs {
		args[i] = id
	}
	rows, err := db.Query(ctx, "SELECT id, partner_id, title, event, awarded_on, description FROM recognitions WHERE partner_id IN ("+
		sqldb.Placeholders(len(partnerIDs))+") ORDER BY awarded_on DESC, id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("recognitions: %w", err)
	}
	defer rows.Close()
	var list []partner.Recognition
	for rows.Next() {
		var r partner.Recognition
		if err := rows.Scan(&r.ID, &r.PartnerID, &r.Title, &r.Event, &r.AwardedOn, &r.Description); err != nil {
			return nil, fmt.Errorf("recognitions: %w", err)
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// AddRecognitions records recognitions of partners (PartnerID set), in one transaction.
func (db *DB) AddRecognitions(ctx context.Context, list []partner.Recognition) error {
	for i := range list {
		list[i].Title, list[i].Event, list[i].Description = strings.TrimSpace(list[i].Title), strings.TrimSpace(list[i].Event), strings.TrimSpace(list[i].Description)
		if err := list[i].Validate(); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		for i := range list {
			r := &list[i]
			var key string
			err := tx.QueryRow(ctx, `INSERT INTO recognitions (partner_id, title, event, awarded_on, description, created_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.PartnerID, r.Title, r.Event, r.AwardedOn, r.Description, time.Now().UTC()).Scan(&r.ID)
			if err != nil {
				return fmt.Errorf("add recognition: %w", err)
			}
			if err := tx.QueryRow(ctx, "SELECT key FROM partners WHERE id = ?", r.PartnerID).Scan(&key); err != nil {
				return fmt.Errorf("add recognition: %w", err)
			}
			if len(list) == 1 {
				err := tx.Audit(ctx, audit.ActionCreate, "recognition", key,
					audit.Diff(nil, audit.Record{"title": r.Title, "event": r.Event, "awarded_on": r.AwardedOn, "description": r.Description}))
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// webmailDomains are shared by too many people to tell an organisation.
var webmailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true, "yahoo.com": true,
	"icloud.com": true, "me.com": true, "aol.com": true, "proton.me": true, "protonmail.com": true, "qq.com": true, "163.com": true,
	"126.com": true, "yandex.ru": true, "mail.ru": true, "gmx.net": true, "gmx.de": true, "web.de": true, "orange.fr": true,
}

// PartnersByAddresses recognises partners from e-mail addresses: by their contacts' addresses
// first, then by the domain of their website (not for webmail domains).
func (db *DB) PartnersByAddresses(ctx context.Context, emails []string) ([]interaction.AddressMatch, error) {
	var order []string
	byKey := map[string]*interaction.AddressMatch{}
	add := func(key string, contact int64) {
		m, ok := byKey[key]
		if !ok {
			m = &interaction.AddressMatch{PartnerKey: key}
			byKey[key] = m
			order = append(order, key)
		}
		if contact != 0 {
			m.ContactIDs = append(m.ContactIDs, contact)
		}
	}
	for _, email := range emails {
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" {
			continue
		}
		rows, err := db.Query(ctx, `SELECT p.key, c.id FROM contacts c JOIN partners p ON p.id = c.partner_id
			WHERE lower(c.email) = ? ORDER BY p.key`, email)
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		found := false
		for rows.Next() {
			var key string
			var id int64
			if err := rows.Scan(&key, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("partners by address: %w", err)
			}
			add(key, id)
			found = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		_, domain, _ := strings.Cut(email, "@")
		if found || domain == "" || webmailDomains[domain] {
			continue
		}
		// The website's host is the domain or a subdomain of it: www.kestrel.example for kestrel.example.
		keys, err := sqldb.QueryStrings(ctx, db, `SELECT key FROM partners WHERE lower(website) LIKE ? OR lower(website) LIKE ?
			OR lower(website) LIKE ? OR lower(website) LIKE ? ORDER BY key LIMIT 5`,
			"%://"+domain, "%://"+domain+"/%", "%."+domain, "%."+domain+"/%")
		if err != nil {
			return nil, fmt.Errorf("partners by address: %w", err)
		}
		for _, k := range keys {
			add(k, 0)
		}
	}
	out := make([]interaction.AddressMatch, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out, nil
}
