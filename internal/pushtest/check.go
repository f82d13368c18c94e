package pushtest

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkHeaders checks the Web Push protocol headers (RFC 8030 §5.2–5.4 and
// RFC 8291 §4) and returns the message they describe.
func checkHeaders(h http.Header) (Message, *violation) {
	var msg Message

	ttl, present, v := single(h, "TTL")
	switch {
	case v != nil:
		return msg, v
	case !present:
		return msg, fail(http.StatusBadRequest, "TTL header is missing; a push service must refuse a message without one (RFC 8030 §5.2)")
	}
	n, err := strconv.Atoi(ttl)
	if err != nil || !allDigits(ttl) {
		return msg, fail(http.StatusBadRequest, "TTL %q is not a non-negative integer number of seconds (RFC 8030 §5.2)", ttl)
	}
	msg.TTL = n

	urgency, present, v := single(h, "Urgency")
	switch {
	case v != nil:
		return msg, v
	case !present:
		return msg, fail(http.StatusBadRequest, "Urgency header is missing; Sova always sends one (RFC 8030 §5.3)")
	case urgency != "very-low" && urgency != "low" && urgency != "normal" && urgency != "high":
		return msg, fail(http.StatusBadRequest, "Urgency %q is not one of very-low, low, normal, high (RFC 8030 §5.3)", urgency)
	}
	msg.Urgency = urgency

	topic, present, v := single(h, "Topic")
	switch {
	case v != nil:
		return msg, v
	case present && (topic == "" || len(topic) > 32 || strings.ContainsFunc(topic, notBase64URL)):
		return msg, fail(http.StatusBadRequest, "Topic %q is not 1 to 32 characters of the base64url alphabet (RFC 8030 §5.4)", topic)
	}
	msg.Topic = topic

	// RFC 8291 §4 makes aes128gcm the one content coding of Web Push; the
	// "aesgcm" of the drafts, still offered by some libraries, lays out its
	// header and padding differently and is refused here.
	encoding, _, v := single(h, "Content-Encoding")
	switch {
	case v != nil:
		return msg, v
	case !strings.EqualFold(encoding, "aes128gcm"):
		return msg, fail(http.StatusBadRequest, "Content-Encoding is %q, not aes128gcm (RFC 8291 §4)", encoding)
	}
	return msg, nil
}

// single returns the value of a header that must appear at most once: with
// two values a service cannot tell which one the sender meant.
func single(h http.Header, name string) (value string, present bool, v *violation) {
	switch values := h.Values(name); len(values) {
	case 0:
		return "", false, nil
	case 1:
		return values[0], true, nil
	default:
		return "", true, fail(http.StatusBadRequest, "%s header is given %d times (%q); it must be given once", name, len(values), values)
	}
}

func allDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

func notBase64URL(r rune) bool {
	return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_')
}

// checkVAPID checks the Authorization header against RFC 8292 and returns the
// JWT's sub claim. A missing or invalid token is answered 401; a valid one
// made with another key than the subscription is bound to is answered 403
// (RFC 8292 §4.2).
func (s *Service) checkVAPID(h http.Header, sub *subscription) (string, *violation) {
	unauthorized := func(format string, args ...any) (string, *violation) {
		return "", fail(http.StatusUnauthorized, format, args...)
	}

	auth, _, v := single(h, "Authorization")
	if v != nil {
		return "", v
	}
	token, key, problem := parseVAPID(auth)
	if problem != "" {
		return unauthorized("Authorization %s (RFC 8292 §3)", problem)
	}

	k, err := b64.DecodeString(key)
	if err != nil {
		return unauthorized("VAPID key k is not base64url without padding: %v (RFC 8292 §3.2)", err)
	}
	if !bytes.Equal(k, sub.appKey) {
		if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), k); err != nil {
			return unauthorized("VAPID key k is not an uncompressed P-256 point: %v (RFC 8292 §3.2)", err)
		}
		return "", fail(http.StatusForbidden, "VAPID key k is not the applicationServerKey the subscription was made with (RFC 8292 §4.2)")
	}

	// The JWT: header.claims.signature, each base64url (RFC 7515 §7.1).
	signed, signature, _ := cutLast(token, ".")
	headerPart, claimsPart, ok := strings.Cut(signed, ".")
	if !ok || strings.Contains(claimsPart, ".") {
		return unauthorized("VAPID token t is not a JWT of three dot-separated parts (RFC 7515 §7.1)")
	}
	var header, claims map[string]json.RawMessage
	var alg, typ, aud, subject string
	var exp float64
	if what := decodeJSON(headerPart, &header); what != "" {
		return unauthorized("VAPID token's JWT header %s (RFC 7515 §7.1)", what)
	}
	if what := cmp.Or(member(header, "alg", &alg, true), member(header, "typ", &typ, false)); what != "" {
		return unauthorized("VAPID token's JWT header %s (RFC 7515 §4.1)", what)
	}
	if alg != "ES256" {
		return unauthorized("VAPID token's JWT alg is %q, not ES256 (RFC 8292 §2)", alg)
	}
	if typ != "" && !strings.EqualFold(typ, "JWT") {
		return unauthorized("VAPID token's JWT typ is %q, not JWT (RFC 7519 §5.1)", typ)
	}

	sig, err := b64.DecodeString(signature)
	if err != nil || len(sig) != 64 {
		return unauthorized("VAPID token's signature is not 64 bytes of base64url, the r||s form of ES256 (RFC 7518 §3.4)")
	}
	hash := sha256.Sum256([]byte(signed))
	sigR, sigS := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(sub.appPub, hash[:], sigR, sigS) {
		return unauthorized("VAPID token's signature does not verify with key k (RFC 8292 §2)")
	}

	// The claims are looked at only once the signature holds, as anything
	// before that is not yet the sender's word.
	if what := decodeJSON(claimsPart, &claims); what != "" {
		return unauthorized("VAPID token's JWT claims %s (RFC 7519 §7.2)", what)
	}
	if what := cmp.Or(member(claims, "aud", &aud, true), member(claims, "exp", &exp, true), member(claims, "sub", &subject, true)); what != "" {
		return unauthorized("VAPID token's claims %s (RFC 8292 §2)", what)
	}

	if aud != s.srv.URL {
		return unauthorized("VAPID token's aud is %q, not the push resource's origin %q (RFC 8292 §2)", aud, s.srv.URL)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	switch {
	case exp <= now:
		return unauthorized("VAPID token expired %.0f seconds ago (exp %.0f) (RFC 8292 §2)", now-exp, exp)
	case exp > now+24*60*60:
		return unauthorized("VAPID token's exp is %.1f hours ahead; it must be at most 24 hours (RFC 8292 §2)", (exp-now)/3600)
	}
	if !strings.HasPrefix(subject, "mailto:") && !strings.HasPrefix(subject, "https:") {
		return unauthorized("VAPID token's sub %q is neither a mailto: nor an https: URI (RFC 8292 §2.1)", subject)
	}
	return subject, nil
}

