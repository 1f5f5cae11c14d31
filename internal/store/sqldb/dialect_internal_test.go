package sqldb

import "testing"

func TestPostgresRebind(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no placeholders", "SELECT COUNT(*) FROM partners", "SELECT COUNT(*) FROM partners"},
		{"empty", "", ""},
		{"one", "SELECT name FROM partners WHERE key = ?", "SELECT name FROM partners WHERE key = $1"},
		{
			"several",
			"INSERT INTO t (a, b, c) VALUES (?, ?, ?)",
			"INSERT INTO t (a, b, c) VALUES ($1, $2, $3)",
		},
		{"ten and more", "VALUES (?,?,?,?,?,?,?,?,?,?,?)", "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"},
		{
			"in a single-quoted literal",
			"SELECT 'what?' FROM t WHERE a = ? AND b = '?' AND c = ?",
			"SELECT 'what?' FROM t WHERE a = $1 AND b = '?' AND c = $2",
		},
		{
			"in a double-quoted identifier",
			`SELECT "odd?name" FROM t WHERE "x?" = ?`,
			`SELECT "odd?name" FROM t WHERE "x?" = $1`,
		},
		{
			"a single quote inside an identifier",
			`SELECT "it's?" FROM t WHERE a = ?`,
			`SELECT "it's?" FROM t WHERE a = $1`,
		},
		{
			"a double quote inside a literal",
			`SELECT 'say "hi?"' WHERE a = ?`,
			`SELECT 'say "hi?"' WHERE a = $1`,
		},
		{
			"an escaped quote inside a literal",
			"SELECT 'it''s ?' WHERE a = ?",
			"SELECT 'it''s ?' WHERE a = $1",
		},
		{
			"non-ASCII text around placeholders",
			"SELECT 'الدول العربية?' WHERE name = ? AND zh = '数字?'",
			"SELECT 'الدول العربية?' WHERE name = $1 AND zh = '数字?'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (postgresDialect{}).Rebind(tt.in); got != tt.want {
				t.Errorf("rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// SQLite takes '?' as it is.
func TestSQLiteRebindKeepsQuery(t *testing.T) {
	q := "SELECT '?' FROM t WHERE a = ? AND b = ?"
	if got := (sqliteDialect{}).Rebind(q); got != q {
		t.Errorf("rebind(%q) = %q, want it unchanged", q, got)
	}
}
