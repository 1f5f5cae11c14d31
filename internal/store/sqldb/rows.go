package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// Querier is what reads need: the read pool, or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QueryStrings runs a query that returns one text column.
func QueryStrings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, rows.Err()
}

// NullString is s, or NULL when s is empty.
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// NullID is id, or NULL when it is 0 (no record).
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Dedupe returns values without repeats, keeping the first of each.
func Dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := values[:0:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// QueryIDs runs a query that returns one integer column.
func QueryIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// EachRowOf runs a query on the read pool and calls fn with the scanner of every row.
func EachRowOf(ctx context.Context, q Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	return EachRow(rows, fn)
}

// EachRow calls fn with the scanner of every row of rows, and closes them.
func EachRow(rows *sql.Rows, fn func(scan func(...any) error) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// KeyString turns a grouping key (a year comes back as an integer) into its text form.
func KeyString(k any) string {
	switch v := k.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case []byte:
		return string(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
