package eml

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanLine makes header text displayable: valid UTF-8, control characters
// and byte-order marks removed, runs of blanks collapsed, trimmed.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r):
			space = true
			continue
		case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\ufeff':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// cleanText makes body text valid UTF-8 with LF line endings and without
// control characters other than tab and line feed, trailing blanks on each
// line, runs of more than one blank line, and blank lines at either end.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blankLines := 0
	lineStart := true
	var line strings.Builder
	endLine := func() {
		l := strings.TrimRightFunc(line.String(), unicode.IsSpace)
		line.Reset()
		if l == "" {
			blankLines++
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blankLines > 0 {
				b.WriteByte('\n')
			}
		}
		blankLines = 0
		b.WriteString(l)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			endLine()
			lineStart = true
			continue
		case r == '\n':
			endLine()
			lineStart = true
			continue
		case r == '\t':
		case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0:
			continue
		case r == '\ufeff' && lineStart:
			continue
		}
		lineStart = false
		line.WriteRune(r) // RuneError for invalid bytes
	}
	endLine()
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
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ")
		if inPara && depth != paraDepth {
			b.WriteByte('\n')
			inPara = false
		}
		if !inPara && depth > 0 {
			b.WriteString(line[:depth])
			b.WriteByte(' ')
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if flowed {
			inPara, paraDepth = true, depth
		} else {
			inPara = false
			if i < len(lines)-1 {
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}
