package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// A stored hash must be argon2id in PHC string format with OWASP's
// parameters, a fresh 16-byte salt and a 32-byte key.
func TestHash_IsArgon2idPHCWithOWASPParameters(t *testing.T) {
	h := NewHasher(2)
	a, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`).FindStringSubmatch(a)
	if m == nil {
		t.Fatalf("hash %q is not $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>", a)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(m[1])
	key, err2 := base64.RawStdEncoding.DecodeString(m[2])
	if err1 != nil || err2 != nil || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("salt %d bytes (%v), key %d bytes (%v); want 16 and 32 in unpadded base64", len(salt), err1, len(key), err2)
	}
	b, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheck_TrueForTheRightPasswordOnly(t *testing.T) {
	h := NewHasher(2)
	ctx := context.Background()
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{"correct horse battery staple ", false},
		{"", false},
	} {
		got, err := h.Check(ctx, hash, tc.pw)
		if err != nil || got != tc.want {
			t.Errorf("Check(%q) = %v, %v; want %v", tc.pw, got, err, tc.want)
		}
	}
}

// With no account (an empty hash) Check still does the work, and never says
// yes: not even to the password the dummy hash was made from.
func TestCheck_NoAccountIsNeverAMatch(t *testing.T) {
	h := NewHasher(2)
	for _, pw := range []string{"", "no such account", "correct horse battery staple"} {
		ok, err := h.Check(context.Background(), "", pw)
		if err != nil || ok {
			t.Errorf("Check(\"\", %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

// A stored hash that cannot be read is an error, never a match and never a
// panic (argon2 panics on t=0).
func TestCheck_RefusesBadHashes(t *testing.T) {
	h := NewHasher(2)
	good, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, bad := range map[string]string{
		"plain text":         "correct horse battery staple",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            with(1, "argon2i"),
		"argon2d":            with(1, "argon2d"),
		"too few fields":     strings.Join(parts[:5], "$"),
		"too many fields":    good + "$x",
		"old version":        with(2, "v=16"),
		"no version":         with(2, "x"),
		"params missing":     with(3, "m=19456"),
		"zero lanes":         with(3, "m=19456,t=2,p=0"),
		"zero passes":        with(3, "m=19456,t=0,p=1"),
		"too many passes":    with(3, "m=19456,t=11,p=1"),
		"memory above 1 GiB": with(3, fmt.Sprintf("m=%d,t=2,p=1", 1<<20+1)),
		"salt not base64":    with(4, "!!!!"),
		"key not base64":     with(5, "!!!!"),
		"empty key":          with(5, ""),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Check(%q) panicked: %v", bad, p)
				}
			}()
			ok, err := h.Check(context.Background(), bad, "correct horse battery staple")
			if ok || !errors.Is(err, ErrBadHash) {
				t.Fatalf("Check(%q) = %v, %v; want false, ErrBadHash", bad, ok, err)
			}
		})
	}
}

// NewHasher(2) runs at most two hashes at once, however many logins arrive:
// each takes 19 MiB.
func TestHasher_BoundsConcurrency(t *testing.T) {
	h := NewHasher(2)
	var running, peak atomic.Int32
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // watch the slots while the wave runs
		defer close(sampled)
		for {
			n := int32(len(h.slots))
			running.Store(n)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			select {
			case <-stop:
				return
			default:
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			hash, err := h.Hash(context.Background(), fmt.Sprint("password number ", i))
			if err == nil {
				_, err = h.Check(context.Background(), hash, "x")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > 2 || p < 1 {
		t.Fatalf("peak concurrent hashes %d; want 1..2", p)
	}

	// Deterministically: with both slots taken, a third hash waits and
	// gives up with its context rather than running.
	ctx := context.Background()
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(short, "third"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with both slots taken: %v; want it to wait until its context ends", err)
	}
	good, _ := base64.RawStdEncoding.DecodeString("AAAAAAAAAAAAAAAAAAAAAA")
	phc := fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(good), base64.RawStdEncoding.EncodeToString(good))
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := h.Check(short2, phc, "third"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Check with both slots taken: %v; want it to wait until its context ends", err)
	}
	// A slot freed lets the next one run.
	h.release()
	if _, err := h.Hash(ctx, "third"); err != nil {
		t.Fatalf("Hash after a slot was freed: %v", err)
	}
	h.release()
	if n := len(h.slots); n != 0 {
		t.Fatalf("%d slots still taken after every hash returned", n)
	}
}

func TestLimiter_AllowsMaxPerWindowPerKey(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(5, 15*time.Minute, func() time.Time { return now })
	for i := 1; i <= 5; i++ {
		if !l.Allow("alice") {
			t.Fatalf("attempt %d refused; want 5 allowed", i)
		}
	}
	if l.Allow("alice") {
		t.Fatal("6th attempt allowed")
	}
	if !l.Allow("bob") {
		t.Fatal("another key is limited by alice's attempts")
	}
	now = now.Add(14*time.Minute + 59*time.Second)
	if l.Allow("alice") {
		t.Fatal("allowed again before the window ended")
	}
	now = now.Add(time.Second)
	for i := 1; i <= 5; i++ {
		if !l.Allow("alice") {
			t.Fatalf("attempt %d of the next window refused", i)
		}
	}
	if l.Allow("alice") {
		t.Fatal("6th attempt of the next window allowed")
	}
}

func TestLimiter_ResetForgetsOnlyThatKey(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(2, time.Minute, func() time.Time { return now })
	for _, k := range []string{"a", "a", "b", "b"} {
		l.Allow(k)
	}
	l.Reset("a")
	if !l.Allow("a") || !l.Allow("a") {
		t.Fatal("a is still limited after Reset")
	}
	if l.Allow("a") {
		t.Fatal("Reset lifted the limit for good")
	}
	if l.Allow("b") {
		t.Fatal("Reset(a) also forgot b")
	}
}

// A spray of distinct keys does not grow the limiter without bound: keys
// whose window has passed are dropped.
func TestLimiter_ForgetsOldKeysUnderASpray(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(5, time.Minute, func() time.Time { return now })
	for i := range 10001 {
		l.Allow(fmt.Sprint("k", i))
	}
	now = now.Add(time.Minute)
	l.Allow("fresh")
	l.mu.Lock()
	n := len(l.seen)
	l.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d keys held after their windows passed; want only the fresh one", n)
	}
}

// A key is the limiter's own copy: a login name sliced from a 10 MB body
// must not keep the body alive for the window (an attack kept 971 MB so).
func TestLimiter_KeepsItsOwnCopyOfEachKey(t *testing.T) {
	l := NewLimiter(5, time.Minute, nil)
	body := strings.Repeat("x", 1<<20)
	key := body[:8]
	l.Allow(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.seen {
		if unsafe.StringData(k) == unsafe.StringData(body) {
			t.Fatal("the limiter holds a slice of the caller's string")
		}
	}
}

// Under a spray of distinct keys within one window the limiter stops at
// maxKeys: a new key is refused, a known one still counts, and once the
// window has passed new keys are welcome again.
func TestLimiter_RefusesNewKeysWhenFull(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(5, time.Minute, func() time.Time { return now })
	if !l.Allow("known") {
		t.Fatal("the first attempt was refused")
	}
	for i := range maxKeys {
		l.Allow(fmt.Sprint("k", i))
	}
	if l.Allow("new") {
		t.Error("a new key was let in past the cap")
	}
	if !l.Allow("known") {
		t.Error("a key already counted was refused for the cap, not its own attempts")
	}
	now = now.Add(time.Minute)
	if !l.Allow("new") {
		t.Error("after the window a new key is still refused")
	}
}

func TestToken_RandomAndStoredOnlyAsHash(t *testing.T) {
	a, ah := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q, %q: want two different 43-character tokens", a, b)
	}
	if ah == a || ah != TokenHash(a) || strings.Contains(ah, a) {
		t.Fatalf("hash %q of %q", ah, a)
	}
}
