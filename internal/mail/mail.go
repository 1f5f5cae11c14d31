// Package mail sends Pactum's e-mail. Messages are first written to an outbox in the database,
// in the same transaction as the change that causes them; a Sender then delivers them over SMTP
// and retries with backoff until the server accepts them, so none is lost while it is down.
//
// The package knows nothing of the database: the store implements Outbox.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"pactum/internal/apperr"
)

// Message is an e-mail to one person. Text is required; HTML, when set, is sent beside it as the
// richer alternative. Language is the BCP 47 code the message is written in (ar, zh, …).
type Message struct {
	To       string // the bare address: name@example.org
	ToName   string // the recipient's name, in any script; may be empty
	Subject  string
	Text     string
	HTML     string
	Language string
}

var languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

// Validate checks that m can be sent: a plausible address, a subject and a text, and no line
// break in a header field (which would let a value add headers of its own, such as Bcc).
func (m Message) Validate() error {
	errs := apperr.FieldErrors{}
	if !plausibleAddress(m.To) {
		errs.Add("to", "error.email")
	}
	if strings.ContainsAny(m.ToName, "\r\n") || !utf8.ValidString(m.ToName) {
		errs.Add("to_name", "error.invalid")
	}
	if strings.TrimSpace(m.Subject) == "" {
		errs.Add("subject", "error.required")
	} else if strings.ContainsAny(m.Subject, "\r\n") || !utf8.ValidString(m.Subject) {
		errs.Add("subject", "error.invalid")
	}
	if strings.TrimSpace(m.Text) == "" {
		errs.Add("text", "error.required")
	} else if !utf8.ValidString(m.Text) {
		errs.Add("text", "error.invalid")
	}
	if !utf8.ValidString(m.HTML) {
		errs.Add("html", "error.invalid")
	}
	if m.Language != "" && !languagePattern.MatchString(m.Language) {
		errs.Add("language", "error.language")
	}
	return errs.Err()
}

// plausibleAddress accepts one bare address with a local part and a domain, as net/mail parses it.
func plausibleAddress(s string) bool {
	if s == "" || strings.ContainsAny(s, "\r\n<>,; \t") {
		return false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.Contains(s[at+1:], "..") && !strings.HasPrefix(s[at+1:], ".")
}

// Build renders m as an RFC 5322 message from the address from ("Pactum <pactum@example.org>"),
// dated date, with messageID (without angle brackets; a random one when empty). The result is
// 7-bit clean: headers in any script are MIME encoded words, bodies quoted-printable or base64,
// and a message with HTML is multipart/alternative.
func (m Message) Build(from string, date time.Time, messageID string) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	sender, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender address %q: %w", from, err)
	}
	if messageID == "" {
		messageID = rand.Text() + "@" + domainOf(sender.Address)
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("Date", date.Format(time.RFC1123Z))
	header("From", formatAddress(sender.Name, sender.Address))
	header("To", formatAddress(m.ToName, m.To))
	header("Subject", encodeHeader(m.Subject))
	header("Message-ID", "<"+messageID+">")
	header("MIME-Version", "1.0")
	if m.Language != "" {
		header("Content-Language", m.Language)
	}
	header("Auto-Submitted", "auto-generated")

	if m.HTML == "" {
		cte, body := encodeBody(m.Text)
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", cte)
		b.WriteString("\r\n")
		b.Write(body)
		return b.Bytes(), nil
	}
	var parts bytes.Buffer
	mw := multipart.NewWriter(&parts)
	for _, p := range []struct{ contentType, text string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML}, // last is preferred
	} {
		cte, body := encodeBody(p.text)
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.contentType},
			"Content-Transfer-Encoding": {cte},
		})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	b.Write(parts.Bytes())
	return b.Bytes(), nil
}

func domainOf(address string) string {
	if at := strings.LastIndexByte(address, '@'); at >= 0 {
		return address[at+1:]
	}
	return "localhost"
}

// formatAddress writes a name and address for a header: net/mail quotes an ASCII name, and a name
// in another script becomes encoded words.
func formatAddress(name, address string) string {
	if name == "" || isASCII(name) {
		return (&netmail.Address{Name: name, Address: address}).String()
	}
	return encodeHeader(name) + " <" + address + ">"
}

// encodeHeader returns s as it is when it is printable ASCII, otherwise as encoded words folded
// onto continuation lines: base64 for mostly non-Latin text (Arabic, Chinese, Cyrillic), which is
// shorter, and Q encoding for mostly Latin text, which stays readable.
func encodeHeader(s string) string {
	if isASCII(s) {
		return s
	}
	enc := mime.QEncoding
	if mostlyNonASCII(s) {
		enc = mime.BEncoding
	}
	// The encoder splits long text into words of at most 75 characters separated by spaces;
	// whitespace between encoded words is not part of the text, so each may start a new line.
	return strings.ReplaceAll(enc.Encode("utf-8", s), " ", "\r\n ")
}

// encodeBody returns a text body with CRLF line ends in its transfer encoding: quoted-printable
// for mostly ASCII text, base64 (in lines of 76) for text in other scripts.
func encodeBody(text string) (cte string, body []byte) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	var b bytes.Buffer
	if mostlyNonASCII(text) {
		encoded := base64.StdEncoding.EncodeToString([]byte(text))
		for len(encoded) > 76 {
			b.WriteString(encoded[:76] + "\r\n")
			encoded = encoded[76:]
		}
		b.WriteString(encoded + "\r\n")
		return "base64", b.Bytes()
	}
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(text)) // writes to a bytes.Buffer cannot fail
	w.Close()
	return "quoted-printable", b.Bytes()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// mostlyNonASCII reports whether more than a quarter of s's bytes are outside ASCII.
func mostlyNonASCII(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n++
		}
	}
	return n*4 > len(s)
}
