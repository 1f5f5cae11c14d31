package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"strings"
)

// MaxChunkParams bounds the placeholders of one multi-row INSERT, well under what SQLite
// (32,766) and PostgreSQL (65,535) take.
const MaxChunkParams = 12_000

// Chunks writes many rows with multi-row INSERTs inside one transaction, keeping the statements
// it prepares for the transaction's duration (see Each): bulk imports write through it.
type Chunks struct {
	tx    *Tx
	stmts map[chunkStmt]*sql.Stmt
}

// NewChunks returns a chunk writer for tx; Close it before the transaction ends.
func NewChunks(tx *Tx) *Chunks { return &Chunks{tx: tx, stmts: map[chunkStmt]*sql.Stmt{}} }

// Close closes the prepared statements.
func (c *Chunks) Close() {
	for _, s := range c.stmts {
		s.Close()
	}
}

// chunkStmt names a multi-row INSERT: its text before VALUES and after them, and its rows.
type chunkStmt struct {
	insert, suffix string
	rows           int
}

// Exec runs a multi-row INSERT for rows of width values, flattened in args.
func (c *Chunks) Exec(ctx context.Context, insert string, width int, args []any) error {
	return c.Each(ctx, insert, width, "", args, func(stmt *sql.Stmt, chunk []any) error {
		if _, err := stmt.ExecContext(ctx, chunk...); err != nil {
			return fmt.Errorf("%s: %w", insert, err)
		}
		return nil
	})
}

// Each cuts args (rows of width values) into chunks and calls fn with each chunk and the
// statement "insert VALUES (?, …), … suffix" that takes it. A chunk has at most MaxChunkParams
// values and a number of rows that is a power of two, or the most that MaxChunkParams allows:
// so an import prepares a dozen statements per table whatever the sizes of its batches, instead
// of one per batch. Preparing a statement of thousands of placeholders costs as much as running
// it, and database/sql keeps every statement prepared in a transaction until the transaction
// ends: an import of a million rows prepared 6,000 of them, and held 90 MB of their texts.
func (c *Chunks) Each(ctx context.Context, insert string, width int, suffix string, args []any,
	fn func(stmt *sql.Stmt, chunk []any) error) error {
	most := MaxChunkParams / width
	for start := 0; start < len(args); {
		rows := min(most, 1<<(bits.Len(uint((len(args)-start)/width))-1))
		chunk := args[start : start+rows*width]
		start += len(chunk)
		key := chunkStmt{insert, suffix, rows}
		stmt, ok := c.stmts[key]
		if !ok {
			row := "(" + Placeholders(width) + ")"
			var err error
			if stmt, err = c.tx.Prepare(ctx, insert+" VALUES "+strings.Repeat(row+", ", rows-1)+row+suffix); err != nil {
				return fmt.Errorf("prepare %s: %w", insert, err)
			}
			c.stmts[key] = stmt
		}
		if err := fn(stmt, chunk); err != nil {
			return err
		}
	}
	return nil
}
