package seal_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"sova/server/domain"
	"sova/server/seal"
)

const id = "0b7e2a0c-4f6d-4c1e-9a3b-5d2f8e6c1a01"

func newKey(t *testing.T) *seal.Key {
	t.Helper()
	k, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sealTo(t *testing.T, k *seal.Key, aad string, plain []byte) []byte {
	t.Helper()
	ct, err := seal.Seal(k.PublicKey(), []byte(aad), plain)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func TestRing_OpensWhatAPhoneSealed(t *testing.T) {
	k := newKey(t)
	ring := seal.NewRing(k)
	plain := []byte(`{"lang":"ru","answers":{"police":true}}`)
	a, b := sealTo(t, k, id, plain), sealTo(t, k, id, plain)
	if bytes.Equal(a, b) {
		t.Fatal("sealing the same plaintext twice gave the same bytes")
	}
	if len(a) != 65+len(plain)+16 || a[0] != 0x04 {
		t.Errorf("sealed is %d bytes starting %#x; want enc (65, 0x04…) || ciphertext || tag", len(a), a[0])
	}
	for _, ct := range [][]byte{a, b} {
		got, err := ring.Open(k.Kid(), []byte(id), ct)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Open: %q, %v", got, err)
		}
	}
}

// Sealed with the standard library's HPKE and the protocol's info string,
// as any correct RFC 9180 client would: the server opens it.
func TestRing_OpensAStandardHPKESeal(t *testing.T) {
	k := newKey(t)
	pub, err := hpke.DHKEM(ecdh.P256()).NewPublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	enc, sender, err := hpke.NewSender(pub, hpke.HKDFSHA256(), hpke.AES128GCM(), []byte("sova response v1"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := sender.Seal([]byte(id), []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := seal.NewRing(k).Open(k.Kid(), []byte(id), append(enc, ct...))
	if err != nil || string(got) != "hello" {
		t.Fatalf("Open: %q, %v", got, err)
	}
}

func TestRing_RefusesWithItsCode(t *testing.T) {
	k, other := newKey(t), newKey(t)
	ring := seal.NewRing(k)
	good := sealTo(t, k, id, []byte("answers"))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	cases := []struct {
		name   string
		kid    string
		aad    string
		sealed []byte
		code   domain.Code
	}{
		{"unknown kid", "00000000deadbeef", id, good, domain.CodeUnknownKey},
		{"another key's kid", other.Kid(), id, good, domain.CodeUnknownKey},
		{"sealed to another key", k.Kid(), id, sealTo(t, other, id, []byte("answers")), domain.CodeDecryptFailed},
		{"moved to another id", k.Kid(), "1c8f3b1d-5a7e-4d2f-8b4c-6e3a9f7d2b02", good, domain.CodeDecryptFailed},
		{"id spelt in upper case", k.Kid(), "0B7E2A0C-4F6D-4C1E-9A3B-5D2F8E6C1A01", good, domain.CodeDecryptFailed},
		{"last byte cut", k.Kid(), id, good[:len(good)-1], domain.CodeDecryptFailed},
		{"shorter than enc and tag", k.Kid(), id, good[:80], domain.CodeDecryptFailed},
		{"empty", k.Kid(), id, nil, domain.CodeDecryptFailed},
		{"tag changed", k.Kid(), id, flip(len(good) - 1), domain.CodeDecryptFailed},
		{"ciphertext changed", k.Kid(), id, flip(66), domain.CodeDecryptFailed},
		{"enc changed", k.Kid(), id, flip(64), domain.CodeDecryptFailed},
		{"enc compressed-point prefix", k.Kid(), id, append([]byte{0x02}, good[1:]...), domain.CodeDecryptFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ring.Open(c.kid, []byte(c.aad), c.sealed)
			if got != nil || domain.ErrorCode(err) != c.code {
				t.Errorf("Open = %q, %v; want code %s", got, err, c.code)
			}
		})
	}
}

// Phones may hold items sealed to an old key for weeks: after a rotation the
// ring still opens them, and phones are told the new key.
func TestRing_KeepsOlderKeys(t *testing.T) {
	old, cur := newKey(t), newKey(t)
	ring := seal.NewRing(cur, old)
	if ring.Current() != cur {
		t.Fatal("current key is not the newest")
	}
	for _, k := range []*seal.Key{old, cur} {
		if _, err := ring.Open(k.Kid(), []byte(id), sealTo(t, k, id, []byte("x"))); err != nil {
			t.Errorf("key %s: %v", k.Kid(), err)
		}
	}
}

func TestKey_SurvivesSerialisationAndPublishesItsDocument(t *testing.T) {
	k := newKey(t)
	back, err := seal.ParseKey(k.Private())
	if err != nil {
		t.Fatal(err)
	}
	if back.Kid() != k.Kid() || !bytes.Equal(back.PublicKey(), k.PublicKey()) {
		t.Error("a parsed key differs from the one saved")
	}
	if _, err := seal.NewRing(back).Open(k.Kid(), []byte(id), sealTo(t, k, id, []byte("x"))); err != nil {
		t.Errorf("a parsed key does not open: %v", err)
	}

	sum := sha256.Sum256(k.PublicKey())
	if want := hex.EncodeToString(sum[:8]); k.Kid() != want {
		t.Errorf("kid %s, want the first 8 bytes of SHA-256 of the public key, %s", k.Kid(), want)
	}
	doc := k.Doc()
	pub, err := base64.RawURLEncoding.DecodeString(doc.PublicKey)
	if err != nil || len(pub) != 65 || pub[0] != 0x04 || !bytes.Equal(pub, k.PublicKey()) {
		t.Errorf("publicKey %q is not the unpadded base64url uncompressed point", doc.PublicKey)
	}
	if doc.Kid != k.Kid() || doc.Suite != "DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM" {
		t.Errorf("document %+v", doc)
	}
	if _, err := seal.ParseKey([]byte("not a key")); err == nil {
		t.Error("ParseKey accepted garbage")
	}
	if _, err := seal.Seal([]byte("not a point"), []byte(id), []byte("x")); err == nil {
		t.Error("Seal accepted a bad public key")
	}
}
