package eml

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// normCharset lower-cases a charset label and strips quotes, blanks and an
// RFC 2231 language suffix ("utf-8*en").
func normCharset(cs string) string {
	cs = strings.ToLower(strings.Trim(cs, " \t\"'"))
	if i := strings.IndexByte(cs, '*'); i >= 0 {
		cs = cs[:i]
	}
	return cs
}

func isASCIICharset(cs string) bool {
	switch cs {
	case "", "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "iso-ir-6", "cp367", "ibm367", "csascii", "646":
		return true
	}
	return false
}

func isUTF8Charset(cs string) bool {
	switch cs {
	case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode-2-0-utf-8":
		return true
	}
	return false
}

// isLatinCharset reports the charsets that are often declared for text that
// is really UTF-8.
func isLatinCharset(cs string) bool {
	switch cs {
	case "iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1", "iso-8859-15", "iso8859-15", "latin-9",
		"windows-1252", "cp1252", "x-cp1252":
		return true
	}
	return false
}

// isSpecificCharset reports a charset worth using as a hint for text that
// declares none.
func isSpecificCharset(cs string) bool {
	return cs != "" && !isASCIICharset(cs) && !isUTF8Charset(cs) &&
		!strings.HasPrefix(cs, "utf-") && lookupEncoding(cs) != nil
}

// lookupEncoding finds the decoder for a (normalised) charset label, or nil.
func lookupEncoding(cs string) encoding.Encoding {
	switch cs {
	case "gb2312", "gbk", "x-gbk", "gb18030", "cp936", "ms936", "windows-936", "euc-cn", "x-euc-cn",
		"chinese", "csgb2312", "gb_2312-80", "iso-ir-58", "csiso58gb231280", "hz-gb-2312-80":
		return simplifiedchinese.GB18030 // a superset: decodes GB2312 and GBK text too
	}
	if e, err := htmlindex.Get(cs); err == nil && e != nil {
		if name, _ := htmlindex.Name(e); name != "replacement" {
			return e
		}
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(cs); err == nil && e != nil {
			return e
		}
	}
	return nil
}

// decodeCharset converts b, in charset cs, to valid UTF-8. hint is used for
// 8-bit text that declares no charset or only ASCII. It never fails: unknown
// charsets are read as UTF-8 with invalid bytes replaced.
func decodeCharset(b []byte, cs, hint string) string {
	cs = normCharset(cs)
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return toValidUTF8(b[3:])
	}
	if isASCII(b) && !strings.HasPrefix(cs, "utf-16") && !strings.HasPrefix(cs, "utf-32") &&
		cs != "utf-7" && !strings.HasPrefix(cs, "iso-2022") && cs != "hz-gb-2312" {
		return string(b)
	}
	switch {
	case isUTF8Charset(cs):
		return toValidUTF8(b)
	case isASCIICharset(cs):
		if utf8.Valid(b) {
			return string(b)
		}
		cs = hint
		if cs == "" {
			cs = "windows-1252"
		}
	case isLatinCharset(cs) && utf8.Valid(b):
		return string(b) // mislabelled UTF-8
	}
	var enc encoding.Encoding
	switch cs {
	case "utf-16", "utf16", "ucs-2", "unicode", "iso-10646-ucs-2", "csunicode":
		enc = unicode.UTF16(guessEndian(b, 2), unicode.UseBOM)
	case "utf-16le", "utf-16be":
		e := unicode.LittleEndian
		if cs == "utf-16be" {
			e = unicode.BigEndian
		}
		enc = unicode.UTF16(e, unicode.UseBOM)
	case "utf-32", "ucs-4":
		enc = utf32.UTF32(utf32.Endianness(guessEndian(b, 4)), utf32.UseBOM)
	case "utf-32le", "utf-32be":
		e := utf32.LittleEndian
		if cs == "utf-32be" {
			e = utf32.BigEndian
		}
		enc = utf32.UTF32(e, utf32.UseBOM)
	default:
		enc = lookupEncoding(cs)
	}
	if enc == nil {
		return toValidUTF8(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return toValidUTF8(b)
	}
	return strings.TrimPrefix(toValidUTF8(out), "\ufeff")
}

// guessEndian returns BigEndian unless the zero bytes of mostly-Latin UTF-16
// (size 2) or UTF-32 (size 4) text sit at the end of each unit, as they do in
// little-endian text without a byte-order mark.
func guessEndian(b []byte, size int) unicode.Endianness {
	var first, last int
	for i := 0; i+size <= len(b) && i < 4096; i += size {
		if b[i] == 0 {
			first++
		}
		if b[i+size-1] == 0 {
			last++
		}
	}
	if last > first {
		return unicode.LittleEndian
	}
	return unicode.BigEndian
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// toValidUTF8 replaces each invalid byte with U+FFFD.
func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteRune(utf8.RuneError)
			b = b[1:]
			continue
		}
		sb.Write(b[:n])
		b = b[n:]
	}
	return sb.String()
}
