package sqldb

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"pactum/internal/search"
)

// Dialect holds every difference between SQLite and PostgreSQL that the store's SQL meets.
// Everything else is portable SQL.
type Dialect interface {
	Name() string
	// Rebind turns the '?' placeholders of a query into the database's own.
	Rebind(query string) string
	// Year is an SQL expression for the year (an integer) of a DATE column.
	Year(column string) string
	// TableExists is a query taking a table name and answering one boolean.
	TableExists() string
	// SearchIDs is a query selecting (id, rank) of the rows of a full-text table that match the
	// one argument it takes (written by searchArg); a lower rank is a better match.
	SearchIDs(table, idColumn string) string
	// SearchIDsUnranked is searchIDs without the cost of ranking; its rank is 0.
	SearchIDsUnranked(table, idColumn string) string
	// UpsertPartnerCodes is a statement writing (partner_id, codes) into partner_codes, replacing a row.
	UpsertPartnerCodes() string
	// OptimizeSearch is a statement that compacts a full-text table after many changes, or "".
	OptimizeSearch(table string) string
	// DrivingJoin joins a table to a preceding, usually small, set (a search's matches) that the
	// query must loop over: SQLite cannot estimate the size of such a set and may otherwise scan
	// the whole table and probe the set.
	DrivingJoin() string
	// SearchArg writes search terms as the query language of the database.
	SearchArg(terms []search.Term) string
	// WordsStartingWith is a query taking a word and the first string past every word that
	// starts with it, and a limit, and selecting the words of a full-text table's vocabulary in
	// that range; "" where the database expands a searched prefix well by itself.
	WordsStartingWith(table string) string
	// IndexDocument returns the statements that put (id, document) into a full-text table,
	// replacing what it held for the id.
	IndexDocument(table, idColumn string) []string
	// OneWriter tells whether a write transaction has the database to itself (SQLite: one writer
	// at a time), so that it may write the report cells as often as it likes; where writers run
	// side by side, each writes them once, in one order (flushCells), lest two lock them in
	// different orders and deadlock.
	OneWriter() bool
	// MemoizesCodes tells whether servers keep agreement_codes in memory (codesMemo), known to be
	// current by a generation that every transaction writing the table raises: on SQLite, whose
	// one writer at a time writes that row. On PostgreSQL writers run side by side, and an import
	// would hold the row, and with it every other save of an agreement, until it commits.
	MemoizesCodes() bool
	// SkipLocked ends a SELECT in a write transaction so that concurrent transactions pass over
	// each other's rows instead of taking them twice or waiting (work queues such as the outbox).
	SkipLocked() string
	// ForUpdate ends a SELECT in a write transaction so that the rows it reads stay as read until
	// the transaction ends (a check and its count done as one step).
	ForUpdate() string
	// BulkSearch returns the statements that make a full-text table put off merging its
	// segments while a large import writes it (on), or merge them again as usual (off); none
	// where the database has no such setting.
	BulkSearch(table string, on bool) []string
	// DroppableIndexes is a query taking a table name and selecting (name, definition) of the
	// table's indexes that a bulk import may drop and create again by their definition — those
	// created by CREATE INDEX, not those of a key or a unique constraint — or "" where a bulk
	// import keeps them.
	DroppableIndexes() string
	// ImportSettings returns the statements that set the write connection up for an import,
	// whose one transaction may write a million agreements (on), and back as it was (off).
	ImportSettings(on bool) []string
}

type sqliteDialect struct{}

func (sqliteDialect) Name() string               { return "sqlite" }
func (sqliteDialect) Rebind(query string) string { return query }
func (sqliteDialect) Year(column string) string {
	return "CAST(substr(" + column + ", 1, 4) AS INTEGER)"
}

func (sqliteDialect) TableExists() string {
	return "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
}

// SQLite has one writer at a time (BEGIN IMMEDIATE on a one-connection pool), so a write
// transaction sees no concurrent claims and needs no row locks.
func (sqliteDialect) SkipLocked() string { return "" }

func (sqliteDialect) ForUpdate() string { return "" }

func (sqliteDialect) OneWriter() bool { return true }

func (sqliteDialect) MemoizesCodes() bool { return true }

func (sqliteDialect) SearchIDs(table, _ string) string {
	return "SELECT rowid AS id, rank FROM " + table + " WHERE " + table + " MATCH ?"
}

func (sqliteDialect) SearchIDsUnranked(table, _ string) string {
	return "SELECT rowid AS id, 0 AS rank FROM " + table + " WHERE " + table + " MATCH ?"
}

func (sqliteDialect) DrivingJoin() string { return "CROSS JOIN" }

func (sqliteDialect) UpsertPartnerCodes() string {
	return "INSERT OR REPLACE INTO partner_codes (partner_id, codes) VALUES (?, ?)"
}

// OptimizeSearch merges the FTS5 segments and drops the tombstones of replaced documents, which
// every search would otherwise have to skip.
func (sqliteDialect) OptimizeSearch(table string) string {
	return "INSERT INTO " + table + " (" + table + ") VALUES ('optimize')"
}

func (sqliteDialect) SearchArg(terms []search.Term) string { return search.FTS5(terms) }

