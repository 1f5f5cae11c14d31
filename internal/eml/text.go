package eml

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// control reports the characters no text of a message keeps: C0 and C1 controls other than tab
// and line feed, DEL and byte-order marks. PostgreSQL refuses a NUL in text.
func control(r rune) bool {
	return r < ' ' && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\ufeff'
}

// cleanLine makes header text displayable: valid UTF-8, without control characters, runs of
// blanks collapsed, trimmed.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if control(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// cleanText makes body text valid UTF-8 with LF line endings and without control characters
// other than tab and line feed, trailing blanks on each line, runs of more than one blank line,
// and blank lines at either end.
func cleanText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\r' {
			return '\n'
		}
		if control(r) {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(line)
	}
	return b.String()
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676).
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	inPara, paraDepth := false, 0
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		depth := len(line) - len(strings.TrimLeft(line, ">"))
		content := strings.TrimPrefix(line[depth:], " ")
		if inPara && depth != paraDepth {
			b.WriteByte('\n')
			inPara = false
		}
		if !inPara && depth > 0 {
			b.WriteString(line[:depth] + " ")
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if flowed {
			inPara, paraDepth = true, depth
			continue
		}
		inPara = false
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// truncate cuts s to at most MaxText bytes, ending it with TruncatedMarker when it, or the text
// it was made of, was cut.
func truncate(s string, cut bool) string {
	if len(s) <= MaxText && !cut {
		return s
	}
	return strings.TrimRight(prefix(s, MaxText-len(TruncatedMarker)), " \t\n") + TruncatedMarker
}

// prefix returns s cut to at most n bytes at a rune boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Addresses returns the distinct e-mail addresses of From, To and Cc, in that order.
func (m *Message) Addresses() []string {
	seen := make(map[string]bool)
	var out []string
	for _, a := range append(append([]Address{m.From}, m.To...), m.Cc...) {
		if a.Email != "" && !seen[a.Email] {
			seen[a.Email] = true
			out = append(out, a.Email)
		}
	}
	return out
}
