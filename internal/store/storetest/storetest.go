// Package storetest runs tests against every database Pactum supports: SQLite always, and
// PostgreSQL when PACTUM_TEST_DATABASE_URL names a server. Each test gets its own database,
// created for it and removed afterwards, so tests never see each other's data.
//
// Migrating a database and loading its reference data takes seconds on PostgreSQL, so a test
// binary does it once, into a template, and gives each test a copy: on PostgreSQL a database
// created with CREATE DATABASE … TEMPLATE, on SQLite a copy of the migrated file. Data that many
// tests start from (the demo dataset, say) is a Template too, loaded once over the migrated one. A
// package whose tests use PostgreSQL calls Main from its TestMain, which drops the templates when
// the tests end; without it each test's database is made afresh, as the templates would outlive
// the run.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pactum/internal/store"
)

// EnvPostgresURL names the PostgreSQL server for tests. When it is set, a server that cannot be
// reached fails the tests instead of skipping them.
const EnvPostgresURL = "PACTUM_TEST_DATABASE_URL"

// Main runs the tests of a package and then drops the templates they made on PostgreSQL.
// Call it from TestMain: func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }.
func Main(m *testing.M) int {
	mainRuns.Store(true)
	code := m.Run()
	if err := dropTemplates(); err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// mainRuns is set when Main runs the tests: only then can templates on PostgreSQL be dropped at
// the end.
var mainRuns atomic.Bool

// Backend is a way to open an empty, migrated database for a test.
type Backend struct {
	Name string
	// Open returns a fresh migrated database with reference data, closed and removed after the test.
	Open func(t testing.TB) *store.DB
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend { return migrated.Backends() }

// Each runs test once per backend as a subtest, each with its own fresh database.
func Each(t *testing.T, test func(t *testing.T, db *store.DB)) { migrated.Each(t, test) }

// OpenSQLite returns a migrated SQLite database with reference data in a temporary folder.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return migrated.OpenSQLite(t)
}

// OpenPostgres creates a database on the test server, migrated and with reference data; it is
// dropped when the test ends. Without PACTUM_TEST_DATABASE_URL the test is skipped.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return migrated.OpenPostgres(t)
}

// CreatePostgresDatabase creates an empty database on the server of serverURL, drops it when the
// test ends, and returns its URL.
func CreatePostgresDatabase(t testing.TB, serverURL string) string {
	t.Helper()
	return connect(t, serverURL).createDatabase(t, "")
}

// migrated is the template of every database: migrated, with reference data.
var migrated = &Template{Name: "base"}

// A Template is what tests find in their database: the migrated schema with reference data, and
// what Load adds to it. A test binary makes it once, the first time a test asks for it, and each
// test gets a copy of its own. Load must give the same data whenever it runs, so that a copy holds
// what loading it in the test would; a template is used through one pointer, as a package
// variable.
type Template struct {
	// Name tells templates apart in their databases' names: lowercase letters and digits.
	Name string
	// Load adds the template's data to a migrated database with reference data.
	Load func(ctx context.Context, db *store.DB) error

	sqliteOnce  sync.Once
	sqliteImage map[string][]byte
	sqliteErr   error
}

// Backends returns SQLite and PostgreSQL, each opening a copy of the template.
func (tm *Template) Backends() []Backend {
	return []Backend{{Name: "sqlite", Open: tm.OpenSQLite}, {Name: "postgres", Open: tm.OpenPostgres}}
}

// Each runs test once per backend as a subtest, each with its own copy of the template.
func (tm *Template) Each(t *testing.T, test func(t *testing.T, db *store.DB)) {
	for _, b := range tm.Backends() {
		t.Run(b.Name, func(t *testing.T) { test(t, b.Open(t)) })
	}
}

// OpenSQLite returns a copy of the template on SQLite, in a temporary folder.
func (tm *Template) OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	image, err := tm.sqlite()
	if err != nil {
		t.Fatalf("SQLite template %s: %v", tm.Name, err)
	}
	dir := t.TempDir()
	for name, data := range image {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return open(t, dir, "")
}

