// Package derived keeps what Pactum derives from partners and agreements — search documents and
// their facet tokens, the codes and facet counts of the registry, the report cells and cubes, the
// partners' filter cells and figures — in step with them. Partner and agreement writes tell it
// what changed (before and after) inside their transaction and never derive anything themselves,
// nor call each other: a partner renamed re-derives its agreements here.
package derived

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// Loader reads stored agreements with everything that belongs to them, in the order of ids: the
// agreements room's reader, which the writer needs to derive agreements again when something
// they show changes (a party's name or type, a merge of partners).
type Loader func(ctx context.Context, q sqldb.Querier, ids []int64) ([]*agreement.Agreement, error)

// Writer derives, inside one transaction, what the partners and agreements it is told about
// show elsewhere. Its statements are prepared once per transaction and kind, so that a bulk load
// costs one parse per statement. Call Flush once before the transaction commits.
type Writer struct {
	tx   *sqldb.Tx
	load Loader
	a    *agreementStatements
	p    *partnerStatements
	// parties caches what documents need of the partners that agreements name.
	parties map[int64]partyInfo
	// counts are the changes to agreement_facet_counts, cells those to the report cells; figures
	// holds the partners whose agreement figures must be computed again.
	counts  map[facetKey]int
	cells   reportCells
	figures map[int64]bool
	// figuresInOnePass computes the figures from one pass over every agreement: after a bulk import.
	figuresInOnePass bool
	// documents are search documents of a bulk import waiting to be written, as (id, document)
	// pairs (see IndexBulk).
	documents []any
}

// NewWriter returns a writer for the transaction tx; load reads agreements when they must be
// derived again.
func NewWriter(tx *sqldb.Tx, load Loader) *Writer {
	return &Writer{tx: tx, load: load, parties: map[int64]partyInfo{}, counts: map[facetKey]int{}, cells: newReportCells(),
		figures: map[int64]bool{}}
}

type agreementStatements struct {
	unindex, index, codes, uncodes, readCodes *sql.Stmt
}

type partnerStatements struct {
	unindex, index, unsort, sort, codes *sql.Stmt
}

// prepareAll prepares queries into the statements they point at, closing those it prepared when
// one fails.
func prepareAll(ctx context.Context, tx *sqldb.Tx, statements map[**sql.Stmt]string) error {
	for stmt, query := range statements {
		s, err := tx.Prepare(ctx, query)
		if err != nil {
			for prepared := range statements {
				if *prepared != nil {
					(*prepared).Close()
				}
			}
			return err
		}
		*stmt = s
	}
	return nil
}

func (w *Writer) agreementStatements(ctx context.Context) error {
	if w.a != nil {
		return nil
	}
	s := &agreementStatements{}
	indexSQL := w.tx.Dialect().IndexDocument("agreement_search", "agreement_id")
	err := prepareAll(ctx, w.tx, map[**sql.Stmt]string{
		&s.unindex:   indexSQL[0],
		&s.index:     indexSQL[1],
		&s.codes:     "INSERT INTO agreement_codes (agreement_id, codes, cells) VALUES (?, ?, ?)",
		&s.uncodes:   "DELETE FROM agreement_codes WHERE agreement_id = ?",
		&s.readCodes: "SELECT codes, cells FROM agreement_codes WHERE agreement_id = ?",
	})
	if err != nil {
		return fmt.Errorf("prepare agreement index statements: %w", err)
	}
	w.a = s
	return nil
}

func (w *Writer) partnerStatements(ctx context.Context) error {
	if w.p != nil {
		return nil
	}
	s := &partnerStatements{}
	indexSQL := w.tx.Dialect().IndexDocument("partner_search", "partner_id")
	err := prepareAll(ctx, w.tx, map[**sql.Stmt]string{
		&s.unindex: indexSQL[0],
		&s.index:   indexSQL[1],
		&s.unsort:  "DELETE FROM partner_sort WHERE partner_id = ?",
		&s.sort:    "INSERT INTO partner_sort (partner_id, lang, sort_name) VALUES (?, ?, ?)",
		&s.codes:   w.tx.Dialect().UpsertPartnerCodes(),
	})
	if err != nil {
		return fmt.Errorf("prepare partner index statements: %w", err)
	}
	w.p = s
	return nil
}

// Close closes the writer's statements.
func (w *Writer) Close() {
	var list []*sql.Stmt
	if w.a != nil {
		list = append(list, w.a.unindex, w.a.index, w.a.codes, w.a.uncodes, w.a.readCodes)
	}
	if w.p != nil {
		list = append(list, w.p.unindex, w.p.index, w.p.unsort, w.p.sort, w.p.codes)
	}
	for _, s := range list {
		s.Close()
	}
}

