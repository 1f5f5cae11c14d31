package user

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106's second recommended option, with 64 MiB of memory).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Each argon2id hash takes argonMemory (64 MiB) while it runs, so the hashes a process computes at
// once are bounded: a burst of sign-ins, registrations or password changes waits for a slot
// instead of taking a gigabyte, and one that waits too long is refused with ErrBusy, for the
// caller to answer "try again in a moment".
const (
	// concurrentHashes keeps both cores busy (each hash runs on argonThreads) and the hashing
	// under 128 MiB.
	concurrentHashes = 2
	// hashWait is how long a password check waits for a slot: several hashes' time, so that a
	// person signing in during a burst is served, while a flood is refused within seconds.
	hashWait = 3 * time.Second
	// maxArgonMemory bounds the memory a stored hash may ask for (KiB), so that a damaged or
	// planted hash cannot make one check take gigabytes.
	maxArgonMemory = 256 * 1024
)

// ErrBusy means too many passwords are being hashed at this moment; the request may be repeated
// in a few seconds.
var ErrBusy = errors.New("too many passwords are being checked at once")

// BusyRetryAfter is how long a caller refused with ErrBusy is told to wait (Retry-After).
const BusyRetryAfter = 5 * time.Second

// Hasher hashes and checks passwords a bounded number at a time. A process has one, Passwords;
// tests make their own to see what a saturated one answers.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher returns a Hasher that runs at most concurrent hashes at once and lets a hash wait
// up to wait for its turn.
func NewHasher(concurrent int, wait time.Duration) *Hasher {
	return &Hasher{slots: make(chan struct{}, concurrent), wait: wait}
}

// Passwords is the process's Hasher: the bound is on the process's memory.
var Passwords = NewHasher(concurrentHashes, hashWait)

// withSlot runs hash once a slot is free, or returns ErrBusy after the wait (or when ctx ends).
func (h *Hasher) withSlot(ctx context.Context, hash func()) error {
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
	case <-timer.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
	defer func() { <-h.slots }()
	hash()
	// The hash's 64 MiB are garbage once it returns. Collected at once, the process stays near
	// its own size plus slots × 64 MiB; left to the collector's pace, the heap grows to twice
	// that first (200 simultaneous sign-ins: a peak of 428 MiB instead of 239, docs/performance.md).
	runtime.GC()
	return nil
}

// HashPassword is Passwords.Hash.
func HashPassword(ctx context.Context, password string) (string, error) {
	return Passwords.Hash(ctx, password)
}

// VerifyPassword is Passwords.Verify.
func VerifyPassword(ctx context.Context, password, hash string) (bool, error) {
	return Passwords.Verify(ctx, password, hash)
}

// Hash returns an argon2id hash of password in the PHC string format, which records its
// parameters so that they can be raised later without breaking stored hashes. It returns ErrBusy
// when no slot is free in time.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	var key []byte
	if err := h.withSlot(ctx, func() {
		key = argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}); err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash means a stored password hash cannot be read.
var ErrMalformedHash = errors.New("malformed password hash")

// Verify reports whether password matches hash, comparing in constant time. Like Hash it
// returns ErrBusy when no slot is free in time.
func (h *Hasher) Verify(ctx context.Context, password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		memory > maxArgonMemory || passes > 16 || threads == 0 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, ErrMalformedHash
	}
	var got []byte
	if err := h.withSlot(ctx, func() {
		got = argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	}); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewSecret returns a random token for a session or API token, with a prefix that tells what it
// is when it turns up in a log or a leaked file ("pct_" for API tokens).
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret returns the SHA-256 of a session or API token as hex. Only the hash is stored, so a
// copy of the database does not let anyone sign in; the tokens are random enough that a fast
// hash is safe.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random password (26 characters of base32, 130 bits) for generated accounts.
func NewPassword() string { return rand.Text() }

// APITokenPrefix starts every API token.
const APITokenPrefix = "pct_"
