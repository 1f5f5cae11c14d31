package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"pactum/internal/audit"
	"pactum/internal/store/sqldb"
)

// RecordAudit appends an entry on its own, for events that change no record (a sign-in, a bulk load).
func (s *Accounts) RecordAudit(ctx context.Context, action, entity, key string, changes audit.Changes) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return tx.Audit(ctx, action, entity, key, changes) })
}

// AuditEntries returns the entries that match f, newest first, and how many match in all.
func (s *Accounts) AuditEntries(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Entity != "" {
		add("entity = ?", f.Entity)
	}
	if f.EntityKey != "" {
		add("entity_key = ?", f.EntityKey)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.Time())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.AddDays(1).Time())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	query := "SELECT id, at, user_id, actor, action, entity, entity_key, changes, COUNT(*) OVER () FROM audit_log" + cond
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	query += " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Offset, 0))
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var entries []audit.Entry
	total := 0
	for rows.Next() {
		var e audit.Entry
		var userID *int64
		var changes string
		if err := rows.Scan(&e.ID, &e.At, &userID, &e.Actor, &e.Action, &e.Entity, &e.EntityKey, &changes, &total); err != nil {
			return nil, 0, fmt.Errorf("audit entries: %w", err)
		}
		if userID != nil {
			e.UserID = *userID
		}
		if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
			return nil, 0, fmt.Errorf("audit entry %d: %w", e.ID, err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit entries: %w", err)
	}
	if len(entries) == 0 && f.Offset > 0 {
		// Past the last page: count apart.
		if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log"+cond, args[:len(args)-2]...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count audit entries: %w", err)
		}
	}
	return entries, total, nil
}

// AuditEntities lists the kinds of record that appear in the trail, for the page's filter.
func (s *Accounts) AuditEntities(ctx context.Context) ([]string, error) {
	return sqldb.QueryStrings(ctx, s.db, "SELECT DISTINCT entity FROM audit_log ORDER BY entity")
}
