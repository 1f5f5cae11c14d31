package derived

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/store/sqldb"
)

// IndexEntry is what the search index and agreement_codes hold of an agreement.
type IndexEntry struct {
	facets                 [][]string
	codes, document, cells string
	part                   ReportPart
	signed                 bool
}

// indexEntries makes the index entries of agreements, as agreementWriter.add does.
func indexEntries(list []*agreement.Agreement, parties map[int64]partyInfo) []IndexEntry {
	entries := make([]IndexEntry, len(list))
	for i, a := range list {
		facets := agreementFacets(a, parties)
		entries[i] = IndexEntry{facets: facets, codes: joinCodes(facets, a.OfficerID), document: agreementDocument(a, facets, parties)}
		if part, ok := reportPartOf(a, parties); ok {
			entries[i].part, entries[i].signed, entries[i].cells = part, true, part.String()
		}
	}
	return entries
}

// searchDocumentsAtOnce is how many search documents an import writes in one statement: SQLite's
// FTS5 writes its pending entries to disk as a segment of its index before every statement that
// may need rolling back, and merges the segments when a level of the index holds too many (see
// dialect.BulkSearch), so an import holds the documents of several batches and writes them
// together. Twice this is at most sqldb.MaxChunkParams, and a power of two: sqldb.Chunks writes them in one
// statement.
const searchDocumentsAtOnce = 4096

// PendingCellsAtMost is how many changed report cells an import keeps, on a database with one
// writer, before it writes them: a million agreements of 100,000 partners change millions of
// cells of partner_filter_cells, which would otherwise be held until the import ends. Each write
// of them takes seconds (a cell touched again is written again), so the bound is as high as the
// import's 256 MB allow (docs/performance.md). A variable, so that a test can take this path with
// a small file.
var PendingCellsAtMost = 1 << 19

// IndexBulk puts written agreements into agreement_codes, the facet counts, the report cells and the
// search index, taking the updated ones out first, as agreementWriter.remove and add do one by one.
func (w *Writer) IndexBulk(ctx context.Context, chunks *sqldb.Chunks, written, updated []*agreement.Agreement, entries []IndexEntry) error {
	if len(updated) > 0 {
		ids := make([]any, len(updated))
		for i, a := range updated {
			ids[i] = a.ID
			var codes, cells string
			if err := w.a.readCodes.QueryRowContext(ctx, a.ID).Scan(&codes, &cells); err != nil {
				return fmt.Errorf("unindex agreement %s: %w", a.Reference, err)
			}
			facets := SplitCodes(codes)
			w.count(facets, slices.Contains(facets[slices.Index(agreement.Facets, agreement.FacetConfidential)], "yes"), -1)
			if part, ok := ParseReportPart(cells); ok {
				part.addTo(w.cells, -1)
			}
		}
		if _, err := w.tx.Exec(ctx, "DELETE FROM agreement_codes WHERE agreement_id IN ("+sqldb.Placeholders(len(ids))+")", ids...); err != nil {
			return fmt.Errorf("unindex agreements: %w", err)
		}
	}
	codes := make([]any, 0, 3*len(written))
	for i, a := range written {
		codes = append(codes, a.ID, entries[i].codes, entries[i].cells)
		w.documents = append(w.documents, a.ID, entries[i].document)
		w.count(entries[i].facets, a.Confidential, 1)
		if entries[i].signed {
			entries[i].part.addTo(w.cells, 1)
		}
	}
	if err := chunks.Exec(ctx, "INSERT INTO agreement_codes (agreement_id, codes, cells)", 3, codes); err != nil {
		return err
	}
	if w.tx.Dialect().OneWriter() && w.cells.pending() > PendingCellsAtMost {
		if err := flushCells(ctx, w.tx, w.cells); err != nil {
			return err
		}
	}
	for _, a := range updated {
		if _, err := w.a.unindex.ExecContext(ctx, a.ID); err != nil {
			return fmt.Errorf("unindex agreement %s: %w", a.Reference, err)
		}
	}
	// The documents of updated agreements were taken out above, and these are written once
	// (a file names an agreement once), so writing them later is as writing them now.
	for len(w.documents) >= 2*searchDocumentsAtOnce {
		if err := w.writeDocuments(ctx, chunks, searchDocumentsAtOnce); err != nil {
			return err
		}
	}
	return nil
}

// writeDocuments writes the first n search documents waiting to be written.
func (w *Writer) writeDocuments(ctx context.Context, chunks *sqldb.Chunks, n int) error {
	// The dialect's statement for one document, written for many: INSERT INTO agreement_search
	// (rowid or agreement_id, document) VALUES (?, ?).
	insert := strings.TrimSuffix(w.tx.Dialect().IndexDocument("agreement_search", "agreement_id")[1], " VALUES (?, ?)")
	if err := chunks.Exec(ctx, insert, 2, w.documents[:2*n]); err != nil {
		return err
	}
	rest := copy(w.documents, w.documents[2*n:])
	clear(w.documents[rest:])
	w.documents = w.documents[:rest]
	return nil
}

// WriteDocuments writes the search documents IndexBulk keeps waiting; call it at the end of a
// bulk import, before Flush.
func (w *Writer) WriteDocuments(ctx context.Context, chunks *sqldb.Chunks) error {
	return w.writeDocuments(ctx, chunks, len(w.documents)/2)
}

// EntriesOf reads what the search documents of agreements need of their parties, then makes
// their index entries on another goroutine: a bulk import makes them while the database writes
// the rows (they are a fifth of its time), from fields of the agreements the writes leave alone.
func (w *Writer) EntriesOf(ctx context.Context, list []*agreement.Agreement) (<-chan []IndexEntry, error) {
	if err := w.agreementStatements(ctx); err != nil {
		return nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, a := range list {
		for _, p := range a.Parties {
			if !seen[p.PartnerID] {
				seen[p.PartnerID] = true
				ids = append(ids, p.PartnerID)
			}
			w.figures[p.PartnerID] = true
		}
	}
	parties, err := w.partyInfoOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(chan []IndexEntry, 1)
	go func() { out <- indexEntries(list, parties) }()
	return out, nil
}

// FiguresInOnePass has Flush compute the partners' figures from one pass over every agreement,
// cheaper after a bulk import than reading each partner's agreements where they lie.
func (w *Writer) FiguresInOnePass() { w.figuresInOnePass = true }
