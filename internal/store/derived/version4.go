package derived

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/store/sqldb"
)

// This file keeps what version 4 of the agreement search document wrote, so that tests of the
// re-index at start, which brings older databases up to AgreementSearchVersion, have a database
// of that version to start from.

// IndexAgreementsAsVersion4 makes the database hold what a database of agreement search
// version 4 (before the office facet) holds: every live agreement's search document without an
// office token, its row of agreement_codes without the office field, the facet counts without
// the office facet, and every agreement marked as indexed with version 4. Tests use it to check
// the re-index that runs at start when agreementSearchVersion is raised.
func IndexAgreementsAsVersion4(ctx context.Context, db *sqldb.DB, load Loader) error {
	office := slices.Index(agreement.Facets, agreement.FacetOffice)
	// A row of agreement_codes of version 4: the codes of these facets, then the officer's id.
	version4 := []string{agreement.FacetType, agreement.FacetStatus, agreement.FacetYear, agreement.FacetRegion,
		agreement.FacetCountry, agreement.FacetActionArea, agreement.FacetPartner, agreement.FacetPartnerType,
		agreement.FacetValue, agreement.FacetConfidential}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		ids, err := sqldb.QueryIDs(ctx, tx, "SELECT id FROM agreements WHERE deleted_at IS NULL ORDER BY id")
		if err != nil {
			return err
		}
		w := NewWriter(tx, load)
		defer w.Close()
		if err := w.agreementStatements(ctx); err != nil {
			return err
		}
		list, err := load(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, a := range list {
			if err := w.remove(ctx, a.ID); err != nil {
				return err
			}
			parties, err := w.partyInfoOf(ctx, partyIDsOf(a))
			if err != nil {
				return err
			}
			facets := agreementFacets(a, parties)
			facets[office] = nil
			if _, err := w.a.index.ExecContext(ctx, a.ID, agreementDocument(a, facets, parties)); err != nil {
				return err
			}
			cells := ""
			if part, ok := reportPartOf(a, parties); ok {
				part.addTo(w.cells, 1)
				cells = part.String()
			}
			var fields []string
			for _, facet := range version4 {
				fields = append(fields, strings.Join(facets[slices.Index(agreement.Facets, facet)], ","))
			}
			row := strings.Join(append(fields, strconv.FormatInt(a.OfficerID, 10)), "|")
			if _, err := w.a.codes.ExecContext(ctx, a.ID, row, cells); err != nil {
				return err
			}
			w.count(facets, a.Confidential, 1)
		}
		if err := w.flushAgreements(ctx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM agreement_facet_counts WHERE facet = ?", agreement.FacetOffice); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE agreements SET search_version = 4")
		return err
	})
}

// partyIDsOf returns the partners party to a, each once.
func partyIDsOf(a *agreement.Agreement) []int64 {
	var ids []int64
	for _, p := range a.Parties {
		if !slices.Contains(ids, p.PartnerID) {
			ids = append(ids, p.PartnerID)
		}
	}
	return ids
}
