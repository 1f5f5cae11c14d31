package importer

import (
	"cmp"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxSheetRows is Excel's last row.
const maxSheetRows = 1 << 20

// gapCost is what an empty cell between two cells of a row counts against what the workbook may
// unpack, about the XML of an empty cell: a row of one cell in column XFD is 16,384 cells to
// the importer, and must cost as much as their XML would.
const gapCost = 8

// sheetReader reads the rows of a sheet, one at a time.
type sheetReader struct {
	book     *xlsxBook
	row      int  // the row being read, or the last one read
	inRow    bool // between <row> and </row>
	cells    []string
	rowBytes int
	// the cell being read
	col      int
	typ      string
	style    int
	text     []byte
	reading  bool // in the <v> of the cell or a <t> of its inline string
	inline   bool // in the <is> of the cell
	phonetic bool // in an <rPh>, the phonetic guide of East Asian text
}

// readSheet reads the rows of the sheet part and sends them on. Of each cell it reads the value
// a person sees, never evaluating a formula: the value Excel stored with it.
func (b *xlsxBook) readSheet(name string, fn func(row int, cells []string) error) error {
	p, err := b.open(name, false)
	if err != nil || p == nil {
		return b.readError(1, false, cmp.Or(err, errors.New("no part "+name)))
	}
	defer p.Close()
	s := &sheetReader{book: b}
	for {
		t, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.fail(err)
		}
		switch e := t.(type) {
		case xml.StartElement:
			if err := s.start(e); err != nil {
				return s.fail(err)
			}
		case xml.CharData:
			if s.reading {
				if s.text = append(s.text, e...); len(s.text) > utf8.UTFMax*maxCellChars {
					return s.fail(errTooLong)
				}
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "sheetData":
				return nil
			case "row":
				if s.inRow {
					s.inRow = false
					if err := sendRow(s.row, s.cells, fn); err != nil {
						return err
					}
				}
			default:
				if err := s.end(e); err != nil {
					return s.fail(err)
				}
			}
		}
	}
}

// fail says what stops the reading, on the row being read (or the next one, between rows).
func (s *sheetReader) fail(err error) error {
	row := s.row
	if !s.inRow {
		row++
	}
	return s.book.readError(row, s.inRow, err)
}

func (s *sheetReader) start(e xml.StartElement) error {
	switch e.Name.Local {
	case "row":
		// Rows are numbered by their r attribute; a row without one follows the one before.
		n := s.row + 1
		if v := attr(e, "r"); v != "" {
			r, err := strconv.Atoi(v)
			if err != nil || r <= s.row || r > maxSheetRows {
				return errors.New("row number " + strconv.Quote(v) + " out of order")
			}
			n = r
		}
		s.row, s.inRow, s.cells, s.rowBytes, s.col = n, true, s.cells[:0], 0, 0
	case "c":
		// Cells are placed by their r attribute (B5 is the second cell); a cell without one
		// follows the one before.
		s.col++
		if ref := attr(e, "r"); ref != "" {
			col, err := column(ref)
			if err != nil {
				return err
			}
			s.col = col
		}
		if s.col > maxColumns {
			return errColumns
		}
		s.typ, s.style, s.text = attr(e, "t"), 0, s.text[:0]
		if v := attr(e, "s"); v != "" {
			s.style, _ = strconv.Atoi(v)
		}
	case "v":
		s.reading = true
	case "is":
		s.inline = true
	case "t":
		s.reading = s.inline && !s.phonetic
	case "rPh":
		s.phonetic = true
	}
	return nil
}

func (s *sheetReader) end(e xml.EndElement) error {
	switch e.Name.Local {
	case "v", "t":
		s.reading = false
	case "is":
		s.inline = false
	case "rPh":
		s.phonetic = false
	case "c":
		if s.inRow {
			return s.endCell()
		}
	}
	return nil
}

// endCell puts the cell's value in its place in the row; empty cells take none, so that a row
// ends with its last value.
func (s *sheetReader) endCell() error {
	if tooLong(s.text) {
		return errTooLong
	}
	v, err := s.value()
	if err != nil || v == "" {
		return err
	}
	if s.rowBytes += len(v); s.rowBytes > maxRowBytes {
		return errRowLarge
	}
	if gap := s.col - 1 - len(s.cells); gap > 0 {
		if s.book.budget -= gapCost * int64(gap); s.book.budget < 0 {
			return errUnpacked
		}
		for range gap {
			s.cells = append(s.cells, "")
		}
	}
	if s.col <= len(s.cells) {
		s.cells[s.col-1] = v
	} else {
		s.cells = append(s.cells, v)
	}
	return nil
}

