package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// --- helpers shared by the store tests ---

// wantCode fails the test unless err carries the application error code.
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("got error %v (code %s), want code %s", err, apperr.CodeOf(err), code)
	}
}

// newPartner returns a minimal partner that the schema accepts.
func newPartner(key, name, partnerType string) *partner.Partner {
	return &partner.Partner{
		Key:        key,
		Texts:      map[string]partner.Text{"en": {Name: name}},
		Type:       partnerType,
		Membership: "none",
		Status:     partner.StatusActive,
	}
}

func mustCreatePartners(t *testing.T, db *store.DB, partners ...*partner.Partner) {
	t.Helper()
	if err := db.CreatePartners(t.Context(), partners); err != nil {
		t.Fatalf("create partners: %v", err)
	}
	for _, p := range partners {
		if p.ID == 0 {
			t.Fatalf("partner %s has no ID after CreatePartners", p.Key)
		}
	}
}

func mustCount(t *testing.T, what string, count func(context.Context) (int, error), want int) {
	t.Helper()
	got, err := count(t.Context())
	if err != nil {
		t.Fatalf("count %s: %v", what, err)
	}
	if got != want {
		t.Errorf("%d %s stored, want %d", got, what, want)
	}
}

// newUser returns an account that passes validation; the hash is a stand-in, as the store never
// checks passwords.
func newUser(username string, role user.Role, active bool) *user.User {
	return &user.User{
		Username:     username,
		Email:        username + "@example.org",
		DisplayName:  "User " + username,
		PasswordHash: "$argon2id$stand-in-for-" + username,
		Role:         role,
		Active:       active,
	}
}

func mustCreateUser(t *testing.T, db *store.DB, u *user.User) *user.User {
	t.Helper()
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("create user %s: %v", u.Username, err)
	}
	if u.ID == 0 {
		t.Fatalf("user %s has no ID after CreateUser", u.Username)
	}
	return u
}

// checkStamp checks that a stored timestamp is the time of the call that stored it, give or take
// the database's precision (PostgreSQL keeps microseconds).
func checkStamp(t *testing.T, what string, got, before, after time.Time) {
	t.Helper()
	if got.Before(before.Add(-time.Millisecond)) || got.After(after.Add(time.Millisecond)) {
		t.Errorf("%s = %v, want between %v and %v", what, got, before, after)
	}
}

// equal fails the test when got and want differ, printing both.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// --- migrations ---

func migrationFileNames(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("sqldb", "migrations", dialect))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("no migrations in migrations/%s", dialect)
	}
	return names
}

func TestMigrationSetsHaveTheSameFiles(t *testing.T) {
	equal(t, "postgres migrations vs sqlite migrations", migrationFileNames(t, "postgres"), migrationFileNames(t, "sqlite"))
}

// migrationNames turns migrations into the file names they come from.
func migrationNames(list []store.Migration) []string {
	var names []string
	for _, m := range list {
		names = append(names, fmt.Sprintf("%04d_%s.sql", m.Version, m.Name))
	}
	return names
}

func TestMigrateTwiceAppliesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// storetest has migrated once already.
		done, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", migrationNames(done))
		}
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		dialect := "sqlite"
		if db.IsPostgres() {
			dialect = "postgres"
		}
		equal(t, "migrations in status", migrationNames(status), migrationFileNames(t, dialect))
		for _, m := range status {
			if m.AppliedAt.IsZero() {
				t.Errorf("migration %04d_%s is not marked applied", m.Version, m.Name)
			}
		}
	})
}

// schema is the tables of a database with their column names, and the names of the indexes made
// with CREATE INDEX.
type schema struct {
	Columns map[string][]string
	Indexes []string
}