// OpenPostgres creates a database on the test server that is a copy of the template, and drops it
// when the test ends. Without PACTUM_TEST_DATABASE_URL the test is skipped.
func (tm *Template) OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	serverURL := os.Getenv(EnvPostgresURL)
	if serverURL == "" {
		t.Skip(EnvPostgresURL + " is not set; PostgreSQL tests skipped")
	}
	s := connect(t, serverURL)
	if !mainRuns.Load() {
		db := open(t, "", s.createDatabase(t, ""))
		if err := tm.fill(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		return db
	}
	name, err := s.template(tm)
	if err != nil {
		t.Fatalf("PostgreSQL template %s: %v", tm.Name, err)
	}
	return open(t, "", s.createDatabase(t, name))
}

// fill loads the template's data into a new database, migrated or not.
func (tm *Template) fill(ctx context.Context, db *store.DB) error {
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := db.LoadReferenceDefaults(ctx); err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	if tm.Load != nil {
		if err := tm.Load(ctx, db); err != nil {
			return fmt.Errorf("load template %s: %w", tm.Name, err)
		}
	}
	return nil
}

// open opens a database that is already migrated and closes it when the test ends.
func open(t testing.TB, dataDir, databaseURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dataDir, databaseURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	return db
}

// sqlite returns the files of the template on SQLite, made once per process and kept in memory
// (a few MB), so that nothing is left to remove.
func (tm *Template) sqlite() (map[string][]byte, error) {
	tm.sqliteOnce.Do(func() { tm.sqliteImage, tm.sqliteErr = tm.makeSQLite() })
	return tm.sqliteImage, tm.sqliteErr
}

func (tm *Template) makeSQLite() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "pactum-storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.Open(ctx, dir, "")
	if err != nil {
		return nil, err
	}
	err = tm.fill(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// With every connection closed the database is its file, and its write-ahead log when SQLite
	// left one; the shared-memory index is rebuilt by the next open.
	image := map[string][]byte{}
	for _, name := range []string{store.SQLiteFile, store.SQLiteFile + "-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && name != store.SQLiteFile {
			continue
		}
		if err != nil {
			return nil, err
		}
		image[name] = data
	}
	return image, nil
}

// Databases on PostgreSQL are named pactum_test_<key>_<random> (a test's) and
// pactum_tmpl_<key>_<template name>, where key is the process's: the process holds an advisory
// lock on it while it runs, so a later process can tell the databases of one that died before
// dropping them (a test binary killed by -timeout, say) and drop them.
var ownedName = regexp.MustCompile(`^pactum_(test|tmpl)_[0-9]+_[a-z0-9]+$`)

// lockClass is the first half of the advisory lock a process holds on its key ("pact").
const lockClass = 0x70616374

// server is what a process keeps of a PostgreSQL server: a pool for creating and dropping
// databases, the connection that holds the process's lock, and the templates.
type server struct {
	url   *url.URL
	admin *sql.DB
	key   int32
	lock  *sql.Conn

	mu        sync.Mutex
	templates map[*Template]*pgTemplate
}

// pgTemplate is a template's database on a server, made once.
type pgTemplate struct {
	once sync.Once
	name string // set once the database exists, so that Main drops it
	err  error
}

var servers struct {
	sync.Mutex
	byURL map[string]*server
}

