package partners

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// partnerWriter writes partners inside one transaction with prepared statements, so that
// loading a hundred thousand partners costs one parse per statement.
type partnerWriter struct {
	tx                                                 *sqldb.Tx
	partner, text, area, region, country, fin, tag, ct *sql.Stmt
	derived                                            *derived.Writer
}

func newPartnerWriter(ctx context.Context, tx *sqldb.Tx, load derived.Loader) (*partnerWriter, error) {
	w := &partnerWriter{tx: tx, derived: derived.NewWriter(tx, load)}
	statements := []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.partner, `INSERT INTO partners (key, name, acronym, type_code, membership_code, country_code, website, mandate,
			strategy, financing_mechanisms, status, parent_id, owner_id, notes, search_version, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`},
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
		stmt, err := tx.Prepare(ctx, s.query)
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
	w.derived.Close()
}

// insert stores p and its lists and sets p.ID, p.Version and the timestamps.
func (w *partnerWriter) insert(ctx context.Context, p *partner.Partner, now time.Time) error {
	en := p.Texts["en"]
	err := w.partner.QueryRowContext(ctx, p.Key, en.Name, en.Acronym, p.Type, p.Membership, sqldb.NullString(p.Country), p.Website,
		en.Mandate, en.Strategy, p.FinancingMechanisms, p.Status, sqldb.NullID(p.ParentID), sqldb.NullID(p.OwnerID), p.Notes,
		derived.PartnerSearchVersion, now, now).Scan(&p.ID)
	if err != nil {
		if sqldb.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Message: apperr.Msg("partner.error.key_taken", "key", p.Key),
				Fields: apperr.FieldErrors{"key": apperr.Msg("partner.error.key_taken", "key", p.Key)}, Err: err}
		}
		return fmt.Errorf("insert partner %s: %w", p.Key, err)
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
	if err := w.writeDetails(ctx, p); err != nil {
		return err
	}
	if err := w.derived.Partner(ctx, nil, p); err != nil {
		return err
	}
	for i := range p.Contacts {
		c := &p.Contacts[i]
		if _, err := w.ct.ExecContext(ctx, p.ID, c.Name, c.Title, c.Email, c.Phone, c.Language, c.Primary, now, now); err != nil {
			return fmt.Errorf("insert partner %s contact %s: %w", p.Key, c.Name, err)
		}
	}
	return nil
}

// writeDetails writes a partner's translations and lists; for an update the caller has cleared
// them first.
func (w *partnerWriter) writeDetails(ctx context.Context, p *partner.Partner) error {
	for _, lang := range reference.Languages {
		t := p.Texts[lang]
		if lang == "en" || t == (partner.Text{}) {
			continue
		}
		if _, err := w.text.ExecContext(ctx, p.ID, lang, t.Name, t.Acronym, t.Mandate, t.Strategy); err != nil {
			return fmt.Errorf("partner %s text %s: %w", p.Key, lang, err)
		}
	}
	lists := []struct {
		stmt   *sql.Stmt
		values []string
	}{
		{w.area, p.ActionAreas}, {w.region, p.Regions}, {w.country, p.Countries}, {w.fin, p.FinancingTypes}, {w.tag, p.Tags},
	}
	for _, l := range lists {
		for _, v := range sqldb.Dedupe(l.values) {
			if _, err := l.stmt.ExecContext(ctx, p.ID, v); err != nil {
				return fmt.Errorf("partner %s list value %s: %w", p.Key, v, err)
			}
		}
	}
	return nil
}

