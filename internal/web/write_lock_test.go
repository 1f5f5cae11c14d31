package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// While another process holds SQLite's write lock (a long `pactum import`), pages are read
// without waiting for it, a session's last use included, and a save that cannot have the lock in
// time shows its form again, with what was typed and a message to save again: nothing is lost.
func TestPagesAndSavesWhileAnotherProcessWrites(t *testing.T) {
	db := storetest.OpenSQLite(t)
	app := newTestApp(t, db)
	officer := app.sessionClient(user.RoleOfficer)
	other, err := sql.Open("sqlite", "file:"+db.Location+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	// The officer's session was last used ten minutes ago: this page view writes its last use.
	if _, err := other.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ?", time.Now().UTC().Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	release := func() { conn.ExecContext(ctx, "ROLLBACK") }
	defer release()

	read := make(chan int, 1)
	go func() {
		resp, _ := app.get(officer, "/partners")
		read <- resp.StatusCode
	}()
	select {
	case status := <-read:
		if status != http.StatusOK {
			t.Errorf("the partner list while another process writes: %d", status)
		}
	case <-time.After(3 * time.Second): // well under the 5 s a write waits for the lock
		t.Fatal("a page view waited for the write lock another process holds")
	}

	form := url.Values{"key": {"lagoon-fund"}, "name_en": {"Lagoon Fund"}, "name_fr": {"Fonds de la lagune"},
		"type": {"foundation"}, "membership": {"none"}, "status": {"prospect"}}
	resp, body := app.postBody(officer, "/partners", form)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Pactum is busy with other work") ||
		!strings.Contains(body, `value="Fonds de la lagune"`) || !strings.Contains(body, `value="lagoon-fund"`) {
		t.Errorf("a save while another process writes: %d, want 503 with the form as typed\n%s", resp.StatusCode, body)
	}
	release()
	if resp, _ := app.postBody(officer, "/partners", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the same save once the lock is free: %d", resp.StatusCode)
	}
}
