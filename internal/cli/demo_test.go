package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pactum/internal/cli"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// database is where a test's pactum commands keep their data: a SQLite folder or a PostgreSQL URL.
type database struct {
	vars map[string]string // PACTUM_DATA or PACTUM_DATABASE_URL, without PACTUM_DEMO
}

// newDatabases returns a place for a database that does not exist yet, on each backend: an empty
// SQLite folder, and a new empty PostgreSQL database (which, as in CI, must be there when
// PACTUM_TEST_DATABASE_URL is set).
func newDatabases(t *testing.T) map[string]func(t *testing.T) database {
	return map[string]func(t *testing.T) database{
		"sqlite": func(t *testing.T) database {
			return database{vars: map[string]string{"PACTUM_DATA": filepath.Join(t.TempDir(), "data")}}
		},
		"postgres": func(t *testing.T) database {
			server := os.Getenv(storetest.EnvPostgresURL)
			if server == "" {
				t.Skip(storetest.EnvPostgresURL + " is not set; PostgreSQL tests skipped")
			}
			return database{vars: map[string]string{"PACTUM_DATABASE_URL": storetest.CreatePostgresDatabase(t, server)}}
		},
	}
}

// run runs a pactum command on the database with the environment a person would have: no
// PACTUM_DEMO, so every flag has its default.
func (d database) run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	vars := map[string]string{"PACTUM_LOG_LEVEL": "warn", "PACTUM_ADMIN_PASSWORD": "correct-horse-battery"}
	for k, v := range d.vars {
		vars[k] = v
	}
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errOut.String()
}

// serve starts pactum serve with args on the database, waits until it answers and stops it as
// Ctrl+C would.
func (d database) serve(t *testing.T, args ...string) {
	t.Helper()
	vars := map[string]string{"PACTUM_LOG_LEVEL": "warn", "PACTUM_ADDR": "127.0.0.1:0", "PACTUM_ADMIN_PASSWORD": "correct-horse-battery"}
	for k, v := range d.vars {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	ready := make(chan struct{})
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append([]string{"serve"}, args...), cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return vars[k] }, Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve %v stopped with %d: %s", args, code, errOut.String())
		}
	case code := <-done:
		t.Fatalf("serve %v exited with %d before it was ready: %s", args, code, errOut.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve %v was not ready within two minutes: %s", args, errOut.String())
	}
}

// counts returns how many partners and agreements the database holds.
func (d database) counts(t *testing.T) (partners, agreements int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, d.vars["PACTUM_DATA"], d.vars["PACTUM_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if partners, err = db.CountPartners(ctx); err != nil {
		t.Fatal(err)
	}
	if agreements, err = db.CountAgreements(ctx); err != nil {
		t.Fatal(err)
	}
	return partners, agreements
}

// The demo dataset goes only into the database that a serve start creates, and only when asked
// (--demo, on by default). No other command loads it, whatever its environment: a registry
// created with --demo=false, or by another command, stays real.
func TestDemoDataOnlyInTheDatabaseServeCreates(t *testing.T) {
	partnersFile := writeFile(t, t.TempDir(), "partners.csv", "key,name,type,membership,status\nitu,ITU,un_agency,none,active\n")
	for name, newDatabase := range newDatabases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("created without the demo, then every command", func(t *testing.T) {
				d := newDatabase(t)
				d.serve(t, "--demo=false")
				backup := filepath.Join(t.TempDir(), "copy.db")
				steps := []struct {
					args     []string
					stdin    string
					partners int // the partners the step leaves
				}{
					{[]string{"migrate"}, "", 0},
					{[]string{"migrate", "status"}, "", 0},
					{[]string{"user", "add", "alice", "--role", "officer", "--password-stdin"}, "alice-password-long\n", 0},
					{[]string{"user", "passwd", "alice", "--password-stdin"}, "another-password-long\n", 0},
					{[]string{"user", "list"}, "", 0},
					{[]string{"token", "create", "admin"}, "", 0},
					{[]string{"import", "partners", partnersFile, "--dry-run"}, "", 0},
					{[]string{"import", "partners", partnersFile}, "", 1},
					{[]string{"serve"}, "", 1},
					{[]string{"serve", "--demo=true"}, "", 1},
				}
				if name == "sqlite" {
					steps = append(steps, struct {
						args     []string
						stdin    string
						partners int
					}{[]string{"backup", backup}, "", 1})
				}
				for _, step := range steps {
					if step.args[0] == "serve" {
						d.serve(t, step.args[1:]...)
					} else if code, _, stderr := d.run(t, step.stdin, step.args...); code != 0 {
						t.Fatalf("pactum %v: exit %d: %s", step.args, code, stderr)
					}
					if partners, agreements := d.counts(t); partners != step.partners || agreements != 0 {
						t.Fatalf("after pactum %v: %d partners and %d agreements, want %d and none", step.args, partners, agreements, step.partners)
					}
				}
			})
			t.Run("created by another command", func(t *testing.T) {
				d := newDatabase(t)
				if code, _, stderr := d.run(t, "long-enough-password\n", "user", "add", "bob", "--role", "viewer", "--password-stdin"); code != 0 {
					t.Fatalf("user add: exit %d: %s", code, stderr)
				}
				d.serve(t)
				if partners, agreements := d.counts(t); partners != 0 || agreements != 0 {
					t.Errorf("serve on a database that user add created loaded %d partners and %d agreements", partners, agreements)
				}
			})
			t.Run("created by serve with the demo", func(t *testing.T) {
				d := newDatabase(t)
				d.serve(t)
				if partners, agreements := d.counts(t); partners < 100 || agreements < 1000 {
					t.Errorf("the first start loaded %d partners and %d agreements, want the demo dataset", partners, agreements)
				}
			})
		})
	}
}

// Commands other than serve have no --demo flag: asking one of them for the demo is a mistake in
// the command line, not a way to load it.
func TestOnlyServeTakesTheDemoFlag(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"migrate", "--demo"}, {"user", "list", "--demo"}, {"token", "create", "admin", "--demo"}} {
		if code, _, _ := runPactum(t, dir, args...); code != 2 {
			t.Errorf("pactum %v: exit %d, want 2", args, code)
		}
	}
}