// connect returns the process's connection to the server of serverURL, making it on first use.
func connect(t testing.TB, serverURL string) *server {
	t.Helper()
	servers.Lock()
	defer servers.Unlock()
	if s := servers.byURL[serverURL]; s != nil {
		return s
	}
	s, err := newServer(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	if servers.byURL == nil {
		servers.byURL = map[string]*server{}
	}
	servers.byURL[serverURL] = s
	return s
}

func newServer(serverURL string) (*server, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", EnvPostgresURL, err)
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %v", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("PostgreSQL at %s (from %s) does not answer: %v", u.Redacted(), EnvPostgresURL, err)
	}
	s := &server{url: u, admin: admin}
	if s.lock, err = admin.Conn(ctx); err != nil {
		admin.Close()
		return nil, err
	}
	for s.key == 0 {
		key := mathrand.Int32N(1<<31-1) + 1
		var locked bool
		if err := s.lock.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockClass, key).Scan(&locked); err != nil {
			s.close()
			return nil, fmt.Errorf("take the test lock: %v", err)
		}
		if locked {
			s.key = key
		}
	}
	s.dropLeftovers(ctx)
	return s, nil
}

// dropLeftovers drops the databases of test processes that ended without dropping them. It does
// what it can: what it cannot drop is left for a later run.
func (s *server) dropLeftovers(ctx context.Context) {
	rows, err := s.admin.QueryContext(ctx, `SELECT datname FROM pg_database d
		WHERE datname ~ '^pactum_(test|tmpl)_[0-9]+_[a-z0-9]+$' AND NOT EXISTS (
			SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2
			AND l.objid::text = split_part(d.datname, '_', 3))`, lockClass)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && ownedName.MatchString(name) { // never a name this package did not make
			names = append(names, name)
		}
	}
	rows.Close()
	for _, name := range names {
		s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

func (s *server) close() {
	if s.lock != nil {
		s.lock.Close()
	}
	s.admin.Close()
}

// databaseURL is the URL of the database name on the server.
func (s *server) databaseURL(name string) string {
	u := *s.url
	u.Path = "/" + name
	return u.String()
}

// createDatabase creates a database, a copy of template or empty when template is "", drops it
// when the test ends and returns its URL.
func (s *server) createDatabase(t testing.TB, template string) string {
	t.Helper()
	name := fmt.Sprintf("pactum_test_%d_%s", s.key, strings.ToLower(rand.Text()[:12]))
	query := "CREATE DATABASE " + name
	if template != "" {
		query += " TEMPLATE " + template
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, query); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return s.databaseURL(name)
}

var templateName = regexp.MustCompile(`^[a-z0-9]+$`)

// template returns the name of the process's database of tm, making it on first use. It has no
// open connection, as PostgreSQL copies only a database nobody is connected to.
func (s *server) template(tm *Template) (string, error) {
	if !templateName.MatchString(tm.Name) {
		return "", fmt.Errorf("template name %q is not lowercase letters and digits", tm.Name)
	}
	s.mu.Lock()
	if s.templates == nil {
		s.templates = map[*Template]*pgTemplate{}
	}
	p := s.templates[tm]
	if p == nil {
		p = &pgTemplate{}
		s.templates[tm] = p
	}
	s.mu.Unlock()
	p.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		name := fmt.Sprintf("pactum_tmpl_%d_%s", s.key, tm.Name)
		if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			p.err = err
			return
		}
		p.name = name
		db, err := store.Open(ctx, "", s.databaseURL(name))
		if err != nil {
			p.err = err
			return
		}
		p.err = tm.fill(ctx, db)
		if err := db.Close(); p.err == nil {
			p.err = err
		}
	})
	return p.name, p.err
}

// dropTemplates drops the templates of every server and lets go of the process's lock.
func dropTemplates() error {
	servers.Lock()
	defer servers.Unlock()
	var errs []error
	for _, s := range servers.byURL {
		for _, p := range s.templates {
			if p.name == "" {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)"); err != nil {
				errs = append(errs, fmt.Errorf("drop template %s: %v", p.name, err))
			}
			cancel()
		}
		s.close()
	}
	servers.byURL = nil
	return errors.Join(errs...)
}

// Describe names a backend's database for failure messages.
func Describe(db *store.DB) string {
	if db.IsPostgres() {
		return fmt.Sprintf("postgres (%s)", db.Location)
	}
	return "sqlite"
}
