package eml

import (
	"bytes"
	"net/mail"
	"strings"
	"time"
)

// field is one header field: its lower-case name and its unfolded raw value.
type field struct {
	name, value string
}

type header []field

// get returns the value of the first field called name (lower case).
func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// all joins the values of every field called name with commas, for address
// fields that a sloppy client repeats.
func (h header) all(name string) string {
	var vals []string
	for _, f := range h {
		if f.name == name {
			vals = append(vals, f.value)
		}
	}
	return strings.Join(vals, ", ")
}

// readHeader splits data (LF line endings) into its header fields and body.
// Continuation lines are unfolded. A line that is neither a field nor a
// continuation ends the header: it belongs to the body.
func readHeader(data []byte) (header, []byte) {
	var h header
	var folded []byte // value of the last field while it has continuation lines
	unfold := func() {
		if folded != nil {
			h[len(h)-1].value = string(folded)
			folded = nil
		}
	}
	pos := 0
	for pos < len(data) {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += pos
			next = end + 1
		}
		line := bytes.TrimRight(data[pos:end], "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			unfold()
			return h, data[next:]
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				return h, data[pos:]
			}
			if folded == nil {
				folded = []byte(h[len(h)-1].value)
			}
			folded = append(folded, line...)
			pos = next
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			unfold()
			return h, data[pos:]
		}
		name := bytes.TrimRight(line[:colon], " \t")
		unfold()
		if !isFieldName(name) {
			return h, data[pos:]
		}
		h = append(h, field{
			name:  strings.ToLower(string(name)),
			value: string(bytes.TrimLeft(line[colon+1:], " \t")),
		})
		pos = next
	}
	unfold()
	return h, nil
}

func isFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// emailFields are header fields of which at least one must be present for
// the input to count as an e-mail.
var emailFields = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "date": true, "subject": true,
	"sender": true, "reply-to": true, "message-id": true, "in-reply-to": true,
	"references": true, "received": true, "return-path": true, "delivered-to": true,
	"mime-version": true, "content-type": true, "x-mailer": true, "user-agent": true,
	"thread-topic": true, "thread-index": true,
}

func looksLikeEmail(h header) bool {
	for _, f := range h {
		if emailFields[f.name] {
			return true
		}
	}
	return false
}

// messageID returns the identifier inside the first pair of angle brackets,
// or the trimmed value when there are none.
func messageID(v string) string {
	v = stripComments(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return cleanLine(strings.Join(strings.Fields(v), ""))
}

// stripComments removes (possibly nested) parenthesised comments.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '\\' && depth > 0:
			i++
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dateLayouts are tried after net/mail.ParseDate, for dates written by
// clients that do not follow RFC 5322.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 -0700",
	"2 January 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04",
	"Mon, Jan 2 2006 15:04:05 -0700",
	"Mon, Jan 2, 2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"02.01.2006 15:04:05 -0700",
	"02.01.2006 15:04:05",
	"02.01.2006 15:04",
}

// parseDate parses a Date field, returning the zero time when it cannot.
func parseDate(v string) time.Time {
	v = strings.Join(strings.Fields(stripComments(v)), " ")
	if v == "" {
		return time.Time{}
	}
	t, err := mail.ParseDate(v)
	if err != nil {
		v = normaliseZone(strings.TrimSuffix(v, "."))
		for _, layout := range dateLayouts {
			if t, err = time.Parse(layout, v); err == nil {
				break
			}
		}
		if err != nil {
			return time.Time{}
		}
	}
	if y := t.Year(); y < 1970 || y > 9999 {
		return time.Time{}
	}
	return t
}

// normaliseZone rewrites "GMT+01:00", "UTC+0100", "+01:00" and trailing
// zone names into a numeric "+0100" zone.
func normaliseZone(v string) string {
	for _, p := range []string{" GMT", " UTC", " UT"} {
		if i := strings.LastIndex(v, p); i >= 0 {
			rest := v[i+len(p):]
			if rest == "" {
				return v[:i] + " +0000"
			}
			if rest[0] == '+' || rest[0] == '-' {
				v = v[:i] + " " + rest
			}
		}
	}
	if n := len(v); n >= 7 && v[n-3] == ':' && (v[n-6] == '+' || v[n-6] == '-') && v[n-7:n-6] == " " {
		v = v[:n-3] + v[n-2:]
	}
	return v
}

// charsetHint guesses the charset of raw 8-bit header text and of text
// parts that declare none: the first charset, other than ASCII and
// Unicode ones, named by an encoded-word or a charset parameter.
func charsetHint(h header, data []byte) string {
	for _, f := range h {
		s := f.value
		for {
			i := strings.Index(s, "=?")
			if i < 0 {
				break
			}
			s = s[i+2:]
			j := strings.IndexByte(s, '?')
			if j < 0 {
				break
			}
			if cs := normCharset(s[:j]); isSpecificCharset(cs) {
				return cs
			}
			s = s[j:]
		}
	}
	scan := data[:min(len(data), 1<<20)]
	lower := bytes.ToLower(scan)
	for {
		i := bytes.Index(lower, []byte("charset="))
		if i < 0 {
			return ""
		}
		lower = lower[i+len("charset="):]
		v := lower
		if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
			v = v[1:]
		}
		end := bytes.IndexAny(v, "\"'; \t\n>")
		if end < 0 {
			end = len(v)
		}
		if cs := normCharset(string(v[:min(end, 64)])); isSpecificCharset(cs) {
			return cs
		}
	}
}
