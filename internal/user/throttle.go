package user

import (
	"strings"
	"time"
)

// Sign-in throttling: after a few failures each further attempt must wait longer, and after many
// the name (or the client address) is locked for a while. Limits for addresses are higher, as
// several people may share one address.
const (
	// FailureWindow is how long a failure counts; older ones are forgotten.
	FailureWindow = 30 * time.Minute
	// LockDuration is how long a lock lasts.
	LockDuration  = 30 * time.Minute
	throttleAfter = 3
	lockAfter     = 10
	maxDelay      = time.Minute
)

// ThrottleKind says whose failures are counted.
type ThrottleKind int

// Failures are counted per user name and per client address.
const (
	ThrottleUser ThrottleKind = iota
	ThrottleAddress
)

func (k ThrottleKind) scale() int {
	if k == ThrottleAddress {
		return 5
	}
	return 1
}

// SignInDelay is how long after the last failure the next attempt must wait, for a number of
// recent failures: nothing for the first few, then 1, 2, 4, … seconds up to a minute.
func SignInDelay(kind ThrottleKind, failures int) time.Duration {
	after := throttleAfter * kind.scale()
	if failures < after {
		return 0
	}
	d := time.Second << min(failures-after, 6)
	return min(d, maxDelay)
}

// LocksAfter reports whether this many recent failures lock the name or address.
func LocksAfter(kind ThrottleKind, failures int) bool { return failures >= lockAfter*kind.scale() }

// ThrottleKey names whose sign-in failures a throttle row counts: a user name as typed from one
// client address, or a client address whatever the name.
type ThrottleKey struct {
	Kind  ThrottleKind
	Value string // the user name, or the client address
	// Address is, for a user name, the client address its failures come from: a name is slowed
	// down and locked per address, so that guessing from elsewhere cannot lock its owner out.
	Address string
}

// maxThrottleName bounds the typed name kept in a key: a login form may send anything.
const maxThrottleName = 254

func (k ThrottleKey) String() string {
	if k.Kind == ThrottleAddress {
		return "ip:" + k.Value
	}
	key := "user:" + k.Name()
	if k.Address != "" {
		key += " from " + k.Address
	}
	return key
}

// Name is the user name of a user key as it is compared: lower case, bounded.
func (k ThrottleKey) Name() string {
	name := strings.ToLower(k.Value)
	if len(name) > maxThrottleName {
		name = name[:maxThrottleName]
	}
	return name
}

// ThrottleState is what is kept of one key: its recent failures and lock.
type ThrottleState struct {
	Failures    int
	Last        time.Time // the latest failure
	LockedUntil time.Time // zero: not locked
}

// SignInBlock is until when sign-in is refused (zero: it is not), and whether by a lock.
type SignInBlock struct {
	Until  time.Time
	Locked bool
}

// BlockAt returns how the state of a key of kind refuses a sign-in at now.
func (st ThrottleState) BlockAt(kind ThrottleKind, now time.Time) SignInBlock {
	if st.LockedUntil.After(now) {
		return SignInBlock{st.LockedUntil, true}
	}
	if now.Sub(st.Last) > FailureWindow {
		return SignInBlock{}
	}
	// No delay is no wait, even for an attempt whose time was taken before another's failure
	// was answered (attempts queue for the write lock).
	delay := SignInDelay(kind, st.Failures)
	if wait := st.Last.Add(delay); delay > 0 && wait.After(now) {
		return SignInBlock{Until: wait}
	}
	return SignInBlock{}
}

// And combines the blocks of two keys: a lock wins over a wait, and the later end wins.
func (b SignInBlock) And(o SignInBlock) SignInBlock {
	switch {
	case o.Until.IsZero():
		return b
	case o.Locked && !b.Locked:
		return o
	case o.Locked == b.Locked && o.Until.After(b.Until):
		return o
	}
	return b
}
