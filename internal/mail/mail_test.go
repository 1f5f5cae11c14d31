package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/mail"
)

var (
	arabic = mail.Message{
		To: "layla.haddad@example.org", ToName: "ليلى حداد", Language: "ar",
		Subject: "تأكيد رعاية الفعالية الجانبية للمؤتمر العالمي لتنمية الاتصالات ٢٠١٧ — شكراً لكم",
		Text:    "السيدة ليلى حداد،\n\nنشكركم على رعاية الفعالية الجانبية.\nالمبلغ: ١٢٬٥٠٠ دولار أمريكي.\n\nفريق الشراكات",
		HTML:    "<p dir=\"rtl\">نشكركم على رعاية <strong>الفعالية الجانبية</strong>.</p>",
	}
	chinese = mail.Message{
		To: "wang.fang@example.cn", ToName: "王芳", Language: "zh",
		Subject: "合作伙伴关系：能力建设项目的初步报价",
		Text:    "王芳女士：\n\n感谢您对能力建设项目的关注。初步报价为 50,000 美元。\n\n伙伴关系办公室",
	}
	russian = mail.Message{
		To: "ivanov@example.ru", ToName: "Иван Иванов", Language: "ru",
		Subject: "Ваш пароль в Pactum",
		Text:    "Здравствуйте!\nСсылка действует 24 часа.",
	}
	french = mail.Message{
		To: "o'brien+partenariats@sub.example.fr", ToName: "Élodie Bérénger", Language: "fr",
		Subject: "Réunion de coordination à Genève",
		Text: "Madame, une ligne assez longue pour être coupée par l'encodage quoted-printable, car elle dépasse " +
			"largement soixante-seize caractères, avec des accents : é è à ç ô.\nCordialement",
		HTML: "<p>Réunion à <em>Genève</em>&nbsp;: 10 h.</p>",
	}
)

const from = "Pactum Partnerships <pactum@example.org>"

// decodePart undoes a part's Content-Transfer-Encoding.
func decodePart(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s body: %v", cte, err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// The built message parses back with the standard library to exactly what was given, in any
// script, and is 7-bit clean so that every SMTP server carries it unchanged.
func TestBuildRoundTripsThroughMIMEParsing(t *testing.T) {
	date := time.Date(2017, 10, 9, 14, 30, 0, 0, time.UTC)
	for _, m := range []mail.Message{arabic, chinese, russian, french} {
		t.Run(m.Language, func(t *testing.T) {
			raw, err := m.Build(from, date, "outbox.7@example.org")
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			for i, c := range raw {
				if c >= 0x80 {
					t.Fatalf("byte %d of the message is %#x: the message is not 7-bit clean", i, c)
				}
			}
			for _, line := range strings.Split(string(raw), "\r\n") {
				if len(line) > 998 {
					t.Errorf("a line of %d characters breaks RFC 5322's limit of 998", len(line))
				}
			}
			if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
				t.Error("the message has a bare LF; SMTP wants CRLF line ends")
			}

			msg, err := netmail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
			}
			h := msg.Header
			dec := new(mime.WordDecoder)
			subject, err := dec.DecodeHeader(h.Get("Subject"))
			if err != nil || subject != m.Subject {
				t.Errorf("Subject decodes to %q (%v), want %q", subject, err, m.Subject)
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != m.ToName || to[0].Address != m.To {
				t.Errorf("To = %v (%v), want %s <%s>", to, err, m.ToName, m.To)
			}
			sender, err := h.AddressList("From")
			if err != nil || len(sender) != 1 || sender[0].Name != "Pactum Partnerships" || sender[0].Address != "pactum@example.org" {
				t.Errorf("From = %v (%v), want %s", sender, err, from)
			}
			if got, err := h.Date(); err != nil || !got.Equal(date) {
				t.Errorf("Date = %v (%v), want %v", got, err, date)
			}
			if got := h.Get("Message-ID"); got != "<outbox.7@example.org>" {
				t.Errorf("Message-ID = %q, want <outbox.7@example.org>", got)
			}
			if got := h.Get("Content-Language"); got != m.Language {
				t.Errorf("Content-Language = %q, want %q", got, m.Language)
			}
			if h.Get("MIME-Version") != "1.0" {
				t.Errorf("MIME-Version = %q, want 1.0", h.Get("MIME-Version"))
			}

			mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
			if err != nil {
				t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
			}
			bodies := map[string]string{}
			if m.HTML == "" {
				if mediaType != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
					t.Fatalf("Content-Type = %q, want text/plain; charset=utf-8", h.Get("Content-Type"))
				}
				bodies[mediaType] = decodePart(t, h.Get("Content-Transfer-Encoding"), msg.Body)
			} else {
				if mediaType != "multipart/alternative" {
					t.Fatalf("a message with HTML has Content-Type %q, want multipart/alternative", mediaType)
				}
				mr := multipart.NewReader(msg.Body, params["boundary"])
				var order []string
				for {
					p, err := mr.NextRawPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("multipart: %v", err)
					}
					pt, pparams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
					if err != nil || !strings.EqualFold(pparams["charset"], "utf-8") {
						t.Fatalf("part Content-Type %q: %v", p.Header.Get("Content-Type"), err)
					}
					order = append(order, pt)
					bodies[pt] = decodePart(t, p.Header.Get("Content-Transfer-Encoding"), p)
				}
				if strings.Join(order, ",") != "text/plain,text/html" {
					t.Errorf("parts %v, want text/plain then text/html (the preferred last)", order)
				}
			}
			if got := bodies["text/plain"]; got != m.Text {
				t.Errorf("text body decodes to\n%q\nwant\n%q", got, m.Text)
			}
			if m.HTML != "" && bodies["text/html"] != m.HTML {
				t.Errorf("HTML body decodes to\n%q\nwant\n%q", bodies["text/html"], m.HTML)
			}
		})
	}
}

