package eml

import (
	"strings"
)

// addressList parses an address field leniently: quoted names, comments,
// groups, encoded-words anywhere in the name, semicolons as separators and
// unquoted "Last, First <email>" names.
func (d *decoder) addressList(v string) []Address {
	segs := splitAddresses(v)
	var out []Address
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		// "Smith, John <john@example.org>" written without quotes.
		if !strings.ContainsAny(seg, "@<") && i+1 < len(segs) && strings.Contains(segs[i+1], "<") &&
			!strings.Contains(strings.SplitN(segs[i+1], "<", 2)[0], "@") {
			segs[i+1] = seg + ", " + segs[i+1]
			continue
		}
		if a, ok := d.address(seg); ok {
			out = append(out, a)
		}
		if len(out) >= maxAddresses {
			break
		}
	}
	return out
}

// splitAddresses splits at commas and semicolons outside quotes, angle
// brackets, comments and encoded-words, dropping group names ("team:").
func splitAddresses(s string) []string {
	var (
		segs  []string
		start int
		quote bool
		angle bool
		paren int
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote:
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = false
			}
		case paren > 0:
			if c == '\\' {
				i++
			} else if c == '(' {
				paren++
			} else if c == ')' {
				paren--
			}
		case angle:
			if c == '>' {
				angle = false
			}
		case c == '"':
			quote = true
		case c == '(':
			paren = 1
		case c == '<':
			angle = true
		case c == '=' && i+1 < len(s) && s[i+1] == '?':
			if end := encodedWordEnd(s, i); end > 0 {
				i = end - 1
			}
		case c == ',' || c == ';':
			segs = append(segs, s[start:i])
			start = i + 1
		case c == ':':
			start = i + 1 // group name
		}
	}
	segs = append(segs, s[min(start, len(s)):])
	out := segs[:0]
	for _, seg := range segs {
		if seg = strings.TrimSpace(seg); seg != "" {
			out = append(out, seg)
		}
	}
	return out
}

// encodedWordEnd returns the index just after the encoded-word starting at
// s[i], or -1. Blanks are not allowed inside, which bounds the scan.
func encodedWordEnd(s string, i int) int {
	q := 0
	for j := i + 2; j < len(s); j++ {
		switch s[j] {
		case ' ', '\t', '\n', '"', '<', '>':
			return -1
		case '?':
			q++
			if q >= 3 && j+1 < len(s) && s[j+1] == '=' {
				return j + 2
			}
		}
	}
	return -1
}

// address parses one mailbox.
func (d *decoder) address(seg string) (Address, bool) {
	var name, email strings.Builder
	var comment string
	inAngle, sawAngle := false, false
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case inAngle:
			if c == '>' {
				inAngle = false
			} else {
				email.WriteByte(c)
			}
		case c == '<':
			inAngle, sawAngle = true, true
			email.Reset()
		case c == '"':
			j := i + 1
			for ; j < len(seg) && seg[j] != '"'; j++ {
				if seg[j] == '\\' && j+1 < len(seg) {
					j++
				}
				name.WriteByte(seg[j])
			}
			i = j
		case c == '(':
			depth, j := 1, i+1
			var cb strings.Builder
			for ; j < len(seg) && depth > 0; j++ {
				switch seg[j] {
				case '(':
					depth++
				case ')':
					depth--
				case '\\':
					if j+1 < len(seg) {
						j++
					}
				}
				if depth > 0 {
					cb.WriteByte(seg[j])
				}
			}
			if comment == "" {
				comment = cb.String()
			}
			i = j - 1
		default:
			name.WriteByte(c)
		}
	}
	n := name.String()
	e := email.String()
	if !sawAngle {
		// A bare address, perhaps with its name in a comment.
		e, n = n, ""
		if f := strings.Fields(e); len(f) > 1 || !strings.Contains(e, "@") {
			e, n = "", strings.TrimSpace(e)
		}
	}
	if n == "" || strings.TrimSpace(n) == "" {
		n = comment
	}
	a := Address{Name: cleanName(d.words(n)), Email: cleanEmail(e)}
	if strings.EqualFold(a.Name, a.Email) || strings.EqualFold(a.Name, "<"+a.Email+">") {
		a.Name = ""
	}
	return a, a.Name != "" || a.Email != ""
}

func cleanName(s string) string {
	s = cleanLine(s)
	for len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// cleanEmail lower-cases an address and returns "" for one without '@'.
func cleanEmail(s string) string {
	s = strings.Join(strings.Fields(s), "")
	s = strings.Trim(s, "\"'<>")
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:] // obsolete source route "@a,@b:user@host"
	}
	s = strings.ToLower(cleanLine(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return ""
	}
	return s
}
