package importer_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"pactum/internal/importer"
)

// tableRow is a row as ReadRows gives it.
type tableRow struct {
	Row   int
	Cells []string
}

func readAll(t *testing.T, data []byte) ([]tableRow, error) {
	t.Helper()
	var rows []tableRow
	err := importer.ReadRows(bytes.NewReader(data), func(row int, cells []string) error {
		rows = append(rows, tableRow{row, append([]string(nil), cells...)})
		return nil
	})
	return rows, err
}

// utf16LE encodes s as Excel's "Unicode text" does: UTF-16, little-endian, with a byte-order mark.
func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func utf16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// workbook writes rows into the first sheet of an Excel file, at their row numbers, and adds a
// second sheet that must not be read.
func workbook(t *testing.T, rows map[int][]any) []byte {
	t.Helper()
	book := excelize.NewFile()
	defer book.Close()
	for n, cells := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := book.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := book.NewSheet("notes"); err != nil {
		t.Fatal(err)
	}
	if err := book.SetCellValue("notes", "A1", "not partners"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadRows(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []tableRow
	}{
		{"UTF-8 with a byte-order mark", []byte("\uFEFFkey,name\nitu,Union\n"),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"itu", "Union"}}}},
		{"UTF-8 without a byte-order mark, CRLF", []byte("key,name\r\nitu,Union internationale\r\n"),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"itu", "Union internationale"}}}},
		{"semicolons, commas inside cells", []byte("key;name;regions\nitu;Union, international;AFR;ASP\n"),
			[]tableRow{{1, []string{"key", "name", "regions"}}, {2, []string{"itu", "Union, international", "AFR", "ASP"}}}},
		{"quoted semicolon list with the semicolon separator", []byte("key;regions\nitu;\"AFR; ASP\"\n"),
			[]tableRow{{1, []string{"key", "regions"}}, {2, []string{"itu", "AFR; ASP"}}}},
		{"UTF-16 tab-separated (Unicode text)", utf16LE("key\tname\r\nzh-fund\t数字未来基金\r\n"),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"zh-fund", "数字未来基金"}}}},
		{"UTF-16 big-endian", utf16BE("key,name\nar-fund,صندوق\n"),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"ar-fund", "صندوق"}}}},
		{"blank lines and blank rows keep their numbers", []byte("key,name\n\n,\nitu,Union\n \n\nundp,UNDP\n"),
			[]tableRow{{1, []string{"key", "name"}}, {4, []string{"itu", "Union"}}, {7, []string{"undp", "UNDP"}}}},
		{"a cell over several lines is one row", []byte("key,mandate\nitu,\"line one\nline two\r\nline three\"\nundp,x\n"),
			[]tableRow{{1, []string{"key", "mandate"}}, {2, []string{"itu", "line one\nline two\nline three"}}, {3, []string{"undp", "x"}}}},
		{"cells are trimmed", []byte(" key , name \n itu ,  Union  \n"),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"itu", "Union"}}}},
		{"empty file", nil, nil},
		{"XLSX, first sheet, gaps counted", workbook(t, map[int][]any{1: {"key", "name"}, 2: {"itu", "Union"}, 5: {"undp", 42}}),
			[]tableRow{{1, []string{"key", "name"}}, {2, []string{"itu", "Union"}}, {5, []string{"undp", "42"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReadRowsStopsAtWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		row     int
		message string
	}{
		{"a quote in the middle of a cell", []byte("key,name\nitu,Union\n\nundp,Programme \"des\" Nations\n"), 4, "import.error.csv"},
		{"a quote never closed", []byte("key,name\nitu,\"Union\nundp,UNDP\n"), 2, "import.error.csv"},
		{"Latin-1, not UTF-8", []byte("key,name\nitu,Union\nsn,S\xe9n\xe9gal\n"), 3, "import.error.encoding"},
		{"UTF-16 without its byte-order mark", utf16LE("key,name\n")[2:], 1, "import.error.encoding"},
		{"binary Excel 97", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 1, "import.error.xls"},
		{"a broken workbook", []byte("PK\x03\x04 not really a zip"), 1, "import.error.xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.data)
			var re *importer.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a ReadError", err)
			}
			if re.Row != tt.row || re.Message.Key != tt.message {
				t.Errorf("row %d %s, want row %d %s", re.Row, re.Message.Key, tt.row, tt.message)
			}
		})
	}
}

func TestReadRowsPassesOnTheCallersError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := importer.ReadRows(strings.NewReader("a\nb\nc\n"), func(int, []string) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("error %v after %d calls, want stop after 1", err, calls)
	}
}
