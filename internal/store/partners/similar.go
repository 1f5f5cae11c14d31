package partners

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pactum/internal/partner"
	"pactum/internal/search"
)

// duplicateThreshold is how alike two names must be (search.Similarity) to be called likely duplicates.
const duplicateThreshold = 0.6

// SimilarPartners returns stored partners that are likely the same organisation as one with
// these names and acronyms (in any language): a name alike in its words, or the same acronym.
// The partner excludeID (0 for none) is left out.
func (s *Partners) SimilarPartners(ctx context.Context, names, acronyms []string, excludeID int64) ([]partner.Summary, error) {
	candidates := map[int64]bool{}
	var order []int64
	addIDs := func(query string, args ...any) error {
		rows, err := s.db.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if id != excludeID && !candidates[id] {
				candidates[id] = true
				order = append(order, id)
			}
		}
		return rows.Err()
	}
	for _, name := range names {
		terms := search.Parse(name)
		if len(terms) == 0 {
			continue
		}
		// The most distinctive words are usually the longest; three of them find the candidates.
		slices.SortStableFunc(terms, func(a, b search.Term) int { return len(strings.Join(b.Words, "")) - len(strings.Join(a.Words, "")) })
		terms = terms[:min(3, len(terms))]
		for i := range terms {
			terms[i].Prefix = false
		}
		if err := addIDs("SELECT id FROM ("+s.db.Dialect().SearchIDs("partner_search", "partner_id")+") s ORDER BY rank LIMIT 20",
			s.db.Dialect().SearchArg(terms)); err != nil {
			return nil, fmt.Errorf("similar partners: %w", err)
		}
	}
	for _, acronym := range acronyms {
		a := strings.TrimSpace(acronym)
		if len([]rune(a)) < 2 {
			continue
		}
		if err := addIDs(`SELECT id FROM partners WHERE lower(acronym) = lower(?)
			UNION SELECT partner_id FROM partner_translations WHERE lower(acronym) = lower(?)`, a, a); err != nil {
			return nil, fmt.Errorf("similar partners: %w", err)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	loaded, err := s.partnersByIDs(ctx, order)
	if err != nil {
		return nil, err
	}
	var similar []partner.Summary
	for _, p := range loaded {
		if likelySame(p, names, acronyms) {
			similar = append(similar, partner.Summary{ID: p.ID, Key: p.Key, Name: p.Texts["en"].Name, Acronym: p.Texts["en"].Acronym,
				Type: p.Type, Country: p.Country, Status: p.Status})
		}
	}
	return similar, nil
}

func likelySame(p *partner.Partner, names, acronyms []string) bool {
	for _, t := range p.Texts {
		for _, n := range names {
			if n != "" && t.Name != "" && search.Similarity(n, t.Name) >= duplicateThreshold {
				return true
			}
		}
		for _, a := range acronyms {
			if len([]rune(strings.TrimSpace(a))) >= 2 && search.Fold(a) == search.Fold(t.Acronym) {
				return true
			}
		}
	}
	return false
}