// Every table whose prefixes exactWords expands has a vocabulary table named for it with the
// suffix _vocabulary (migration 0013).
func (sqliteDialect) WordsStartingWith(table string) string {
	return "SELECT term FROM " + table + "_vocabulary WHERE term >= ? AND term < ? ORDER BY term LIMIT ?"
}

// BulkSearch stops FTS5's automatic merges (and delays its crisis merges to the most segments a
// level may have) so that a large import writes each segment once; the import then optimizes the
// table, merging everything in one pass. Off restores FTS5's defaults.
func (sqliteDialect) BulkSearch(table string, on bool) []string {
	automerge, crisismerge := "4", "16"
	if on {
		automerge, crisismerge = "0", "1000"
	}
	config := "INSERT INTO " + table + " (" + table + ", rank) VALUES "
	return []string{config + "('automerge', " + automerge + ")", config + "('crisismerge', " + crisismerge + ")"}
}

// DroppableIndexes on SQLite: sqlite_master keeps each index's CREATE INDEX statement as the
// migration wrote it, and has none for the indexes of keys and UNIQUE columns.
func (sqliteDialect) DroppableIndexes() string {
	return "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL " +
		"AND upper(sql) NOT LIKE 'CREATE UNIQUE %' ORDER BY name"
}

// ImportSettings on SQLite: no memory map, and a quarter of the page cache. Through the map, every page
// that a read of the transaction asks for (a foreign key's parent row, an agreement looked up by
// reference) is first looked up in the write-ahead log, even when it is in the page cache, and
// the log's index is searched block by block: an import of a million rows writes a log of a
// gigabyte, hundreds of blocks, and spent a tenth of its time there. The smaller cache leaves
// memory for more pending report cells (pendingCellsAtMost), and was no slower: a million rows
// took 52–55 s with 8 MiB and 16 MiB, 58 s with 32 MiB; 8 MiB keeps the peak some 17 MiB further
// under 256 MB (docs/performance.md).
func (sqliteDialect) ImportSettings(on bool) []string {
	size, cache := sqliteMmapSize, sqliteCacheKiB
	if on {
		size, cache = 0, sqliteCacheKiB/4
	}
	return []string{"PRAGMA mmap_size = " + strconv.Itoa(size), "PRAGMA cache_size = " + strconv.Itoa(-cache)}
}

// IndexDocument on SQLite: a contentless FTS5 table keyed by rowid.
func (sqliteDialect) IndexDocument(table, _ string) []string {
	return []string{
		"DELETE FROM " + table + " WHERE rowid = ?",
		"INSERT INTO " + table + " (rowid, document) VALUES (?, ?)",
	}
}

type postgresDialect struct{}

func (postgresDialect) Name() string { return "postgres" }

// Rebind numbers the placeholders $1, $2, … skipping quoted strings and identifiers.
func (postgresDialect) Rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (postgresDialect) Year(column string) string {
	return "CAST(EXTRACT(YEAR FROM " + column + ") AS INTEGER)"
}

func (postgresDialect) TableExists() string {
	return "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?)"
}

func (postgresDialect) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (postgresDialect) ForUpdate() string { return " FOR UPDATE" }

func (postgresDialect) OneWriter() bool { return false }

func (postgresDialect) MemoizesCodes() bool { return false }

func (postgresDialect) SearchIDs(table, idColumn string) string {
	return "SELECT " + idColumn + " AS id, -ts_rank(vector, q) AS rank FROM " + table +
		", to_tsquery('simple', ?) q WHERE vector @@ q"
}

func (postgresDialect) SearchIDsUnranked(table, idColumn string) string {
	return "SELECT " + idColumn + " AS id, 0 AS rank FROM " + table + " WHERE vector @@ to_tsquery('simple', ?)"
}

func (postgresDialect) DrivingJoin() string { return "JOIN" }

func (postgresDialect) UpsertPartnerCodes() string {
	return "INSERT INTO partner_codes (partner_id, codes) VALUES (?, ?) ON CONFLICT (partner_id) DO UPDATE SET codes = excluded.codes"
}

// OptimizeSearch: PostgreSQL keeps its GIN index in order itself (autovacuum).
func (postgresDialect) OptimizeSearch(string) string { return "" }

func (postgresDialect) SearchArg(terms []search.Term) string { return search.TSQuery(terms) }

func (postgresDialect) WordsStartingWith(string) string { return "" }

func (postgresDialect) BulkSearch(string, bool) []string { return nil }

// DroppableIndexes on PostgreSQL: none. Dropping an index locks its table against every reader
// until the import's transaction ends, where SQLite's readers go on reading the last commit.
func (postgresDialect) DroppableIndexes() string { return "" }

func (postgresDialect) ImportSettings(bool) []string { return nil }

func (postgresDialect) IndexDocument(table, idColumn string) []string {
	return []string{
		"DELETE FROM " + table + " WHERE " + idColumn + " = ?",
		"INSERT INTO " + table + " (" + idColumn + ", document) VALUES (?, ?)",
	}
}

// IsUniqueViolation reports whether err is a unique or primary-key constraint failure,
// judged by the driver's error code, never by message text.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsBusy reports whether err says the database could not be had in time: SQLite's lock held by
// another process past busy_timeout, or PostgreSQL's lock_timeout.
func IsBusy(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "55P03" // lock_not_available
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code() & 0xff // the primary code of an extended one
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}