// Each call gets a fresh Message-ID when none is given.
func TestBuildMakesAMessageIDWhenNoneIsGiven(t *testing.T) {
	ids := map[string]bool{}
	for range 2 {
		raw, err := chinese.Build(from, time.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-ID")
		if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
			t.Errorf("Message-ID %q, want <…@example.org>", id)
		}
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Errorf("two messages got the same Message-ID: %v", ids)
	}
}

// A value with a line break could add headers of its own (Bcc to anyone); such messages are refused.
func TestValidateRefusesHeaderInjectionAndBadAddresses(t *testing.T) {
	tests := []struct {
		name, field string
		change      func(m *mail.Message)
	}{
		{"CRLF in To", "to", func(m *mail.Message) { m.To = "layla@example.org\r\nBcc: all@example.net" }},
		{"LF in To", "to", func(m *mail.Message) { m.To = "layla@example.org\nBcc: all@example.net" }},
		{"CRLF in name", "to_name", func(m *mail.Message) { m.ToName = "Layla\r\nBcc: all@example.net" }},
		{"CR in name", "to_name", func(m *mail.Message) { m.ToName = "Layla\rBcc: all@example.net" }},
		{"CRLF in subject", "subject", func(m *mail.Message) { m.Subject = "Hello\r\nBcc: all@example.net" }},
		{"LF in subject", "subject", func(m *mail.Message) { m.Subject = "مرحبا\nBcc: all@example.net" }},
		{"empty address", "to", func(m *mail.Message) { m.To = "" }},
		{"no domain", "to", func(m *mail.Message) { m.To = "layla@" }},
		{"no at sign", "to", func(m *mail.Message) { m.To = "layla.example.org" }},
		{"a name and address", "to", func(m *mail.Message) { m.To = "Layla <layla@example.org>" }},
		{"two addresses", "to", func(m *mail.Message) { m.To = "layla@example.org, eve@example.net" }},
		{"a space", "to", func(m *mail.Message) { m.To = "layla haddad@example.org" }},
		{"empty subject", "subject", func(m *mail.Message) { m.Subject = " " }},
		{"empty text", "text", func(m *mail.Message) { m.Text = "" }},
		{"bad language", "language", func(m *mail.Message) { m.Language = "ar\r\nX-Evil: 1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := arabic
			tt.change(&m)
			err := m.Validate()
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Fields[tt.field].Key == "" {
				t.Fatalf("Validate() = %v, want Invalid with field %s", err, tt.field)
			}
			if raw, err := m.Build(from, time.Now(), ""); err == nil {
				t.Errorf("Build accepted the message:\n%s", raw)
			}
		})
	}
	for _, to := range []string{"layla@example.org", "o'brien+tag@sub.example.org", "admin@localhost"} {
		m := chinese
		m.To = to
		if err := m.Validate(); err != nil {
			t.Errorf("address %q refused: %v", to, err)
		}
	}
	if _, err := chinese.Build("not an address", time.Now(), ""); err == nil {
		t.Error("Build accepted a sender that is not an address")
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	want := []time.Duration{
		30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour,
	}
	for i, w := range want {
		if got := mail.Backoff(30*time.Second, time.Hour, i+1); got != w {
			t.Errorf("wait after attempt %d = %v, want %v", i+1, got, w)
		}
	}
	for _, attempt := range []int{100, 10_000, 1 << 30} {
		if got := mail.Backoff(30*time.Second, time.Hour, attempt); got != time.Hour {
			t.Errorf("wait after attempt %d = %v, want the cap of 1h", attempt, got)
		}
	}
}

// fakeOutbox counts what a sender asks of it.
type fakeOutbox struct {
	mu     sync.Mutex
	claims int
}

func (f *fakeOutbox) ClaimDueMail(context.Context, time.Time, time.Duration, int) ([]mail.Queued, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims++
	return []mail.Queued{{ID: 1, Message: chinese, CreatedAt: time.Now()}}, nil
}

func (f *fakeOutbox) MarkMailSent(context.Context, int64, time.Time) error {
	panic("MarkMailSent called")
}

func (f *fakeOutbox) MarkMailFailed(context.Context, int64, time.Time, string) error {
	panic("MarkMailFailed called")
}

// syncBuffer is a log destination that the sender's goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Without an SMTP server the sender says so once and leaves every message in the outbox.
func TestSenderWithoutSMTPLogsOnceAndTakesNothing(t *testing.T) {
	outbox := &fakeOutbox{}
	var logs syncBuffer
	s, err := mail.NewSender(outbox, "", "Pactum <pactum@localhost>", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.PollInterval = time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	for range 20 {
		s.Wake()
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := strings.Count(logs.String(), "not being sent"); n != 1 {
		t.Errorf("logged %d times that mail is not being sent, want once:\n%s", n, logs.String())
	}
	if outbox.claims != 0 {
		t.Errorf("the sender claimed messages %d times with nowhere to send them", outbox.claims)
	}
}

func TestNewSenderChecksTheURLWithoutShowingThePassword(t *testing.T) {
	for _, url := range []string{
		"http://user:s3cret-pw@mail.example.org",
		"smtp://user:s3cret-pw@:25",
		"smtp://user:s3cret-pw@mail example.org:25",
		"mail.example.org:25",
	} {
		_, err := mail.NewSender(&fakeOutbox{}, url, "Pactum <pactum@localhost>", slog.New(slog.DiscardHandler))
		if err == nil {
			t.Errorf("NewSender accepted %q", url)
		} else if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("the error for a bad URL shows the password: %v", err)
		}
	}
	for _, url := range []string{"smtp://127.0.0.1:1025", "smtps://user:pw@mail.example.org", "smtp://mail.example.org?from=Pactum%20%3Cno-reply%40example.org%3E"} {
		if _, err := mail.NewSender(&fakeOutbox{}, url, "Pactum <pactum@localhost>", slog.New(slog.DiscardHandler)); err != nil {
			t.Errorf("NewSender refused %q: %v", url, err)
		}
	}
	if _, err := mail.NewSender(&fakeOutbox{}, "smtp://127.0.0.1", "not an address", slog.New(slog.DiscardHandler)); err == nil {
		t.Error("NewSender accepted a sender that is not an address")
	}
}
