package user

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pactum/internal/apperr"
)

func TestPasswordHashVerifiesOnlyItsPassword(t *testing.T) {
	hash, err := HashPassword(t.Context(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string with the chosen parameters", hash)
	}
	if ok, err := VerifyPassword(t.Context(), "correct horse battery", hash); !ok || err != nil {
		t.Errorf("right password: %v, %v", ok, err)
	}
	if ok, _ := VerifyPassword(t.Context(), "correct horse batterY", hash); ok {
		t.Error("a wrong password verifies")
	}
	again, _ := HashPassword(t.Context(), "correct horse battery")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$!!$!!", "$bcrypt$xyz", "$argon2id$v=18$m=65536,t=3,p=2$c2FsdA$a2V5"} {
		if _, err := VerifyPassword(t.Context(), "x", bad); err == nil {
			t.Errorf("malformed hash %q: no error", bad)
		}
	}
}

func TestSecretsAreRandomAndOnlyTheirHashIsKept(t *testing.T) {
	a, _ := NewSecret(APITokenPrefix)
	b, _ := NewSecret(APITokenPrefix)
	if a == b || !strings.HasPrefix(a, "pct_") || len(a) < 40 {
		t.Errorf("secrets %q and %q: want distinct, prefixed and long", a, b)
	}
	if HashSecret(a) == HashSecret(b) || HashSecret(a) != HashSecret(a) || strings.Contains(HashSecret(a), a) {
		t.Error("HashSecret is not a stable one-way hash")
	}
	if p, q := NewPassword(), NewPassword(); p == q || len(p) < MinPasswordLength {
		t.Errorf("generated passwords %q and %q", p, q)
	}
}

func TestUserValidation(t *testing.T) {
	cases := []struct {
		name  string
		user  User
		field string // "" when valid
	}{
		{"valid officer", User{Username: "amina.diallo", Role: RoleOfficer, Email: "amina@example.org"}, ""},
		{"capital letters", User{Username: "Amina", Role: RoleOfficer}, "username"},
		{"unknown role", User{Username: "amina", Role: "chief"}, "role"},
		{"regional officer without region", User{Username: "amina", Role: RoleRegionalOfficer}, "region"},
		{"bad e-mail", User{Username: "amina", Role: RoleViewer, Email: "amina at example"}, "email"},
		{"unknown language", User{Username: "amina", Role: RoleViewer, Language: "de"}, "language"},
		{"unknown region", User{Username: "amina", Role: RoleRegionalOfficer, Region: "\xff"}, "region"},
		{"an address over its limit", User{Username: "amina", Role: RoleViewer, Email: "a@" + strings.Repeat("x", MaxEmailLength)}, "email"},
		{"a display name with a NUL", User{Username: "amina", Role: RoleViewer, DisplayName: "Amina\x00"}, "display_name"},
		{"an organisation over its limit", User{Username: "amina", Role: RoleExternal, Organisation: strings.Repeat("x", MaxNameLength+1)}, "organisation"},
		{"an organisation not UTF-8", User{Username: "amina", Role: RoleExternal, Organisation: "Condor \xff"}, "organisation"},
	}
	for _, c := range cases {
		err := c.user.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var e *apperr.Error
		if !errors.As(err, &e) || e.Fields[c.field].Key == "" {
			t.Errorf("%s: error %v, want one on field %s", c.name, err, c.field)
		}
	}
	if err := CheckPassword("short"); err == nil {
		t.Error("a five-character password is accepted")
	}
	if err := CheckPassword(strings.Repeat("x", MaxPasswordLength+1)); err == nil {
		t.Error("a password over the limit is accepted")
	}
}

func TestRoles(t *testing.T) {
	for _, r := range []Role{RoleAdmin, RoleOfficer, RoleRegionalOfficer, RoleViewer} {
		if !r.IsStaff() {
			t.Errorf("%s is not staff", r)
		}
	}
	if RoleExternal.IsStaff() || Role("").IsStaff() || Role("root").Valid() {
		t.Error("external, empty or unknown roles count as staff or valid")
	}
}

// A Hasher runs no more hashes at once than it has slots: one that finds none free within its
// wait is refused with ErrBusy, having allocated nothing, and runs once a slot is free again.
func TestHasherBoundsConcurrentHashes(t *testing.T) {
	h := NewHasher(1, 50*time.Millisecond)
	hash, err := h.Hash(t.Context(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h.slots <- struct{}{} // another hash is running
	start := time.Now()
	if _, err := h.Verify(t.Context(), "correct horse battery", hash); !errors.Is(err, ErrBusy) {
		t.Errorf("verify with every slot taken: %v, want ErrBusy", err)
	}
	if _, err := h.Hash(t.Context(), "another"); !errors.Is(err, ErrBusy) {
		t.Errorf("hash with every slot taken: %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("refusing two hashes took %v", waited)
	}
	<-h.slots
	if ok, err := h.Verify(t.Context(), "correct horse battery", hash); !ok || err != nil {
		t.Errorf("verify once the slot is free: %v, %v", ok, err)
	}
}

// A stored hash that asks for more memory than any hash Pactum makes is refused unread.
func TestVerifyRefusesHashesAskingTooMuch(t *testing.T) {
	for _, params := range []string{"m=4194304,t=3,p=2", "m=65536,t=1000,p=2", "m=65536,t=3,p=0"} {
		hash := "$argon2id$v=19$" + params + "$uUAfvCAeDGVe7MatRl+bBQ$HnNCYjUH88Qmev6gtHb3PySfkgfBW2yEPVGhwJOHZF4"
		if _, err := VerifyPassword(t.Context(), "x", hash); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: %v, want ErrMalformedHash", params, err)
		}
	}
}
