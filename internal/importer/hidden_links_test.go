package importer_test

import (
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/importer"
)

// An export leaves empty the amends cell of an amendment whose amended agreement its reader may
// not see; imported by that reader, such a row keeps the stored link. Anybody else's empty cell
// (an administrator's, the command's, or one leaving a link its importer sees) removes it, which
// an amendment may not do.
func TestImportKeepsTheAmendedAgreementItsImporterMayNotSee(t *testing.T) {
	m := newRegistry()
	importFile(t, agreementHeader+"\n"+
		"SECRET-1,Secret,mou,itu,,,,draft,,,AFR,,generic,,\n"+
		"OPEN-1,Open,mou,itu,,,,draft,,,AFR,,generic,,\n"+
		"SECRET-1-A1,More,amendment,itu,2025-01-10,,,signed,100,USD,AFR,,generic,SECRET-1,\n"+
		"OPEN-1-A1,More,amendment,itu,2025-01-10,,,signed,100,USD,AFR,,generic,OPEN-1,\n", m)
	m.byRef["SECRET-1"].Confidential = true
	// What the store reads with an agreement: the reference of the one it amends.
	m.byRef["SECRET-1-A1"].AmendsRef, m.byRef["OPEN-1-A1"].AmendsRef = "SECRET-1", "OPEN-1"
	secretID := m.byRef["SECRET-1"].ID
	row := func(ref, typ, notes string) string {
		return ref + ",More," + typ + ",itu,2025-01-10,,,signed,100,USD,AFR,,generic,," + notes + "\n"
	}
	officer := agreementOptions(t, m)
	officer.MaySee = func(a *agreement.Agreement) bool { return !a.Confidential }

	res, err := importer.CheckAgreements(t.Context(), strings.NewReader(agreementHeader+"\n"+row("SECRET-1-A1", "amendment", "")), officer)
	if err != nil || !res.OK() || res.Unchanged != 1 {
		t.Errorf("exported by an officer and checked again: unchanged %d, problems %v (%v)", res.Unchanged, agreementProblems(res), err)
	}
	res, err = importer.ImportAgreements(t.Context(), strings.NewReader(agreementHeader+"\n"+row("SECRET-1-A1", "amendment", "Noted")), officer, m)
	if a := m.byRef["SECRET-1-A1"]; err != nil || !res.OK() || res.Updated != 1 || a.AmendsID != secretID || a.Notes != "Noted" {
		t.Errorf("imported with new notes: amends %d (want %d), notes %q, problems %v (%v)", a.AmendsID, secretID, a.Notes, agreementProblems(res), err)
	}

	for name, tt := range map[string]struct {
		file string
		opts importer.AgreementOptions
	}{
		"the command":                {row("SECRET-1-A1", "amendment", "Noted"), agreementOptions(t, m)},
		"a link the officer sees":    {row("OPEN-1-A1", "amendment", ""), officer},
		"a row that is no amendment": {row("SECRET-1-A1", "mou", "Noted"), officer},
	} {
		res, err := importer.CheckAgreements(t.Context(), strings.NewReader(agreementHeader+"\n"+tt.file), tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		problems := strings.Join(agreementProblems(res), "\n")
		if name == "a row that is no amendment" {
			if !res.OK() || res.Updated != 1 || !strings.Contains(strings.Join(res.UpdatedRows[0].Changed, ","), "amends") {
				t.Errorf("%s: updated %+v, problems %s", name, res.UpdatedRows, problems)
			}
			continue
		}
		if !strings.Contains(problems, "2 amends agreement.error.amends") {
			t.Errorf("%s: an empty amends cell is told %q", name, problems)
		}
	}
}
