package auth

import (
	"sync"
	"time"
)

// Limiter counts attempts per key (an account, a direct peer address) in
// fixed windows. It lives in memory only: nothing about who tried to log in
// from where is ever written down, and a restart forgets it.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	seen   map[string]*attempts
}

type attempts struct {
	n     int
	start time.Time
}

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
	if len(l.seen) > 10000 { // bound memory under a spray of keys
		for k, a := range l.seen {
			if now.Sub(a.start) >= l.window {
				delete(l.seen, k)
			}
		}
	}
	a := l.seen[key]
	if a == nil || now.Sub(a.start) >= l.window {
		a = &attempts{start: now}
		l.seen[key] = a
	}
	a.n++
	return a.n <= l.max
}

// Reset forgets key's attempts (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, key)
}
