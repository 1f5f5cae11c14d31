// Package accounts stores who may use Pactum and how they prove it — users, sessions, one-time
// links, API tokens, the sign-in throttle and request counters — and reads the audit trail of
// what they did: a room of its own, as every other room only names its actor.
package accounts

import (
	"sync"

	"pactum/internal/store/sqldb"
)

// Accounts reads and writes users, sessions, one-time links, API tokens, the sign-in throttle,
// the request counters and the audit trail. It is one room of store.DB.
type Accounts struct {
	db *sqldb.DB
	// touching holds the sessions and API tokens whose last use is being written, and touches the
	// goroutines writing them, which Close waits for (SessionUser, APITokenUser).
	touching sync.Map
	touches  sync.WaitGroup
}

// New returns the room on an open database.
func New(db *sqldb.DB) *Accounts { return &Accounts{db: db} }

// Close waits for the writes of last uses under way, which need the database open. The room
// stays usable: tests call it to read a last use back once it is written.
func (s *Accounts) Close() { s.touches.Wait() }
