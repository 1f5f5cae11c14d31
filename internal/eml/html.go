package eml

import (
	"html"
	"strings"
	"unicode"
)

// rawTextElements are dropped with their contents.
var rawTextElements = map[string]bool{
	"script": true, "style": true, "title": true, "template": true, "xml": true,
}

// paragraphElements are separated by a blank line, lineElements by a line
// break.
var (
	paragraphElements = map[string]bool{
		"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"blockquote": true, "ul": true, "ol": true, "dl": true, "table": true, "pre": true, "hr": true,
	}
	lineElements = map[string]bool{
		"div": true, "li": true, "tr": true, "dt": true, "dd": true, "section": true, "article": true,
		"header": true, "footer": true, "address": true, "form": true, "fieldset": true, "nav": true,
		"aside": true, "figure": true, "figcaption": true, "caption": true, "center": true, "body": true,
		"main": true, "legend": true, "details": true, "summary": true,
	}
)

// htmlToText renders HTML as plain text: tags stripped, entities decoded,
// blanks collapsed except in <pre>, paragraphs and line breaks kept, and
// scripts, styles and the title dropped.
func htmlToText(s string) string {
	lower := asciiLower(s)
	c := &converter{}
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			c.text(s[i:])
			break
		}
		c.text(s[i : i+lt])
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return c.finish()
			}
			i += 4 + end + 3
		case len(rest) > 1 && (rest[1] == '!' || rest[1] == '?'):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return c.finish()
			}
			i += end + 1
		case len(rest) > 1 && isLetter(rest[1]), len(rest) > 2 && rest[1] == '/' && isLetter(rest[2]):
			name, closing, end := parseTag(lower[i:])
			if end < 0 {
				return c.finish()
			}
			i += end
			c.tag(name, closing)
			if !closing && rawTextElements[name] {
				stop := strings.Index(lower[i:], "</"+name)
				if stop < 0 {
					return c.finish()
				}
				i += stop
			}
		default:
			c.text("<")
			i++
		}
	}
	return c.finish()
}

// parseTag reads the tag at the start of s (lower-cased): its name, whether
// it is a closing tag, and the index just after its '>' (-1 if none).
func parseTag(s string) (string, bool, int) {
	i := 1
	closing := false
	if i < len(s) && s[i] == '/' {
		closing = true
		i++
	}
	start := i
	for i < len(s) && (isLetter(s[i]) || s[i] >= '0' && s[i] <= '9' || s[i] == ':' || s[i] == '-') {
		i++
	}
	name := s[start:i]
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if s[i-1] == '=' || s[i-1] == ' ' {
				quote = c
			}
		case c == '>':
			return name, closing, i + 1
		}
	}
	return name, closing, -1
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// asciiLower lower-cases ASCII letters only, so byte offsets are kept.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

type converter struct {
	b       strings.Builder
	pre     int  // depth of <pre>
	space   bool // a blank is pending
	newline int  // line feeds at the end of b
}

func (c *converter) text(raw string) {
	if raw == "" {
		return
	}
	t := html.UnescapeString(raw)
	if c.pre > 0 {
		for _, r := range t {
			c.b.WriteRune(r)
			if r == '\n' {
				c.newline++
			} else {
				c.newline = 0
			}
		}
		c.space = false
		return
	}
	for _, r := range t {
		if unicode.IsSpace(r) || r == '\u200b' {
			c.space = true
			continue
		}
		if c.space && c.b.Len() > 0 && c.newline == 0 {
			c.b.WriteByte(' ')
		}
		c.space = false
		c.b.WriteRune(r)
		c.newline = 0
	}
}

// breakLines ends the current line with n line feeds in all.
func (c *converter) breakLines(n int) {
	c.space = false
	if c.b.Len() == 0 {
		return
	}
	for c.newline < n {
		c.b.WriteByte('\n')
		c.newline++
	}
}

func (c *converter) tag(name string, closing bool) {
	switch {
	case name == "br":
		if c.b.Len() > 0 {
			c.b.WriteByte('\n')
			c.newline++
		}
		c.space = false
	case paragraphElements[name]:
		c.breakLines(2)
		if name == "pre" {
			if closing {
				c.pre = max(c.pre-1, 0)
			} else {
				c.pre++
			}
		}
	case lineElements[name]:
		c.breakLines(1)
		if name == "li" && !closing {
			c.b.WriteString("- ")
			c.newline = 0
		}
	case name == "td" || name == "th":
		if closing {
			c.space = true
		}
	}
}

func (c *converter) finish() string {
	return cleanText(c.b.String())
}
