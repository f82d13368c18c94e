// Package seal keeps the server's HPKE response keys and opens the responses
// members' phones sealed to them (RFC 9180, mode base, DHKEM(P-256,
// HKDF-SHA256), HKDF-SHA256, AES-128-GCM: the one suite every browser's
// WebCrypto can do without extra code).
//
// Keys are never dropped: a phone may hold items sealed to an old key for
// weeks, and they must still open after a rotation.
package seal

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"

	"sova/server/domain"
)

// Suite names the ciphersuite in the public key document.
const Suite = "DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM"

var (
	kem  = hpke.DHKEM(ecdh.P256())
	kdf  = hpke.HKDFSHA256()
	aead = hpke.AES128GCM()
)

// encLen is the size of an uncompressed P-256 point, the KEM's enc.
const encLen = 65

// gcmTag is the AES-GCM tag every ciphertext ends with.
const gcmTag = 16

// Key is one response key pair.
type Key struct {
	priv hpke.PrivateKey
	pub  []byte
	kid  string
}

// GenerateKey makes a new key pair.
func GenerateKey() (*Key, error) {
	priv, err := kem.GenerateKey()
	if err != nil {
		return nil, err
	}
	return newKey(priv)
}

// ParseKey reads a private key saved with Key.Private.
func ParseKey(b []byte) (*Key, error) {
	priv, err := kem.NewPrivateKey(b)
	if err != nil {
		return nil, err
	}
	return newKey(priv)
}

func newKey(priv hpke.PrivateKey) (*Key, error) {
	pub := priv.PublicKey().Bytes()
	sum := sha256.Sum256(pub)
	return &Key{priv: priv, pub: pub, kid: hex.EncodeToString(sum[:8])}, nil
}

// Kid is the key's id: derived from the public key, so it needs no storage
// of its own and a client can check it.
func (k *Key) Kid() string { return k.kid }

// PublicKey is the uncompressed P-256 point.
func (k *Key) PublicKey() []byte { return k.pub }

// Private is the serialized private key, to be stored encrypted.
func (k *Key) Private() []byte {
	b, _ := k.priv.Bytes()
	return b
}

// PublicDoc is the JSON document phones fetch to seal their answers.
type PublicDoc struct {
	Kid       string `json:"kid"`
	Suite     string `json:"suite"`
	PublicKey string `json:"publicKey"`
}

// Doc returns the key's public document.
func (k *Key) Doc() PublicDoc {
	return PublicDoc{Kid: k.kid, Suite: Suite, PublicKey: base64.RawURLEncoding.EncodeToString(k.pub)}
}

// Ring holds every response key; the newest is the one phones seal to.
type Ring struct {
	mu      sync.RWMutex
	keys    map[string]*Key
	current *Key
}

// NewRing builds a ring whose current key is current.
func NewRing(current *Key, older ...*Key) *Ring {
	r := &Ring{keys: map[string]*Key{current.kid: current}, current: current}
	for _, k := range older {
		r.keys[k.kid] = k
	}
	return r
}

// Current is the key phones should seal to now.
func (r *Ring) Current() *Key {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current
}

// Open opens enc||ciphertext sealed to key kid with aad, per domain.Opener.
func (r *Ring) Open(kid string, aad, sealed []byte) ([]byte, error) {
	r.mu.RLock()
	k := r.keys[kid]
	r.mu.RUnlock()
	if k == nil {
		return nil, domain.Errorf(domain.CodeUnknownKey, "no response key %q on this server", kid)
	}
	if len(sealed) < encLen+gcmTag {
		return nil, domain.Errorf(domain.CodeDecryptFailed, "sealed is too short to hold a response")
	}
	rcp, err := hpke.NewRecipient(sealed[:encLen], k.priv, kdf, aead, []byte(domain.SealInfo))
	if err != nil {
		return nil, domain.Errorf(domain.CodeDecryptFailed, "the sealed key share is not a P-256 point")
	}
	plain, err := rcp.Open(aad, sealed[encLen:])
	if err != nil {
		return nil, domain.Errorf(domain.CodeDecryptFailed, "cannot open: sealed to another key, changed, or moved from another id")
	}
	return plain, nil
}

// Seal seals plaintext to pub the way a phone does. The server never seals
// answers; this is for tests, tools and benchmarks that play the phone.
func Seal(pub []byte, aad, plaintext []byte) ([]byte, error) {
	pk, err := kem.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	enc, s, err := hpke.NewSender(pk, kdf, aead, []byte(domain.SealInfo))
	if err != nil {
		return nil, err
	}
	ct, err := s.Seal(aad, plaintext)
	if err != nil {
		return nil, err
	}
	return append(enc, ct...), nil
}
