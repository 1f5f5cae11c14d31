package eml

import (
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// repair mends what enmime leaves as it found it: header fields in raw 8-bit text other than
// UTF-8, a multipart without boundary and parts without Content-Type (text, says RFC 2045), plain
// text in an undeclared 8-bit charset or in UTF-8 declared as Latin-1 or ASCII, and the soft line
// breaks of format=flowed text (RFC 3676). Raw 8-bit text is read in the first legacy charset
// the message declares, else in windows-1252.
//
// Plain text past MaxText bytes is cut, and parts past it are left out of the text, which
// enmime would join part by part, copying what it has joined each time. repair reports whether
// it cut anything.
func repair(root *enmime.Part) (cut bool) {
	hint := "windows-1252"
	if p := root.DepthMatchFirst(func(p *enmime.Part) bool { return legacyCharset(p.Charset) }); p != nil {
		hint = p.Charset
	}
	for _, values := range root.Header {
		for i, v := range values {
			values[i] = decode8bit(v, hint)
		}
	}
	if strings.HasPrefix(root.ContentType, "multipart/") && root.Boundary == "" {
		root.Header.Set("Content-Type", "text/plain")
		root.ContentType = "text/plain"
	}
	budget := MaxText
	root.DepthMatchAll(func(p *enmime.Part) bool {
		if p.ContentType == "" && p.Parent != nil && p.FirstChild == nil {
			p.ContentType = "text/plain"
		}
		if !strings.HasPrefix(p.ContentType, "text/") {
			return false
		}
		if p.Charset == "" && p.ContentType == "text/plain" {
			p.Content = []byte(decode8bit(string(p.Content), hint))
		} else if e, err := htmlindex.Get(p.Charset); err == nil && e == charmap.Windows1252 {
			p.Content = undoLatin1(p.Content)
		}
		if p.ContentType != "text/plain" || p.Disposition == "attachment" {
			return false
		}
		_, params, _, _ := mediatype.Parse(p.Header.Get("Content-Type"))
		if strings.EqualFold(params["format"], "flowed") {
			p.Content = []byte(unflow(string(p.Content), strings.EqualFold(params["delsp"], "yes")))
		}
		if budget <= 0 {
			p.Disposition = "attachment" // left out of the text
			cut = cut || len(p.Content) > 0
			return false
		}
		if len(p.Content) > budget {
			p.Content = []byte(prefix(string(p.Content), budget))
			cut = true
		}
		budget -= len(p.Content)
		return false
	})
	return cut
}

// undoLatin1 returns the bytes of text that enmime read as Latin-1 (or as ASCII, which it reads
// alike) when they are UTF-8, as mailers that mislabel their text send. Latin-1 text with
// accented letters is hardly ever also valid UTF-8.
func undoLatin1(text []byte) []byte {
	for _, cm := range []*charmap.Charmap{charmap.ISO8859_1, charmap.Windows1252} {
		if raw, err := cm.NewEncoder().Bytes(text); err == nil && utf8.Valid(raw) {
			return raw
		}
	}
	return text
}

// legacyCharset reports a known charset other than the Unicode ones and windows-1252, which
// also stands for ASCII and Latin-1 and is the default anyway.
func legacyCharset(cs string) bool {
	e, err := htmlindex.Get(cs)
	if err != nil {
		return false
	}
	name, _ := htmlindex.Name(e)
	return !strings.HasPrefix(name, "utf-") && name != "windows-1252" && name != "replacement"
}

// decode8bit returns s when it is UTF-8, else s read in charset cs.
func decode8bit(s, cs string) string {
	if utf8.ValidString(s) {
		return s
	}
	if e, err := htmlindex.Get(cs); err == nil {
		if t, err := e.NewDecoder().String(s); err == nil {
			return t
		}
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
