package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"net/http"
)

const (
	saltLen   = 16
	keyLen    = 65                       // an uncompressed P-256 point
	headerLen = saltLen + 4 + 1 + keyLen // salt | rs | idlen | keyid (RFC 8188 §2.1, RFC 8291 §4)
	tagLen    = 16                       // the AES-GCM authentication tag
	minRecord = tagLen + 1               // a tag and the padding delimiter
	minRS     = 18                       // the smallest record size allowed (RFC 8188 §2.1)
	lastOne   = 2                        // delimiter that ends the last record (RFC 8188 §2)
)

// decrypt opens an aes128gcm body as the browser does (RFC 8291 §3, over
// RFC 8188) and returns the plaintext without its padding, in its own memory.
// Web Push allows only one record (RFC 8291 §4), so a body of several records
// is refused rather than joined.
func (sub *subscription) decrypt(body []byte) ([]byte, *violation) {
	bad := func(format string, args ...any) ([]byte, *violation) {
		return nil, fail(http.StatusBadRequest, format, args...)
	}
	if len(body) < headerLen {
		return bad("body is %d bytes, too short for the aes128gcm header of %d bytes with the sender's key (RFC 8188 §2.1)", len(body), headerLen)
	}
	salt := body[:saltLen]
	rs := binary.BigEndian.Uint32(body[saltLen:])
	idlen := int(body[saltLen+4])
	asPublic := body[headerLen-keyLen : headerLen]
	ciphertext := body[headerLen:]
	switch {
	case idlen != keyLen:
		return bad("aes128gcm keyid is %d bytes; it must be the sender's %d-byte public key (RFC 8291 §4)", idlen, keyLen)
	case rs < minRS:
		return bad("aes128gcm record size %d is below the minimum of %d (RFC 8188 §2.1)", rs, minRS)
	case len(ciphertext) < minRecord:
		return bad("aes128gcm record is %d bytes, too short for the tag and the padding delimiter (RFC 8188 §2)", len(ciphertext))
	case uint64(len(ciphertext)) > uint64(rs):
		return bad("aes128gcm ciphertext is %d bytes, more than the record size %d; a push message must be a single record (RFC 8291 §4)", len(ciphertext), rs)
	}

	peer, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return bad("aes128gcm keyid is not a P-256 public key: %v (RFC 8291 §4)", err)
	}
	secret, err := sub.key.ECDH(peer)
	if err != nil {
		return bad("ECDH with the sender's public key failed: %v (RFC 8291 §3.1)", err)
	}
	gcm, nonce, err := sub.cipher(secret, salt, asPublic)
	if err != nil {
		return nil, fail(http.StatusInternalServerError, "deriving the content encryption key failed: %v", err)
	}
	plain, err := gcm.Open(ciphertext[:0], nonce, ciphertext, nil)
	if err != nil {
		return bad("body does not decrypt with the subscription's keys: wrong keys, key derivation or tampered data (RFC 8291 §3.4)")
	}

	// Padding is zeros after a delimiter; the delimiter of the last (and
	// here only) record is 2 (RFC 8188 §2).
	end := len(plain) - 1
	for end >= 0 && plain[end] == 0 {
		end--
	}
	if end < 0 || plain[end] != lastOne {
		return bad("decrypted record does not end with the last-record delimiter 0x02 before its zero padding (RFC 8188 §2)")
	}
	return bytes.Clone(plain[:end]), nil
}

// cipher derives the AES-128-GCM key and nonce of a message from the ECDH
// secret (RFC 8291 §3.3–3.4, RFC 8188 §2.2–2.3).
func (sub *subscription) cipher(secret, salt, asPublic []byte) (cipher.AEAD, []byte, error) {
	// key_info = "WebPush: info\x00" || ua_public || as_public
	info := make([]byte, 0, len(sub.info)+len(asPublic))
	info = append(append(info, sub.info...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, secret, sub.auth, string(info), 32)
	if err != nil {
		return nil, nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, nil, err
	}
	gcm, err := cipher.NewGCM(block)
	return gcm, nonce, err
}