// Agreement derives an agreement that changed from before to after: before nil when it was
// created (or restored), after nil when it was deleted. What before was indexed with is taken
// out by the codes it was indexed with; after, when live, is indexed. The figures of the
// partners of both are computed again at Flush.
func (w *Writer) Agreement(ctx context.Context, before, after *agreement.Agreement) error {
	if err := w.agreementStatements(ctx); err != nil {
		return err
	}
	for _, a := range []*agreement.Agreement{before, after} {
		if a != nil {
			for _, p := range a.Parties {
				w.figures[p.PartnerID] = true
			}
		}
	}
	if before != nil {
		if err := w.remove(ctx, before.ID); err != nil {
			return err
		}
	}
	if after != nil && !after.Deleted() {
		return w.add(ctx, after)
	}
	return nil
}

// Partner derives a partner that changed from before to after (before nil when it was created):
// its search document, sort names and codes, with its due-diligence status as stored; when a
// name, an acronym or its type changed, the documents and facets of its agreements too.
func (w *Writer) Partner(ctx context.Context, before, after *partner.Partner) error {
	if err := w.partnerStatements(ctx); err != nil {
		return err
	}
	if err := w.indexPartner(ctx, after, before != nil); err != nil {
		return err
	}
	if before == nil || !namesOrTypeChanged(before, after) {
		return nil
	}
	ids, err := sqldb.QueryIDs(ctx, w.tx, "SELECT agreement_id FROM agreement_parties WHERE partner_id = ? ORDER BY agreement_id", after.ID)
	if err != nil {
		return fmt.Errorf("agreements of partner %d: %w", after.ID, err)
	}
	delete(w.parties, after.ID)
	return w.Agreements(ctx, ids)
}

// namesOrTypeChanged reports whether a change of a partner shows in its agreements' search
// documents and facets: a name or acronym in some language, or the type.
func namesOrTypeChanged(before, after *partner.Partner) bool {
	if before.Type != after.Type {
		return true
	}
	for _, lang := range reference.Languages {
		b, a := before.Texts[lang], after.Texts[lang]
		if b.Name != a.Name || b.Acronym != a.Acronym {
			return true
		}
	}
	return false
}