// CreatePartners stores new partners in one transaction: all of them or none. Each partner's
// ParentID must name a stored partner or one earlier in the list (by its ID once stored). A
// single partner created by a person is recorded in the audit trail; bulk loads record one entry.
func (s *Partners) CreatePartners(ctx context.Context, partners []*partner.Partner) error {
	now := time.Now().UTC()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		w, err := newPartnerWriter(ctx, tx, s.load)
		if err != nil {
			return err
		}
		defer w.close()
		for _, p := range partners {
			if err := w.insert(ctx, p, now); err != nil {
				return err
			}
			if len(partners) == 1 {
				if err := tx.Audit(ctx, audit.ActionCreate, "partner", p.Key, audit.Diff(nil, auditPartner(p))); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// auditPartner is what the trail records of a partner.
func auditPartner(p *partner.Partner) audit.Record {
	r := audit.Record{
		"type": p.Type, "membership": p.Membership, "country": p.Country, "website": p.Website, "status": p.Status,
		"parent_id": p.ParentID, "owner_id": p.OwnerID, "notes": p.Notes, "financing_mechanisms": p.FinancingMechanisms,
		"action_areas": audit.Set(p.ActionAreas), "regions": audit.Set(p.Regions), "countries": audit.Set(p.Countries),
		"financing_types": audit.Set(p.FinancingTypes), "tags": audit.Set(p.Tags),
	}
	for _, lang := range reference.Languages {
		t := p.Texts[lang]
		r["name_"+lang], r["acronym_"+lang], r["mandate_"+lang], r["strategy_"+lang] = t.Name, t.Acronym, t.Mandate, t.Strategy
	}
	for k, v := range r {
		if id, ok := v.(int64); ok && id == 0 {
			r[k] = nil
		}
	}
	return r
}

// UpdatePartner saves a partner's profile: texts, codes, lists, parent and owner (not its
// contacts, which are saved one by one). It is refused with Conflict when the partner changed
// since p.Version was read.
func (s *Partners) UpdatePartner(ctx context.Context, p *partner.Partner) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		w, err := newPartnerWriter(ctx, tx, s.load)
		if err != nil {
			return err
		}
		defer w.close()
		before, err := updatePartner(ctx, tx, w, p)
		if err != nil {
			return err
		}
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.ActionUpdate, "partner", p.Key, audit.Diff(auditPartner(before), auditPartner(p)))
	})
}

