// Package storetest runs tests against every database Pactum supports: SQLite always, and
// PostgreSQL when PACTUM_TEST_DATABASE_URL names a server. Each run on PostgreSQL creates its own
// database and drops it afterwards, so runs never see each other's data.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"pactum/internal/store"
)

// EnvPostgresURL names the PostgreSQL server for tests. When it is set, a server that cannot be
// reached fails the tests instead of skipping them.
const EnvPostgresURL = "PACTUM_TEST_DATABASE_URL"

// Backend is a way to open an empty, migrated database for a test.
type Backend struct {
	Name string
	// Open returns a fresh migrated database with reference data, closed and removed after the test.
	Open func(t testing.TB) *store.DB
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{Name: "sqlite", Open: OpenSQLite}, {Name: "postgres", Open: OpenPostgres}}
}

// Each runs test once per backend as a subtest, each with its own fresh database.
func Each(t *testing.T, test func(t *testing.T, db *store.DB)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { test(t, b.Open(t)) })
	}
}

// OpenSQLite returns a migrated SQLite database with reference data in a temporary folder.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return prepare(t, t.TempDir(), "")
}

// OpenPostgres creates a database on the test server, migrates it and loads reference data; it is
// dropped when the test ends. Without PACTUM_TEST_DATABASE_URL the test is skipped.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	serverURL := os.Getenv(EnvPostgresURL)
	if serverURL == "" {
		t.Skip(EnvPostgresURL + " is not set; PostgreSQL tests skipped")
	}
	dbURL := CreatePostgresDatabase(t, serverURL)
	return prepare(t, "", dbURL)
}

// CreatePostgresDatabase creates an empty database on the server of serverURL, drops it when the
// test ends, and returns its URL.
func CreatePostgresDatabase(t testing.TB, serverURL string) string {
	t.Helper()
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatalf("postgres %s: %v", serverURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("PostgreSQL at %s (from %s) does not answer: %v", serverURL, EnvPostgresURL, err)
	}
	name := "pactum_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

func prepare(t testing.TB, dataDir, databaseURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dataDir, databaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := db.LoadReferenceDefaults(ctx); err != nil {
		t.Fatalf("reference data: %v", err)
	}
	return db
}

// Describe names a backend's database for failure messages.
func Describe(db *store.DB) string {
	if db.IsPostgres() {
		return fmt.Sprintf("postgres (%s)", db.Location)
	}
	return "sqlite"
}
