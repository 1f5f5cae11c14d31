package user

import "time"

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
