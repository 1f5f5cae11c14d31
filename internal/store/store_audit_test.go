package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// mustAuditEntries returns the entries f selects and the total that AuditEntries reports.
func mustAuditEntries(t *testing.T, db *store.DB, f audit.Filter) ([]audit.Entry, int) {
	t.Helper()
	entries, total, err := db.AuditEntries(t.Context(), f)
	if err != nil {
		t.Fatalf("audit entries %+v: %v", f, err)
	}
	return entries, total
}

// onlyAuditEntry returns the one entry f selects, failing the test unless there is exactly one.
func onlyAuditEntry(t *testing.T, db *store.DB, f audit.Filter) audit.Entry {
	t.Helper()
	entries, total := mustAuditEntries(t, db, f)
	if len(entries) != 1 || total != 1 {
		t.Fatalf("audit entries %+v: %v (total %d), want exactly one", f, entryLines(entries), total)
	}
	return entries[0]
}

// entryLines describes entries as "action entity key by actor", in the order given.
func entryLines(entries []audit.Entry) []string {
	lines := []string{}
	for _, e := range entries {
		lines = append(lines, e.Action+" "+e.Entity+" "+e.EntityKey+" by "+e.Actor)
	}
	return lines
}

// asActor returns the context of a request made by u.
func asActor(t *testing.T, u *user.User) context.Context {
	return audit.WithActor(t.Context(), audit.Actor{UserID: u.ID, Username: u.Username})
}

func TestAuditRecordsAccountChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		// Without an actor in the context the change is the system's.
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true))
		first := onlyAuditEntry(t, db, audit.Filter{Entity: "user", EntityKey: "admin"})
		if first.Action != audit.ActionCreate || first.Actor != "system" || first.UserID != 0 {
			t.Errorf("creation of admin recorded as %s by %q (user %d), want create by system (no user)", first.Action, first.Actor, first.UserID)
		}

		// With an actor: who, when and every field of the new account, without the password hash.
		asAdmin := asActor(t, admin)
		amina := newUser("amina", user.RoleRegionalOfficer, true)
		amina.Region, amina.Language, amina.DisplayName, amina.Organisation = "AFR", "fr", "Amina Diallo", "Bureau"
		before := time.Now()
		if err := db.CreateUser(asAdmin, amina); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		created := onlyAuditEntry(t, db, audit.Filter{EntityKey: "amina"})
		if created.Action != audit.ActionCreate || created.Entity != "user" || created.Actor != "admin" || created.UserID != admin.ID {
			t.Errorf("creation of amina recorded as %s %s by %q (user %d), want create user by admin (user %d)",
				created.Action, created.Entity, created.Actor, created.UserID, admin.ID)
		}
		checkStamp(t, "creation entry time", created.At, before, after)
		for field, want := range map[string]any{
			"email": "amina@example.org", "display_name": "Amina Diallo", "role": "regional_officer",
			"region": "AFR", "language": "fr", "organisation": "Bureau", "active": true,
		} {
			equal(t, "creation entry, field "+field, created.Changes[field], audit.Change{After: want})
		}
		checkNoSecret(t, created, amina.PasswordHash)

		// An update records only what changed, before and after.
		u, err := db.UserByUsername(ctx, "amina")
		if err != nil {
			t.Fatal(err)
		}
		u.DisplayName, u.Role, u.Region = "Amina D.", user.RoleOfficer, ""
		if err := db.UpdateUser(asAdmin, u); err != nil {
			t.Fatal(err)
		}
		updated := onlyAuditEntry(t, db, audit.Filter{EntityKey: "amina", Action: audit.ActionUpdate})
		if updated.Actor != "admin" || updated.UserID != admin.ID {
			t.Errorf("update recorded by %q (user %d), want admin (user %d)", updated.Actor, updated.UserID, admin.ID)
		}
		equal(t, "changes of the update", updated.Changes, audit.Changes{
			"display_name": {Before: "Amina Diallo", After: "Amina D."},
			"role":         {Before: "regional_officer", After: "officer"},
			"region":       {Before: "AFR", After: nil},
		})

		// Saving the account again as it is records nothing.
		if err := db.UpdateUser(asAdmin, u); err != nil {
			t.Fatal(err)
		}
		if entries, total := mustAuditEntries(t, db, audit.Filter{EntityKey: "amina", Action: audit.ActionUpdate}); total != 1 {
			t.Errorf("after an update that changed nothing: %v, want only the earlier update", entryLines(entries))
		}

		// A new password is recorded as a change of the password, never with the hash.
		const hash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$secret-part-of-the-hash"
		if err := db.SetPasswordHash(asAdmin, amina.ID, hash); err != nil {
			t.Fatal(err)
		}
		updates, _ := mustAuditEntries(t, db, audit.Filter{EntityKey: "amina", Action: audit.ActionUpdate})
		if len(updates) != 2 {
			t.Fatalf("updates of amina after a password change: %v, want 2", entryLines(updates))
		}
		pw := updates[0]
		equal(t, "fields changed by a new password", pw.Changes.Fields(), []string{"password"})
		if pw.Actor != "admin" {
			t.Errorf("password change recorded by %q, want admin", pw.Actor)
		}
		checkNoSecret(t, pw, hash)

		// A sign-in is recorded as made by the person signing in, whatever the context says.
		before = time.Now()
		if err := db.RecordSignIn(ctx, u); err != nil {
			t.Fatal(err)
		}
		after = time.Now()
		signIn := onlyAuditEntry(t, db, audit.Filter{EntityKey: "amina", Action: audit.ActionSignIn})
		if signIn.Entity != "user" || signIn.Actor != "amina" || signIn.UserID != amina.ID || len(signIn.Changes) != 0 {
			t.Errorf("sign-in recorded as %s by %q (user %d) with changes %v, want user by amina (user %d) with none",
				signIn.Entity, signIn.Actor, signIn.UserID, signIn.Changes, amina.ID)
		}
		checkStamp(t, "sign-in entry time", signIn.At, before, after)
		stored, err := db.UserByUsername(ctx, "amina")
		if err != nil {
			t.Fatal(err)
		}
		checkStamp(t, "LastLoginAt", stored.LastLoginAt, before, after)

		entries, total := mustAuditEntries(t, db, audit.Filter{EntityKey: "amina"})
		equal(t, "amina's trail, newest first", entryLines(entries), []string{
			"sign_in user amina by amina",
			"update user amina by admin",
			"update user amina by admin",
			"create user amina by admin",
		})
		if total != 4 {
			t.Errorf("total of amina's trail = %d, want 4", total)
		}
	})
}

