package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readAllBytes(p *partReader) ([]byte, error) {
	var out []byte
	for {
		b, err := p.ReadByte()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, b)
		p.token = 0
	}
}

// A character cut between two reads of the zip is read whole; a fault is reported after the
// bytes before it.
func TestPartReaderChecksTextAcrossReads(t *testing.T) {
	text := strings.Repeat("数字未来基金 صندوق Ünion ", 3000)
	tests := []struct {
		name, in string
		want     string
		err      error
	}{
		{"Chinese, Arabic and Latin text", text, text, nil},
		{"Latin-1", "ab\xe9cd", "ab", errEncoding},
		{"a NUL", "ab\x00cd", "ab", errEncoding},
		{"a character cut at the end", text + "\xe6\x95", text, errEncoding},
		{"a surrogate", "ab\xed\xa0\x80", "ab", errEncoding},
	}
	for _, tt := range tests {
		for _, src := range []struct {
			name string
			r    io.Reader
		}{{"whole", strings.NewReader(tt.in)}, {"byte by byte", iotest.OneByteReader(strings.NewReader(tt.in))},
			{"halves", iotest.HalfReader(strings.NewReader(tt.in))}} {
			budget := int64(1 << 30)
			got, err := readAllBytes(newPartReader(src.r, &budget, 1<<30, errUnpacked))
			if string(got) != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("%s, %s: %d bytes, %v; want %d bytes, %v", tt.name, src.name, len(got), err, len(tt.want), tt.err)
			}
		}
	}
}

// The bytes are counted as they come, against the workbook and against the part.
func TestPartReaderCountsWhatItUnpacks(t *testing.T) {
	data := strings.Repeat("<row/>", 100_000)
	budget := int64(200_000)
	if _, err := readAllBytes(newPartReader(strings.NewReader(data), &budget, 1<<30, errUnpacked)); !errors.Is(err, errUnpacked) {
		t.Errorf("workbook: %v, want errUnpacked", err)
	}
	budget = 1 << 30
	large := &partError{"xl/styles.xml"}
	if _, err := readAllBytes(newPartReader(strings.NewReader(data), &budget, 100_000, large)); err != large {
		t.Errorf("part: %v, want the part's error", err)
	}
	budget = 1 << 30
	p := newPartReader(strings.NewReader(strings.Repeat("a", maxToken+1)), &budget, 1<<30, errUnpacked)
	for err := error(nil); err == nil; _, err = p.ReadByte() {
		if p.token > maxToken {
			t.Fatal("a token longer than maxToken")
		}
		if errors.Is(err, errTooLong) {
			break
		}
	}
}

func TestSharedStringsAcrossChunks(t *testing.T) {
	var s sharedStrings
	var want []string
	for i := range 300 {
		text := strings.Repeat(string(rune('a'+i%26)), (i*7919)%(40<<10))
		if i%50 == 0 {
			text = ""
		}
		if err := s.add([]byte(text)); err != nil {
			t.Fatal(err)
		}
		want = append(want, text)
	}
	if len(s.chunks) < 3 {
		t.Fatalf("%d chunks, want texts across several", len(s.chunks))
	}
	for i, w := range want {
		if got, ok := s.get(i); !ok || got != w {
			t.Fatalf("text %d: %d bytes, want %d", i, len(got), len(w))
		}
	}
	for _, i := range []int{-1, len(want)} {
		if _, ok := s.get(i); ok {
			t.Errorf("text %d found", i)
		}
	}
	s.size = maxSharedBytes - 2
	if err := s.add([]byte("abc")); err != errSharedLarge {
		t.Errorf("past the bytes: %v", err)
	}
	s = sharedStrings{ends: make([]uint32, maxSharedStrings)}
	if err := s.add(nil); err != errSharedLarge {
		t.Errorf("past the count: %v", err)
	}
}

func TestUnescapeText(t *testing.T) {
	for in, want := range map[string]string{
		"line_x000D_":       "line\r",
		"_x005F_x000D_":     "_x000D_",
		"a_x00e9_b_x00E9_":  "aébé",
		"_x12_ _xZZZZ_ _x":  "_x12_ _xZZZZ_ _x",
		"no escape at all":  "no escape at all",
		"_x6570__x5B57_end": "数字end",
	} {
		if got := string(unescapeText([]byte(in))); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[float64]string{
		0.1 + 0.2: "0.3", 42: "42", -7: "-7", 1234.5: "1234.5", 25000: "25000", 1.0 / 3: "0.333333333333333",
		1e15: "1000000000000000", 123456789012345678: "123456789012346000", 0.000123: "0.000123", 1e21: "1e+21",
		1e-12: "1e-12", -0.0: "0", 2.675: "2.675",
	} {
		if got := formatNumber(in); got != want {
			t.Errorf("%v: %q, want %q", in, got, want)
		}
	}
}

func TestExcelDate(t *testing.T) {
	tests := []struct {
		serial   float64
		date1904 bool
		want     string
	}{
		{1, false, "1900-01-01"}, {59, false, "1900-02-28"}, {60, false, "1900-02-29"}, {61, false, "1900-03-01"},
		{42825, false, "2017-03-31"}, {42825.9999999, false, "2017-04-01"}, {42825.99999, false, "2017-03-31"}, {42825.75, false, "2017-03-31"},
		{0, true, "1904-01-01"}, {41363, true, "2017-03-31"}, {2958465, false, "9999-12-31"},
	}
	for _, tt := range tests {
		if got, ok := excelDate(tt.serial, tt.date1904); !ok || got != tt.want {
			t.Errorf("%v (1904: %v): %q, want %q", tt.serial, tt.date1904, got, tt.want)
		}
	}
	for _, serial := range []float64{-1, 2958466} {
		if got, ok := excelDate(serial, false); ok {
			t.Errorf("%v: %q, want no date", serial, got)
		}
	}
}

func TestFormatKind(t *testing.T) {
	for code, want := range map[string]numberKind{
		"dd/mm/yyyy": kindDate, "d mmmm yyyy": kindDate, "mmm-yy": kindDate, "yyyy-mm-dd hh:mm": kindDate,
		`[$-409]mmmm d, yyyy;@`: kindDate, `yyyy"年"m"月"d"日"`: kindDate, "mm": kindDate,
		"hh:mm": kindTime, "h:mm AM/PM": kindTime, "[h]:mm:ss": kindTime, "mm:ss.0": kindTime, "[mm]": kindTime,
		"0.00": kindNumber, "#,##0.00 [$USD]": kindNumber, `0 "days"`: kindNumber, "General": kindNumber,
		"[Red]-0.00": kindNumber, `\d0`: kindNumber, "0.00E+00": kindNumber, "@": kindNumber, `"unclosed`: kindNumber,
	} {
		if got := formatKind(code); got != want {
			t.Errorf("%q: %d, want %d", code, got, want)
		}
	}
}

func TestColumn(t *testing.T) {
	for ref, want := range map[string]int{"A1": 1, "B5": 2, "Z9": 26, "AA1": 27, "XFD1048576": 16384, "b5": 2} {
		if got, err := column(ref); err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", ref, got, err, want)
		}
	}
	if _, err := column("XFE1"); err != errColumns {
		t.Errorf("XFE1: %v", err)
	}
	if _, err := column("AAAAAAAAAAAAAAAAAAAAAAAA1"); err != errColumns {
		t.Errorf("a long reference: %v", err)
	}
	if _, err := column("15"); err == nil {
		t.Error("15 is a column")
	}
}
