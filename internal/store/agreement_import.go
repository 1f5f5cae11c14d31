package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// maxImportParams bounds the placeholders of one multi-row INSERT, well under what SQLite
// (32,766) and PostgreSQL (65,535) take.
const maxImportParams = 12_000

// bulkAfter is how many agreements an import writes, at least, before it puts off merging the
// search index's segments to the end (see dialect.BulkSearch). It does so only once it has written
// more agreements than were stored: the final merge rewrites the whole index.
const bulkAfter = 10_000

// searchDocumentsAtOnce is how many search documents an import writes in one statement: SQLite's
// FTS5 writes its pending entries to disk as a segment of its index before every statement that
// may need rolling back, and merges the segments when a level of the index holds too many (see
// dialect.BulkSearch), so an import holds the documents of several batches and writes them
// together. Twice this is at most maxImportParams, and a power of two: eachChunk writes them in one
// statement.
const searchDocumentsAtOnce = 4096

// bulkIndexesAfter is how many agreements an import writes, at least, before it drops the
// secondary indexes of importTables and creates them again at its end, in its transaction: an
// index is then built by one sort instead of by as many insertions at places in no order into a
// b-tree that outgrows the page cache (docs/performance.md). It does so only once it has written
// more agreements than were stored, since building an index reads its whole table. A variable,
// so that a test can take this path with a small file.
var bulkIndexesAfter = 50_000

// pendingCellsAtMost is how many changed report cells an import keeps, on a database with one
// writer, before it writes them: a million agreements of 100,000 partners change millions of
// cells of partner_filter_cells, which would otherwise be held until the import ends. Each write
// of them takes seconds (a cell touched again is written again), so the bound is as high as the
// import's 256 MB allow (docs/performance.md). A variable, so that a test can take this path with
// a small file.
var pendingCellsAtMost = 1 << 19

// importTables are the tables an import writes rows into for each agreement. None of its steps
// reads their secondary indexes: it finds agreements by reference (a unique key) and by id, and
// their titles and lists by agreement id (their primary keys).
var importTables = []string{"agreements", "agreement_translations", "agreement_parties", "agreement_regions",
	"agreement_countries", "agreement_action_areas", "agreement_codes"}

// AgreementImportSummary is what an agreement import did: its counts, and the references of the
// first agreements it created and updated.
type AgreementImportSummary struct {
	Created, Updated, Unchanged int
	CreatedRefs, UpdatedRefs    []string
}

// AgreementImport writes an agreement file inside the one transaction of ImportAgreements.
// internal/importer drives it: it reads the file, asks the import what its rows name — so that it
// sees the agreements written earlier in the same file — and hands it the rows to write, batch by
// batch, so that a file of a million rows is streamed rather than held in memory.
type AgreementImport struct {
	tx  *sqldb.Tx
	w   *agreementWriter
	now time.Time
	// stmts are the prepared multi-row INSERTs of the import, by their text and number of rows
	// (see eachChunk): each is prepared once and reused for every batch.
	stmts    map[chunkStmt]*sql.Stmt
	update   *sql.Stmt
	partners map[int64]bool // partners whose figures the import changes
	// documents are the search documents written agreements wait for, as (id, document) pairs:
	// the import writes them searchDocumentsAtOnce at a time, and the last before it ends.
	documents []any
	summary   AgreementImportSummary
	// bulkAfter is how many agreements the import writes before it merges the search index only
	// at the end (bulk).
	bulkAfter int
	bulk      bool
	// indexesAfter is how many agreements the import writes before it writes in bulk
	// (bulkWrite): it drops the indexes of importTables (dropped, which it creates again before
	// it ends) and refreshes the partners' figures in one pass.
	indexesAfter int
	bulkWrite    bool
	dropped      []droppedIndex
}

// droppedIndex is an index a bulk import dropped, and the statement that creates it.
type droppedIndex struct{ name, definition string }