// value is the text of the cell as a person reads it in Excel, in the forms the importers take.
func (s *sheetReader) value() (string, error) {
	switch s.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(s.text)))
		if err != nil {
			return "", err
		}
		v, ok := s.book.shared.get(i)
		if !ok {
			return "", errSharedIndex
		}
		return v, nil
	case "inlineStr":
		return string(unescapeText(s.text)), nil
	case "b":
		switch string(s.text) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
	case "d":
		// An ISO 8601 date and time, which Excel writes only in strict files.
		if v := string(s.text); len(v) >= 10 {
			if _, err := time.Parse(time.DateOnly, v[:10]); err == nil {
				return v[:10], nil
			}
		}
	case "", "n":
		return s.book.number(string(s.text), s.style), nil
	}
	return string(s.text), nil
}

// column is the column of a cell reference such as B5 (2), up to Excel's last (XFD).
func column(ref string) (int, error) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case 'A' <= c && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case 'a' <= c && c <= 'z':
			col = col*26 + int(c-'a') + 1
		default:
			if i == 0 {
				return 0, errors.New("cell reference " + strconv.Quote(ref))
			}
			return col, nil
		}
		if col > maxColumns {
			return 0, errColumns
		}
	}
	return col, nil
}

// numberKind is what a number format shows: a number, a date or a time of day.
type numberKind uint8

const (
	kindNumber numberKind = iota
	kindDate
	kindTime
)

// number writes a numeric cell as the importers read it: a date as YYYY-MM-DD, a time as
// hh:mm:ss, a number as a person types it.
func (b *xlsxBook) number(v string, style int) string {
	kind := kindNumber
	if style >= 0 && style < len(b.styles) {
		kind = b.styles[style]
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	switch kind {
	case kindDate:
		if d, ok := excelDate(f, b.date1904); ok {
			return d
		}
	case kindTime:
		if f >= 0 && f < 1e6 {
			secs := int64(math.Round(f * 86400))
			return twoDigits(secs/3600) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60)
		}
	}
	return formatNumber(f)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// formatNumber writes a number as Excel shows it in a General cell: rounded to 15 significant
// digits (0.1+0.2, stored as 0.30000000000000004, is 0.3), integers without a decimal point, and
// without an exponent unless the number is very large or very small.
func formatNumber(f float64) string {
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if a := math.Abs(f); a == 0 {
		return "0"
	} else if a < 1e-9 || a >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// excelDate writes the date of an Excel serial number, the days since the start of 1900 (or
// of 1904), the time of day left out. The 1900 system counts 29 February 1900, which was not.
func excelDate(serial float64, date1904 bool) (string, bool) {
	if serial < 0 || serial >= 2958466 { // after 9999-12-31
		return "", false
	}
	days := int(math.Round(serial*86400) / 86400)
	var t time.Time
	switch {
	case date1904:
		t = time.Date(1904, 1, 1+days, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return "1900-02-29", true
	case days < 60:
		t = time.Date(1899, 12, 31+days, 0, 0, 0, 0, time.UTC)
	default:
		t = time.Date(1899, 12, 30+days, 0, 0, 0, 0, time.UTC)
	}
	return t.Format(time.DateOnly), true
}

// builtinKind is the kind of Excel's built-in number formats: 14–17 and 22 are dates (22 with
// a time), 27–36 and 50–58 the dates of East Asian Excel, 18–21 and 45–47 times.
func builtinKind(id int) numberKind {
	switch {
	case 14 <= id && id <= 17, id == 22, 27 <= id && id <= 36, 50 <= id && id <= 58:
		return kindDate
	case 18 <= id && id <= 21, 45 <= id && id <= 47:
		return kindTime
	}
	return kindNumber
}

// formatKind is the kind of a workbook's own number format, from its codes outside quoted text,
// escaped characters and [brackets] (colours, locales; [h] is elapsed hours): a day or a year
// makes a date, an hour or a second a time, and m is a month unless an hour or a second says
// it is minutes.
func formatKind(code string) numberKind {
	var date, month, clock bool
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				j = len(code) - i
			}
			if strings.Trim(strings.ToLower(code[i:i+j]), "[hms") == "" {
				clock = true
			}
			i += j
		case '\\', '_', '*':
			i++
		case 'd', 'D', 'y', 'Y':
			date = true
		case 'm', 'M':
			month = true
		case 'h', 'H', 's', 'S':
			clock = true
		}
	}
	switch {
	case date, month && !clock:
		return kindDate
	case clock:
		return kindTime
	}
	return kindNumber
}
