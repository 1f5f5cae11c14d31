package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pactum/internal/audit"
	"pactum/internal/cli"
	"pactum/internal/store"
)

// runPactum runs the pactum command on the SQLite database in dir, without the demo dataset.
func runPactum(t testing.TB, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	vars := map[string]string{"PACTUM_DATA": dir, "PACTUM_DEMO": "false", "PACTUM_LOG_LEVEL": "warn"}
	var out, errOut bytes.Buffer
	code = cli.Main(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errOut.String()
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// stored opens the database in dir and returns how many partners and import audit entries it has.
func stored(t *testing.T, dir string) (partners, imports int) {
	t.Helper()
	db, err := store.Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if partners, err = db.CountPartners(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, imports, err = db.AuditEntries(context.Background(), audit.Filter{Entity: "partner_import"}); err != nil {
		t.Fatal(err)
	}
	return partners, imports
}

func TestImportPartnersRefusesABadFile(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, t.TempDir(), "bad.csv", "key,name,type,membership,status,regions\n"+
		"itu,ITU,un_agency,none,active,AFR\n"+
		"undp,UNDP,charity,none,active,Afrika\n"+
		"itu,ITU again,un_agency,none,active,\n")
	for _, args := range [][]string{{"import", "partners", file, "--dry-run"}, {"import", "partners", file}} {
		code, stdout, stderr := runPactum(t, dir, args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1; stderr %s", args, code, stderr)
		}
		for _, want := range []string{
			"row 3, column type: “charity” is neither a code of this column nor its English label.\n",
			"row 3, column regions: “Afrika” is neither a code of this column nor its English label.\n",
			"row 4, column key: The key “itu” is already on row 2.\n",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, stdout)
			}
		}
		if !strings.Contains(stderr, "3 problems; nothing was imported") {
			t.Errorf("%v: stderr %q does not say why nothing was imported", args, stderr)
		}
		if n, imports := stored(t, dir); n != 0 || imports != 0 {
			t.Errorf("%v: %d partners and %d import entries written, want none", args, n, imports)
		}
	}
}

func TestImportPartners(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, t.TempDir(), "partners.csv", "\uFEFFkey;name;type;membership;status;regions;agreements\n"+
		"itu;International Telecommunication Union;UN agency;None;Active;\"AFR; EUR\";12\n"+
		"sahel-telecom;Sahel Telecom;private;sector member;prospect;;\n")

	code, stdout, stderr := runPactum(t, dir, "import", "partners", file, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "2 would be created, 0 would be updated, 0 would be unchanged") {
		t.Fatalf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `Ignored columns: "agreements"`) {
		t.Errorf("dry run does not name the ignored column:\n%s", stdout)
	}
	if n, _ := stored(t, dir); n != 0 {
		t.Errorf("the dry run wrote %d partners", n)
	}

	code, stdout, stderr = runPactum(t, dir, "import", "partners", file)
	if code != 0 || !strings.Contains(stdout, "2 created, 0 updated, 0 unchanged.") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	if n, imports := stored(t, dir); n != 2 || imports != 1 {
		t.Errorf("%d partners and %d import entries, want 2 and 1", n, imports)
	}

	code, stdout, stderr = runPactum(t, dir, "import", "partners", file)
	if code != 0 || !strings.Contains(stdout, "0 created, 0 updated, 2 unchanged.") {
		t.Fatalf("second import: exit %d\n%s%s", code, stdout, stderr)
	}
	if n, imports := stored(t, dir); n != 2 || imports != 1 {
		t.Errorf("after the second import: %d partners and %d import entries, want 2 and still 1", n, imports)
	}

	changed := writeFile(t, t.TempDir(), "changed.csv", "key,status\nsahel-telecom,active\n")
	if code, stdout, _ := runPactum(t, dir, "import", "partners", changed); code != 1 || !strings.Contains(stdout, "row 1, column name: The column “name” is missing") {
		t.Errorf("a file without required columns: exit %d\n%s", code, stdout)
	}
	changed = writeFile(t, t.TempDir(), "changed.csv", "key,name,type,membership,status\nsahel-telecom,Sahel Telecom,private,sector_member,active\n")
	if code, stdout, _ := runPactum(t, dir, "import", "partners", changed); code != 0 || !strings.Contains(stdout, "0 created, 1 updated, 0 unchanged.") {
		t.Errorf("an update: exit %d\n%s", code, stdout)
	}
}

func TestImportUsage(t *testing.T) {
	for _, args := range [][]string{{"import"}, {"import", "contracts", "x.csv"}, {"import", "partners"}} {
		if code, _, _ := runPactum(t, t.TempDir(), args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	code, _, stderr := runPactum(t, t.TempDir(), "import", "partners", filepath.Join(t.TempDir(), "missing.csv"))
	if code != 1 || !strings.Contains(stderr, "missing.csv") {
		t.Errorf("a missing file: exit %d, %q", code, stderr)
	}
}
