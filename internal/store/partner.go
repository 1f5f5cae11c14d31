package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/partner"
)

// partnerWriter inserts partners inside one transaction with prepared statements, so that
// loading a hundred thousand partners costs one parse per statement.
type partnerWriter struct {
	tx                                                 *Tx
	partner, text, area, region, country, fin, tag, ct *sql.Stmt
}

func newPartnerWriter(ctx context.Context, tx *Tx) (*partnerWriter, error) {
	w := &partnerWriter{tx: tx}
	statements := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.partner, `INSERT INTO partners (key, name, acronym, type_code, membership_code, country_code, website, mandate,
			strategy, status, parent_id, owner_id, notes, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`},
		{&w.text, "INSERT INTO partner_translations (partner_id, lang, name, acronym, mandate, strategy) VALUES (?, ?, ?, ?, ?, ?)"},
		{&w.area, "INSERT INTO partner_action_areas (partner_id, action_area_code) VALUES (?, ?)"},
		{&w.region, "INSERT INTO partner_regions (partner_id, region_code) VALUES (?, ?)"},
		{&w.country, "INSERT INTO partner_countries (partner_id, country_code) VALUES (?, ?)"},
		{&w.fin, "INSERT INTO partner_financing_types (partner_id, financing_type_code) VALUES (?, ?)"},
		{&w.tag, "INSERT INTO partner_tags (partner_id, tag) VALUES (?, ?)"},
		{&w.ct, `INSERT INTO contacts (partner_id, name, title, email, phone, language, is_primary, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	}
	for _, s := range statements {
		stmt, err := tx.prepare(ctx, s.query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare partner insert: %w", err)
		}
		*s.stmt = stmt
	}
	return w, nil
}

func (w *partnerWriter) close() {
	for _, s := range []*sql.Stmt{w.partner, w.text, w.area, w.region, w.country, w.fin, w.tag, w.ct} {
		if s != nil {
			s.Close()
		}
	}
}

// insert stores p and its lists and sets p.ID, p.Version and the timestamps.
func (w *partnerWriter) insert(ctx context.Context, p *partner.Partner, now time.Time) error {
	en := p.Texts["en"]
	err := w.partner.QueryRowContext(ctx, p.Key, en.Name, en.Acronym, p.Type, p.Membership, nullString(p.Country), p.Website,
		en.Mandate, en.Strategy, p.Status, nullID(p.ParentID), nullID(p.OwnerID), p.Notes, now, now).Scan(&p.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "partner.error.key_taken", "key", p.Key)
		}
		return fmt.Errorf("insert partner %s: %w", p.Key, err)
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
	for lang, t := range p.Texts {
		if lang == "en" || t == (partner.Text{}) {
			continue
		}
		if _, err := w.text.ExecContext(ctx, p.ID, lang, t.Name, t.Acronym, t.Mandate, t.Strategy); err != nil {
			return fmt.Errorf("insert partner %s text %s: %w", p.Key, lang, err)
		}
	}
	lists := []struct {
		stmt   *sql.Stmt
		values []string
	}{
		{w.area, p.ActionAreas}, {w.region, p.Regions}, {w.country, p.Countries}, {w.fin, p.FinancingTypes}, {w.tag, p.Tags},
	}
	for _, l := range lists {
		for _, v := range dedupe(l.values) {
			if _, err := l.stmt.ExecContext(ctx, p.ID, v); err != nil {
				return fmt.Errorf("insert partner %s list value %s: %w", p.Key, v, err)
			}
		}
	}
	for i := range p.Contacts {
		c := &p.Contacts[i]
		if _, err := w.ct.ExecContext(ctx, p.ID, c.Name, c.Title, c.Email, c.Phone, c.Language, c.Primary, now, now); err != nil {
			return fmt.Errorf("insert partner %s contact %s: %w", p.Key, c.Name, err)
		}
	}
	return nil
}

// CreatePartners stores new partners in one transaction: all of them or none. Each partner's
// ParentID must name a stored partner or one earlier in the list (by its ID once stored).
func (db *DB) CreatePartners(ctx context.Context, partners []*partner.Partner) error {
	now := time.Now().UTC()
	return db.inTx(ctx, func(tx *Tx) error {
		w, err := newPartnerWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, p := range partners {
			if err := w.insert(ctx, p, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// PartnerByKey returns the partner with key, with its texts, lists and contacts.
func (db *DB) PartnerByKey(ctx context.Context, key string) (*partner.Partner, error) {
	p := &partner.Partner{Key: key, Texts: map[string]partner.Text{}}
	var en partner.Text
	var country sql.NullString
	var parent, owner sql.NullInt64
	err := db.queryRow(ctx, `SELECT id, name, acronym, type_code, membership_code, country_code, website, mandate, strategy,
		status, parent_id, owner_id, notes, version, created_at, updated_at FROM partners WHERE key = ?`, key).
		Scan(&p.ID, &en.Name, &en.Acronym, &p.Type, &p.Membership, &country, &p.Website, &en.Mandate, &en.Strategy,
			&p.Status, &parent, &owner, &p.Notes, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "partner.error.not_found", "key", key)
	}
	if err != nil {
		return nil, fmt.Errorf("partner %s: %w", key, err)
	}
	p.Texts["en"] = en
	p.Country, p.ParentID, p.OwnerID = country.String, parent.Int64, owner.Int64
	rows, err := db.query(ctx, "SELECT lang, name, acronym, mandate, strategy FROM partner_translations WHERE partner_id = ?", p.ID)
	if err != nil {
		return nil, fmt.Errorf("partner %s texts: %w", key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var lang string
		var t partner.Text
		if err := rows.Scan(&lang, &t.Name, &t.Acronym, &t.Mandate, &t.Strategy); err != nil {
			return nil, fmt.Errorf("partner %s texts: %w", key, err)
		}
		p.Texts[lang] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partner %s texts: %w", key, err)
	}
	lists := []struct {
		dst   *[]string
		query string
	}{
		{&p.ActionAreas, "SELECT action_area_code FROM partner_action_areas WHERE partner_id = ? ORDER BY action_area_code"},
		{&p.Regions, "SELECT region_code FROM partner_regions WHERE partner_id = ? ORDER BY region_code"},
		{&p.Countries, "SELECT country_code FROM partner_countries WHERE partner_id = ? ORDER BY country_code"},
		{&p.FinancingTypes, "SELECT financing_type_code FROM partner_financing_types WHERE partner_id = ? ORDER BY financing_type_code"},
		{&p.Tags, "SELECT tag FROM partner_tags WHERE partner_id = ? ORDER BY tag"},
	}
	for _, l := range lists {
		if *l.dst, err = db.strings(ctx, l.query, p.ID); err != nil {
			return nil, fmt.Errorf("partner %s: %w", key, err)
		}
	}
	crows, err := db.query(ctx, `SELECT id, name, title, email, phone, language, is_primary FROM contacts
		WHERE partner_id = ? ORDER BY is_primary DESC, name`, p.ID)
	if err != nil {
		return nil, fmt.Errorf("partner %s contacts: %w", key, err)
	}
	defer crows.Close()
	for crows.Next() {
		var c partner.Contact
		if err := crows.Scan(&c.ID, &c.Name, &c.Title, &c.Email, &c.Phone, &c.Language, &c.Primary); err != nil {
			return nil, fmt.Errorf("partner %s contacts: %w", key, err)
		}
		p.Contacts = append(p.Contacts, c)
	}
	return p, crows.Err()
}

// CountPartners returns how many partners are stored.
func (db *DB) CountPartners(ctx context.Context) (int, error) {
	var n int
	if err := db.queryRow(ctx, "SELECT COUNT(*) FROM partners").Scan(&n); err != nil {
		return 0, fmt.Errorf("count partners: %w", err)
	}
	return n, nil
}

// strings runs a query that returns one text column.
func (db *DB) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// dedupe returns values without repeats, keeping the first of each.
func dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := values[:0:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
