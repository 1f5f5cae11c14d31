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

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"pactum/internal/apperr"
	"pactum/internal/csvsafe"
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
// whichever the first line uses most; a cell that csvsafe wrote after an apostrophe (a
// formula-like text of Pactum's own export) is read as it was. Of a workbook, the first sheet is read, row by row, within
// the bounds of xlsx_part.go. A workbook is read in place from a reader that can (the bytes of an
// upload, a file), and otherwise copied into memory first.
func ReadRows(r io.Reader, fn func(row int, cells []string) error) error {
	if ra, ok := r.(readerAt); ok {
		if book, size, ok := workbookAt(ra); ok {
			return readXLSX(book, size, fn)
		}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, zipMagic):
		data, err := io.ReadAll(br)
		if err != nil {
			return &ReadError{Row: 1, Message: apperr.Msg("import.error.unreadable"), Err: err}
		}
		return readXLSX(bytes.NewReader(data), int64(len(data)), fn)
	case bytes.HasPrefix(head, oleMagic):
		return &ReadError{Row: 1, Message: apperr.Msg("import.error.xls")}
	}
	return readCSV(br, fn)
}

// readerAt is a reader a workbook can be read from in place: a bytes.Reader, an os.File, an
// io.SectionReader.
type readerAt interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// workbookAt returns what is left of r when it is a workbook (a zip), from where r is to its end.
func workbookAt(r readerAt) (*io.SectionReader, int64, bool) {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0, false
	}
	head := make([]byte, len(zipMagic))
	if n, _ := r.ReadAt(head, start); n < len(head) || !bytes.Equal(head, zipMagic) {
		return nil, 0, false
	}
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, 0, false
	}
	return io.NewSectionReader(r, start, end-start), end - start, true
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
		// A CSV that Pactum exported wrote formula-like cells after an apostrophe (csvsafe):
		// they come back as they were stored.
		for i, c := range record {
			record[i] = csvsafe.Restore(c)
		}
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