// updatePartner saves p in tx as UpdatePartner describes, writing its details with w, and
// returns the partner as it was; the caller records the change in the audit trail.
func updatePartner(ctx context.Context, tx *sqldb.Tx, w *partnerWriter, p *partner.Partner) (*partner.Partner, error) {
	before, err := partnerByKey(ctx, tx, p.Key)
	if err != nil {
		return nil, err
	}
	if before.Version != p.Version {
		return nil, apperr.New(apperr.Conflict, "error.changed_meanwhile")
	}
	if p.ParentID != 0 {
		if err := checkParent(ctx, tx, before.ID, p.ParentID); err != nil {
			return nil, err
		}
	}
	p.ID = before.ID
	now := time.Now().UTC()
	en := p.Texts["en"]
	_, err = tx.Exec(ctx, `UPDATE partners SET name = ?, acronym = ?, type_code = ?, membership_code = ?, country_code = ?,
		website = ?, mandate = ?, strategy = ?, financing_mechanisms = ?, status = ?, parent_id = ?, owner_id = ?, notes = ?,
		search_version = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		en.Name, en.Acronym, p.Type, p.Membership, sqldb.NullString(p.Country), p.Website, en.Mandate, en.Strategy,
		p.FinancingMechanisms, p.Status, sqldb.NullID(p.ParentID), sqldb.NullID(p.OwnerID), p.Notes, derived.PartnerSearchVersion, now, p.ID)
	if err != nil {
		return nil, fmt.Errorf("update partner %s: %w", p.Key, err)
	}
	for _, table := range []string{"partner_translations", "partner_action_areas", "partner_regions", "partner_countries",
		"partner_financing_types", "partner_tags"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE partner_id = ?", p.ID); err != nil {
			return nil, fmt.Errorf("update partner %s: %w", p.Key, err)
		}
	}
	if err := w.writeDetails(ctx, p); err != nil {
		return nil, err
	}
	if err := w.derived.Partner(ctx, before, p); err != nil {
		return nil, err
	}
	p.Version, p.UpdatedAt = before.Version+1, now
	return before, nil
}

// checkParent refuses a parent that does not exist or that would make a cycle.
func checkParent(ctx context.Context, tx *sqldb.Tx, id, parentID int64) error {
	for ancestor, depth := parentID, 0; ancestor != 0; depth++ {
		if ancestor == id || depth > 100 {
			return apperr.FieldErrors{"parent": apperr.Msg("partner.error.parent_cycle")}.Err()
		}
		var next sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT parent_id FROM partners WHERE id = ?", ancestor).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.FieldErrors{"parent": apperr.Msg("partner.error.not_found", "key", fmt.Sprint(ancestor))}.Err()
		}
		if err != nil {
			return fmt.Errorf("check parent: %w", err)
		}
		ancestor = next.Int64
	}
	return nil
}

// ReindexPartners writes the search document of every partner indexed with an older version of
// it (or never), in batches, and returns how many it indexed.
func (s *Partners) ReindexPartners(ctx context.Context) (int, error) {
	total := 0
	for {
		ids, err := sqldb.QueryIDs(ctx, s.db, "SELECT id FROM partners WHERE search_version < ? ORDER BY id LIMIT 2000", derived.PartnerSearchVersion)
		if err != nil {
			return total, fmt.Errorf("reindex partners: %w", err)
		}
		if len(ids) == 0 {
			if total > 0 {
				return total, derived.OptimizeSearch(ctx, s.db)
			}
			return total, nil
		}
		batch, err := s.partnersByIDs(ctx, ids)
		if err != nil {
			return total, err
		}
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			w, err := newPartnerWriter(ctx, tx, s.load)
			if err != nil {
				return err
			}
			defer w.close()
			for _, p := range batch {
				if err := w.derived.Partner(ctx, p, p); err != nil {
					return err
				}
			}
			args := []any{derived.PartnerSearchVersion}
			for _, id := range ids {
				args = append(args, id)
			}
			_, err = tx.Exec(ctx, "UPDATE partners SET search_version = ? WHERE id IN ("+sqldb.Placeholders(len(ids))+")", args...)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("reindex partners: %w", err)
		}
		total += len(ids)
	}
}

const partnerColumns = `id, key, name, acronym, type_code, membership_code, country_code, website, mandate, strategy,
	financing_mechanisms, status, parent_id, owner_id, notes, agreement_count, value_usd_cents, last_signed_on,
	version, created_at, updated_at`

// PartnerByKey returns the partner with key, with its texts, lists and contacts.
func (s *Partners) PartnerByKey(ctx context.Context, key string) (*partner.Partner, error) {
	return partnerByKey(ctx, s.db, key)
}

// PartnerByID returns the partner with id.
func (s *Partners) PartnerByID(ctx context.Context, id int64) (*partner.Partner, error) {
	var key string
	err := s.db.QueryRow(ctx, "SELECT key FROM partners WHERE id = ?", id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "partner.error.not_found", "key", fmt.Sprint(id))
	}
	if err != nil {
		return nil, fmt.Errorf("partner %d: %w", id, err)
	}
	return s.PartnerByKey(ctx, key)
}

func partnerByKey(ctx context.Context, q sqldb.Querier, key string) (*partner.Partner, error) {
	p := &partner.Partner{Texts: map[string]partner.Text{}}
	var en partner.Text
	var country sql.NullString
	var parent, owner sql.NullInt64
	var value int64
	err := q.QueryRow(ctx, "SELECT "+partnerColumns+" FROM partners WHERE key = ?", key).
		Scan(&p.ID, &p.Key, &en.Name, &en.Acronym, &p.Type, &p.Membership, &country, &p.Website, &en.Mandate, &en.Strategy,
			&p.FinancingMechanisms, &p.Status, &parent, &owner, &p.Notes, &p.AgreementCount, &value, &p.LastSignedOn,
			&p.Version, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "partner.error.not_found", "key", key)
	}
	if err != nil {
		return nil, fmt.Errorf("partner %s: %w", key, err)
	}
	p.Texts["en"] = en
	p.Country, p.ParentID, p.OwnerID, p.ValueUSD = country.String, parent.Int64, owner.Int64, money.Amount(value)
	rows, err := q.Query(ctx, "SELECT lang, name, acronym, mandate, strategy FROM partner_translations WHERE partner_id = ?", p.ID)
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
		if *l.dst, err = sqldb.QueryStrings(ctx, q, l.query, p.ID); err != nil {
			return nil, fmt.Errorf("partner %s: %w", key, err)
		}
	}
	crows, err := q.Query(ctx, `SELECT id, name, title, email, phone, language, is_primary FROM contacts
		WHERE partner_id = ? ORDER BY is_primary DESC, name, id`, p.ID)
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
func (s *Partners) CountPartners(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM partners").Scan(&n); err != nil {
		return 0, fmt.Errorf("count partners: %w", err)
	}
	return n, nil
}

// strings runs a query that returns one text column on the read pool.
func (s *Partners) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	return sqldb.QueryStrings(ctx, s.db, query, args...)
}

// MergedInto returns the key of the partner that a merged partner's key now leads to, or "".
func (s *Partners) MergedInto(ctx context.Context, key string) (string, error) {
	var into string
	err := s.db.QueryRow(ctx, `SELECT p.key FROM partner_merges m JOIN partners p ON p.id = m.into_partner_id
		WHERE m.from_key = ? ORDER BY m.merged_at DESC LIMIT 1`, key).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("merged partner %s: %w", key, err)
	}
	return into, nil
}

// AddContact adds a contact person to a partner. A new primary contact takes over from the old one.
func (s *Partners) AddContact(ctx context.Context, partnerKey string, c *partner.Contact) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM partners WHERE key = ?", partnerKey).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "partner.error.not_found", "key", partnerKey)
		}
		if err != nil {
			return fmt.Errorf("add contact: %w", err)
		}
		now := time.Now().UTC()
		if c.Primary {
			if _, err := tx.Exec(ctx, "UPDATE contacts SET is_primary = ? WHERE partner_id = ?", false, id); err != nil {
				return fmt.Errorf("add contact: %w", err)
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO contacts (partner_id, name, title, email, phone, language, is_primary, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, c.Name, c.Title, c.Email, c.Phone, c.Language, c.Primary, now, now).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("add contact: %w", err)
		}
		return tx.Audit(ctx, audit.ActionCreate, "contact", partnerKey, audit.Diff(nil, audit.Record{
			"name": c.Name, "title": c.Title, "email": c.Email, "phone": c.Phone, "language": c.Language, "primary": c.Primary}))
	})
}

// DeleteContact removes a contact person of a partner.
func (s *Partners) DeleteContact(ctx context.Context, partnerKey string, contactID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var c partner.Contact
		err := tx.QueryRow(ctx, `SELECT c.name, c.title, c.email, c.phone, c.language, c.is_primary FROM contacts c
			JOIN partners p ON p.id = c.partner_id WHERE c.id = ? AND p.key = ?`, contactID, partnerKey).
			Scan(&c.Name, &c.Title, &c.Email, &c.Phone, &c.Language, &c.Primary)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "contact.error.not_found")
		}
		if err != nil {
			return fmt.Errorf("delete contact: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM contacts WHERE id = ?", contactID); err != nil {
			return fmt.Errorf("delete contact: %w", err)
		}
		return tx.Audit(ctx, audit.ActionDelete, "contact", partnerKey, audit.Diff(audit.Record{
			"name": c.Name, "title": c.Title, "email": c.Email, "phone": c.Phone, "language": c.Language, "primary": c.Primary}, nil))
	})
}

// UpdateContact saves a contact person of a partner. Making a contact primary takes it from the
// partner's other contacts.
func (s *Partners) UpdateContact(ctx context.Context, partnerKey string, c *partner.Contact) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var before partner.Contact
		var partnerID int64
		err := tx.QueryRow(ctx, `SELECT c.partner_id, c.name, c.title, c.email, c.phone, c.language, c.is_primary FROM contacts c
			JOIN partners p ON p.id = c.partner_id WHERE c.id = ? AND p.key = ?`, c.ID, partnerKey).
			Scan(&partnerID, &before.Name, &before.Title, &before.Email, &before.Phone, &before.Language, &before.Primary)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "contact.error.not_found")
		}
		if err != nil {
			return fmt.Errorf("update contact: %w", err)
		}
		if c.Primary {
			if _, err := tx.Exec(ctx, "UPDATE contacts SET is_primary = ? WHERE partner_id = ? AND id <> ?", false, partnerID, c.ID); err != nil {
				return fmt.Errorf("update contact: %w", err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE contacts SET name = ?, title = ?, email = ?, phone = ?, language = ?, is_primary = ?, updated_at = ?
			WHERE id = ?`, c.Name, c.Title, c.Email, c.Phone, c.Language, c.Primary, time.Now().UTC(), c.ID)
		if err != nil {
			return fmt.Errorf("update contact: %w", err)
		}
		record := func(x partner.Contact) audit.Record {
			return audit.Record{"name": x.Name, "title": x.Title, "email": x.Email, "phone": x.Phone, "language": x.Language, "primary": x.Primary}
		}
		return tx.Audit(ctx, audit.ActionUpdate, "contact", partnerKey, audit.Diff(record(before), record(*c)))
	})
}
