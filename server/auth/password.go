// Package auth holds what keeps the console safe: argon2id password hashes
// with bounded concurrency, login rate limits kept in memory only, and random
// tokens (sessions, CSRF, setup and invite links) that are stored only as
// hashes.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Hasher hashes and checks passwords, at most a few at a time: each hash
// takes 19 MiB, and a wave of logins must not take the server's memory.
type Hasher struct {
	slots chan struct{}
}

// NewHasher allows n hashes at once.
func NewHasher(n int) *Hasher { return &Hasher{slots: make(chan struct{}, n)} }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns password's argon2id hash in PHC string format.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash that cannot be read.
var ErrBadHash = errors.New("auth: unreadable password hash")

// Check reports whether password matches the PHC hash. With an empty hash
// (no such account) it still spends the same time, so a wrong login name and
// a wrong password cannot be told apart by timing.
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	if hash == "" {
		hash = dummyHash()
	}
	var m, t uint32
	var p uint8
	var version int
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t == 0 || t > 10 || p == 0 {
		return false, ErrBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && hash != dummyHash(), nil
}

// dummyHash is checked against when there is no account, to equalise time.
var dummyHash = sync.OnceValue(func() string {
	salt := make([]byte, saltLen)
	key := argon2.IDKey([]byte("no such account"), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
})

// NewToken returns a random token for a cookie or a link, and the hash that
// is stored in its place: a copy of the database holds no usable token.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// MinPassword is the shortest password the console accepts (NIST 800-63B
// asks for at least 8; staff accounts guard member data, so more).
const MinPassword = 12
