package chart

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes s safe to put in XML once escaped: invalid UTF-8 becomes U+FFFD, characters XML
// forbids (NUL and most other controls) are dropped, and line breaks become spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}

// esc escapes text and attribute values: < > & ' ".
func esc(s string) string { return html.EscapeString(s) }

// textWidth estimates the drawn width of s at a font size: there is no font to measure on the
// server, so wide (CJK) characters count one em, combining marks and format characters none,
// and everything else 0.6 em — a little wider than most Latin, Cyrillic and Arabic text.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += runeEm(r)
	}
	return w * size
}

func runeEm(r rune) float64 {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case wide(r):
		return 1
	}
	return 0.6
}

// wide reports the East Asian wide and full-width characters.
func wide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f ||
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f ||
		r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff ||
		r >= 0xfe30 && r <= 0xfe6f ||
		r >= 0xff00 && r <= 0xff60 ||
		r >= 0xffe0 && r <= 0xffe6 ||
		r >= 0x1f300 && r <= 0x1faff ||
		r >= 0x20000 && r <= 0x3fffd)
}

// fit shortens s with an ellipsis so that it takes at most maxW. Combining marks stay with
// their letter; the full text remains in the tooltip and the description.
func fit(s string, maxW, size float64) string {
	if textWidth(s, size) <= maxW {
		return s
	}
	const ellipsis = "…"
	avail := maxW - 0.9*size
	if avail < 0 {
		return ""
	}
	w := 0.0
	cut := 0
	for i, r := range s {
		w += runeEm(r) * size
		if w > avail {
			break
		}
		cut = i + utf8.RuneLen(r)
	}
	kept := strings.TrimRightFunc(s[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	})
	return kept + ellipsis + directionMark(kept)
}

// directionMark returns the mark that keeps an ellipsis at the end of text whose direction
// differs from the chart's: a Latin label in an Arabic chart, an Arabic name in an English one.
func directionMark(s string) string {
	for _, r := range s {
		switch {
		case r >= 0x0590 && r <= 0x08ff || r >= 0xfb1d && r <= 0xfdff || r >= 0xfe70 && r <= 0xfefc:
			return "\u200f" // right-to-left mark
		case unicode.IsLetter(r):
			return "\u200e" // left-to-right mark
		}
	}
	return ""
}
