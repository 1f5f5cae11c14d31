package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"time"
)

// Queued is a message in the outbox.
type Queued struct {
	ID            int64
	Message       Message
	CreatedAt     time.Time
	Attempts      int // delivery attempts so far
	NextAttemptAt time.Time
	LastError     string // why the last attempt failed; empty before the first failure
}

// Outbox is what the Sender needs from storage. A claim leases messages to one sender until
// now+lease, so that several app servers sharing a database never send a message twice; marking
// a message sent or failed ends the lease.
type Outbox interface {
	// ClaimDueMail leases up to limit unsent messages whose next attempt is due at now and that
	// no other sender holds.
	ClaimDueMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Queued, error)
	// MarkMailSent records that the SMTP server accepted message id at at.
	MarkMailSent(ctx context.Context, id int64, at time.Time) error
	// MarkMailFailed counts a failed attempt, keeps its reason and makes the message due again at next.
	MarkMailFailed(ctx context.Context, id int64, next time.Time, reason string) error
}

// Defaults of the Sender's settings.
const (
	DefaultPollInterval = 5 * time.Second
	DefaultRetryBase    = 30 * time.Second
	DefaultRetryMax     = time.Hour
	DefaultLease        = 10 * time.Minute
	DefaultBatchSize    = 10
	DefaultTimeout      = time.Minute
)

// stopGrace is how long a message in flight may take to finish once the sender is stopped.
const stopGrace = 5 * time.Second

// Backoff is the wait after a message's attempt-th failed attempt: base, doubling with each
// attempt, never more than max.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// Sender delivers the outbox's messages over SMTP. It never deletes a message and never gives up
// on one: a message the server does not accept is tried again after Backoff.
type Sender struct {
	PollInterval time.Duration // how often to look for due messages; Wake looks at once
	RetryBase    time.Duration // wait after the first failed attempt
	RetryMax     time.Duration // longest wait between attempts
	Lease        time.Duration // how long a claim keeps other senders off a message
	BatchSize    int           // messages claimed at a time
	Timeout      time.Duration // for connecting, and for each message's SMTP exchange

	outbox Outbox
	server *smtpServer // nil when no SMTP server is configured
	from   *netmail.Address
	log    *slog.Logger
	wake   chan struct{}
}

type smtpServer struct {
	addr, host         string
	implicitTLS        bool // smtps://
	username, password string
	redacted           string // the URL without its password, for logs
}

// NewSender returns a sender that takes messages from outbox and delivers them to the SMTP server
// of smtpURL: smtp://[user:password@]host[:25] (STARTTLS when the server offers it) or
// smtps://…[:465] (TLS from the start). A from=… query parameter in the URL overrides from, the
// sender address. With an empty smtpURL the sender sends nothing and messages wait in the outbox.
func NewSender(outbox Outbox, smtpURL, from string, log *slog.Logger) (*Sender, error) {
	s := &Sender{
		PollInterval: DefaultPollInterval,
		RetryBase:    DefaultRetryBase,
		RetryMax:     DefaultRetryMax,
		Lease:        DefaultLease,
		BatchSize:    DefaultBatchSize,
		Timeout:      DefaultTimeout,
		outbox:       outbox,
		log:          log,
		wake:         make(chan struct{}, 1),
	}
	if smtpURL != "" {
		server, urlFrom, err := parseSMTPURL(smtpURL)
		if err != nil {
			return nil, err
		}
		s.server = server
		if urlFrom != "" {
			from = urlFrom
		}
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail sender address %q: %w", from, err)
	}
	s.from = addr
	return s, nil
}

func parseSMTPURL(raw string) (*smtpServer, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's message repeats the URL, password included.
		return nil, "", errors.New("SMTP URL cannot be parsed; want smtp://[user:password@]host[:port]")
	}
	s := &smtpServer{host: u.Hostname(), redacted: u.Redacted()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		port = cmp.Or(port, "25")
	case "smtps":
		port, s.implicitTLS = cmp.Or(port, "465"), true
	default:
		return nil, "", fmt.Errorf("SMTP URL %s: the scheme must be smtp or smtps", s.redacted)
	}
	if s.host == "" {
		return nil, "", fmt.Errorf("SMTP URL %s names no host", s.redacted)
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, u.Query().Get("from"), nil
}

