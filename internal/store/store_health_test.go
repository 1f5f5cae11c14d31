package store_test

import (
	"errors"
	"testing"

	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// A database is healthy only with this binary's schema: one whose tables were dropped, or whose
// migrations are behind, answers but serves nothing, and says so.
func TestHealthNeedsTheSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.Health(ctx); err != nil {
			t.Fatalf("a migrated database: %v", err)
		}
		if err := db.ExecForTest(ctx, "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
			t.Fatal(err)
		}
		if err := db.Health(ctx); !errors.Is(err, store.ErrSchemaBehind) {
			t.Errorf("a migration pending: %v, want ErrSchemaBehind", err)
		}
		// Tables gone: on PostgreSQL the whole schema (what the probe did), on SQLite one table.
		drop := "DROP TABLE sessions"
		if db.IsPostgres() {
			drop = "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
		}
		if err := db.ExecForTest(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if err := db.Health(ctx); !errors.Is(err, store.ErrSchemaBehind) {
			t.Errorf("after %s: %v, want ErrSchemaBehind", drop, err)
		}
	})
}
