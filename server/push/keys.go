// Package push tells subscribed members, through their browsers' push
// services, that there is something new: a warning in an area they follow,
// or a new survey. It never says what: every notification carries the
// organisation's neutral words, encrypted to the phone (RFC 8291), and the
// app fetches the news itself when opened.
//
// Notices wait in the store (domain.Subscriber.Pending) through quiet hours
// and the daily cap, and survive restarts. Delivery runs through a bounded
// pool of senders (webpush-go); a push service's 404 or 410 removes the
// subscription, 429 and 5xx are retried with backoff.
package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Keys is the server's VAPID key pair (RFC 8292): browsers bind each
// subscription to its public key, and push services accept only messages
// signed with its private key.
type Keys struct{ private, public string } // base64url, as webpush-go takes them

// Secrets is where the private key is kept (the store's encrypted secrets).
type Secrets interface {
	Secret(name string) ([]byte, error)
	PutSecret(name string, val []byte) error
}

const secretName = "vapid/private"

// LoadOrMakeKeys loads the VAPID key pair, making it on first start. It must
// never change afterwards: every subscription is bound to it.
func LoadOrMakeKeys(s Secrets) (Keys, error) {
	raw, err := s.Secret(secretName)
	if err != nil {
		return Keys{}, err
	}
	if raw == nil {
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return Keys{}, err
		}
		raw = k.Bytes()
		if err := s.PutSecret(secretName, raw); err != nil {
			return Keys{}, err
		}
	}
	k, err := ecdh.P256().NewPrivateKey(raw)
	if err != nil {
		return Keys{}, fmt.Errorf("push: stored VAPID key: %w", err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return Keys{private: enc(k.Bytes()), public: enc(k.PublicKey().Bytes())}, nil
}

// Public is the key the app passes to pushManager.subscribe as its
// applicationServerKey: base64url of the uncompressed P-256 point.
func (k Keys) Public() string { return k.public }
