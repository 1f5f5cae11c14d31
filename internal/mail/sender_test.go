package mail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pactum/internal/mail"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// mailpitBinary builds mailpit, the SMTP server of the end-to-end test, from the tool dependency in
// go.mod and returns the path of the executable.
func mailpitBinary(t *testing.T) string {
	t.Helper()
	// The path is the last line of the standard output; the standard error has what go
	// downloaded on the way, when the module cache did not hold it yet.
	var stderr strings.Builder
	cmd := exec.Command("go", "tool", "-n", "mailpit")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cannot build mailpit with 'go tool -n mailpit' (go.mod declares it as a tool): %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startMailpit runs mailpit with its SMTP server on smtpAddr and its API on apiAddr, waits until
// both answer, and stops it when the test ends. It returns the API's base URL.
func startMailpit(t *testing.T, binary, smtpAddr, apiAddr string) string {
	t.Helper()
	var output bytes.Buffer
	cmd := exec.Command(binary, "--smtp", smtpAddr, "--listen", apiAddr,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns")
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start mailpit: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	base := "http://" + apiAddr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("mailpit stopped at start (%v):\n%s", err, output.String())
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if conn, err := net.Dial("tcp", smtpAddr); resp.StatusCode == http.StatusOK && err == nil {
				conn.Close()
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not answer on %s (SMTP) and %s (API) within 30s:\n%s", smtpAddr, apiAddr, output.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type address struct{ Name, Address string }

type received struct {
	ID, MessageID, Subject, Text, HTML string
	From                               address
	To                                 []address
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("mailpit API %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit API %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit API %s: %v", url, err)
	}
}

// receivedMessages reads every message mailpit got, in full.
func receivedMessages(t *testing.T, api string) []received {
	t.Helper()
	var list struct {
		Total    int
		Messages []struct{ ID string }
	}
	getJSON(t, api+"/api/v1/messages?limit=100", &list)
	var all []received
	for _, m := range list.Messages {
		var r received
		getJSON(t, api+"/api/v1/message/"+m.ID, &r)
		all = append(all, r)
	}
	return all
}

func waitUntil(t *testing.T, timeout time.Duration, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func outbox(t *testing.T, db *store.DB) []mail.Queued {
	t.Helper()
	list, _, err := db.MailOutbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Mail written while the SMTP server is down stays in the outbox, and arrives exactly once, in
// its own script, when the server is back.
func TestSenderDeliversOnceTheSMTPServerIsBack(t *testing.T) {
	binary := mailpitBinary(t) // before the clock matters: the first build takes a while
	db := storetest.OpenSQLite(t)
	smtpAddr, apiAddr := freeAddr(t), freeAddr(t)

	messages := []mail.Message{arabic, chinese, russian}
	for _, m := range messages {
		if err := db.EnqueueMail(t.Context(), m); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
	}
	sender, err := mail.NewSender(db, "smtp://"+smtpAddr+"?from=Pactum%20%3Cpactum%40example.org%3E", "Ignored <ignored@localhost>",
		slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	sender.PollInterval = 20 * time.Millisecond
	sender.RetryBase = 100 * time.Millisecond
	sender.RetryMax = 400 * time.Millisecond
	ctx, stop := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() { sender.Run(ctx); close(stopped) }()
	t.Cleanup(func() { stop(); <-stopped })

	// The server is down: every message fails, and stays in the outbox with the reason.
	waitUntil(t, 15*time.Second, "every message to fail twice while the server is down", func() bool {
		list := outbox(t, db)
		if len(list) != len(messages) {
			t.Fatalf("%d messages in the outbox while the server is down, want all %d", len(list), len(messages))
		}
		for _, q := range list {
			if q.Attempts < 2 {
				return false
			}
		}
		return true
	})
	for _, q := range outbox(t, db) {
		if q.LastError == "" {
			t.Errorf("message %d failed %d times but keeps no reason", q.ID, q.Attempts)
		}
	}

	// The server comes back: the next attempt delivers every message.
	api := startMailpit(t, binary, smtpAddr, apiAddr)
	waitUntil(t, 30*time.Second, "the outbox to empty once the server is up", func() bool { return len(outbox(t, db)) == 0 })
	waitUntil(t, 10*time.Second, "mailpit to store every message", func() bool {
		var list struct{ Total int }
		getJSON(t, api+"/api/v1/messages", &list)
		return list.Total >= len(messages)
	})
	time.Sleep(10 * sender.PollInterval) // a sender that sent again would do it now

	got := receivedMessages(t, api)
	if len(got) != len(messages) {
		t.Fatalf("mailpit received %d messages, want each of the %d exactly once", len(got), len(messages))
	}
	bySubject := map[string]received{}
	for _, r := range got {
		if _, dup := bySubject[r.Subject]; dup {
			t.Errorf("%q arrived twice", r.Subject)
		}
		bySubject[r.Subject] = r
	}
	for _, m := range messages {
		r, ok := bySubject[m.Subject]
		if !ok {
			t.Errorf("no message arrived with the subject %q; got %v", m.Subject, keys(bySubject))
			continue
		}
		if len(r.To) != 1 || r.To[0].Address != m.To || r.To[0].Name != m.ToName {
			t.Errorf("%s: To = %+v, want %s <%s>", m.Language, r.To, m.ToName, m.To)
		}
		if r.From.Address != "pactum@example.org" || r.From.Name != "Pactum" {
			t.Errorf("%s: From = %+v, want the from= of the URL, Pactum <pactum@example.org>", m.Language, r.From)
		}
		if text := strings.TrimRight(strings.ReplaceAll(r.Text, "\r\n", "\n"), "\n"); text != m.Text {
			t.Errorf("%s: text arrived as\n%q\nwant\n%q", m.Language, text, m.Text)
		}
		if m.HTML != "" && !strings.Contains(r.HTML, m.HTML) {
			t.Errorf("%s: HTML arrived as %q, want it to hold %q", m.Language, r.HTML, m.HTML)
		}
		if !strings.HasPrefix(r.MessageID, "outbox.") || !strings.HasSuffix(r.MessageID, "@example.org") {
			t.Errorf("%s: Message-ID %q, want outbox.…@example.org", m.Language, r.MessageID)
		}
	}
}

func keys(m map[string]received) []string {
	var ks []string
	for k := range m {
		ks = append(ks, fmt.Sprintf("%q", k))
	}
	return ks
}