// Wake makes a running sender look at the outbox now instead of at its next poll.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers due messages until ctx ends. Without an SMTP server it logs once that mail is not
// being sent and waits for ctx.
func (s *Sender) Run(ctx context.Context) {
	if s.server == nil {
		s.log.Warn("e-mail is not being sent: no SMTP server is configured (--smtp-url or PACTUM_SMTP_URL); messages wait in the outbox")
		<-ctx.Done()
		return
	}
	s.log.Info("mail sender started", "smtp", s.server.redacted, "from", s.from.String())
	for {
		n, err := s.sendDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("mail outbox", "err", err)
		} else if n == s.BatchSize {
			continue // a full batch: more may be due
		}
		timer := time.NewTimer(s.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// sendDue claims a batch of due messages and tries each once over one SMTP connection. It returns
// how many it claimed.
func (s *Sender) sendDue(ctx context.Context) (int, error) {
	claimed := time.Now()
	batch, err := s.outbox.ClaimDueMail(ctx, claimed, s.Lease, s.BatchSize)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var conn *smtpConn
	defer func() {
		if conn != nil {
			conn.quit()
		}
	}()
	for i, q := range batch {
		// The rest stay claimed; when their lease ends a sender takes them again. Stopping at half
		// the lease keeps a slow server from letting the lease run out while we still send.
		if ctx.Err() != nil || time.Since(claimed) > s.Lease/2 {
			break
		}
		if conn == nil {
			if conn, err = s.dial(ctx); err != nil {
				if ctx.Err() != nil {
					break
				}
				s.log.Warn("SMTP server unreachable; the messages stay in the outbox",
					"smtp", s.server.redacted, "messages", len(batch)-i, "err", err)
				for _, r := range batch[i:] {
					s.failed(ctx, r, err, false)
				}
				return len(batch), nil
			}
		}
		raw, err := q.Message.Build(s.from.String(), q.CreatedAt, messageID(q, s.from.Address))
		if err == nil {
			err = conn.send(s.from.Address, q.Message.To, raw, s.Timeout)
			var reply *textproto.Error
			if err != nil && (!errors.As(err, &reply) || conn.c.Reset() != nil) {
				conn.close() // the connection is in an unknown state: start afresh for the next one
				conn = nil
			}
		}
		if err != nil {
			s.failed(ctx, q, err, true)
			continue
		}
		s.sent(ctx, q)
	}
	return len(batch), nil
}

// messageID is the same at every attempt, so that a receiver can recognise a message it got
// twice (the server took it but the connection broke before it said so).
func messageID(q Queued, fromAddress string) string {
	return fmt.Sprintf("outbox.%d.%d@%s", q.ID, q.CreatedAt.UnixMicro(), domainOf(fromAddress))
}

// markContext survives the end of ctx, so that what happened to a message in flight is recorded.
func markContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func (s *Sender) failed(ctx context.Context, q Queued, cause error, logIt bool) {
	wait := Backoff(s.RetryBase, s.RetryMax, q.Attempts+1)
	if logIt {
		s.log.Warn("e-mail not accepted; it stays in the outbox", "id", q.ID, "attempt", q.Attempts+1,
			"retry_in", wait, "err", cause)
	}
	mctx, cancel := markContext(ctx)
	defer cancel()
	if err := s.outbox.MarkMailFailed(mctx, q.ID, time.Now().Add(wait), cause.Error()); err != nil {
		s.log.Error("cannot record a failed e-mail attempt; it is tried again when its lease ends", "id", q.ID, "err", err)
	}
}

func (s *Sender) sent(ctx context.Context, q Queued) {
	mctx, cancel := markContext(ctx)
	defer cancel()
	if err := s.outbox.MarkMailSent(mctx, q.ID, time.Now()); err != nil {
		s.log.Error("e-mail delivered but not marked sent; it may be delivered again", "id", q.ID, "err", err)
		return
	}
	s.log.Debug("e-mail sent", "id", q.ID, "attempt", q.Attempts+1)
}

// smtpConn is one SMTP session.
type smtpConn struct {
	c    *smtp.Client
	conn net.Conn
	stop func() bool // cancels the shutdown watch
}

func (s *Sender) dial(ctx context.Context) (*smtpConn, error) {
	d := &net.Dialer{Timeout: s.Timeout}
	tlsConfig := &tls.Config{ServerName: s.server.host, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	var err error
	if s.server.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", s.server.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.server.addr)
	}
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(s.Timeout))
	c, err := smtp.NewClient(conn, s.server.host)
	if err != nil {
		conn.Close()
		return nil, err
	}
	// When the sender stops, the message in flight gets a moment to finish, then the connection is cut.
	sc := &smtpConn{c: c, conn: conn, stop: context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now().Add(stopGrace)) })}
	if err := c.Hello(helloName()); err != nil {
		sc.close()
		return nil, err
	}
	if !s.server.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				sc.close()
				return nil, fmt.Errorf("STARTTLS: %w", err)
			}
		}
	}
	if s.server.username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			sc.close()
			return nil, errors.New("the SMTP URL has a user name but the server offers no AUTH")
		}
		// PlainAuth sends the password only over TLS or to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.server.username, s.server.password, s.server.host)); err != nil {
			sc.close()
			return nil, fmt.Errorf("SMTP authentication: %w", err)
		}
	}
	return sc, nil
}

func helloName() string {
	if name, err := os.Hostname(); err == nil && name != "" && !strings.ContainsAny(name, " \r\n") {
		return name
	}
	return "localhost"
}

func (sc *smtpConn) send(from, to string, raw []byte, timeout time.Duration) error {
	sc.conn.SetDeadline(time.Now().Add(timeout))
	if err := sc.c.Mail(from); err != nil {
		return err
	}
	if err := sc.c.Rcpt(to); err != nil {
		return err
	}
	w, err := sc.c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func (sc *smtpConn) quit() {
	sc.stop()
	if err := sc.c.Quit(); err != nil {
		sc.c.Close()
	}
}

func (sc *smtpConn) close() {
	sc.stop()
	sc.c.Close()
}
