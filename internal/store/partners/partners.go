// Package partners stores the funding partners: their profiles in six languages, contacts,
// due diligence and documents, the partner list with its search and facets, duplicates and
// merges, and the involvement a profile shows. What is derived from them goes through
// internal/store/derived.
package partners

import (
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// Partners reads and writes partners. It is one room of store.DB.
type Partners struct {
	db *sqldb.DB
	// load reads agreements, which the derived data of a renamed or merged partner needs.
	load derived.Loader
}

// New returns the room on an open database; load is the agreements' reader.
func New(db *sqldb.DB, load derived.Loader) *Partners { return &Partners{db: db, load: load} }
