package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered schema change, with when it was applied (zero when pending).
type Migration struct {
	Version   int
	Name      string
	AppliedAt time.Time
	sql       string
}

// postgresMigrationLock is the advisory lock that keeps app servers starting together from
// migrating the same database at once.
const postgresMigrationLock = 7_201_014

// migrations lists the embedded migrations of the database's dialect in version order.
func (db *DB) migrations() ([]Migration, error) {
	dir := path.Join("migrations", db.dialect.Name())
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var list []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		number, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		version, err := strconv.Atoi(number)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		list = append(list, Migration{Version: version, Name: name, sql: string(text)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	return list, nil
}

// Migrate applies every pending migration, each in its own transaction, and returns the ones it
// applied. On PostgreSQL it holds an advisory lock so that concurrent starts migrate once.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if db.IsPostgres() {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", postgresMigrationLock); err != nil {
			return nil, fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", postgresMigrationLock)
	}
	createTable := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL)`
	if db.IsPostgres() {
		createTable = strings.Replace(createTable, "TIMESTAMP", "TIMESTAMPTZ", 1)
	}
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range all {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		m.AppliedAt = time.Now().UTC()
		if err := applyMigration(ctx, conn, db.dialect, m); err != nil {
			return done, err
		}
		done = append(done, m)
	}
	return done, nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, d Dialect, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, d.Rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.Version, m.Name, m.AppliedAt); err != nil {
		return fmt.Errorf("migration %04d_%s: record: %w", m.Version, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %04d_%s: commit: %w", m.Version, m.Name, err)
	}
	return nil
}

func appliedMigrations(ctx context.Context, conn *sql.Conn) (map[int]time.Time, error) {
	rows, err := conn.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = at
	}
	return applied, rows.Err()
}

// MigrationStatus lists every migration the binary knows, with when each was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var exists bool
	if err := conn.QueryRowContext(ctx, db.dialect.Rebind(db.dialect.TableExists()), "schema_migrations").Scan(&exists); err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	if !exists {
		return all, nil
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	for i := range all {
		all[i].AppliedAt = applied[all[i].Version]
	}
	return all, nil
}
