package partners

import (
	"context"
	"fmt"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/document"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// MergePreview counts what merging the duplicate into keep would move.
func (s *Partners) MergePreview(ctx context.Context, keepKey, duplicateKey string) (*partner.MergeCounts, error) {
	keep, err := s.PartnerByKey(ctx, keepKey)
	if err != nil {
		return nil, err
	}
	dup, err := s.PartnerByKey(ctx, duplicateKey)
	if err != nil {
		return nil, err
	}
	if keep.ID == dup.ID {
		return nil, apperr.FieldErrors{"duplicate": apperr.Msg("partner.merge.error.same")}.Err()
	}
	c := &partner.MergeCounts{Contacts: len(dup.Contacts)}
	counts := []struct {
		dst   *int
		query string
	}{
		{&c.Agreements, "SELECT COUNT(*) FROM agreement_parties WHERE partner_id = ?"},
		{&c.Interactions, "SELECT COUNT(*) FROM interaction_partners WHERE partner_id = ?"},
		{&c.Recognitions, "SELECT COUNT(*) FROM recognitions WHERE partner_id = ?"},
		{&c.Offices, "SELECT COUNT(*) FROM partners WHERE parent_id = ?"},
	}
	for _, q := range counts {
		if err := s.db.QueryRow(ctx, q.query, dup.ID).Scan(q.dst); err != nil {
			return nil, fmt.Errorf("merge preview: %w", err)
		}
	}
	return c, nil
}

// MergePartners merges the duplicate into keep, in one transaction: its agreements, contacts,
// interactions, recognitions, offices, due-diligence documents, list values and texts in
// languages keep lacks all pass to keep; the duplicate is then deleted, its key and name recorded
// in partner_merges so that old links and searches still lead to keep. The audit history of both
// stays under both keys.
func (s *Partners) MergePartners(ctx context.Context, keepKey, duplicateKey string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		keep, err := partnerByKey(ctx, tx, keepKey)
		if err != nil {
			return err
		}
		dup, err := partnerByKey(ctx, tx, duplicateKey)
		if err != nil {
			return err
		}
		if keep.ID == dup.ID {
			return apperr.FieldErrors{"duplicate": apperr.Msg("partner.merge.error.same")}.Err()
		}
		// The duplicate must not be keep's ancestor, or keep would end up its own parent.
		for ancestor := keep.ParentID; ancestor != 0; {
			if ancestor == dup.ID {
				return apperr.FieldErrors{"duplicate": apperr.Msg("partner.merge.error.ancestor")}.Err()
			}
			var next *int64
			if err := tx.QueryRow(ctx, "SELECT parent_id FROM partners WHERE id = ?", ancestor).Scan(&next); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
			ancestor = 0
			if next != nil {
				ancestor = *next
			}
		}
		before := auditPartner(keep)
		moves := []string{
			// Links that may exist for both: keep keep's, move the rest, drop the duplicate's.
			"INSERT INTO agreement_parties (agreement_id, partner_id, role) SELECT agreement_id, ?, role FROM agreement_parties d " +
				"WHERE d.partner_id = ? AND NOT EXISTS (SELECT 1 FROM agreement_parties k WHERE k.agreement_id = d.agreement_id AND k.partner_id = ?)",
			"DELETE FROM agreement_parties WHERE partner_id = ?",
			"INSERT INTO interaction_partners (interaction_id, partner_id) SELECT interaction_id, ? FROM interaction_partners d " +
				"WHERE d.partner_id = ? AND NOT EXISTS (SELECT 1 FROM interaction_partners k WHERE k.interaction_id = d.interaction_id AND k.partner_id = ?)",
			"DELETE FROM interaction_partners WHERE partner_id = ?",
		}
		// The duplicate's agreements get keep's name and type in their search documents and facets.
		moved, err := sqldb.QueryIDs(ctx, tx, "SELECT agreement_id FROM agreement_parties WHERE partner_id = ? ORDER BY agreement_id", dup.ID)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for i, q := range moves {
			args := []any{dup.ID}
			if i%2 == 0 {
				args = []any{keep.ID, dup.ID, keep.ID}
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
		if err := derived.Rederive(ctx, tx, s.load, moved); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE contacts SET is_primary = ? WHERE partner_id = ? AND EXISTS (SELECT 1 FROM contacts WHERE partner_id = ? AND is_primary = ?)",
			false, dup.ID, keep.ID, true); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for _, q := range []string{
			"UPDATE contacts SET partner_id = ? WHERE partner_id = ?",
			"UPDATE recognitions SET partner_id = ? WHERE partner_id = ?",
			"UPDATE partners SET parent_id = ? WHERE parent_id = ?",
			"UPDATE partner_merges SET into_partner_id = ? WHERE into_partner_id = ?",
		} {
			if _, err := tx.Exec(ctx, q, keep.ID, dup.ID); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
		// Due diligence: keep's record stays; without one, the duplicate's becomes keep's.
		// Documents follow the record either way, so none is lost.
		if _, err := tx.Exec(ctx, `UPDATE due_diligence SET partner_id = ? WHERE partner_id = ?
			AND NOT EXISTS (SELECT 1 FROM due_diligence WHERE partner_id = ?)`, keep.ID, dup.ID, keep.ID); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE documents SET owner_id = ? WHERE owner_type = ? AND owner_id = ?", keep.ID, document.OwnerDueDiligence, dup.ID); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		// Profile: list values and texts of languages keep lacks come over.
		merged := *keep
		merged.ActionAreas = union(keep.ActionAreas, dup.ActionAreas)
		merged.Regions = union(keep.Regions, dup.Regions)
		merged.Countries = union(keep.Countries, dup.Countries)
		merged.FinancingTypes = union(keep.FinancingTypes, dup.FinancingTypes)
		merged.Tags = union(keep.Tags, dup.Tags)
		merged.Texts = map[string]partner.Text{}
		for lang, t := range keep.Texts {
			merged.Texts[lang] = t
		}
		for _, lang := range reference.Languages {
			if _, ok := merged.Texts[lang]; !ok && dup.Texts[lang] != (partner.Text{}) {
				merged.Texts[lang] = dup.Texts[lang]
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO partner_merges (from_key, from_name, into_partner_id, merged_at, merged_by) VALUES (?, ?, ?, ?, ?)",
			dup.Key, dup.Texts["en"].Name, keep.ID, time.Now().UTC(), audit.ActorFrom(ctx).Username); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if err := deletePartner(ctx, tx, dup.ID); err != nil {
			return err
		}
		for _, table := range []string{"partner_translations", "partner_action_areas", "partner_regions", "partner_countries",
			"partner_financing_types", "partner_tags"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE partner_id = ?", keep.ID); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
		w, err := newPartnerWriter(ctx, tx, s.load)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.writeDetails(ctx, &merged); err != nil {
			return err
		}
		if err := w.derived.Partner(ctx, keep, &merged); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE partners SET version = version + 1, updated_at = ? WHERE id = ?", time.Now().UTC(), keep.ID); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		w.derived.PartnerFigures(keep.ID)
		if err := w.derived.Flush(ctx); err != nil {
			return err
		}
		changes := audit.Diff(before, auditPartner(&merged))
		changes["merged_from"] = audit.Change{After: dup.Key}
		if err := tx.Audit(ctx, audit.ActionUpdate, "partner", keep.Key, changes); err != nil {
			return err
		}
		gone := audit.Diff(auditPartner(dup), nil)
		gone["merged_into"] = audit.Change{After: keep.Key}
		return tx.Audit(ctx, audit.ActionDelete, "partner", dup.Key, gone)
	})
}

// deletePartner removes a partner whose links have been moved away, with its search document.
func deletePartner(ctx context.Context, tx *sqldb.Tx, id int64) error {
	if _, err := tx.Exec(ctx, tx.Dialect().IndexDocument("partner_search", "partner_id")[0], id); err != nil {
		return fmt.Errorf("delete partner: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM partners WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete partner: %w", err)
	}
	return nil
}

func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, v := range b {
		found := false
		for _, x := range out {
			found = found || x == v
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}
