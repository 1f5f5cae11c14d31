package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"pactum/internal/reference"
	"pactum/internal/store/agreements"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
	"pactum/internal/user"
)

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
			counts[facet+"|"+code+"|"+derived.YesNo(confidential)] = n
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

// WriteInBulkAfter makes agreement imports write in bulk (agreements.BulkIndexesAfter) once they have
// written n agreements and more than were stored, until the test ends.
func WriteInBulkAfter(t testing.TB, n int) {
	before := agreements.BulkIndexesAfter
	agreements.BulkIndexesAfter = n
	t.Cleanup(func() { agreements.BulkIndexesAfter = before })
}

// IndexAgreementsAsVersion4 makes the database hold what a database of agreement search version 4
// (before the office facet) held (see derived.IndexAgreementsAsVersion4).
func (db *DB) IndexAgreementsAsVersion4(ctx context.Context) error {
	return derived.IndexAgreementsAsVersion4(ctx, db.DB, agreements.Load)
}

// FlushCellsAbove makes agreement imports on SQLite write the report cells whenever more than n
// have changes waiting (pendingCellsAtMost), until the test ends.
func FlushCellsAbove(t testing.TB, n int) {
	before := derived.PendingCellsAtMost
	derived.PendingCellsAtMost = n
	t.Cleanup(func() { derived.PendingCellsAtMost = before })
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
	return db.codes.Current(ctx)
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