// Agreements derives the agreements ids again as stored, after something they show changed
// outside them (a party's name or type, a merge of partners), and marks them as indexed with the
// current version of their search document.
func (w *Writer) Agreements(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := w.agreementStatements(ctx); err != nil {
		return err
	}
	for start := 0; start < len(ids); start += 500 {
		batch, err := w.load(ctx, w.tx, ids[start:min(start+500, len(ids))])
		if err != nil {
			return err
		}
		for _, a := range batch {
			if err := w.remove(ctx, a.ID); err != nil {
				return err
			}
			if a.Deleted() {
				continue
			}
			if err := w.add(ctx, a); err != nil {
				return err
			}
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{AgreementSearchVersion}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := w.tx.Exec(ctx, "UPDATE agreements SET search_version = ? WHERE id IN ("+sqldb.Placeholders(len(chunk))+")", args...); err != nil {
			return fmt.Errorf("reindex agreements: %w", err)
		}
	}
	return nil
}

// Rederive derives the agreements ids again as stored, in tx, and writes what that adds up to:
// after a merge of partners, or at start for agreements indexed by an older search document.
func Rederive(ctx context.Context, tx *sqldb.Tx, load Loader, ids []int64) error {
	w := NewWriter(tx, load)
	defer w.Close()
	if err := w.Agreements(ctx, ids); err != nil {
		return err
	}
	return w.Flush(ctx)
}

// PartnerFigures asks Flush to compute again the agreement figures of the partners ids (a merge
// moved agreements to one).
func (w *Writer) PartnerFigures(ids ...int64) {
	for _, id := range ids {
		w.figures[id] = true
	}
}

// Flush writes what the changes told so far add up to: the facet counts, the report cells, the
// partners' figures; call it once before the transaction commits.
func (w *Writer) Flush(ctx context.Context) error {
	if w.a != nil {
		if err := w.flushAgreements(ctx); err != nil {
			return err
		}
	}
	if len(w.figures) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(w.figures))
	for id := range w.figures {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	clear(w.figures)
	if w.figuresInOnePass {
		return refreshPartnerStatsInOnePass(ctx, w.tx, ids)
	}
	return refreshPartnerStats(ctx, w.tx, ids)
}

// partyInfoOf returns the type and names of the partners ids, reading those not seen before.
func (w *Writer) partyInfoOf(ctx context.Context, ids []int64) (map[int64]partyInfo, error) {
	var missing []any
	for _, id := range ids {
		if _, ok := w.parties[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		in := "(" + sqldb.Placeholders(len(missing)) + ")"
		rows, err := w.tx.Query(ctx, `SELECT id, type_code, name, acronym FROM partners WHERE id IN `+in+`
			UNION ALL SELECT partner_id, '', name, acronym FROM partner_translations WHERE partner_id IN `+in,
			append(missing, missing...)...)
		if err != nil {
			return nil, fmt.Errorf("read parties: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var partnerType, name, acronym string
			if err := rows.Scan(&id, &partnerType, &name, &acronym); err != nil {
				return nil, fmt.Errorf("read parties: %w", err)
			}
			info := w.parties[id]
			if partnerType != "" {
				info.partnerType = partnerType
			}
			info.names = append(info.names, name, acronym)
			w.parties[id] = info
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read parties: %w", err)
		}
	}
	out := make(map[int64]partyInfo, len(ids))
	for _, id := range ids {
		info, ok := w.parties[id]
		if !ok {
			return nil, apperr.FieldErrors{"parties": apperr.Msg("partner.error.not_found", "key", strconv.FormatInt(id, 10))}.Err()
		}
		out[id] = info
	}
	return out, nil
}

// add puts a live agreement into the search index, agreement_codes, the facet counts and the
// report cells.
func (w *Writer) add(ctx context.Context, a *agreement.Agreement) error {
	ids := make([]int64, len(a.Parties))
	for i, p := range a.Parties {
		ids[i] = p.PartnerID
	}
	parties, err := w.partyInfoOf(ctx, ids)
	if err != nil {
		return err
	}
	facets := agreementFacets(a, parties)
	if _, err := w.a.index.ExecContext(ctx, a.ID, agreementDocument(a, facets, parties)); err != nil {
		return fmt.Errorf("index agreement %s: %w", a.Reference, err)
	}
	cells := ""
	if part, ok := reportPartOf(a, parties); ok {
		part.addTo(w.cells, 1)
		cells = part.String()
	}
	if _, err := w.a.codes.ExecContext(ctx, a.ID, joinCodes(facets, a.OfficerID), cells); err != nil {
		return fmt.Errorf("index agreement %s: %w", a.Reference, err)
	}
	w.count(facets, a.Confidential, 1)
	return nil
}

// remove takes an agreement out of the search index, agreement_codes, the facet counts and the
// report cells, by the codes and cells it was indexed with. An agreement never indexed (deleted) is left as it is.
func (w *Writer) remove(ctx context.Context, id int64) error {
	var codes, cells string
	err := w.a.readCodes.QueryRowContext(ctx, id).Scan(&codes, &cells)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unindex agreement %d: %w", id, err)
	}
	facets := SplitCodes(codes)
	w.count(facets, slices.Contains(facets[slices.Index(agreement.Facets, agreement.FacetConfidential)], "yes"), -1)
	if part, ok := ParseReportPart(cells); ok {
		part.addTo(w.cells, -1)
	}
	if _, err := w.a.unindex.ExecContext(ctx, id); err != nil {
		return fmt.Errorf("unindex agreement %d: %w", id, err)
	}
	if _, err := w.a.uncodes.ExecContext(ctx, id); err != nil {
		return fmt.Errorf("unindex agreement %d: %w", id, err)
	}
	return nil
}

func (w *Writer) count(facets [][]string, confidential bool, delta int) {
	for i, facet := range agreement.Facets {
		for _, c := range facets[i] {
			w.counts[facetKey{facet, c, confidential}] += delta
		}
	}
}

// flushAgreements writes the changes to the facet counts and the report cells, and tells the servers'
// copies of agreement_codes that it may have changed.
func (w *Writer) flushAgreements(ctx context.Context) error {
	keys := make([]facetKey, 0, len(w.counts))
	for k, n := range w.counts {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	// One order for every writer, so that concurrent PostgreSQL transactions lock rows alike.
	slices.SortFunc(keys, func(a, b facetKey) int {
		return strings.Compare(a.facet+"|"+a.code+"|"+YesNo(a.confidential), b.facet+"|"+b.code+"|"+YesNo(b.confidential))
	})
	for _, k := range keys {
		if _, err := w.tx.Exec(ctx, `INSERT INTO agreement_facet_counts (facet, code, confidential, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (facet, code, confidential) DO UPDATE SET n = agreement_facet_counts.n + excluded.n`,
			k.facet, k.code, k.confidential, w.counts[k]); err != nil {
			return fmt.Errorf("count agreement facets: %w", err)
		}
	}
	clear(w.counts)
	if w.tx.Dialect().MemoizesCodes() {
		if _, err := w.tx.Exec(ctx, "UPDATE agreement_codes_generation SET generation = generation + 1"); err != nil {
			return fmt.Errorf("raise the generation of agreement codes: %w", err)
		}
	}
	return flushCells(ctx, w.tx, w.cells)
}