// checkNoSecret fails the test when an entry mentions a password hash or the secret itself.
func checkNoSecret(t *testing.T, e audit.Entry, secret string) {
	t.Helper()
	data, err := json.Marshal(e.Changes)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) || strings.Contains(string(data), "argon2id") {
		t.Errorf("%s entry of %s reveals the password hash: %s", e.Action, e.EntityKey, data)
	}
	if _, ok := e.Changes["password_hash"]; ok {
		t.Errorf("%s entry of %s has a password_hash field", e.Action, e.EntityKey)
	}
}

func TestAuditEntriesFilterSortAndPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if kinds, err := db.AuditEntities(ctx); err != nil || len(kinds) != 0 {
			t.Fatalf("entities of a new database's trail = %v, %v; want none", kinds, err)
		}
		start := time.Now()
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true)) // by the system
		asAdmin := asActor(t, admin)
		var ben *user.User
		for _, name := range []string{"ana", "ben", "chen", "dara"} {
			u := newUser(name, user.RoleViewer, true)
			if err := db.CreateUser(asAdmin, u); err != nil {
				t.Fatal(err)
			}
			if name == "ben" {
				ben = u
			}
		}
		ben.DisplayName = "Ben B."
		if err := db.UpdateUser(asAdmin, ben); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordSignIn(ctx, ben); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveRate(asAdmin, reference.Rate{Currency: "CHF", ValidFrom: civil.MustParse("2030-01-01"), USDPerUnit: 1.1}); err != nil {
			t.Fatal(err)
		}
		end := time.Now()

		all := []string{
			"create currency_rate CHF 2030-01-01 by admin",
			"sign_in user ben by ben",
			"update user ben by admin",
			"create user dara by admin",
			"create user chen by admin",
			"create user ben by admin",
			"create user ana by admin",
			"create user admin by system",
		}
		today, lastDay := civil.Of(start.UTC()), civil.Of(end.UTC())
		cases := []struct {
			name   string
			filter audit.Filter
			want   []string
		}{
			{"everything", audit.Filter{}, all},
			{"one kind of record", audit.Filter{Entity: "user"}, all[1:]},
			{"one record", audit.Filter{Entity: "user", EntityKey: "ben"}, []string{all[1], all[2], all[5]}},
			{"one actor", audit.Filter{Actor: "admin"}, []string{all[0], all[2], all[3], all[4], all[5], all[6]}},
			{"the system", audit.Filter{Actor: "system"}, all[7:]},
			{"one action", audit.Filter{Action: audit.ActionCreate}, []string{all[0], all[3], all[4], all[5], all[6], all[7]}},
			{"several conditions", audit.Filter{Entity: "user", Action: audit.ActionCreate, Actor: "admin"}, all[3:7]},
			{"today", audit.Filter{From: today, To: lastDay}, all},
			{"from today", audit.Filter{From: today}, all},
			{"until today", audit.Filter{To: lastDay}, all},
			{"from tomorrow", audit.Filter{From: lastDay.AddDays(1)}, []string{}},
			{"until yesterday", audit.Filter{To: today.AddDays(-1)}, []string{}},
			{"nothing matches", audit.Filter{Entity: "user", EntityKey: "nobody"}, []string{}},
		}
		for _, c := range cases {
			entries, total := mustAuditEntries(t, db, c.filter)
			equal(t, c.name+": entries", entryLines(entries), c.want)
			if total != len(c.want) {
				t.Errorf("%s: total %d, want %d", c.name, total, len(c.want))
			}
		}

		entries, _ := mustAuditEntries(t, db, audit.Filter{})
		for i, e := range entries {
			checkStamp(t, "time of "+entryLines(entries[i : i+1])[0], e.At, start, end)
			if i > 0 && e.At.After(entries[i-1].At) {
				t.Errorf("entry %d (%v) is newer than entry %d before it (%v)", i, e.At, i-1, entries[i-1].At)
			}
		}

		// Pages of two account creations: each page its own entries, every page the full count.
		created := []string{all[3], all[4], all[5], all[6], all[7]}
		for _, p := range []struct {
			offset int
			want   []string
		}{{0, created[0:2]}, {2, created[2:4]}, {4, created[4:]}} {
			page, total := mustAuditEntries(t, db, audit.Filter{Entity: "user", Action: audit.ActionCreate, Offset: p.offset, Limit: 2})
			equal(t, fmt.Sprintf("page at offset %d", p.offset), entryLines(page), p.want)
			if total != len(created) {
				t.Errorf("page at offset %d: total %d, want %d", p.offset, total, len(created))
			}
		}

		kinds, err := db.AuditEntities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "kinds of record in the trail", kinds, []string{"currency_rate", "user"})
	})
}
