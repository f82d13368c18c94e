package https

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"sova/server/store"
)

// A domain no CA would certify stops Sova at start, saying what to write.
func TestNew_RefusesWhatNoCAWouldCertify(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "empty",
		"https://sova.example.org": "bare name",
		"sova.example.org:443":     "bare name",
		"*.example.org":            "bare name",
		"203.0.113.9":              "not an address",
		"sova":                     "has a dot",
		"sova.example.org/app":     "bare name",
	} {
		if _, err := New(Config{Domain: in}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-domain %q: %v; want an error saying %q", in, err, want)
		}
	}
	c, err := New(Config{Domain: "Sova.Example.org."})
	if err != nil || c.Domain() != "sova.example.org" {
		t.Errorf("a name in capitals with the root's dot: %v %v", c, err)
	}
}

// A kept certificate that is not one says so (ErrDamaged), apart from the
// store's own failures, so that the console can tell an admin which it is;
// none kept yet is no error.
func TestExpiry_DamagedCertificateIsToldApart(t *testing.T) {
	key := make([]byte, store.KeySize)
	rand.Read(key)
	db, err := store.Open(t.TempDir(), key, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := New(Config{Domain: "sova.example.org", Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if end, err := c.Expiry(); err != nil || !end.IsZero() {
		t.Errorf("none kept: %v %v", end, err)
	}
	for name, kept := range map[string]string{
		"no certificate": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
		"not parseable":  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	} {
		if err := db.PutSecret(prefix+"sova.example.org", []byte(kept)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Expiry(); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v; want ErrDamaged", name, err)
		}
	}
	c.Stop()
	if _, err := c.Expiry(); err == nil || errors.Is(err, ErrDamaged) {
		t.Errorf("the store's failure: %v", err)
	}
}
