// Package audit describes the audit trail: who changed which record, when, and each changed
// field before and after. Store methods that change data record an entry in the same
// transaction, with the actor taken from the context the request handler set.
package audit

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"pactum/internal/civil"
)

// Actions recorded in the trail.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
	ActionSignIn = "sign_in"
	ActionImport = "import"
)

// Actions lists the actions, for filters.
var Actions = []string{ActionCreate, ActionUpdate, ActionDelete, ActionSignIn, ActionImport}

// Actor is who makes a change: a signed-in user, or the system (commands, imports, demo data).
type Actor struct {
	UserID   int64 // 0 for the system
	Username string
}

// System is the actor of changes no person makes through the application.
var System = Actor{Username: "system"}

type actorKey struct{}

// WithActor returns a context whose changes are recorded as made by a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or System.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return System
}

// Change is one field's value before and after.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Changes maps field names to their change.
type Changes map[string]Change

// Fields returns the changed fields in order, for display.
func (c Changes) Fields() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Record is a snapshot of a record's auditable fields by name. Secrets (password hashes) are
// never put in a Record.
type Record map[string]any

// Diff returns the fields whose values differ between before and after; a nil before is a
// creation, a nil after a deletion.
func Diff(before, after Record) Changes {
	changes := Changes{}
	for k, b := range before {
		a, ok := after[k]
		if after == nil || !ok {
			changes[k] = Change{Before: normal(b)}
			continue
		}
		if !reflect.DeepEqual(normal(a), normal(b)) {
			changes[k] = Change{Before: normal(b), After: normal(a)}
		}
	}
	for k, a := range after {
		if _, ok := before[k]; !ok {
			changes[k] = Change{After: normal(a)}
		}
	}
	return changes
}

// normal turns values into what they will be once stored as JSON, so that comparisons do not
// see a difference between a nil list and an empty one, or a date and its text.
func normal(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case civil.Date:
		if x.IsZero() {
			return nil
		}
		return x.String()
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.UTC().Format(time.RFC3339)
	case []string:
		if len(x) == 0 {
			return nil
		}
		return x
	case fmt.Stringer:
		return x.String()
	case string:
		if x == "" {
			return nil
		}
		return x
	}
	return v
}

// Entry is one line of the trail.
type Entry struct {
	ID        int64
	At        time.Time
	UserID    int64
	Actor     string
	Action    string
	Entity    string
	EntityKey string
	Changes   Changes
}

// Filter selects entries for the audit page; zero fields select everything.
type Filter struct {
	Entity    string
	EntityKey string
	Actor     string
	Action    string
	From, To  civil.Date
	Offset    int
	Limit     int
}

// ListedKeys is how many keys of the records an import created and updated its audit entry
// lists; the counts say how many there were in all.
const ListedKeys = 1000

// Set is a list as a record shows it: without repeats and sorted, so that a list given in
// another order records no change.
func Set(values []string) []string {
	seen := make(map[string]bool, len(values))
	var out []string
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
