package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"pactum/internal/apperr"
	"pactum/internal/mail"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

func arabicMail(to string) mail.Message {
	return mail.Message{
		To: to, ToName: "ليلى حداد", Subject: "تأكيد الرعاية", Language: "ar",
		Text: "شكراً لرعايتكم.\nفريق الشراكات", HTML: "<p dir=\"rtl\">شكراً لرعايتكم.</p>",
	}
}

func mustEnqueue(t *testing.T, db *store.DB, m mail.Message) {
	t.Helper()
	if err := db.EnqueueMail(t.Context(), m); err != nil {
		t.Fatalf("enqueue mail to %s: %v", m.To, err)
	}
}

func mustClaim(t *testing.T, db *store.DB, now time.Time, lease time.Duration, limit int) []mail.Queued {
	t.Helper()
	got, err := db.ClaimDueMail(t.Context(), now, lease, limit)
	if err != nil {
		t.Fatalf("claim due mail: %v", err)
	}
	return got
}

func TestOutboxClaimLeaseRetryAndSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		before := time.Now()
		want := arabicMail("layla@example.org")
		mustEnqueue(t, db, want)
		after := time.Now()

		waiting, total, err := db.MailOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(waiting) != 1 {
			t.Fatalf("outbox holds %d (total %d), want the one message", len(waiting), total)
		}
		checkStamp(t, "created_at", waiting[0].CreatedAt, before, after)

		// The first claim takes the message with everything it holds and leases it.
		now := time.Now()
		claimed := mustClaim(t, db, now, time.Minute, 10)
		if len(claimed) != 1 {
			t.Fatalf("first claim returned %d messages, want 1", len(claimed))
		}
		q := claimed[0]
		equal(t, "claimed message", q.Message, want)
		if q.Attempts != 0 || q.LastError != "" {
			t.Errorf("new message: attempts %d, last error %q; want 0 and none", q.Attempts, q.LastError)
		}
		// Another sender, during the lease, gets nothing; after it, the message again.
		if got := mustClaim(t, db, now.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim during the lease returned %d messages, want none", len(got))
		}
		if got := mustClaim(t, db, now.Add(61*time.Second), time.Minute, 10); len(got) != 1 || got[0].ID != q.ID {
			t.Fatalf("claim after the lease returned %+v, want message %d", got, q.ID)
		}

		// A failed attempt: counted, reason kept, not due before its next attempt.
		next := now.Add(10 * time.Minute)
		if err := db.MarkMailFailed(ctx, q.ID, next, "dial tcp 127.0.0.1:25: connection refused"); err != nil {
			t.Fatal(err)
		}
		if got := mustClaim(t, db, next.Add(-time.Second), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim before the next attempt returned %d messages, want none", len(got))
		}
		waiting, total, err = db.MailOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(waiting) != 1 {
			t.Fatalf("after a failure the outbox holds %d (total %d), want the message still there", len(waiting), total)
		}
		if w := waiting[0]; w.Attempts != 1 || w.LastError != "dial tcp 127.0.0.1:25: connection refused" || w.NextAttemptAt.Sub(next).Abs() > time.Millisecond {
			t.Errorf("after a failure: attempts %d, last error %q, next attempt %v; want 1, the reason, %v",
				w.Attempts, w.LastError, w.NextAttemptAt, next.UTC())
		}

		// Due again at its next attempt, with the failures counted.
		again := mustClaim(t, db, next, time.Minute, 10)
		if len(again) != 1 || again[0].ID != q.ID || again[0].Attempts != 1 {
			t.Fatalf("claim at the next attempt returned %+v, want message %d with 1 attempt", again, q.ID)
		}
		if err := db.MarkMailSent(ctx, q.ID, next.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		// Sent: never claimed again, not listed as waiting, and cannot be marked again.
		if got := mustClaim(t, db, next.Add(24*time.Hour), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim after sending returned %d messages, want none", len(got))
		}
		waiting, total, err = db.MailOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 0 || len(waiting) != 0 {
			t.Errorf("after sending the outbox lists %d (total %d), want none", len(waiting), total)
		}
		wantCode(t, db.MarkMailSent(ctx, q.ID, next), apperr.NotFound)
		wantCode(t, db.MarkMailFailed(ctx, q.ID, next, "late"), apperr.NotFound)
	})
}

func TestOutboxKeepsLongErrorsShortAndValid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustEnqueue(t, db, arabicMail("a@example.org"))
		q := mustClaim(t, db, time.Now(), time.Minute, 1)[0]
		reason := strings.Repeat("خطأ ", 600) // 4,800 bytes of two-byte letters and spaces
		if err := db.MarkMailFailed(t.Context(), q.ID, time.Now(), reason); err != nil {
			t.Fatal(err)
		}
		waiting, _, err := db.MailOutbox(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		got := waiting[0].LastError
		if len(got) == 0 || len(got) > 1000 || !strings.HasPrefix(reason, got) || !utf8.ValidString(got) {
			t.Errorf("last error kept %d bytes (valid UTF-8: %v), want a valid prefix of at most 1000", len(got), utf8.ValidString(got))
		}
	})
}

func TestOutboxRefusesInvalidMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bad := arabicMail("layla@example.org")
		bad.Subject = "Hello\r\nBcc: everyone@example.org"
		wantCode(t, db.EnqueueMail(t.Context(), bad), apperr.Invalid)
		_, total, err := db.MailOutbox(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 0 {
			t.Errorf("a refused message was stored: %d in the outbox", total)
		}
	})
}

func TestOutboxConcurrentClaimersTakeEachMessageOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 50
		for i := range n {
			mustEnqueue(t, db, mail.Message{To: fmt.Sprintf("p%02d@example.org", i), Subject: "用户注册", Text: "欢迎"})
		}
		now := time.Now()
		var mu sync.Mutex
		claimedBy := map[int64]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		start := make(chan struct{})
		for claimer := range 2 {
			wg.Go(func() {
				<-start
				for {
					got, err := db.ClaimDueMail(t.Context(), now, time.Hour, 3)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, q := range got {
						if prev, ok := claimedBy[q.ID]; ok {
							t.Errorf("message %d claimed by claimer %d and again by %d", q.ID, prev, claimer)
						}
						claimedBy[q.ID] = claimer
					}
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent claim: %v", err)
		}
		// A claimer may stop early when the other holds the rest, but together they took all.
		if rest := mustClaim(t, db, now, time.Hour, n); len(rest) != 0 {
			t.Errorf("%d messages left unclaimed", len(rest))
		}
		if len(claimedBy) != n {
			t.Errorf("%d distinct messages claimed, want %d", len(claimedBy), n)
		}
		perClaimer := make([]int, 2)
		for _, c := range claimedBy {
			perClaimer[c]++
		}
		t.Logf("%s: claims per claimer %v", storetest.Describe(db), perClaimer)
	})
}
