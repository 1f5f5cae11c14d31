package user

import (
	"errors"
	"strings"
	"testing"

	"pactum/internal/apperr"
)

func TestPasswordHashVerifiesOnlyItsPassword(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string with the chosen parameters", hash)
	}
	if ok, err := VerifyPassword("correct horse battery", hash); !ok || err != nil {
		t.Errorf("right password: %v, %v", ok, err)
	}
	if ok, _ := VerifyPassword("correct horse batterY", hash); ok {
		t.Error("a wrong password verifies")
	}
	again, _ := HashPassword("correct horse battery")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$!!$!!", "$bcrypt$xyz", "$argon2id$v=18$m=65536,t=3,p=2$c2FsdA$a2V5"} {
		if _, err := VerifyPassword("x", bad); err == nil {
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
