package accounts_test

import (
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/mail"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// An address receives at most a few link e-mails an hour, whoever asks and for whichever
// account: beyond them a password reset or a new verification link sends nothing, and a
// registration with that address is refused with a field error, creating nothing.
func TestLinkMailsPerRecipientAreLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		u := &user.User{Username: "nadia", Email: "Nadia@Example.org", Role: user.RoleExternal, Active: true, PasswordHash: "$argon2id$stand-in"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		msg := mail.Message{To: u.Email, Subject: "link", Text: "link"}
		sent, err := db.SendLink(ctx, u.ID, user.TokenReset, "hash-1", msg)
		if err != nil || !sent {
			t.Fatalf("first reset link: sent %v, %v", sent, err)
		}
		if err := db.SpendLinkMailsForTest(ctx, "nadia@example.org", 2); err != nil {
			t.Fatal(err)
		}
		if sent, err := db.SendLink(ctx, u.ID, user.TokenVerify, "hash-2", msg); err != nil || sent {
			t.Errorf("a link beyond the hourly limit: sent %v, %v", sent, err)
		}
		_, queued, err := db.MailOutbox(ctx, 10)
		if err != nil || queued != 1 {
			t.Errorf("outbox: %d messages, %v; want the first only", queued, err)
		}
		fresh := &user.User{Username: "omar", Email: "omar@example.org", Role: user.RoleExternal, Active: true, PasswordHash: "$argon2id$stand-in"}
		if err := db.CreateUserWithLink(ctx, fresh, user.TokenVerify, "hash-3", mail.Message{To: fresh.Email, Subject: "verify", Text: "verify"}); err != nil {
			t.Errorf("registration of another address: %v", err)
		}
		if err := db.SpendLinkMailsForTest(ctx, "late@example.org", 3); err != nil {
			t.Fatal(err)
		}
		late := &user.User{Username: "late", Email: "late@example.org", Role: user.RoleExternal, Active: true, PasswordHash: "$argon2id$stand-in"}
		err = db.CreateUserWithLink(ctx, late, user.TokenVerify, "hash-4", mail.Message{To: late.Email, Subject: "verify", Text: "verify"})
		if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["email"].Key != "register.error.mail_limit" {
			t.Errorf("registration of an address that had its share of mail: %v", err)
		}
		if _, err := db.UserByLogin(ctx, "late@example.org"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the refused registration left an account: %v", err)
		}
	})
}
