package eml

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder decodes header text; hint is the charset assumed for raw 8-bit
// bytes (see charsetHint).
type decoder struct {
	hint string
}

// raw converts header text that is not inside an encoded-word.
func (d *decoder) raw(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return decodeCharset([]byte(s), "us-ascii", d.hint)
}

// words decodes the RFC 2047 encoded-words in s. Blanks between adjacent
// encoded-words are dropped, and adjacent words in the same charset are
// joined before conversion, so a character split across two words
// survives. Malformed words are kept as they are.
func (d *decoder) words(s string) string {
	if !strings.Contains(s, "=?") {
		return d.raw(s)
	}
	var (
		out     strings.Builder
		pending []byte // bytes of adjacent encoded-words in charset pendCS
		pendCS  string
		active  bool
		closeAt = -1 // cached index of the next "?=", to stay linear
	)
	flush := func() {
		if active {
			out.WriteString(decodeCharset(pending, pendCS, d.hint))
			pending, active = pending[:0], false
		}
	}
	lit := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '=' || s[i+1] != '?' {
			continue
		}
		q1 := strings.IndexByte(s[i+2:min(len(s), i+2+64)], '?')
		if q1 <= 0 {
			continue
		}
		q1 += i + 2
		if q1+2 >= len(s) || s[q1+2] != '?' {
			continue
		}
		enc := s[q1+1] | 0x20
		if enc != 'b' && enc != 'q' {
			continue
		}
		start := q1 + 3
		if closeAt < start {
			closeAt = strings.Index(s[start:], "?=")
			if closeAt < 0 {
				break // no encoded-word can end anywhere after this
			}
			closeAt += start
		}
		cs := normCharset(s[i+2 : q1])
		if strings.ContainsAny(cs, " \t") {
			continue
		}
		var b []byte
		if enc == 'b' {
			b = decodeBase64([]byte(s[start:closeAt]))
		} else {
			b = decodeQ(s[start:closeAt])
		}
		between := s[lit:i]
		if !active || strings.Trim(between, " \t") != "" {
			flush()
			out.WriteString(d.raw(between))
		}
		if active && cs != pendCS {
			flush()
		}
		pending = append(pending, b...)
		pendCS, active = cs, true
		i = closeAt + 1
		lit = closeAt + 2
	}
	flush()
	out.WriteString(d.raw(s[lit:]))
	return out.String()
}

// decodeQ decodes the "Q" encoding of RFC 2047.
func decodeQ(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			b = append(b, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

// decodeBase64 decodes as much of b as it can, ignoring characters outside
// the alphabet, padding and a dangling final character.
func decodeBase64(b []byte) []byte {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+')
		case c == '_':
			clean = append(clean, '/')
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// decodeQP decodes quoted-printable text leniently: a malformed escape is
// kept as it is and unencoded blanks at the end of a line are dropped.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		end := -1
		for i, c := range b {
			if c == '\n' {
				end = i
				break
			}
		}
		line := b
		rest := []byte(nil)
		if end >= 0 {
			line, rest = b[:end], b[end+1:]
		}
		for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t' || line[len(line)-1] == '\r') {
			line = line[:len(line)-1]
		}
		soft := len(line) > 0 && line[len(line)-1] == '='
		if soft {
			line = line[:len(line)-1]
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
				continue
			}
			out = append(out, c)
		}
		if end >= 0 && !soft {
			out = append(out, '\n')
		}
		b = rest
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// mediaType parses a Content-Type or Content-Disposition value into its
// lower-case value and parameters, decoding RFC 2231 continuations and
// charsets and RFC 2047 encoded-words in parameter values.
func (d *decoder) mediaType(v string) (string, map[string]string) {
	typ, rest, _ := strings.Cut(v, ";")
	typ = strings.ToLower(strings.TrimSpace(stripComments(typ)))
	type section struct {
		n   int
		ext bool
		val string
	}
	plain := make(map[string]string)
	extended := make(map[string]string)
	sections := make(map[string][]section)
	for _, p := range parseParams(rest) {
		key, ext := strings.CutSuffix(p.key, "*")
		base, num, multi := strings.Cut(key, "*")
		switch {
		case multi:
			n, err := strconv.Atoi(num)
			if err == nil && n >= 0 && len(sections[base]) < 1000 {
				sections[base] = append(sections[base], section{n, ext, p.val})
			}
		case ext:
			if _, ok := extended[base]; !ok {
				extended[base] = decode2231(p.val, d.hint)
			}
		default:
			if _, ok := plain[base]; !ok {
				plain[base] = d.words(p.val)
			}
		}
	}
	for base, secs := range sections {
		if _, ok := extended[base]; ok {
			continue
		}
		sort.SliceStable(secs, func(i, j int) bool { return secs[i].n < secs[j].n })
		var buf []byte
		cs := ""
		for i, s := range secs {
			v := s.val
			if s.ext {
				if i == 0 {
					cs, v = splitCharset(v)
				}
				buf = append(buf, unpercent(v)...)
			} else {
				buf = append(buf, v...)
			}
		}
		if cs == "" {
			extended[base] = d.words(string(buf))
		} else {
			extended[base] = decodeCharset(buf, cs, d.hint)
		}
	}
	for k, v := range extended {
		plain[k] = v
	}
	return typ, plain
}

// decode2231 decodes an extended parameter value: charset'language'%XX….
func decode2231(v string, hint string) string {
	cs, v := splitCharset(v)
	if cs == "" {
		cs = "utf-8"
	}
	return decodeCharset(unpercent(v), cs, hint)
}

// splitCharset splits charset'language'value; without the two quotes the
// whole string is the value.
func splitCharset(v string) (string, string) {
	cs, rest, ok := strings.Cut(v, "'")
	if !ok {
		return "", v
	}
	_, val, ok := strings.Cut(rest, "'")
	if !ok {
		return "", v
	}
	return cs, val
}

func unpercent(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

type param struct{ key, val string }

// parseParams splits "; a=b; c="d e"" into parameters. Unquoted values run
// to the next semicolon, blanks included, as Outlook writes them.
func parseParams(s string) []param {
	var out []param
	for len(s) > 0 && len(out) < 1000 {
		s = strings.TrimLeft(s, " \t;")
		if s == "" {
			break
		}
		eq := strings.IndexAny(s, "=;")
		if eq < 0 {
			break
		}
		if s[eq] == ';' {
			s = s[eq+1:]
			continue
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, "\"") {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				c := s[i]
				if c == '"' {
					break
				}
				if c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
					c = s[i]
				}
				b.WriteByte(c)
			}
			val = b.String()
			s = s[min(i+1, len(s)):]
			if j := strings.IndexByte(s, ';'); j >= 0 {
				s = s[j:]
			} else {
				s = ""
			}
		} else {
			end := strings.IndexByte(s, ';')
			if end < 0 {
				end = len(s)
			}
			val = strings.TrimSpace(s[:end])
			s = s[end:]
		}
		if key != "" {
			out = append(out, param{key, val})
		}
	}
	return out
}
