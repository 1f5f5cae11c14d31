// Package insights reads the figures management sees — the status analysis by year, region,
// action area and type, the dashboard's totals, top partners and instalments received — from the
// report cells that internal/store/derived keeps, and from the registry where a filter needs it.
package insights

import (
	"pactum/internal/store/agreements"
	"pactum/internal/store/references"
	"pactum/internal/store/sqldb"
)

// Insights reads the figures. It is one room of store.DB.
type Insights struct {
	db *sqldb.DB
	// registry finds the agreements a filter selects, as the registry's search does.
	registry *agreements.Agreements
	// lists orders the figures by the reference lists (partner types).
	lists *references.References
}

// New returns the room on an open database, reading selections through the registry's room and
// reference lists through theirs.
func New(db *sqldb.DB, registry *agreements.Agreements, lists *references.References) *Insights {
	return &Insights{db: db, registry: registry, lists: lists}
}
