package accounts_test

import (
	"strings"
	"testing"
	"time"

	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/store"
	"pactum/internal/store/sqldb"
	"pactum/internal/store/storetest"
)

// These tests write the audit_log table with raw SQL (db.InTx): entries of chosen dates, and
// changes that the database must refuse.

// The trail is append-only in the database itself, not only in the store's code.
func TestAuditLogRefusesUpdateAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.RecordAudit(ctx, audit.ActionImport, "partner", "sahel-telecom", audit.Changes{"name": {After: "Sahel Télécom"}}); err != nil {
			t.Fatal(err)
		}
		statements := []struct {
			name, sql string
			args      []any
		}{
			{"UPDATE", "UPDATE audit_log SET actor = ?, changes = ? WHERE entity_key = ?", []any{"someone-else", "{}", "sahel-telecom"}},
			{"DELETE", "DELETE FROM audit_log WHERE entity_key = ?", []any{"sahel-telecom"}},
		}
		for _, s := range statements {
			// The same statement on no row passes, so a failure below comes from the row being
			// protected, not from the statement.
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, strings.Replace(s.sql, "entity_key = ?", "entity_key = ? AND id < 0", 1), s.args...)
				return err
			})
			if err != nil {
				t.Fatalf("%s of no row: %v", s.name, err)
			}
			err = db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, s.sql, s.args...)
				return err
			})
			if err == nil {
				t.Errorf("%s of an audit entry succeeded, want it refused by the database", s.name)
			}
		}
		entries, total, err := db.AuditEntries(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(entries) != 1 {
			t.Fatalf("%d entries (total %d) after the refused changes, want the one entry", len(entries), total)
		}
		e := entries[0]
		if e.Actor != "system" || e.Action != audit.ActionImport || e.Changes["name"].After != "Sahel Télécom" {
			t.Errorf("entry after the refused changes = %+v, want it as recorded", e)
		}
	})
}

// A date range covers whole days in UTC: From's midnight up to, not including, the midnight after To.
func TestAuditEntriesDateRangeIsWholeDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		times := []struct {
			key string
			at  time.Time
		}{
			{"a", time.Date(2024, 2, 29, 23, 59, 59, 999000000, time.UTC)},
			{"b", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
			{"c", time.Date(2024, 3, 1, 23, 59, 59, 500000000, time.UTC)},
			{"d", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
			{"e", time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)},
		}
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			for _, e := range times {
				if _, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_key, changes)
					VALUES (?, 'system', 'import', 'partner', ?, '{}')`, e.at, e.key); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		day := civil.MustParse
		for _, c := range []struct {
			name     string
			from, to civil.Date
			want     string
		}{
			{"one day", day("2024-03-01"), day("2024-03-01"), "c b"},
			{"from a day on", day("2024-03-01"), civil.Date{}, "e d c b"},
			{"up to a day", civil.Date{}, day("2024-03-01"), "c b a"},
			{"several days", day("2024-03-02"), day("2024-03-04"), "d"},
			{"a leap day", day("2024-02-29"), day("2024-02-29"), "a"},
			{"a day without entries", day("2024-03-03"), day("2024-03-04"), ""},
		} {
			entries, total, err := db.AuditEntries(ctx, audit.Filter{From: c.from, To: c.to})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, e := range entries {
				keys = append(keys, e.EntityKey)
			}
			if got := strings.Join(keys, " "); got != c.want || total != len(keys) {
				t.Errorf("%s (%s to %s): entries %q (total %d), want %q", c.name, c.from, c.to, got, total, c.want)
			}
		}
	})
}
