// Package eml reads an e-mail message saved as an .eml file (RFC 5322 with
// MIME) and extracts what an interaction record needs: date, sender,
// recipients, subject, readable text and attachment names.
//
// Parsing is lenient: real messages from Outlook, Gmail, Thunderbird and
// Apple Mail break the standards in many small ways, so every field is
// decoded on a best-effort basis and only input that is not an e-mail at
// all, or is too large, is rejected. All returned strings are valid UTF-8.
package eml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits.
const (
	// MaxSize is the largest message Parse reads, in bytes.
	MaxSize = 25 << 20
	// MaxText is the largest Message.Text, in bytes, truncation marker included.
	MaxText = 1 << 20

	maxDepth       = 20    // nesting of multipart bodies
	maxParts       = 10000 // MIME parts visited
	maxAttachments = 1000
	maxAddresses   = 1000 // per field
)

// TruncatedMarker ends a Text that was cut at MaxText.
const TruncatedMarker = "\n\n[… text truncated]"

var (
	// ErrTooLarge is returned for input longer than MaxSize.
	ErrTooLarge = errors.New("eml: message larger than 25 MiB")
	// ErrNotEmail is returned (wrapped) for input without e-mail header fields.
	ErrNotEmail = errors.New("not an e-mail message: no header fields found")
)

// Address is a mailbox: a display name and a lower-case e-mail address.
// Email is empty for a recipient written without an address.
type Address struct {
	Name  string
	Email string
}

// Message is what Parse extracts from an e-mail.
type Message struct {
	Date        time.Time // zero when absent or unparseable
	From        Address
	To          []Address
	Cc          []Address
	Subject     string
	Text        string   // readable body, at most MaxText bytes
	Attachments []string // file names
	MessageID   string   // without angle brackets
}

// Parse reads one message from r. It fails only when r cannot be read, holds
// more than MaxSize bytes (ErrTooLarge) or has no e-mail header (ErrNotEmail).
func Parse(r io.Reader) (*Message, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("eml: read: %w", err)
	}
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	data = prepare(data)

	h, body := readHeader(data)
	if !looksLikeEmail(h) {
		return nil, fmt.Errorf("eml: header: %w", ErrNotEmail)
	}

	d := &decoder{hint: charsetHint(h, data)}
	m := &Message{
		Date:      parseDate(h.get("date")),
		Subject:   cleanLine(d.words(h.get("subject"))),
		MessageID: messageID(h.get("message-id")),
	}
	from := d.addressList(h.get("from"))
	if len(from) == 0 {
		from = d.addressList(h.get("sender"))
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	m.To = d.addressList(h.all("to"))
	m.Cc = d.addressList(h.all("cc"))

	w := &walker{d: d}
	w.walk(h, body, 0, "text/plain")
	m.Text = truncate(cleanText(strings.Join(w.bodies, "\n\n")), MaxText)
	m.Attachments = w.attachments
	return m, nil
}

// prepare strips a byte-order mark, normalises line endings to LF and skips
// leading blank lines and an mbox "From " separator line.
func prepare(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	} else if !bytes.Contains(data, []byte("\n")) {
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n")) // classic Mac OS
	}
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		line := data[:end]
		blank := len(bytes.TrimSpace(line)) == 0
		mbox := bytes.HasPrefix(line, []byte("From ")) &&
			!bytes.HasPrefix(bytes.TrimLeft(line[4:], " \t"), []byte(":"))
		if !blank && !mbox {
			break
		}
		data = data[min(end+1, len(data)):]
	}
	return data
}

// truncate cuts s to at most limit bytes at a rune boundary, ending it with
// TruncatedMarker when something was cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len(TruncatedMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " \t\n") + TruncatedMarker
}

// Addresses returns the distinct e-mail addresses of From, To and Cc, in
// that order.
func (m *Message) Addresses() []string {
	seen := make(map[string]bool)
	var out []string
	add := func(a Address) {
		if a.Email != "" && !seen[a.Email] {
			seen[a.Email] = true
			out = append(out, a.Email)
		}
	}
	add(m.From)
	for _, a := range m.To {
		add(a)
	}
	for _, a := range m.Cc {
		add(a)
	}
	return out
}

// Domain returns the lower-case domain of an e-mail address, or "" when it
// has none.
func Domain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	d := strings.ToLower(strings.TrimSpace(email[i+1:]))
	d = strings.TrimSuffix(d, ">")
	return strings.TrimSuffix(d, ".")
}
