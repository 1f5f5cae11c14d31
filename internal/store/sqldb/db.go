// Package sqldb is the core of Pactum's storage: the connection to SQLite or PostgreSQL, its
// transactions, the dialect that holds every difference between the two, and the migrations.
//
// Queries are written once, with '?' placeholders and portable SQL; the few places where the two
// databases differ are the named helpers of dialect.go. The rooms of internal/store (partners,
// agreements, accounts, …) build on it.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"pactum/internal/apperr"
)

// SQLiteFile is the database file's name inside the data folder.
const SQLiteFile = "pactum.db"

// DB is an open Pactum database. SQLite gets two pools, as SQLite allows one writer at a time:
// a single-connection pool for transactions that write, so writers queue in Go instead of failing
// with SQLITE_BUSY, and a wider pool for reads. On PostgreSQL both are the same pool.
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect Dialect
	// Location says where the data is, for logs and messages: a file path or a URL without password.
	Location string
}

// Open opens (creating if needed) the database: PostgreSQL when databaseURL is set, otherwise
// SQLite in dataDir. It does not migrate; call Migrate.
func Open(ctx context.Context, dataDir, databaseURL string) (*DB, error) {
	return OpenWith(ctx, dataDir, databaseURL, Options{})
}

// Options change how OpenWith sets the database up.
type Options struct {
	// NoMemoryMap has SQLite read its file with system calls into each connection's page cache
	// instead of through a memory map, for a command whose memory must stay bounded: the pages
	// read through the map count as the process's resident memory, 400 MB when an import reads
	// the agreements of a registry of a million.
	NoMemoryMap bool
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dataDir, databaseURL string, opts Options) (*DB, error) {
	if databaseURL != "" {
		return openPostgres(ctx, databaseURL)
	}
	return openSQLite(ctx, dataDir, opts)
}

// sqliteMmapSize is how much of the database file SQLite reads through a memory map: the most
// SQLite allows (SQLITE_MAX_MMAP_SIZE), since a registry of a million agreements is a 1.5 GB file
// and the pages past the map are read with a system call and copied into each connection's
// page cache, which holds 32 MB.
const sqliteMmapSize = 0x7fff0000

// sqliteCacheKiB is the page cache of each connection, in KiB.
const sqliteCacheKiB = 32768

func openSQLite(ctx context.Context, dataDir string, opts Options) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, SQLiteFile)
	// busy_timeout comes first so the other pragmas wait for a lock instead of failing.
	// A larger page cache and memory-mapped reads keep large lists off the system-call path.
	mmapSize := sqliteMmapSize
	if opts.NoMemoryMap {
		mmapSize = 0
	}
	pragmas := "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-" + strconv.Itoa(sqliteCacheKiB) + ")&_pragma=mmap_size(" + strconv.Itoa(mmapSize) + ")"
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", base)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Keep every read connection open: closing one throws away its page cache, and a list page
	// runs several queries at once.
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxIdleTime(0)
	db := &DB{read: read, write: write, dialect: sqliteDialect{}, Location: path}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("database URL must be postgres://…, got %q", redact(databaseURL))
	}
	pool, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(databaseURL), err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	pool.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{read: pool, write: pool, dialect: postgresDialect{}, Location: redact(databaseURL)}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(databaseURL), err)
	}
	return db, nil
}

// redact hides the password of a database URL so it can be logged.
func redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// ErrSchemaBehind means the database answers but does not hold the schema this binary needs:
// its tables are gone, or migrations are pending.
var ErrSchemaBehind = errors.New("the database schema is missing or not up to date")

// healthTables are tables every request depends on; a database without them serves nothing.
var healthTables = []string{"users", "sessions", "partners", "agreements"}

// Health checks that the database answers and holds the schema of this binary: every migration
// applied and the tables requests read there. /healthz uses it, so that a load balancer takes a
// server whose database was emptied out of rotation instead of sending it every request to fail.
func (db *DB) Health(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	all, err := db.migrations()
	if err != nil {
		return err
	}
	var latest sql.NullInt64
	if err := db.QueryRow(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&latest); err != nil {
		return fmt.Errorf("%w: %v", ErrSchemaBehind, err)
	}
	if want := all[len(all)-1].Version; !latest.Valid || int(latest.Int64) < want {
		return fmt.Errorf("%w: at migration %d of %d", ErrSchemaBehind, latest.Int64, want)
	}
	for _, table := range healthTables {
		var one int
		err := db.QueryRow(ctx, "SELECT 1 FROM "+table+" LIMIT 1").Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: table %s: %v", ErrSchemaBehind, table, err)
		}
	}
	return nil
}