// parseVAPID splits an Authorization header of the "vapid" scheme into its t
// and k parameters (RFC 8292 §3), or says what is wrong with it. The scheme
// and parameter names are case-insensitive and values may be quoted
// (RFC 9110 §11), so a correct sender may write either form.
func parseVAPID(auth string) (token, key, err string) {
	if auth == "" {
		return "", "", "header is missing"
	}
	scheme, params, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "vapid") {
		return "", "", "scheme is " + strconv.Quote(scheme) + ", not vapid"
	}
	var seen [2]bool
	for param := range strings.SplitSeq(params, ",") {
		param = strings.TrimSpace(param)
		if param == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		name, value, ok := strings.Cut(param, "=")
		if !ok {
			return "", "", "has a parameter " + strconv.Quote(param) + " without a value"
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		i := -1
		switch strings.ToLower(name) {
		case "t":
			i, token = 0, value
		case "k":
			i, key = 1, value
		}
		if i >= 0 {
			if seen[i] {
				return "", "", "gives parameter " + name + " twice"
			}
			seen[i] = true
		}
	}
	if !seen[0] || !seen[1] {
		return "", "", "lacks the t (token) or k (key) parameter"
	}
	return token, key, ""
}

// member decodes the member name of a JSON object into v, a *string or a
// *float64, or says what is wrong with it; "" if it is absent and not
// required. Names are matched exactly, as JWT requires: encoding/json would
// also match "AUD" to a field aud.
func member(object map[string]json.RawMessage, name string, v any, required bool) (what string) {
	value, ok := object[name]
	switch {
	case !ok && required:
		return "has no " + name
	case !ok:
		return ""
	case json.Unmarshal(value, v) != nil:
		kind := "string"
		if _, ok := v.(*float64); ok {
			kind = "number"
		}
		return fmt.Sprintf("has %s %s, not a %s", name, value, kind)
	}
	return ""
}

// decodeJSON decodes a base64url JSON object, or says what is wrong with it.
func decodeJSON(part string, into any) (what string) {
	data, err := b64.DecodeString(part)
	if err != nil {
		return "is not base64url without padding: " + err.Error()
	}
	if err := json.Unmarshal(data, into); err != nil {
		return "is not a JSON object: " + err.Error()
	}
	return ""
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
