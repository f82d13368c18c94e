package auth

import (
	"strings"
	"sync"
	"time"
)

// Limiter counts attempts per key (an account, a peer address) in fixed
// windows. It lives in memory only: nothing about who tried to log in from
// where is ever written down, and a restart forgets it.
//
// It holds a few bytes per key, and at most maxKeys keys: a key is a copy
// of the caller's string (a slice of a request body must not pin the body),
// and keys whose window has passed are dropped.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	seen   map[string]*attempts
	// sweep is when expired keys may next be looked for: a sweep walks
	// every key, so a spray must not make each attempt pay for one.
	sweep time.Time
}

type attempts struct {
	n     int
	start time.Time
}

// maxKeys bounds the limiter under a spray of keys within one window
// (about 100 bytes each). Past it, a new key is refused until old ones
// expire: failing open would let whoever sprays reset every count.
const maxKeys = 100_000

// NewLimiter allows max attempts per key per window.
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{max: max, window: window, now: now, seen: map[string]*attempts{}}
}

// Allow records an attempt for key and reports whether it is within the
// limit.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a := l.seen[key]
	if a == nil || now.Sub(a.start) >= l.window {
		if a == nil && len(l.seen) >= maxKeys/10 && !now.Before(l.sweep) {
			l.forgetExpired(now)
			l.sweep = now.Add(l.window / 16)
		}
		if a == nil && len(l.seen) >= maxKeys {
			return false
		}
		a = &attempts{start: now}
		l.seen[strings.Clone(key)] = a
	}
	a.n++
	return a.n <= l.max
}

func (l *Limiter) forgetExpired(now time.Time) {
	for k, a := range l.seen {
		if now.Sub(a.start) >= l.window {
			delete(l.seen, k)
		}
	}
}

// Reset forgets key's attempts (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, key)
}
