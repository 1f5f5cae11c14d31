package importer_test

import (
	"slices"
	"strings"
	"testing"
)

// A row is checked by the rules of every save, each text's length and characters among them
// (apperr.Text): a text over its limit, a control character, or a line break in a one-line
// column is a problem at its row and column, and nothing of the file is imported. A file that is
// not UTF-8 text, or holds a NUL, stops at the row where it stops being text.
func TestImportRowsRefuseTextsOverTheirLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	partners := header + ",acronym,mandate,website,name_fr\n" +
		"p-2," + long(301) + ",foundation,none,active,,,,\n" +
		"p-3,Bad\abell,foundation,none,active,,,,\n" +
		"p-4,Fund,foundation,none,active,,\"Escape \x1b here\",,\n" +
		"p-5,Fund,foundation,none,active,,,," + long(301) + "\n" +
		"p-6,Fund,foundation,none,active," + long(65) + ",,,\n" +
		"p-7,Fund,foundation,none,active,,,https://example.org/" + long(2048) + ",\n" +
		"p-8,\"Two\nlines\",foundation,none,active,,,,\n" +
		"p-9,Fund,foundation,none,active,,\"Paragraphs\n\n\tand a tab\",,\n" +
		"p-10," + strings.Repeat("电", 300) + ",foundation,none,active,,,,\n"
	if got, want := problemLines(check(t, partners, nil)), []string{
		"2 name error.too_long [count 300]",
		"3 name error.bad_text []",
		"4 mandate error.bad_text []",
		"5 name_fr error.too_long [count 300]",
		"6 acronym error.too_long [count 64]",
		"7 website error.too_long [count 2048]",
		"8 name error.bad_text []",
	}; !slices.Equal(got, want) {
		t.Errorf("partner problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for name, file := range map[string]string{"invalid UTF-8": "p-2,Bad \xff\xfe,foundation,none,active\n", "NUL": "p-2,Bad\x00,foundation,none,active\n"} {
		if got := problemLines(check(t, header+"\n"+file, nil)); !slices.Equal(got, []string{"2  import.error.encoding []"}) {
			t.Errorf("a partner file with %s: %v", name, got)
		}
	}

	agreements := agreementHeader + ",title_fr,initiative\n" +
		"ITU-2," + long(301) + ",mou,itu,,,,draft,,,AFR,,generic,,,,\n" +
		"ITU-3,T,mou,itu,,,,draft,,,AFR,,generic,,\"Notes \x07 bell\",,\n" +
		"ITU-4,T,mou,itu,,,,draft,,,AFR,,generic,,,Bad\x1bfr,\n" +
		"ITU-5,T,mou,itu,,,,draft,,,AFR,,generic,,," + long(301) + "," + long(301) + "\n" +
		"ITU-6,T,mou,itu,,,,draft,,,AFR,,generic,," + long(20_001) + ",,\n" +
		"ITU-7,T,mou,itu,,,,draft,,,AFR,,generic,,\"Notes\non lines\",,\n"
	if got, want := agreementProblems(checkAgreements(t, agreements, newRegistry())), []string{
		"2 title error.too_long [count 300]",
		"3 notes error.bad_text []",
		"4 title_fr error.bad_text []",
		"5 title_fr error.too_long [count 300]",
		"5 initiative error.too_long [count 300]",
		"6 notes error.too_long [count 20000]",
	}; !slices.Equal(got, want) {
		t.Errorf("agreement problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
