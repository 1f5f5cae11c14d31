// Package eml reads an e-mail message saved as an .eml file and extracts what an interaction
// record needs: date, sender, recipients, subject, Message-ID and readable text.
//
// github.com/jhillyerd/enmime/v2 reads the message: MIME structure, transfer encodings, charsets,
// RFC 2047 encoded-words and RFC 2231 parameters. It is maintained and made for the mail people
// really send, as Inbucket and Mailpit read it. HTML without a plain-text alternative is turned
// into text by github.com/inbucket/html2text, the converter enmime itself uses. What this package
// adds is what an upload needs: a size limit, mailboxes and dates that net/mail refuses read
// anyway, and text that is valid UTF-8 without control characters, cut to a limit.
//
// A message with defects is read as far as it goes (enmime's warnings are not errors here); only
// input that is not an e-mail at all, or is too large, is refused.
package eml

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"time"

	"github.com/inbucket/html2text"
	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// Limits.
const (
	// MaxSize is the largest message Parse reads, in bytes.
	MaxSize = 25 << 20
	// MaxText is the largest Message.Text, in bytes, truncation marker included.
	MaxText = 1 << 20

	maxParts     = 500         // MIME parts; enmime refuses a message with more, as Mailpit has it
	maxHTML      = 4 * MaxText // bytes of HTML turned into text: the converter builds a tree
	maxAddresses = 1000        // per field

	// maxMultiparts bounds the parts enmime takes apart into further parts, and so how deep
	// they nest. Each level makes enmime read the bytes inside it once more (some 10 ns a
	// byte: 3 s for 25 MiB 12 deep), and each level left unclosed doubles its work at the end
	// of the message: 22 levels in 1 KB took 6 s, 30 would take some 25 minutes.
	maxMultiparts = 12
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
	Date      time.Time // zero when absent or unparseable
	From      Address
	To        []Address
	Cc        []Address
	Subject   string
	Text      string // readable body, at most MaxText bytes
	MessageID string // without angle brackets
}

// newParser returns enmime's parser for one message. Past maxMultiparts distinct boundaries, a
// part that declares one more is read as a leaf; what it holds is left out.
func newParser() *enmime.Parser {
	boundaries := make(map[string]bool)
	parseMediaType := func(v string) (string, map[string]string, []string, error) {
		mt, params, invalid, err := mediatype.Parse(v)
		if b, ok := params["boundary"]; ok && !boundaries[b] {
			if len(boundaries) < maxMultiparts {
				boundaries[b] = true
			} else {
				delete(params, "boundary")
			}
		}
		return mt, params, invalid, err
	}
	return enmime.NewParser(
		enmime.MaxMIMEParts(maxParts),
		enmime.SetCustomParseMediaType(parseMediaType),
		enmime.SkipMalformedParts(true),                                       // a broken part is left out, not the message
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy), // text before bad base64 is kept
		enmime.MultipartWOBoundaryAsSinglePart(true),                          // see repair
		enmime.DisableCharacterDetection(true),                                // a declared charset is believed (enmime#104)
		enmime.DisableTextConversion(true),                                    // see htmlText
	)
}

// Parse reads one message from r. It fails when r cannot be read, holds more than MaxSize bytes
// (ErrTooLarge) or has no e-mail header (ErrNotEmail).
func Parse(r io.Reader) (*Message, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("eml: read: %w", err)
	}
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	env, cut, err := read(prepare(data))
	if err != nil || !looksLikeEmail(env.Root.Header) {
		return nil, fmt.Errorf("eml: header: %w", ErrNotEmail)
	}
	h := env.Root.Header
	m := &Message{
		Date:      parseDate(h.Get("Date")),
		Subject:   cleanLine(env.GetHeader("Subject")),
		MessageID: messageID(h.Get("Message-Id")),
		To:        addressList(h.Values("To")),
		Cc:        addressList(h.Values("Cc")),
	}
	from := addressList(h.Values("From"))
	if len(from) == 0 {
		from = addressList(h.Values("Sender"))
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	text := env.Text
	if strings.TrimSpace(text) == "" && env.HTML != "" {
		text = htmlText(env.HTML)
	}
	m.Text = truncate(cleanText(text), cut)
	return m, nil
}

// read parses data with enmime, mending the part tree before the envelope is built from it. It
// reports whether repair cut the text.
func read(data []byte) (*enmime.Envelope, bool, error) {
	parser := newParser()
	root, err := parser.ReadParts(bytes.NewReader(data))
	if err != nil {
		// A body enmime cannot take apart, such as one of more than maxParts parts, is left
		// unread; the header alone still tells who wrote what, when.
		h, err := enmime.ReadHeader(bufio.NewReader(bytes.NewReader(data)), ignore{})
		if err != nil {
			return nil, false, err
		}
		h.Del("Content-Type")
		root = enmime.NewPart("text/plain")
		root.Header = h
	}
	cut := repair(root)
	env, err := parser.EnvelopeFromPart(root)
	return env, cut, err
}

type ignore struct{}

func (ignore) AddError(string, string, ...any)   {}
func (ignore) AddWarning(string, string, ...any) {}

// prepare strips a byte-order mark, turns the lone CRs of classic Mac OS into line feeds and
// skips leading blank lines and an mbox "From " separator line, none of which enmime expects.
func prepare(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !bytes.Contains(data, []byte("\n")) {
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		mbox := bytes.HasPrefix(line, []byte("From ")) && !bytes.Contains(line, []byte(":"))
		if len(bytes.TrimSpace(line)) > 0 && !mbox {
			break
		}
		data = rest
	}
	return data
}

// emailFields are header fields of which at least one must be present for the input to count
// as an e-mail.
var emailFields = []string{"From", "To", "Cc", "Bcc", "Date", "Subject", "Sender", "Reply-To",
	"Message-Id", "In-Reply-To", "References", "Received", "Return-Path", "Delivered-To",
	"Mime-Version", "Content-Type", "X-Mailer", "User-Agent", "Thread-Topic", "Thread-Index"}

func looksLikeEmail(h textproto.MIMEHeader) bool {
	for _, f := range emailFields {
		if len(h.Values(f)) > 0 {
			return true
		}
	}
	return false
}

// messageID returns the identifier inside the first pair of angle brackets, or the trimmed value
// when there are none.
func messageID(v string) string {
	if _, in, ok := strings.Cut(v, "<"); ok {
		v, _, _ = strings.Cut(in, ">")
	}
	return cleanLine(strings.Join(strings.Fields(v), ""))
}

// htmlText renders HTML as text, with no-break spaces as plain ones.
func htmlText(h string) string {
	t, err := html2text.FromString(h[:min(len(h), maxHTML)])
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(t, "\u00a0", " ")
}
