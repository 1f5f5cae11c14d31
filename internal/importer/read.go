package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"pactum/internal/apperr"
)

// ReadError is a file that cannot be read on from a row on: not CSV there, not a workbook, not
// in UTF-8. Row is the row as a spreadsheet numbers it (the first row is 1).
type ReadError struct {
	Row     int
	Message apperr.Message
	Err     error // the cause, for the log
}

func (e *ReadError) Error() string {
	s := fmt.Sprintf("row %d: %s", e.Row, e.Message.Key)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ReadError) Unwrap() error { return e.Err }

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts the binary Excel 97–2003 (.xls) format, which Pactum does not read.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// ReadRows reads a table from a CSV file or an Excel workbook (.xlsx), told apart by their
// content, and calls fn with each row that has a value: its number as a spreadsheet shows it (the
// first row is 1, blank rows count) and its cells with spaces around them trimmed. The cells are
// valid only during the call.
//
// CSV is read as UTF-8, with or without a byte-order mark, or as UTF-16 when a byte-order mark
// says so (Excel's "Unicode text"); the separator is the comma, the semicolon or the tab,
// whichever the first line uses most. Of a workbook, the first sheet is read, row by row.
func ReadRows(r io.Reader, fn func(row int, cells []string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return readXLSX(br, fn)
	case bytes.HasPrefix(head, oleMagic):
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xls")}
	}
	return readCSV(br, fn)
}

func readCSV(br *bufio.Reader, fn func(row int, cells []string) error) error {
	var in io.Reader = br
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		in = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		in = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	}
	text := bufio.NewReaderSize(in, 64<<10)
	cr := csv.NewReader(text)
	cr.Comma = separator(text)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	row, lastLine := 0, 0 // the row of the last record and the file line it ended on
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &ReadError{Row: row + max(1, pe.StartLine-lastLine), Message: apperr.Msg("import.error.csv"), Err: err}
			}
			return &ReadError{Row: row + 1, Message: apperr.Msg("import.error.unreadable"), Err: err}
		}
		// Blank lines are rows in a spreadsheet, but the CSV reader skips them: count them back.
		start, _ := cr.FieldPos(0)
		row += max(1, start-lastLine)
		end, _ := cr.FieldPos(len(record) - 1)
		lastLine = end + strings.Count(record[len(record)-1], "\n")
		if err := sendRow(row, record, fn); err != nil {
			return err
		}
	}
}

// separator guesses the CSV separator from the first line: the comma, unless the semicolon
// (spreadsheets in locales with a decimal comma) or the tab (Excel's "Unicode text") is more common.
func separator(r *bufio.Reader) rune {
	head, _ := r.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	commas, semicolons, tabs := bytes.Count(head, []byte{','}), bytes.Count(head, []byte{';'}), bytes.Count(head, []byte{'\t'})
	switch {
	case tabs > commas && tabs > semicolons:
		return '\t'
	case semicolons > commas:
		return ';'
	}
	return ','
}

// sendRow trims the cells and passes the row on unless it is blank; a cell that is not text
// (a file in another encoding than UTF-8, or a UTF-16 file without its byte-order mark) stops
// the reading.
func sendRow(row int, cells []string, fn func(row int, cells []string) error) error {
	blank := true
	for i, c := range cells {
		if !utf8.ValidString(c) || strings.IndexByte(c, 0) >= 0 {
			return &ReadError{Row: row, Message: apperr.Msg("import.error.encoding")}
		}
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	return fn(row, cells)
}

// xlsxOptions bound what a workbook may unpack to, so that a small file cannot fill the memory
// or the disk; sheets larger than UnzipXMLSizeLimit are streamed from a temporary file.
var xlsxOptions = excelize.Options{UnzipSizeLimit: 2 << 30, UnzipXMLSizeLimit: 16 << 20}

func readXLSX(r io.Reader, fn func(row int, cells []string) error) error {
	book, err := excelize.OpenReader(r, xlsxOptions)
	if err != nil {
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xlsx"), Err: err}
	}
	defer book.Close()
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		return nil
	}
	rows, err := book.Rows(sheets[0])
	if err != nil {
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xlsx"), Err: err}
	}
	defer rows.Close()
	// Next steps over missing rows one at a time (their cells are empty), so counting the calls
	// gives the row number.
	for row := 1; rows.Next(); row++ {
		cells, err := rows.Columns()
		if err != nil {
			return &ReadError{Row: row, Message: apperr.Msg("import.error.xlsx"), Err: err}
		}
		if err := sendRow(row, cells, fn); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xlsx"), Err: err}
	}
	return nil
}
