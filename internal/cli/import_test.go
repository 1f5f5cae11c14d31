package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/cli"
	"pactum/internal/money"
	"pactum/internal/reference"
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

// openStore opens the database in dir for the test to read what a command wrote.
func openStore(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// auditCount returns how many audit entries of entity the database in dir has.
func auditCount(t *testing.T, dir, entity string) int {
	t.Helper()
	_, n, err := openStore(t, dir).AuditEntries(context.Background(), audit.Filter{Entity: entity})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// storedAgreements returns how many live agreements the database in dir has.
func storedAgreements(t *testing.T, dir string) int {
	t.Helper()
	n, err := openStore(t, dir).CountAgreements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// withPartners returns a data folder holding the partners the agreement files of these tests name.
func withPartners(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := writeFile(t, t.TempDir(), "partners.csv", "key,name,type,membership,status\n"+
		"itu,International Telecommunication Union,un_agency,none,active\n"+
		"digital-futures-fund,Digital Futures Fund,foundation,sector_member,active\n"+
		"sahel-telecom,Sahel Telecom,private,none,active\n")
	if code, stdout, stderr := runPactum(t, dir, "import", "partners", file); code != 0 {
		t.Fatalf("import partners: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir
}

func mustContain(t *testing.T, what, output string, lines ...string) {
	t.Helper()
	for _, want := range lines {
		if !strings.Contains(output, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, output)
		}
	}
}

const agreementsHeader = "reference,title,type,partners,signed_on,start_on,end_on,status,amount,currency,regions,countries,action_area,amends,notes"

func TestImportAgreementsRefusesABadFile(t *testing.T) {
	dir := withPartners(t)
	file := writeFile(t, t.TempDir(), "bad.csv", agreementsHeader+"\n"+
		"DFF-2024-001,Rural broadband,voluntary_contribution,digital-futures-fund,2024-03-15,,,active,250000,EUR,AFR,SN,infrastructure,,\n"+
		"DFF-2024-002,,contract,nobody,2024-13-01,,,signed,100,EUR,Afrika,,generic,,\n"+
		"DFF-2024-001-A1,Extension,amendment,digital-futures-fund,2025-01-20,,,signed,5000,EUR,AFR:0.5;ARB:0.4,,infrastructure,NOPE-1,\n"+
		"DFF-2024-001,Twice,mou,itu,2024-01-01,,,signed,,,AFR,,generic,,\n"+
		"DFF-2005-001,Before any rate,mou,itu,2005-06-01,,,signed,1000,EUR,AFR,,generic,,\n")
	for _, args := range [][]string{{"import", "agreements", file, "--dry-run"}, {"import", "agreements", file}} {
		code, stdout, stderr := runPactum(t, dir, args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1; stderr %s", args, code, stderr)
		}
		mustContain(t, strings.Join(args, " "), stdout,
			"row 3, column title: A value is required.\n",
			"row 3, column type: “contract” is neither a code of this column nor its English label.\n",
			"row 3, column partners: There is no partner with the key “nobody”.\n",
			"row 3, column signed_on: “2024-13-01” is not a date: write it as YYYY-MM-DD, such as 2017-03-31.\n",
			"row 3, column regions: “Afrika” is neither a code of this column nor its English label.\n",
			"row 4, column regions: The region shares must each be above 0 and add up to 1.\n",
			"row 4, column amends: There is no agreement with the reference “NOPE-1”, in Pactum or in this file.\n",
			"row 5, column reference: The reference “DFF-2024-001” is already on row 2.\n",
			"row 6, column currency: There is no rate for EUR on 2005-06-01;",
		)
		// Problems come in the order of the file: by row, then by column.
		if i, j := strings.Index(stdout, "row 3, column title"), strings.Index(stdout, "row 4, column regions"); i < 0 || j < i {
			t.Errorf("%v: problems out of order:\n%s", args, stdout)
		}
		mustContain(t, "stderr", stderr, "bad.csv has 9 problems; nothing was imported")
		if n := storedAgreements(t, dir); n != 0 {
			t.Errorf("%v: %d agreements written, want none", args, n)
		}
		if n := auditCount(t, dir, "agreement_import"); n != 0 {
			t.Errorf("%v: %d import entries in the audit trail, want none", args, n)
		}
	}
}

func TestImportAgreements(t *testing.T) {
	dir := withPartners(t)
	// The amendment comes before the agreement it amends; the last column is not one of the format.
	file := writeFile(t, t.TempDir(), "agreements.csv", agreementsHeader+",value_usd\n"+
		"DFF-2024-001-A1,Extension to Mali,Amendment / addendum,digital-futures-fund,2025-01-20,,2027-03-31,signed,50000.50,EUR,AFR,ML,infrastructure,DFF-2024-001,Adds Mali,\n"+
		"DFF-2024-001,Rural broadband for schools,voluntary_contribution,digital-futures-fund;itu:implementing_partner,2024-03-15,2024-04-01,2026-03-31,active,250000,EUR,AFR:0.75;ARB:0.25,SN;KEN,infrastructure,,,1\n"+
		"SAHEL-MOU-2025,Cooperation on emergency telecommunications,Memorandum of understanding,sahel-telecom;itu,2025-06-02,,,Signed,,,AFR;ARB,,Emergency Telecommunications,,,\n")

	code, stdout, stderr := runPactum(t, dir, "import", "agreements", file, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	mustContain(t, "dry run", stdout, `Ignored columns: "value_usd"`,
		"Dry run, nothing written: 3 would be created, 0 would be updated, 0 would be unchanged.\n")
	if n := storedAgreements(t, dir); n != 0 {
		t.Errorf("the dry run wrote %d agreements", n)
	}

	code, stdout, stderr = runPactum(t, dir, "import", "agreements", file)
	if code != 0 || !strings.Contains(stdout, "3 created, 0 updated, 0 unchanged.\n") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	db := openStore(t, dir)
	ctx := context.Background()
	rates, err := db.Rates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := db.AgreementByReference(ctx, "DFF-2024-001")
	if err != nil {
		t.Fatal(err)
	}
	eur, ok := rates.USDPerUnit("EUR", civil.MustParse("2024-03-15"))
	if !ok || eur == 1 {
		t.Fatalf("the shipped rates have no euro rate for 2024: %v", eur)
	}
	if vc.Amount != 25_000_000 || vc.Currency != "EUR" || vc.ValueUSD != money.Amount(25_000_000).Convert(eur) {
		t.Errorf("amount %v %s, value %v USD; want 250000.00 EUR at %v", vc.Amount, vc.Currency, vc.ValueUSD, eur)
	}
	if want := []agreement.RegionShare{{Region: "AFR", Share: 0.75}, {Region: "ARB", Share: 0.25}}; !slices.Equal(vc.Regions, want) {
		t.Errorf("regions %v, want %v", vc.Regions, want)
	}
	var parties []string
	for _, p := range vc.Parties {
		parties = append(parties, p.PartnerKey+":"+p.Role)
	}
	slices.Sort(parties)
	if want := []string{"digital-futures-fund:funder", "itu:implementing_partner"}; !slices.Equal(parties, want) {
		t.Errorf("parties %v, want %v", parties, want)
	}
	if want := []string{"KE", "SN"}; !slices.Equal(slices.Sorted(slices.Values(vc.Countries)), want) {
		t.Errorf("countries %v, want %v (KEN is Kenya's alpha-3 code)", vc.Countries, want)
	}
	amendment, err := db.AgreementByReference(ctx, "DFF-2024-001-A1")
	if err != nil {
		t.Fatal(err)
	}
	if amendment.AmendsRef != "DFF-2024-001" || amendment.AmendsID != vc.ID || amendment.AmendmentKind != agreement.KindAddedFunds {
		t.Errorf("amendment amends %q (%d), kind %q; want DFF-2024-001 (%d), added funds", amendment.AmendsRef, amendment.AmendsID,
			amendment.AmendmentKind, vc.ID)
	}
	mou, err := db.AgreementByReference(ctx, "SAHEL-MOU-2025")
	if err != nil {
		t.Fatal(err)
	}
	if mou.Type != "mou" || mou.Status != agreement.StatusSigned || mou.PrimaryActionArea != "emergency_telecom" || mou.Currency != "USD" {
		t.Errorf("labels read as %s %s %s %s, want mou signed emergency_telecom USD", mou.Type, mou.Status, mou.PrimaryActionArea, mou.Currency)
	}
	if n := auditCount(t, dir, "agreement_import"); n != 1 {
		t.Errorf("%d import entries in the audit trail, want 1", n)
	}

	// The same file again changes nothing: not the agreements, not their versions, not the trail.
	code, stdout, stderr = runPactum(t, dir, "import", "agreements", file)
	if code != 0 || !strings.Contains(stdout, "0 created, 0 updated, 3 unchanged.\n") {
		t.Fatalf("second import: exit %d\n%s%s", code, stdout, stderr)
	}
	if a, _ := db.AgreementByReference(ctx, "DFF-2024-001"); a.Version != 1 {
		t.Errorf("version %d after an import that changes nothing", a.Version)
	}
	if n := auditCount(t, dir, "agreement_import"); n != 1 {
		t.Errorf("%d import entries in the audit trail after an import that changes nothing, want 1", n)
	}

	// An update names only some columns: those change, the others stay.
	update := writeFile(t, t.TempDir(), "update.csv", "reference,title,type,partners,status,currency,regions,action_area\n"+
		"DFF-2024-001,Rural broadband for 40 schools,voluntary_contribution,digital-futures-fund;itu:implementing_partner,expired,EUR,AFR:0.75;ARB:0.25,infrastructure\n"+
		"SAHEL-MOU-2025,Cooperation on emergency telecommunications,mou,sahel-telecom;itu,signed,USD,AFR;ARB,emergency_telecom\n")
	code, stdout, stderr = runPactum(t, dir, "import", "agreements", update)
	if code != 0 || !strings.Contains(stdout, "0 created, 1 updated, 1 unchanged.\n") {
		t.Fatalf("update: exit %d\n%s%s", code, stdout, stderr)
	}
	a, err := db.AgreementByReference(ctx, "DFF-2024-001")
	if err != nil {
		t.Fatal(err)
	}
	if a.Titles["en"] != "Rural broadband for 40 schools" || a.Status != agreement.StatusExpired || a.Version != 2 {
		t.Errorf("updated to %q, %s, version %d", a.Titles["en"], a.Status, a.Version)
	}
	if a.Amount != vc.Amount || a.ValueUSD != vc.ValueUSD || a.SignedOn != vc.SignedOn || a.Notes != vc.Notes || !slices.Equal(a.Countries, vc.Countries) {
		t.Errorf("columns the file does not have changed: %+v", a)
	}

	// An amendment of an agreement already in Pactum, in a file of its own.
	more := writeFile(t, t.TempDir(), "more.csv", agreementsHeader+",amendment_kind\n"+
		"SAHEL-MOU-2025-A1,Extension to 2030,amendment,sahel-telecom,2026-01-10,,2030-12-31,signed,,,AFR,,emergency_telecom,SAHEL-MOU-2025,,No-cost extension\n")
	code, stdout, stderr = runPactum(t, dir, "import", "agreements", more)
	if code != 0 || !strings.Contains(stdout, "1 created, 0 updated, 0 unchanged.\n") {
		t.Fatalf("amendment: exit %d\n%s%s", code, stdout, stderr)
	}
	if a, err := db.AgreementByReference(ctx, "SAHEL-MOU-2025-A1"); err != nil || a.AmendsID != mou.ID || a.AmendmentKind != agreement.KindNoCostExt {
		t.Errorf("the amendment of a stored agreement: %+v, %v", a, err)
	}
	// An amendment cannot amend an amendment.
	bad := writeFile(t, t.TempDir(), "bad.csv", agreementsHeader+"\n"+
		"DFF-2024-001-A2,Again,amendment,digital-futures-fund,2026-01-10,,,signed,,,AFR,,infrastructure,DFF-2024-001-A1,\n")
	code, stdout, _ = runPactum(t, dir, "import", "agreements", bad)
	if code != 1 || !strings.Contains(stdout, "row 2, column amends: “DFF-2024-001-A1” is an amendment: an amendment amends an agreement, not another amendment.") {
		t.Errorf("an amendment of an amendment: exit %d\n%s", code, stdout)
	}
	if n := storedAgreements(t, dir); n != 4 {
		t.Errorf("%d agreements, want 4", n)
	}
}

func TestImportRates(t *testing.T) {
	dir := withPartners(t)
	// The shipped rates have no Indian rupee: an agreement in rupees cannot be priced yet.
	agreements := writeFile(t, t.TempDir(), "agreements.csv", agreementsHeader+"\n"+
		"IN-2024-001,Digital skills in Kerala,cooperation,itu,2024-08-01,,,signed,1000000,INR,ASP,IN,capacity_building,,\n")
	code, stdout, _ := runPactum(t, dir, "import", "agreements", agreements)
	if code != 1 || !strings.Contains(stdout, "row 2, column currency: There is no rate for INR on 2024-08-01;") {
		t.Fatalf("an agreement in a currency without a rate: exit %d\n%s", code, stdout)
	}

	rates := writeFile(t, t.TempDir(), "rates.csv", "date,currency,usd_per_unit\n"+
		"2024-01-01,INR,0.012\n"+
		"2024-07-01,Indian Rupee,0.0119\n"+
		"2024-01-01,EUR,1.09\n")
	code, stdout, stderr := runPactum(t, dir, "import", "rates", rates, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "Dry run, nothing written: 2 would be created, 1 would be updated, 0 would be unchanged.\n") {
		t.Fatalf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, ok := storedRates(t, dir).USDPerUnit("INR", civil.MustParse("2024-08-01")); ok {
		t.Errorf("the dry run stored a rate")
	}
	code, stdout, stderr = runPactum(t, dir, "import", "rates", rates)
	if code != 0 || !strings.Contains(stdout, "2 created, 1 updated, 0 unchanged.\n") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	stored := storedRates(t, dir)
	for _, c := range []struct {
		currency, day string
		want          float64
	}{{"INR", "2024-03-01", 0.012}, {"INR", "2024-08-01", 0.0119}, {"EUR", "2024-06-30", 1.09}} {
		if got, ok := stored.USDPerUnit(c.currency, civil.MustParse(c.day)); !ok || got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.currency, c.day, got, c.want)
		}
	}
	if n := auditCount(t, dir, "currency_rate_import"); n != 1 {
		t.Errorf("%d rate imports in the audit trail, want 1", n)
	}
	code, stdout, stderr = runPactum(t, dir, "import", "rates", rates)
	if code != 0 || !strings.Contains(stdout, "0 created, 0 updated, 3 unchanged.\n") {
		t.Fatalf("again: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := auditCount(t, dir, "currency_rate_import"); n != 1 {
		t.Errorf("%d rate imports in the audit trail after one that changes nothing, want 1", n)
	}
	// With its rate, the agreement imports, priced at the rate of its signing date.
	code, stdout, stderr = runPactum(t, dir, "import", "agreements", agreements)
	if code != 0 || !strings.Contains(stdout, "1 created, 0 updated, 0 unchanged.\n") {
		t.Fatalf("the agreement in rupees: exit %d\n%s%s", code, stdout, stderr)
	}
	if a, err := openStore(t, dir).AgreementByReference(context.Background(), "IN-2024-001"); err != nil || a.ValueUSD != money.Amount(100_000_000).Convert(0.0119) {
		t.Errorf("the agreement in rupees: %+v, %v; want a value of %v", a, err, money.Amount(100_000_000).Convert(0.0119))
	}

	// A rate replaced; the agreement keeps the value it was saved with.
	replace := writeFile(t, t.TempDir(), "replace.csv", "valid_from;currency;usd_per_unit\n2024-07-01;INR;0,0121\n")
	code, stdout, stderr = runPactum(t, dir, "import", "rates", replace)
	if code != 0 || !strings.Contains(stdout, "0 created, 1 updated, 0 unchanged.\n") {
		t.Fatalf("replace: exit %d\n%s%s", code, stdout, stderr)
	}
	if got, _ := storedRates(t, dir).USDPerUnit("INR", civil.MustParse("2024-08-01")); got != 0.0121 {
		t.Errorf("the replaced rate is %v, want 0.0121", got)
	}
	if a, _ := openStore(t, dir).AgreementByReference(context.Background(), "IN-2024-001"); a.ValueUSD != money.Amount(100_000_000).Convert(0.0119) {
		t.Errorf("a stored agreement was priced again: %v", a.ValueUSD)
	}

	bad := writeFile(t, t.TempDir(), "bad.csv", "date,currency,usd_per_unit\n"+
		"2024-09-01,INR,0.0122\n"+
		"2024-02-30,EUR,1.1\n"+
		"2024-03-01,USD,1\n"+
		"2024-03-01,CHF,0\n"+
		"2024-09-01,INR,0.0123\n")
	code, stdout, stderr = runPactum(t, dir, "import", "rates", bad)
	if code != 1 {
		t.Errorf("a bad rates file: exit %d, want 1", code)
	}
	mustContain(t, "a bad rates file", stdout,
		"row 3, column date: “2024-02-30” is not a date: write it as YYYY-MM-DD, such as 2017-03-31.\n",
		"row 4, column currency: The US dollar is always worth one US dollar.\n",
		"row 5, column usd_per_unit: Enter a number above zero, such as 1.0842.\n",
		"row 6, column date: The rate of INR on 2024-09-01 is already on row 2.\n")
	mustContain(t, "stderr", stderr, "bad.csv has 4 problems; nothing was imported")
	if got, _ := storedRates(t, dir).USDPerUnit("INR", civil.MustParse("2024-09-01")); got != 0.0121 {
		t.Errorf("a file with problems stored a rate: INR is worth %v", got)
	}
}

// storedRates returns the rates stored in the database in dir.
func storedRates(t *testing.T, dir string) reference.RateTable {
	t.Helper()
	rates, err := openStore(t, dir).Rates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rates
}
