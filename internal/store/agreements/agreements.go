// Package agreements stores the registry: agreements with their titles, parties, regions,
// countries and amendments, payment schedules and obligations, the registry list with its search
// and facets, and the writing of agreement files in bulk. What is derived from them goes through
// internal/store/derived.
package agreements

import (
	"context"

	"pactum/internal/agreement"
	"pactum/internal/store/derived"
	"pactum/internal/store/sqldb"
)

// Agreements reads and writes the registry. It is one room of store.DB.
type Agreements struct {
	db *sqldb.DB
	// codes is the server's copy of agreement_codes, where the database keeps one (SQLite), for
	// counting the facets of a search.
	codes *derived.CodesMemo
}

// New returns the room on an open database with its codes memo (nil where none is kept).
func New(db *sqldb.DB, codes *derived.CodesMemo) *Agreements {
	return &Agreements{db: db, codes: codes}
}

// Load reads stored agreements with everything that belongs to them, in the order of ids: the
// reader the derived data needs to derive agreements again.
func Load(ctx context.Context, q sqldb.Querier, ids []int64) ([]*agreement.Agreement, error) {
	return agreementsByIDs(ctx, q, ids)
}
