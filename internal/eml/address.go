package eml

import (
	"net/mail"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// addressList reads the mailboxes of the fields given (a sloppy client repeats To or Cc). enmime
// reads a field as net/mail does, after putting back missing commas; a field it refuses is read
// one mailbox at a time, so that one odd mailbox ("Silva, Marcos <…>" unquoted, an Exchange X.500
// path, a mailto: link) does not lose the others.
func addressList(fields []string) []Address {
	var out []Address
	for _, f := range fields {
		list, err := enmime.ParseAddressList(f)
		if err != nil {
			list = nil
			for _, seg := range splitMailboxes(f) {
				l, err := enmime.ParseAddressList(seg)
				if err != nil {
					l = []*mail.Address{looseMailbox(seg)}
				}
				list = append(list, l...)
			}
		}
		for _, a := range list {
			m := Address{Name: cleanName(a.Name), Email: cleanEmail(a.Address)}
			if strings.EqualFold(m.Name, m.Email) {
				m.Name = ""
			}
			if m != (Address{}) && len(out) < maxAddresses {
				out = append(out, m)
			}
		}
	}
	return out
}

// splitMailboxes splits a field at the commas and semicolons outside quotes, angle brackets and
// comments, dropping group names ("Team:"), and joins "Silva" to "Marcos <…>" when a name was
// written with an unquoted comma.
func splitMailboxes(s string) []string {
	var segs []string
	start, quote, angle, paren := 0, false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && (quote || paren > 0):
			i++
		case quote:
			quote = c != '"'
		case paren > 0:
			if c == '(' {
				paren++
			} else if c == ')' {
				paren--
			}
		case angle:
			angle = c != '>'
		case c == '"':
			quote = true
		case c == '(':
			paren = 1
		case c == '<':
			angle = true
		case c == ':':
			start = i + 1
		case c == ',' || c == ';':
			segs = append(segs, s[start:i])
			start = i + 1
		}
	}
	segs = append(segs, s[min(start, len(s)):])
	var out []string
	for _, seg := range segs {
		switch seg = strings.TrimSpace(seg); {
		case seg == "" || len(out) >= maxAddresses:
		case len(out) > 0 && !strings.ContainsAny(out[len(out)-1], "@<") && strings.Contains(seg, "<"):
			out[len(out)-1] += ", " + seg
		default:
			out = append(out, seg)
		}
	}
	return out
}

// looseMailbox reads "name <address>" whatever the name and the address, or a bare address.
func looseMailbox(s string) *mail.Address {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		return &mail.Address{Name: enmime.DecodeRFC2047(s[:i]), Address: strings.TrimSuffix(s[i+1:], ">")}
	}
	if strings.ContainsAny(s, " \t") {
		return &mail.Address{Name: enmime.DecodeRFC2047(s)}
	}
	return &mail.Address{Address: s}
}

// cleanName makes a display name displayable, without the quotes some clients leave around it.
func cleanName(s string) string {
	s = cleanLine(s)
	for len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// cleanEmail lower-cases an address and returns "" for one without '@'.
func cleanEmail(s string) string {
	s = strings.Trim(strings.Join(strings.Fields(s), ""), "\"'<>")
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:] // obsolete source route "@a,@b:user@host"
	}
	s = strings.ToLower(cleanLine(s))
	if at := strings.LastIndexByte(s, '@'); at <= 0 || at == len(s)-1 {
		return ""
	}
	return s
}

// dateLayouts are tried after net/mail.ParseDate, for dates written by clients that do not
// follow RFC 5322.
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
	v = strings.Join(strings.Fields(v), " ")
	t, err := mail.ParseDate(v)
	if err != nil {
		v, _, _ = strings.Cut(v, "(") // a trailing comment: "… +0100 (CET)"
		v = normaliseZone(strings.TrimSuffix(strings.TrimSpace(v), "."))
		for _, layout := range dateLayouts {
			if t, err = time.Parse(layout, v); err == nil {
				break
			}
		}
	}
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// normaliseZone rewrites "GMT+01:00", "UTC+0100", "+01:00" and a trailing "GMT" or "UTC" into a
// numeric "+0100" zone.
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
	if n := len(v); n >= 7 && v[n-3] == ':' && (v[n-6] == '+' || v[n-6] == '-') && v[n-7] == ' ' {
		v = v[:n-3] + v[n-2:]
	}
	return v
}
