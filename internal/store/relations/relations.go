// Package relations stores the relationship log: the interactions with partners, the follow-ups
// they lead to and their daily reminders, the recognitions partners received, and the partners an
// e-mail's addresses point to. It is a room of its own because it is how the office cultivates
// partners, apart from the partners' records and their agreements.
package relations

import "pactum/internal/store/sqldb"

// Relations reads and writes the relationship log: interactions, follow-ups, reminders,
// recognitions, and the partners behind e-mail addresses. It is one room of store.DB.
type Relations struct {
	db *sqldb.DB
}

// New returns the room on an open database.
func New(db *sqldb.DB) *Relations { return &Relations{db: db} }
