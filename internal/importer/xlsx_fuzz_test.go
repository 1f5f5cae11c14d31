package importer_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"pactum/internal/importer"
)

// FuzzReadXLSX reads workbooks of any rows, shared strings and styles (zipped for each input, so
// that the fuzzer changes the XML and not the zip around it): the reader never panics, returns
// rows in order within Excel's sheet and within the bounds of a cell and a row, or a ReadError
// that names a row.
func FuzzReadXLSX(f *testing.F) {
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>name</t></is></c></row><row><c s="1"><v>42825</v></c></row>`,
		`<si><t>key</t></si><si><r><t>a</t></r><r><t>b</t></r><rPh><t>x</t></rPh></si>`,
		`<numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>`)
	f.Add(`<row r="3"><c r="B3"><f>SUM(A1:A2)</f><v>0.30000000000000004</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><v>x_x000D_</v></c></row>`,
		``, `<cellXfs><xf numFmtId="14"/><xf numFmtId="20"/></cellXfs>`)
	f.Add(`<row r="2"><c r="XFD2" t="s"><v>7</v></c></row><row r="1"><c/></row>`, `<si><t>only</t></si>`, ``)
	f.Add(`<row><c t="inlineStr"><is><t>`+strings.Repeat("数", 40)+`</t></is></c><c t="d"><v>2017-03-31T00:00:00Z</v></c></row>`, ``, ``)
	f.Fuzz(func(t *testing.T, rows, shared, styles string) {
		data := zipParts(t, bookParts(rows, shared, styles))
		last := 0
		err := importer.ReadRows(bytes.NewReader(data), func(row int, cells []string) error {
			if row <= last || row > 1<<20 {
				t.Errorf("row %d after row %d", row, last)
			}
			last = row
			if len(cells) > 16_384 {
				t.Errorf("row %d: %d cells", row, len(cells))
			}
			size := 0
			for _, c := range cells {
				size += len(c)
				if !utf8.ValidString(c) || strings.IndexByte(c, 0) >= 0 || utf8.RuneCountInString(c) > 32_767 {
					t.Errorf("row %d: a cell of %d bytes that is not text", row, len(c))
				}
			}
			if size > 1<<20 {
				t.Errorf("row %d: %d bytes", row, size)
			}
			return nil
		})
		var re *importer.ReadError
		if err != nil && (!errors.As(err, &re) || re.Row < 1 || re.Row > 1<<20+1 || re.Row < last) {
			t.Errorf("error %v after row %d", err, last)
		}
	})
}
