package agreements

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// bulkAfter is how many agreements an import writes, at least, before it puts off merging the
// search index's segments to the end (see dialect.BulkSearch). It does so only once it has written
// more agreements than were stored: the final merge rewrites the whole index.
const bulkAfter = 10_000

// BulkIndexesAfter is how many agreements an import writes, at least, before it drops the
// secondary indexes of importTables and creates them again at its end, in its transaction: an
// index is then built by one sort instead of by as many insertions at places in no order into a
// b-tree that outgrows the page cache (docs/performance.md). It does so only once it has written
// more agreements than were stored, since building an index reads its whole table. A variable,
// so that a test can take this path with a small file.
var BulkIndexesAfter = 50_000

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

// AgreementImport writes an agreement file inside one transaction (store.BeginAgreementImport).
// internal/importer drives it: it reads the file, asks the import what its rows name — so that it
// sees the agreements written earlier in the same file — and hands it the rows to write, batch by
// batch, so that a file of a million rows is streamed rather than held in memory. The store never
// calls the importer: the importer calls the import, then its owner calls Finish and Close.
type AgreementImport struct {
	tx   *sqldb.Tx
	file string
	now  time.Time
	// resetCtx outlives the import's context, for giving the connection its settings back.
	resetCtx context.Context
	// derived keeps the search index, codes, counts, cells and partners' figures in step.
	derived *derived.Writer
	// chunks are the prepared multi-row INSERTs of the import: each is prepared once and reused
	// for every batch.
	chunks  *sqldb.Chunks
	update  *sql.Stmt
	summary AgreementImportSummary
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
	closed       bool
}

// droppedIndex is an index a bulk import dropped, and the statement that creates it.
type droppedIndex struct{ name, definition string }

// BeginImport starts the import of the agreement file named file in the transaction tx, which
// its caller owns: rows are written through the import (WriteAgreements), then Finish updates
// the registry's derived data and records the audit entry, and Close, always called, gives the
// connection its settings back. The transaction is the caller's so that an import job is marked
// done in the same one; every agreement of the file is written, or none.
//
// On SQLite the transaction holds the write connection for its duration (about a minute for a
// million rows, docs/performance.md), during which other writers wait.
func (s *Agreements) BeginImport(ctx context.Context, tx *sqldb.Tx, file string) (*AgreementImport, error) {
	imp := &AgreementImport{tx: tx, file: file, now: time.Now().UTC(), resetCtx: context.WithoutCancel(ctx)}
	if err := execAll(ctx, tx, tx.Dialect().ImportSettings(true)); err != nil {
		imp.Close()
		return nil, fmt.Errorf("import agreements: %w", err)
	}
	imp.derived, imp.chunks = derived.NewWriter(tx, agreementsByIDs), sqldb.NewChunks(tx)
	var stored int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM agreement_codes").Scan(&stored); err != nil {
		imp.Close()
		return nil, fmt.Errorf("import agreements: %w", err)
	}
	imp.bulkAfter, imp.indexesAfter = max(stored, bulkAfter), max(stored, BulkIndexesAfter)
	return imp, nil
}

// Finish writes what the rows of the import derive (search documents, figures, cells), builds
// again the indexes a bulk import dropped, and records one audit entry for the import (action
// import, entity agreement_import, the file's name as key) unless it created and updated nothing.
// It returns what the import did.
func (imp *AgreementImport) Finish(ctx context.Context) (AgreementImportSummary, error) {
	if err := imp.derived.WriteDocuments(ctx, imp.chunks); err != nil {
		return imp.summary, err
	}
	if imp.bulkWrite {
		imp.derived.FiguresInOnePass()
	}
	if err := imp.derived.Flush(ctx); err != nil {
		return imp.summary, err
	}
	if err := imp.createIndexes(ctx); err != nil {
		return imp.summary, err
	}
	if imp.bulk {
		if err := imp.searchMerges(ctx, false); err != nil {
			return imp.summary, err
		}
	}
	sum := imp.summary
	if sum.Created+sum.Updated == 0 {
		return sum, nil // a file that changes nothing leaves no trace, as partner and rate imports do
	}
	return sum, imp.tx.Audit(ctx, audit.ActionImport, "agreement_import", imp.file, audit.Changes{
		"created":      {After: sum.Created},
		"updated":      {After: sum.Updated},
		"unchanged":    {After: sum.Unchanged},
		"created_refs": {After: sum.CreatedRefs},
		"updated_refs": {After: sum.UpdatedRefs},
	})
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

// Close frees the import's statements and gives the connection its settings back, whether or
// not the import failed: the connection serves every writer after it. A second Close does
// nothing.
func (imp *AgreementImport) Close() error {
	if imp.closed {
		return nil
	}
	imp.closed = true
	if imp.chunks != nil {
		imp.chunks.Close()
	}
	if imp.derived != nil {
		imp.derived.Close()
	}
	if imp.update != nil {
		imp.update.Close()
	}
	if err := execAll(imp.resetCtx, imp.tx, imp.tx.Dialect().ImportSettings(false)); err != nil {
		return fmt.Errorf("import agreements: %w", err)
	}
	return nil
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
	documents, err := imp.derived.EntriesOf(ctx, written)
	if err != nil {
		return err
	}
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
	if err := imp.derived.IndexBulk(ctx, imp.chunks, written, updates, entries); err != nil {
		return err
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
		if len(s.CreatedRefs) < audit.ListedKeys {
			s.CreatedRefs = append(s.CreatedRefs, a.Reference)
		}
	}
	for _, a := range updates {
		if len(s.UpdatedRefs) < audit.ListedKeys {
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
			derived.AgreementSearchVersion, 1, imp.now, imp.now)
	}
	return imp.chunks.Each(ctx, "INSERT INTO agreements ("+agreementInsertColumns+")", width, " RETURNING id, reference", args,
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
			sqldb.NullID(a.FrameworkID), a.Initiative, sqldb.NullID(a.OfficerID), a.Office, a.Confidential, a.Notes, derived.AgreementSearchVersion,
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
	imp.derived.PartnerFigures(before...)
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
		if err := imp.chunks.Exec(ctx, t.insert, t.width, t.args); err != nil {
			return err
		}
	}
	return nil
}