// ImportAgreements runs write in one transaction with an AgreementImport to write through, then
// updates the registry's facet counts and the figures of the partners concerned, and records one
// audit entry for the import (action import, entity agreement_import, the file's name as key)
// unless it created and updated nothing. job, nil outside an import job, is the claimed job this
// is: the import marks it done in its own transaction.
// Every agreement of the file is written, or none: write returning an error rolls everything back.
//
// On SQLite the transaction holds the write connection for its duration (about a minute for a
// million rows, docs/performance.md), during which other writers wait.
func (db *DB) ImportAgreements(ctx context.Context, file string, job *ImportJob, write func(ctx context.Context, imp *AgreementImport) error) (AgreementImportSummary, error) {
	var summary AgreementImportSummary
	err := db.InTx(ctx, func(tx *sqldb.Tx) (err error) {
		if err := execAll(ctx, tx, tx.Dialect().ImportSettings(true)); err != nil {
			return fmt.Errorf("import agreements: %w", err)
		}
		defer func() {
			// The connection serves every writer after the import, whether or not it failed.
			if reset := execAll(context.WithoutCancel(ctx), tx, tx.Dialect().ImportSettings(false)); reset != nil && err == nil {
				err = fmt.Errorf("import agreements: %w", reset)
			}
		}()
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		imp := &AgreementImport{tx: tx, w: w, now: time.Now().UTC(), stmts: map[chunkStmt]*sql.Stmt{}, partners: map[int64]bool{}}
		defer imp.close()
		var stored int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM agreement_codes").Scan(&stored); err != nil {
			return fmt.Errorf("import agreements: %w", err)
		}
		imp.bulkAfter, imp.indexesAfter = max(stored, bulkAfter), max(stored, bulkIndexesAfter)

		if err := write(ctx, imp); err != nil {
			return err
		}
		if err := imp.writeDocuments(ctx, len(imp.documents)/2); err != nil {
			return err
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		ids := make([]int64, 0, len(imp.partners))
		for id := range imp.partners {
			ids = append(ids, id)
		}
		refresh := refreshPartnerStats
		if imp.bulkWrite {
			refresh = refreshPartnerStatsInOnePass
		}
		if err := refresh(ctx, tx, ids); err != nil {
			return err
		}
		if err := imp.createIndexes(ctx); err != nil {
			return err
		}
		if imp.bulk {
			if err := imp.searchMerges(ctx, false); err != nil {
				return err
			}
		}
		s := imp.summary
		summary = s
		if job != nil {
			if err := finishImportJob(ctx, tx, job, s.Created, s.Updated, s.Unchanged); err != nil {
				return err
			}
		}
		if s.Created+s.Updated == 0 {
			return nil // a file that changes nothing leaves no trace, as partner and rate imports do
		}
		return tx.Audit(ctx, audit.ActionImport, "agreement_import", file, audit.Changes{
			"created":      {After: s.Created},
			"updated":      {After: s.Updated},
			"unchanged":    {After: s.Unchanged},
			"created_refs": {After: s.CreatedRefs},
			"updated_refs": {After: s.UpdatedRefs},
		})
	})
	return summary, err
}

