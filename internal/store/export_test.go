package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

// IndexAgreementsAsVersion4 makes the database hold what a database of agreement search
// version 4 (before the office facet) holds: every live agreement's search document without an
// office token, its row of agreement_codes without the office field, the facet counts without
// the office facet, and every agreement marked as indexed with version 4. Tests use it to check
// the re-index that runs at start when agreementSearchVersion is raised.
func (db *DB) IndexAgreementsAsVersion4(ctx context.Context) error {
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
		w, err := newAgreementWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		list, err := agreementsByIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, a := range list {
			if err := w.remove(ctx, a.ID); err != nil {
				return err
			}
			parties, err := w.partyInfoOf(ctx, partyIDs(a))
			if err != nil {
				return err
			}
			facets := agreementFacets(a, parties)
			facets[office] = nil
			if _, err := w.index.ExecContext(ctx, a.ID, agreementDocument(a, facets, parties)); err != nil {
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
			if _, err := w.codes.ExecContext(ctx, a.ID, row, cells); err != nil {
				return err
			}
			w.count(facets, a.Confidential, 1)
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM agreement_facet_counts WHERE facet = ?", agreement.FacetOffice); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE agreements SET search_version = 4")
		return err
	})
}

// FacetCounts returns the rows of agreement_facet_counts that count something, as
// "facet|code|confidential" → n.
func (db *DB) FacetCounts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := sqldb.EachRowOf(ctx, db, "SELECT facet, code, confidential, n FROM agreement_facet_counts WHERE n <> 0", nil,
		func(scan func(...any) error) error {
			var facet, code string
			var confidential bool
			var n int
			if err := scan(&facet, &code, &confidential, &n); err != nil {
				return err
			}
			counts[facet+"|"+code+"|"+yesNo(confidential)] = n
			return nil
		})
	return counts, err
}

// SetShippedLabels makes the labels of code in list those an earlier release loaded: the rows of
// labels and no others, with nothing in the audit trail. Tests use it to check what the next load
// of the defaults does to a database made before the shipped labels changed.
func (db *DB) SetShippedLabels(ctx context.Context, list, code string, labels reference.Labels) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM reference_labels WHERE list = ? AND code = ?", list, code); err != nil {
			return err
		}
		for lang, text := range labels {
			if _, err := tx.Exec(ctx, "INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?)", list, code, lang, text); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteInBulkAfter makes agreement imports write in bulk (bulkIndexesAfter) once they have
// written n agreements and more than were stored, until the test ends.
func WriteInBulkAfter(t testing.TB, n int) {
	before := bulkIndexesAfter
	bulkIndexesAfter = n
	t.Cleanup(func() { bulkIndexesAfter = before })
}

// FlushCellsAbove makes agreement imports on SQLite write the report cells whenever more than n
// have changes waiting (pendingCellsAtMost), until the test ends.
func FlushCellsAbove(t testing.TB, n int) {
	before := pendingCellsAtMost
	pendingCellsAtMost = n
	t.Cleanup(func() { pendingCellsAtMost = before })
}

// Rows returns the rows of a query as text, one line each, for comparing what two databases hold.
func (db *DB) Rows(ctx context.Context, query string) ([]string, error) {
	rows, err := db.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var lines []string
	for rows.Next() {
		values := make([]any, len(columns))
		pointers := make([]any, len(columns))
		for i := range values {
			pointers[i] = &values[i]
		}
		if err := rows.Scan(pointers...); err != nil {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("%v", values))
	}
	return lines, rows.Err()
}

// Indexes returns the name and definition of every index of the database's tables.
func (db *DB) Indexes(ctx context.Context) ([]string, error) {
	if db.IsPostgres() {
		return db.Rows(ctx, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")
	}
	return db.Rows(ctx, "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
}

// IndexAgreementsAsVersion5 makes the database hold what a database of agreement search
// version 5 (before agreement_type_cube) holds: the type cube and partner_filter_cells empty, every kept report part
// without its typed field, every agreement marked as indexed with version 5.
func (db *DB) IndexAgreementsAsVersion5(ctx context.Context) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, table := range []string{"agreement_type_cube", "partner_filter_cells"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, "SELECT agreement_id, cells FROM agreement_codes WHERE cells LIKE '%|t'")
		if err != nil {
			return err
		}
		parts := map[int64]string{}
		for rows.Next() {
			var id int64
			var cells string
			if err := rows.Scan(&id, &cells); err != nil {
				rows.Close()
				return err
			}
			parts[id] = strings.TrimSuffix(cells, "|t")
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for id, cells := range parts {
			if _, err := tx.Exec(ctx, "UPDATE agreement_codes SET cells = ? WHERE agreement_id = ?", cells, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE agreements SET search_version = 5")
		return err
	})
}

// CountFromTable makes the registry's searches count facets from agreement_codes, as where no
// copy is kept in memory, until the test ends.
func (db *DB) CountFromTable(t testing.TB) {
	codes := db.codes
	db.codes = nil
	t.Cleanup(func() { db.codes = codes })
}

// AgreementCodesInMemory tells whether a copy of agreement_codes is in memory and current.
func (db *DB) AgreementCodesInMemory(ctx context.Context) (bool, error) {
	if db.codes == nil {
		return false, nil
	}
	tx, err := db.Read().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	generation, err := codesGeneration(ctx, tx)
	if err != nil {
		return false, err
	}
	db.codes.mu.Lock()
	defer db.codes.mu.Unlock()
	return db.codes.table != nil && db.codes.table.generation == generation, nil
}

// ExecForTest runs a statement on the write connection, for tests that damage a database on purpose.
func (db *DB) ExecForTest(ctx context.Context, query string) error {
	_, err := db.Write().ExecContext(ctx, query)
	return err
}

// The throttle read and written one key at a time, for the tests of its policy: the server uses
// BeginSignIn and its ends. A key's row is judged by the policy of package user
// (ThrottleState.BlockAt), as BeginSignIn judges it.

// SignInBlockedUntil returns until when sign-in is refused for any of keys — a lock, or the wait
// that slows down guessing — or the zero time when it is allowed now; locked says which.
func (db *DB) SignInBlockedUntil(ctx context.Context, now time.Time, keys ...user.ThrottleKey) (until time.Time, locked bool, err error) {
	var b user.SignInBlock
	for _, k := range keys {
		var st user.ThrottleState
		var lockedUntil sql.NullTime
		err := db.QueryRow(ctx, "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?", k.String()).
			Scan(&st.Failures, &st.Last, &lockedUntil)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, false, fmt.Errorf("sign-in throttle: %w", err)
		}
		st.LockedUntil = lockedUntil.Time
		b = b.And(st.BlockAt(k.Kind, now))
	}
	return b.Until, b.Locked, nil
}

// ClearSignInFailures forgets the failures of a key.
func (db *DB) ClearSignInFailures(ctx context.Context, key user.ThrottleKey) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM login_throttle WHERE key = ?", key.String()); err != nil {
			return fmt.Errorf("clear sign-in failures: %w", err)
		}
		return nil
	})
}