// IsPostgres reports whether the database is PostgreSQL.
func (db *DB) IsPostgres() bool { return db.dialect.Name() == "postgres" }

// Dialect returns what the database's SQL differs in.
func (db *DB) Dialect() Dialect { return db.dialect }

// Read is the pool for reads, for what the query helpers do not cover (a read-only transaction
// that must see one snapshot).
func (db *DB) Read() *sql.DB { return db.read }

// Write is the pool for writes: on SQLite one connection, which a bulk import holds for itself.
func (db *DB) Write() *sql.DB { return db.write }

// Tx is a transaction whose queries take '?' placeholders on either database.
type Tx struct {
	tx   *sql.Tx
	d    Dialect
	conn *sql.Conn // the write pool's connection it holds, given back when it ends
}

// Dialect returns what the transaction's SQL differs in.
func (tx *Tx) Dialect() Dialect { return tx.d }

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.d.Rebind(query), args...)
}

// Query runs a query.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.Rebind(query), args...)
}

// QueryRow runs a query that answers one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.Rebind(query), args...)
}

// Prepare prepares a statement for the transaction.
func (tx *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, tx.d.Rebind(query))
}

// writeWait is how long a write waits for the write connection while another transaction of
// this process holds it (a long import on SQLite, whose one writer has the one connection), on
// top of the database's own wait for a lock another process holds (busy_timeout): a save during a
// long import then answers "busy, try again" with the form kept, instead of hanging.
const writeWait = 5 * time.Second

// ErrBusy is the error of a write that could not have the database in time: the code Busy, which
// pages answer with the form as typed and a message to try again.
var ErrBusy = apperr.New(apperr.Busy, "error.busy_saving")

// InTx runs fn in a write transaction and commits it when fn returns nil. A transaction that
// cannot start, or is refused a lock, in time returns an error of code apperr.Busy.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return BusyOr(err)
	}
	return tx.Commit()
}

// Begin starts a write transaction that the caller ends with Commit or Rollback, for a write
// that is driven from outside the store step by step (an import session: the importer reads a
// file and hands the store its batches), where InTx would make the store call back into its
// caller. Prefer InTx. A transaction that cannot start in time returns an error of code
// apperr.Busy.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	waitCtx, cancel := context.WithTimeout(ctx, writeWait)
	conn, err := db.write.Conn(waitCtx)
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("wait for the write connection: %w", ErrBusy)
		}
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, BusyOr(fmt.Errorf("begin transaction: %w", err))
	}
	return &Tx{tx: sqlTx, d: db.dialect, conn: conn}, nil
}

// Commit commits a transaction of Begin or InTx and gives its connection back.
func (tx *Tx) Commit() error {
	defer tx.release()
	if err := tx.tx.Commit(); err != nil {
		return BusyOr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Rollback rolls a transaction back and gives its connection back; after Commit it does nothing.
func (tx *Tx) Rollback() {
	_ = tx.tx.Rollback()
	tx.release()
}

func (tx *Tx) release() {
	if tx.conn != nil {
		tx.conn.Close()
		tx.conn = nil
	}
}

// busyOr returns err marked Busy when the database refused a lock in time, and err otherwise.
func BusyOr(err error) error {
	if IsBusy(err) && apperr.CodeOf(err) == apperr.Internal {
		return &apperr.Error{Code: apperr.Busy, Message: ErrBusy.Message, Err: err}
	}
	return err
}

// Query runs a read on the read pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.dialect.Rebind(query), args...)
}

// QueryRow runs a read of one row on the read pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.dialect.Rebind(query), args...)
}

// Placeholders returns "?, ?, ?" for n arguments, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Backup writes a consistent copy of an SQLite database to path while the application runs
// (VACUUM INTO reads one snapshot). PostgreSQL has its own tools for this: pg_dump.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.IsPostgres() {
		return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", path)
	}
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// SideBySide runs fns at the same time, each on a connection of its own, and returns the first
// error: a list's page and its facet counts are two queries that need not wait for each other.
func SideBySide(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