// execAll runs statements one after the other.
func execAll(ctx context.Context, tx *sqldb.Tx, statements []string) error {
	for _, stmt := range statements {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

func (imp *AgreementImport) close() {
	for _, s := range imp.stmts {
		s.Close()
	}
	if imp.update != nil {
		imp.update.Close()
	}
}

// AgreementsByReferences returns the agreements among refs as this transaction sees them.
func (imp *AgreementImport) AgreementsByReferences(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementsByReferences(ctx, imp.tx, refs)
}

// AgreementHeads returns the agreements among refs as this transaction sees them, with what
// DB.AgreementHeads reads of them.
func (imp *AgreementImport) AgreementHeads(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementHeads(ctx, imp.tx, refs)
}

// PartnerIDs returns the ids of the partners among keys as this transaction sees them.
func (imp *AgreementImport) PartnerIDs(ctx context.Context, keys []string) (map[string]int64, error) {
	return partnerIDs(ctx, imp.tx, keys)
}

// OfficerIDs returns the ids of the accounts among usernames that may be responsible for an
// agreement, as this transaction sees them.
func (imp *AgreementImport) OfficerIDs(ctx context.Context, usernames []string) (map[string]int64, error) {
	return officerIDs(ctx, imp.tx, usernames)
}

// WriteAgreements writes a batch of the file: agreements to create, which get their IDs, and
// stored agreements with the file's columns applied, at the version read in this transaction.
// unchanged counts the batch's rows that change nothing.
//
// The search documents of the batch are written with those of the next batches, in one
// statement (searchDocumentsAtOnce).
func (imp *AgreementImport) WriteAgreements(ctx context.Context, creates, updates []*agreement.Agreement, unchanged int) error {
	written := append(creates[:len(creates):len(creates)], updates...)
	// The search documents are written last but made first, on another goroutine, while the
	// database writes the rows: on a large import they take a fifth of the time. They read
	// fields of the agreements that the writes below leave alone (these set IDs and versions).
	parties, err := imp.w.partyInfoOf(ctx, partyIDs(written...))
	if err != nil {
		return err
	}
	documents := make(chan []indexEntry, 1)
	go func() { documents <- indexEntries(written, parties) }()
	err = imp.insertAgreements(ctx, creates)
	if err == nil {
		err = imp.updateAgreements(ctx, updates)
	}
	if err == nil {
		err = imp.insertDetails(ctx, written)
	}
	entries := <-documents
	if err != nil {
		return err
	}
	if err := imp.index(ctx, written, updates, entries); err != nil {
		return err
	}
	for _, a := range written {
		for _, p := range a.Parties {
			imp.partners[p.PartnerID] = true
		}
	}
	s := &imp.summary
	s.Created, s.Updated, s.Unchanged = s.Created+len(creates), s.Updated+len(updates), s.Unchanged+unchanged
	if !imp.bulk && s.Created+s.Updated >= imp.bulkAfter {
		if err := imp.searchMerges(ctx, true); err != nil {
			return err
		}
	}
	if !imp.bulkWrite && s.Created+s.Updated >= imp.indexesAfter {
		if err := imp.dropIndexes(ctx); err != nil {
			return err
		}
	}
	for _, a := range creates {
		if len(s.CreatedRefs) < auditedKeys {
			s.CreatedRefs = append(s.CreatedRefs, a.Reference)
		}
	}
	for _, a := range updates {
		if len(s.UpdatedRefs) < auditedKeys {
			s.UpdatedRefs = append(s.UpdatedRefs, a.Reference)
		}
	}
	return nil
}

// searchMerges puts off the merges of the search index's segments (bulk) or, after a bulk
// import, merges them all in one pass and goes back to merging as usual.
func (imp *AgreementImport) searchMerges(ctx context.Context, bulk bool) error {
	statements := imp.tx.Dialect().BulkSearch("agreement_search", bulk)
	if !bulk {
		if optimize := imp.tx.Dialect().OptimizeSearch("agreement_search"); optimize != "" {
			statements = append(statements, optimize)
		}
	}
	for _, stmt := range statements {
		if _, err := imp.tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("import agreements: search index: %w", err)
		}
	}
	imp.bulk = bulk
	return nil
}

// refreshPartnerStatsInOnePass sets the figures of the partners ids as refreshPartnerStats does,
// from one grouped pass over the parties of every agreement in the order they are stored: after a
// bulk import, cheaper than reading each partner's agreements where they lie (a tenth of the time
// of an import of a million rows).
func refreshPartnerStatsInOnePass(ctx context.Context, tx *sqldb.Tx, ids []int64) error {
	type figures struct {
		count, value int64
		last         civil.Date
	}
	byPartner := make(map[int64]figures, len(ids))
	err := sqldb.EachRowOf(ctx, tx, `SELECT ap.partner_id, `+partnerFigures+`
		FROM agreement_parties ap JOIN agreements a ON a.id = ap.agreement_id
		WHERE a.deleted_at IS NULL GROUP BY ap.partner_id`, []any{reference.AgreementTypeAmendment},
		func(scan func(...any) error) error {
			var id int64
			var f figures
			err := scan(&id, &f.count, &f.value, &f.last)
			byPartner[id] = f
			return err
		})
	if err != nil {
		return fmt.Errorf("refresh partner figures: %w", err)
	}
	update, err := tx.Prepare(ctx, "UPDATE partners SET agreement_count = ?, value_usd_cents = ?, last_signed_on = ? WHERE id = ?")
	if err != nil {
		return fmt.Errorf("refresh partner figures: %w", err)
	}
	defer update.Close()
	// In the order of the ids, so that concurrent PostgreSQL transactions lock rows alike.
	for _, id := range slices.Sorted(slices.Values(ids)) {
		f := byPartner[id] // a partner without agreements left has none of them
		if _, err := update.ExecContext(ctx, f.count, f.value, f.last, id); err != nil {
			return fmt.Errorf("refresh partner figures: %w", err)
		}
	}
	return nil
}

// dropIndexes starts writing in bulk: it drops the indexes of importTables that the database lets
// an import drop (dialect.DroppableIndexes), keeping their definitions as the schema holds them
// for createIndexes.
func (imp *AgreementImport) dropIndexes(ctx context.Context) error {
	imp.bulkWrite = true
	query := imp.tx.Dialect().DroppableIndexes()
	if query == "" {
		return nil
	}
	for _, table := range importTables {
		err := sqldb.EachRowOf(ctx, imp.tx, query, []any{table}, func(scan func(...any) error) error {
			var index droppedIndex
			err := scan(&index.name, &index.definition)
			imp.dropped = append(imp.dropped, index)
			return err
		})
		if err != nil {
			return fmt.Errorf("import agreements: indexes of %s: %w", table, err)
		}
	}
	for _, index := range imp.dropped {
		if _, err := imp.tx.Exec(ctx, `DROP INDEX "`+strings.ReplaceAll(index.name, `"`, `""`)+`"`); err != nil {
			return fmt.Errorf("import agreements: drop index %s: %w", index.name, err)
		}
	}
	return nil
}

// createIndexes creates the indexes dropIndexes dropped, by their definitions.
func (imp *AgreementImport) createIndexes(ctx context.Context) error {
	for _, index := range imp.dropped {
		if _, err := imp.tx.Exec(ctx, index.definition); err != nil {
			return fmt.Errorf("import agreements: create index %s: %w", index.name, err)
		}
	}
	imp.dropped = nil
	return nil
}

// agreementInsertColumns are the columns a new agreement is inserted with, as in
// agreementWriter.insert.
const agreementInsertColumns = `reference, title, type_code, status, signed_on, start_on, end_on, amount_cents, currency_code,
	value_usd_cents, in_kind_usd_cents, primary_action_area_code, amends_id, amendment_kind, framework_id, initiative,
	officer_id, office_code, confidential, notes, search_version, version, created_at, updated_at`

// insertAgreements inserts new agreements with multi-row INSERTs and sets their IDs.
func (imp *AgreementImport) insertAgreements(ctx context.Context, list []*agreement.Agreement) error {
	if len(list) == 0 {
		return nil
	}
	const width = 24
	byRef := make(map[string]*agreement.Agreement, len(list))
	args := make([]any, 0, len(list)*width)
	for _, a := range list {
		byRef[a.Reference] = a
		args = append(args, a.Reference, a.Titles["en"], a.Type, a.Status, a.SignedOn, a.StartOn, a.EndOn, int64(a.Amount),
			a.Currency, int64(a.ValueUSD), int64(a.InKindUSD), a.PrimaryActionArea, sqldb.NullID(a.AmendsID), a.AmendmentKind,
			sqldb.NullID(a.FrameworkID), a.Initiative, sqldb.NullID(a.OfficerID), a.Office, a.Confidential, a.Notes,
			agreementSearchVersion, 1, imp.now, imp.now)
	}
	return imp.eachChunk(ctx, "INSERT INTO agreements ("+agreementInsertColumns+")", width, " RETURNING id, reference", args,
		func(stmt *sql.Stmt, chunk []any) error {
			rows, err := stmt.QueryContext(ctx, chunk...)
			if err != nil {
				if sqldb.IsUniqueViolation(err) {
					// The check found no agreement with these references: one was created meanwhile.
					return &apperr.Error{Code: apperr.Conflict, Message: apperr.Msg("error.changed_meanwhile"), Err: err}
				}
				return fmt.Errorf("import agreements: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var ref string
				if err := rows.Scan(&id, &ref); err != nil {
					return fmt.Errorf("import agreements: %w", err)
				}
				a := byRef[ref]
				a.ID, a.Version, a.CreatedAt, a.UpdatedAt = id, 1, imp.now, imp.now
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("import agreements: %w", err)
			}
			return nil
		})
}

// updateAgreements writes the rows of stored agreements, as UpdateAgreement does, and clears
// their titles and lists for insertDetails to write again. The figures of the partners they
// had are refreshed too.
func (imp *AgreementImport) updateAgreements(ctx context.Context, list []*agreement.Agreement) error {
	if len(list) == 0 {
		return nil
	}
	if imp.update == nil {
		stmt, err := imp.tx.Prepare(ctx, `UPDATE agreements SET title = ?, type_code = ?, status = ?, signed_on = ?, start_on = ?,
			end_on = ?, amount_cents = ?, currency_code = ?, value_usd_cents = ?, in_kind_usd_cents = ?, primary_action_area_code = ?,
			amends_id = ?, amendment_kind = ?, framework_id = ?, initiative = ?, officer_id = ?, office_code = ?, confidential = ?,
			notes = ?, search_version = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND deleted_at IS NULL`)
		if err != nil {
			return fmt.Errorf("import agreements: %w", err)
		}
		imp.update = stmt
	}
	ids := make([]any, len(list))
	for i, a := range list {
		res, err := imp.update.ExecContext(ctx, a.Titles["en"], a.Type, a.Status, a.SignedOn, a.StartOn, a.EndOn, int64(a.Amount),
			a.Currency, int64(a.ValueUSD), int64(a.InKindUSD), a.PrimaryActionArea, sqldb.NullID(a.AmendsID), a.AmendmentKind,
			sqldb.NullID(a.FrameworkID), a.Initiative, sqldb.NullID(a.OfficerID), a.Office, a.Confidential, a.Notes, agreementSearchVersion,
			imp.now, a.ID, a.Version)
		if err != nil {
			return fmt.Errorf("import agreement %s: %w", a.Reference, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return &apperr.Error{Code: apperr.Conflict, Message: apperr.Msg("error.changed_meanwhile"),
				Err: fmt.Errorf("import agreement %s: %d rows at version %d: %v", a.Reference, n, a.Version, err)}
		}
		a.Version, a.UpdatedAt = a.Version+1, imp.now
		ids[i] = a.ID
	}
	in := "(" + sqldb.Placeholders(len(ids)) + ")"
	before, err := sqldb.QueryIDs(ctx, imp.tx, "SELECT partner_id FROM agreement_parties WHERE agreement_id IN "+in, ids...)
	if err != nil {
		return fmt.Errorf("import agreements: %w", err)
	}
	for _, id := range before {
		imp.partners[id] = true
	}
	for _, table := range []string{"agreement_translations", "agreement_parties", "agreement_regions", "agreement_countries",
		"agreement_action_areas"} {
		if _, err := imp.tx.Exec(ctx, "DELETE FROM "+table+" WHERE agreement_id IN "+in, ids...); err != nil {
			return fmt.Errorf("import agreements: %w", err)
		}
	}
	return nil
}

// insertDetails writes the titles and lists of agreements whose rows are written, with the rules
// of agreementWriter.writeDetails: English titles sit in the row, a partner or a country counts
// once, and the primary action area is not among the others.
func (imp *AgreementImport) insertDetails(ctx context.Context, list []*agreement.Agreement) error {
	var titles, parties, regions, countries, areas []any
	for _, a := range list {
		for _, lang := range reference.Languages {
			if title := a.Titles[lang]; lang != "en" && title != "" {
				titles = append(titles, a.ID, lang, title)
			}
		}
		seen := map[int64]bool{}
		for _, p := range a.Parties {
			if !seen[p.PartnerID] {
				seen[p.PartnerID] = true
				parties = append(parties, a.ID, p.PartnerID, p.Role)
			}
		}
		for _, r := range a.Regions {
			regions = append(regions, a.ID, r.Region, r.Share)
		}
		for _, c := range sqldb.Dedupe(a.Countries) {
			countries = append(countries, a.ID, c)
		}
		for _, area := range sqldb.Dedupe(a.OtherActionAreas) {
			if area != a.PrimaryActionArea {
				areas = append(areas, a.ID, area)
			}
		}
	}
	tables := []struct {
		insert string
		width  int
		args   []any
	}{
		{"INSERT INTO agreement_translations (agreement_id, lang, title)", 3, titles},
		{"INSERT INTO agreement_parties (agreement_id, partner_id, role)", 3, parties},
		{"INSERT INTO agreement_regions (agreement_id, region_code, share)", 3, regions},
		{"INSERT INTO agreement_countries (agreement_id, country_code)", 2, countries},
		{"INSERT INTO agreement_action_areas (agreement_id, action_area_code)", 2, areas},
	}
	for _, t := range tables {
		if err := imp.execChunks(ctx, t.insert, t.width, t.args); err != nil {
			return err
		}
	}
	return nil
}

// indexEntry is what the search index and agreement_codes hold of an agreement.
type indexEntry struct {
	facets                 [][]string
	codes, document, cells string
	part                   reportPart
	signed                 bool
}

// indexEntries makes the index entries of agreements, as agreementWriter.add does.
func indexEntries(list []*agreement.Agreement, parties map[int64]partyInfo) []indexEntry {
	entries := make([]indexEntry, len(list))
	for i, a := range list {
		facets := agreementFacets(a, parties)
		entries[i] = indexEntry{facets: facets, codes: joinCodes(facets, a.OfficerID), document: agreementDocument(a, facets, parties)}
		if part, ok := reportPartOf(a, parties); ok {
			entries[i].part, entries[i].signed, entries[i].cells = part, true, part.String()
		}
	}
	return entries
}

// index puts written agreements into agreement_codes, the facet counts, the report cells and the
// search index, taking the updated ones out first, as agreementWriter.remove and add do one by one.
func (imp *AgreementImport) index(ctx context.Context, written, updated []*agreement.Agreement, entries []indexEntry) error {
	w := imp.w
	if len(updated) > 0 {
		ids := make([]any, len(updated))
		for i, a := range updated {
			ids[i] = a.ID
			var codes, cells string
			if err := w.readCodes.QueryRowContext(ctx, a.ID).Scan(&codes, &cells); err != nil {
				return fmt.Errorf("unindex agreement %s: %w", a.Reference, err)
			}
			facets := splitCodes(codes)
			w.count(facets, slices.Contains(facets[slices.Index(agreement.Facets, agreement.FacetConfidential)], "yes"), -1)
			if part, ok := parseReportPart(cells); ok {
				part.addTo(w.cells, -1)
			}
		}
		if _, err := imp.tx.Exec(ctx, "DELETE FROM agreement_codes WHERE agreement_id IN ("+sqldb.Placeholders(len(ids))+")", ids...); err != nil {
			return fmt.Errorf("unindex agreements: %w", err)
		}
	}
	codes := make([]any, 0, 3*len(written))
	for i, a := range written {
		codes = append(codes, a.ID, entries[i].codes, entries[i].cells)
		imp.documents = append(imp.documents, a.ID, entries[i].document)
		w.count(entries[i].facets, a.Confidential, 1)
		if entries[i].signed {
			entries[i].part.addTo(w.cells, 1)
		}
	}
	if err := imp.execChunks(ctx, "INSERT INTO agreement_codes (agreement_id, codes, cells)", 3, codes); err != nil {
		return err
	}
	if imp.tx.Dialect().OneWriter() && w.cells.pending() > pendingCellsAtMost {
		if err := flushCells(ctx, imp.tx, w.cells); err != nil {
			return err
		}
	}
	for _, a := range updated {
		if _, err := w.unindex.ExecContext(ctx, a.ID); err != nil {
			return fmt.Errorf("unindex agreement %s: %w", a.Reference, err)
		}
	}
	// The documents of updated agreements were taken out above, and these are written once
	// (a file names an agreement once), so writing them later is as writing them now.
	for len(imp.documents) >= 2*searchDocumentsAtOnce {
		if err := imp.writeDocuments(ctx, searchDocumentsAtOnce); err != nil {
			return err
		}
	}
	return nil
}

// writeDocuments writes the first n search documents waiting to be written.
func (imp *AgreementImport) writeDocuments(ctx context.Context, n int) error {
	// The dialect's statement for one document, written for many: INSERT INTO agreement_search
	// (rowid or agreement_id, document) VALUES (?, ?).
	insert := strings.TrimSuffix(imp.tx.Dialect().IndexDocument("agreement_search", "agreement_id")[1], " VALUES (?, ?)")
	if err := imp.execChunks(ctx, insert, 2, imp.documents[:2*n]); err != nil {
		return err
	}
	rest := copy(imp.documents, imp.documents[2*n:])
	clear(imp.documents[rest:])
	imp.documents = imp.documents[:rest]
	return nil
}

// execChunks runs a multi-row INSERT for rows of width values, flattened in args.
func (imp *AgreementImport) execChunks(ctx context.Context, insert string, width int, args []any) error {
	return imp.eachChunk(ctx, insert, width, "", args, func(stmt *sql.Stmt, chunk []any) error {
		if _, err := stmt.ExecContext(ctx, chunk...); err != nil {
			return fmt.Errorf("import agreements: %s: %w", insert, err)
		}
		return nil
	})
}

// chunkStmt names a multi-row INSERT: its text before VALUES and after them, and its rows.
type chunkStmt struct {
	insert, suffix string
	rows           int
}

// eachChunk cuts args (rows of width values) into chunks and calls fn with each chunk and the
// statement "insert VALUES (?, …), … suffix" that takes it. A chunk has at most maxImportParams
// values and a number of rows that is a power of two, or the most that maxImportParams allows:
// so an import prepares a dozen statements per table whatever the sizes of its batches, instead
// of one per batch. Preparing a statement of thousands of placeholders costs as much as running
// it, and database/sql keeps every statement prepared in a transaction until the transaction
// ends: an import of a million rows prepared 6,000 of them, and held 90 MB of their texts.
func (imp *AgreementImport) eachChunk(ctx context.Context, insert string, width int, suffix string, args []any,
	fn func(stmt *sql.Stmt, chunk []any) error) error {
	most := maxImportParams / width
	for start := 0; start < len(args); {
		rows := min(most, 1<<(bits.Len(uint((len(args)-start)/width))-1))
		chunk := args[start : start+rows*width]
		start += len(chunk)
		key := chunkStmt{insert, suffix, rows}
		stmt, ok := imp.stmts[key]
		if !ok {
			row := "(" + sqldb.Placeholders(width) + ")"
			var err error
			if stmt, err = imp.tx.Prepare(ctx, insert+" VALUES "+strings.Repeat(row+", ", rows-1)+row+suffix); err != nil {
				return fmt.Errorf("import agreements: prepare %s: %w", insert, err)
			}
			imp.stmts[key] = stmt
		}
		if err := fn(stmt, chunk); err != nil {
			return err
		}
	}
	return nil
}

// AgreementsByReferences returns the stored agreements among refs, deleted ones included, with
// their titles and lists, by reference.
func (db *DB) AgreementsByReferences(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementsByReferences(ctx, db, refs)
}

func agreementsByReferences(ctx context.Context, q sqldb.Querier, refs []string) (map[string]*agreement.Agreement, error) {
	found := make(map[string]*agreement.Agreement, len(refs))
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		ids, err := sqldb.QueryIDs(ctx, q, "SELECT id FROM agreements WHERE reference IN ("+sqldb.Placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("agreements by reference: %w", err)
		}
		if len(ids) == 0 {
			continue
		}
		list, err := agreementsByIDs(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			found[a.Reference] = a
		}
	}
	return found, nil
}

// AgreementHeads returns the stored agreements among refs, deleted ones included, by reference,
// with their ID, reference, type, deletion, confidentiality and officer only: what following a
// link to one (an amendment's, an interaction's, an import row's) needs of it, including whether
// the reader may see it (agreement.CanSee), without reading its titles and lists.
func (db *DB) AgreementHeads(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	return agreementHeads(ctx, db, refs)
}

func agreementHeads(ctx context.Context, q sqldb.Querier, refs []string) (map[string]*agreement.Agreement, error) {
	found := make(map[string]*agreement.Agreement, len(refs))
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r
		}
		err := sqldb.EachRowOf(ctx, q, `SELECT id, reference, type_code, deleted_at, confidential, officer_id FROM agreements
			WHERE reference IN (`+sqldb.Placeholders(len(chunk))+")",
			args, func(scan func(...any) error) error {
				a := &agreement.Agreement{}
				var deletedAt sql.NullTime
				var officer sql.NullInt64
				if err := scan(&a.ID, &a.Reference, &a.Type, &deletedAt, &a.Confidential, &officer); err != nil {
					return err
				}
				a.DeletedAt, a.OfficerID = deletedAt.Time, officer.Int64
				found[a.Reference] = a
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("agreement heads: %w", err)
		}
	}
	return found, nil
}

// PartnerIDs returns the ids of the partners among keys, by key.
func (db *DB) PartnerIDs(ctx context.Context, keys []string) (map[string]int64, error) {
	return partnerIDs(ctx, db, keys)
}

func partnerIDs(ctx context.Context, q sqldb.Querier, keys []string) (map[string]int64, error) {
	return idsByName(ctx, q, "SELECT key, id FROM partners WHERE key IN ", keys)
}

// officerRoles are the roles of the accounts that may be responsible for an agreement.
const officerRoles = "'admin', 'officer', 'regional_officer'"

// OfficerIDs returns the ids of the active accounts among usernames that may be responsible for
// an agreement (administrators, officers and regional officers), by user name.
func (db *DB) OfficerIDs(ctx context.Context, usernames []string) (map[string]int64, error) {
	return officerIDs(ctx, db, usernames)
}

func officerIDs(ctx context.Context, q sqldb.Querier, usernames []string) (map[string]int64, error) {
	return idsByName(ctx, q, "SELECT username, id FROM users WHERE active AND role IN ("+officerRoles+") AND username IN ", usernames)
}

// idsByName runs query, which selects (name, id) and ends with "IN ", for names in chunks.
func idsByName(ctx context.Context, q sqldb.Querier, query string, names []string) (map[string]int64, error) {
	found := make(map[string]int64, len(names))
	for start := 0; start < len(names); start += 500 {
		chunk := names[start:min(start+500, len(names))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		err := sqldb.EachRowOf(ctx, q, query+"("+sqldb.Placeholders(len(chunk))+")", args, func(scan func(...any) error) error {
			var name string
			var id int64
			err := scan(&name, &id)
			found[name] = id
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("look up ids: %w", err)
		}
	}
	return found, nil
}
