// Package store keeps Pactum's data in SQLite or PostgreSQL with plain, parameterised SQL.
//
// The connection, transactions, dialect and migrations are the core, internal/store/sqldb; DB
// puts the rooms of the store together behind one value, so that the web layer and the commands
// hold one thing.
package store

import (
	"context"

	"pactum/internal/store/accounts"
	"pactum/internal/store/outbox"
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
	*accounts.Accounts
	*outbox.Outbox
	codes *codesMemo // where the dialect memoizes codes
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
	db := &DB{DB: core}
	db.Accounts = accounts.New(core)
	db.Outbox = outbox.New(core)
	if core.Dialect().MemoizesCodes() {
		db.codes = newCodesMemo(db)
	}
	return db, nil
}

// Close waits for the writes of last uses, stops the copying of agreement codes into memory and
// closes the database.
func (db *DB) Close() error {
	db.Accounts.Close()
	if db.codes != nil {
		db.codes.close()
	}
	return db.DB.Close()
}
