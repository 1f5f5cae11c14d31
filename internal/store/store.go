// Package store keeps Pactum's data in SQLite or PostgreSQL with plain, parameterised SQL.
//
// The connection, transactions, dialect and migrations are the core, internal/store/sqldb; DB
// puts the rooms of the store together behind one value, so that the web layer and the commands
// hold one thing.
package store

import (
	"context"

	"pactum/internal/store/accounts"
	"pactum/internal/store/agreements"
	"pactum/internal/store/derived"
	"pactum/internal/store/importjobs"
	"pactum/internal/store/insights"
	"pactum/internal/store/outbox"
	"pactum/internal/store/partners"
	"pactum/internal/store/references"
	"pactum/internal/store/relations"
	"pactum/internal/store/sqldb"
)

// SQLiteFile is the database file's name inside the data folder.
const SQLiteFile = sqldb.SQLiteFile

// ErrSchemaBehind means the database answers but does not hold the schema this binary needs.
var ErrSchemaBehind = sqldb.ErrSchemaBehind

// Options change how OpenWith sets the database up.
type Options = sqldb.Options

// Migration is one numbered schema change.
type Migration = sqldb.Migration

// DB is an open Pactum database with every room of the store.
type DB struct {
	*sqldb.DB
	*partners.Partners
	*agreements.Agreements
	*insights.Insights
	*references.References
	*relations.Relations
	*accounts.Accounts
	*outbox.Outbox
	*importjobs.ImportJobs
	codes *derived.CodesMemo // where the dialect memoizes codes
}

// Open opens (creating if needed) the database: PostgreSQL when databaseURL is set, otherwise
// SQLite in dataDir. It does not migrate; call Migrate.
func Open(ctx context.Context, dataDir, databaseURL string) (*DB, error) {
	return OpenWith(ctx, dataDir, databaseURL, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dataDir, databaseURL string, opts Options) (*DB, error) {
	core, err := sqldb.OpenWith(ctx, dataDir, databaseURL, opts)
	if err != nil {
		return nil, err
	}
	var codes *derived.CodesMemo
	if core.Dialect().MemoizesCodes() {
		codes = derived.NewCodesMemo(core)
	}
	registry, lists := agreements.New(core, codes), references.New(core)
	db := &DB{DB: core, codes: codes, Partners: partners.New(core, agreements.Load), Agreements: registry,
		Insights: insights.New(core, registry, lists), References: lists, Relations: relations.New(core),
		Accounts: accounts.New(core), Outbox: outbox.New(core), ImportJobs: importjobs.New(core)}
	return db, nil
}

// Close waits for the writes of last uses, stops the copying of agreement codes into memory and
// closes the database.
func (db *DB) Close() error {
	db.Accounts.Close()
	if db.codes != nil {
		db.codes.Close()
	}
	return db.DB.Close()
}

// CopyAgreementCodesInBackground starts copying the registry's facet codes into memory, where
// the database keeps such a copy (SQLite), so that the first searches of a server that starts
// need not read them from the table.
func (db *DB) CopyAgreementCodesInBackground() { db.codes.CopyInBackground() }

// LoadAgreementCodes copies the registry's facet codes into memory now, where the database keeps
// such a copy (SQLite), so that the first searches need not wait for it; otherwise it does nothing.
func (db *DB) LoadAgreementCodes(ctx context.Context) error { return db.codes.Load(ctx) }

// OptimizeSearch compacts the search indexes after many changes (see derived.OptimizeSearch).
func (db *DB) OptimizeSearch(ctx context.Context) error { return derived.OptimizeSearch(ctx, db.DB) }