func readSchema(t *testing.T, conn *sql.DB, tablesQuery, indexesQuery string) schema {
	t.Helper()
	s := schema{Columns: map[string][]string{}}
	rows, err := conn.QueryContext(t.Context(), tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		s.Columns[table] = append(s.Columns[table], column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for table := range s.Columns {
		slices.Sort(s.Columns[table])
	}
	irows, err := conn.QueryContext(t.Context(), indexesQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer irows.Close()
	for irows.Next() {
		var name string
		if err := irows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		s.Indexes = append(s.Indexes, name)
	}
	if err := irows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(s.Indexes)
	return s
}

// withoutSearchIndexes drops the full-text indexes from a schema: they are the one part that
// differs by design (an FTS5 virtual table with its shadow tables on SQLite, a table with a
// tsvector and a GIN index on PostgreSQL), and each is tested through the searches it serves.
func withoutSearchIndexes(s schema) schema {
	for table := range s.Columns {
		if strings.HasSuffix(table, "_search") || strings.Contains(table, "_search_") {
			delete(s.Columns, table)
		}
	}
	s.Indexes = slices.DeleteFunc(s.Indexes, func(name string) bool { return strings.HasSuffix(name, "_search_vector") })
	return s
}

// migrateFresh opens an empty database, checks that every migration is pending, migrates it and
// checks that every migration file was applied.
func migrateFresh(t *testing.T, dataDir, databaseURL, dialect string) *store.DB {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, dataDir, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files := migrationFileNames(t, dialect)
	pending, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, dialect+" migrations before migrating", migrationNames(pending), files)
	for _, m := range pending {
		if !m.AppliedAt.IsZero() {
			t.Errorf("%s: migration %04d_%s applied before Migrate", dialect, m.Version, m.Name)
		}
	}
	done, err := db.Migrate(ctx)
	if err != nil {
		t.Fatalf("%s: migrate: %v", dialect, err)
	}
	equal(t, dialect+" migrations applied by the first Migrate", migrationNames(done), files)
	return db
}

// The two migration sets must build the same tables with the same columns, so that the store's
// portable SQL finds the same schema on both databases.
func TestMigratedSchemasMatch(t *testing.T) {
	lite := migrateFresh(t, t.TempDir(), "", "sqlite")
	liteConn, err := sql.Open("sqlite", lite.Location)
	if err != nil {
		t.Fatal(err)
	}
	defer liteConn.Close()
	liteSchema := withoutSearchIndexes(readSchema(t, liteConn,
		`SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`,
		`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`))
	if len(liteSchema.Columns["partners"]) == 0 || len(liteSchema.Columns["agreements"]) == 0 {
		t.Fatalf("SQLite schema has no partners or agreements table: %v", liteSchema.Columns)
	}
	if !slices.Contains(liteSchema.Indexes, "sessions_user") {
		t.Fatalf("SQLite indexes %v lack sessions_user", liteSchema.Indexes)
	}

	t.Run("postgres", func(t *testing.T) {
		serverURL := os.Getenv(storetest.EnvPostgresURL)
		if serverURL == "" {
			t.Skip(storetest.EnvPostgresURL + " is not set; the PostgreSQL half of the comparison is skipped")
		}
		pgURL := storetest.CreatePostgresDatabase(t, serverURL)
		migrateFresh(t, "", pgURL, "postgres")
		pgConn, err := sql.Open("pgx", pgURL)
		if err != nil {
			t.Fatal(err)
		}
		defer pgConn.Close()
		pgSchema := withoutSearchIndexes(readSchema(t, pgConn,
			`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
			`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
			 AND indexname NOT IN (SELECT conname FROM pg_constraint)`))

		for table, cols := range liteSchema.Columns {
			if pgCols, ok := pgSchema.Columns[table]; !ok {
				t.Errorf("table %s is on SQLite only", table)
			} else {
				equal(t, "columns of "+table+" (postgres vs sqlite)", pgCols, cols)
			}
		}
		for table := range pgSchema.Columns {
			if _, ok := liteSchema.Columns[table]; !ok {
				t.Errorf("table %s is on PostgreSQL only", table)
			}
		}
		equal(t, "indexes (postgres vs sqlite)", pgSchema.Indexes, liteSchema.Indexes)
	})
}

// --- reference data ---

func TestReferenceData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// storetest loaded the defaults once; loading them again must change nothing.
		before, err := db.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.LoadReferenceDefaults(ctx); err != nil {
			t.Fatalf("second LoadReferenceDefaults: %v", err)
		}

		codes, err := db.Codes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes := []struct {
			list string
			want int
		}{
			{reference.ListRegion, 7},
			{reference.ListCountry, 249},
			{reference.ListActionArea, 11},
			{reference.ListPartnerType, 9},
			{reference.ListMembership, 5},
			{reference.ListAgreementType, 7},
			{reference.ListFinancingType, 6},
		}
		for _, s := range sizes {
			if got := len(codes[s.list]); got != s.want {
				t.Errorf("%d %s codes, want %d", got, s.list, s.want)
			}
		}
		for _, c := range []struct{ list, code string }{
			{reference.ListRegion, "GLO"}, {reference.ListCountry, "SN"}, {reference.ListCountry, "PS"},
			{reference.ListActionArea, "climate_ewaste"}, {reference.ListPartnerType, "un_agency"},
			{reference.ListAgreementType, "amendment"}, {reference.ListCurrency, "EUR"}, {reference.ListCurrency, "XOF"},
		} {
			if !codes.Has(c.list, c.code) {
				t.Errorf("code %s missing from %s", c.code, c.list)
			}
		}
		if codes.Has(reference.ListRegion, "OE") {
			t.Error("OE (other economies) must not be a region")
		}

		labels, err := db.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "labels after loading the defaults twice", len(labels), len(before))
		for _, l := range []struct{ list, code, lang, want string }{
			{reference.ListRegion, "ARB", "ar", "الدول العربية"},
			{reference.ListRegion, "ARB", "en", "Arab States"},
			{reference.ListRegion, "GLO", "ru", "Глобальный уровень"},
			{reference.ListActionArea, "capacity_building", "zh", "能力建设"},
			{reference.ListActionArea, "capacity_building", "fr", "Renforcement des capacités"},
			{reference.ListCountry, "SN", "fr", "Sénégal"},
			{reference.ListCountry, "EG", "ar", "مصر"},
			{reference.ListCountry, "CH", "zh", "瑞士"},
		} {
			if got := labels.Label(l.list, l.code, l.lang); got != l.want {
				t.Errorf("label of %s %s in %s = %q, want %q", l.list, l.code, l.lang, got, l.want)
			}
		}
		for _, code := range reference.Regions {
			for _, lang := range reference.Languages {
				if labels[reference.ListRegion][code][lang] == "" {
					t.Errorf("region %s has no label in %s", code, lang)
				}
			}
		}
		if n := len(labels[reference.ListCountry]); n != 249 {
			t.Errorf("%d countries have labels, want 249", n)
		}

		rates, err := db.Rates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// rates.csv: EUR 1.11 from 2015-01-01, 1.107 from 2016-01-01.
		day := civil.MustParse("2015-06-30")
		rate, ok := rates.USDPerUnit("EUR", day)
		if !ok || rate != 1.11 {
			t.Fatalf("EUR on %s = %v, %v; want 1.11", day, rate, ok)
		}
		if got := money.Amount(100000).Convert(rate); got != 111000 { // EUR 1,000.00 → USD 1,110.00
			t.Errorf("EUR 1000.00 on %s = USD %s, want 1110.00", day, got)
		}
		if rate, ok := rates.USDPerUnit("EUR", civil.MustParse("2016-01-01")); !ok || rate != 1.107 {
			t.Errorf("EUR on 2016-01-01 = %v, %v; want 1.107", rate, ok)
		}
	})
}

// --- backup ---

func TestBackup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		dir := t.TempDir()
		target := filepath.Join(dir, store.SQLiteFile)
		if db.IsPostgres() {
			if err := db.Backup(ctx, target); err == nil {
				t.Fatal("Backup on PostgreSQL succeeded, want an error (pg_dump is the tool)")
			}
			if _, err := os.Stat(target); !os.IsNotExist(err) {
				t.Errorf("Backup on PostgreSQL left a file at %s", target)
			}
			return
		}
		mustCreatePartners(t, db,
			newPartner("itu-academy-friend", "Academy Friend", "academia"),
			newPartner("sahel-telecom", "Sahel Télécom", "private"))

		if err := db.Backup(ctx, target); err != nil {
			t.Fatalf("backup: %v", err)
		}
		copyDB, err := store.Open(ctx, dir, "")
		if err != nil {
			t.Fatalf("open backup: %v", err)
		}
		defer copyDB.Close()
		mustCount(t, "partners in the backup", copyDB.CountPartners, 2)
		p, err := copyDB.PartnerByKey(ctx, "sahel-telecom")
		if err != nil {
			t.Fatalf("partner in backup: %v", err)
		}
		if p.Name("en") != "Sahel Télécom" || p.Type != "private" {
			t.Errorf("partner in backup = %q (%s), want Sahel Télécom (private)", p.Name("en"), p.Type)
		}
		status, err := copyDB.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range status {
			if m.AppliedAt.IsZero() {
				t.Errorf("backup lacks migration %04d_%s", m.Version, m.Name)
			}
		}

		// A second backup onto the same file, or onto any existing file, is refused and leaves it alone.
		existing := filepath.Join(t.TempDir(), "keep.db")
		if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := db.Backup(ctx, existing); err == nil {
			t.Error("Backup onto an existing file succeeded, want it refused")
		}
		if b, _ := os.ReadFile(existing); string(b) != "keep me" {
			t.Errorf("Backup overwrote an existing file: it now holds %d bytes", len(b))
		}
		if err := db.Backup(ctx, target); err == nil {
			t.Error("Backup onto the previous backup succeeded, want it refused")
		}
	})
}
