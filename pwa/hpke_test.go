package pwa_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/chrome"
)

// testPage loads js/hpke.js the way the app does (as an ES module) and adds
// hex helpers, since values cross the DevTools protocol as JSON strings.
const testPage = `<!doctype html><meta charset="utf-8"><title>hpke test</title>
<script type="module">
import * as hpke from '/js/hpke.js';
window.hpke = hpke;
window.hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
window.unhex = (s) => new Uint8Array((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));
window.utf8 = (s) => new TextEncoder().encode(s);
</script>`

// openHPKEPage serves pwa/js from disk (not the embed, so the test does not
// depend on how the app is built) and returns a browser on the test page.
func openHPKEPage(t *testing.T) context.Context {
	t.Helper()
	return openModulePage(t, testPage, `typeof window.hpke?.seal === 'function' && typeof window.hpke?.setupBaseS === 'function'`)
}

// openModulePage serves pwa/js from disk and page at /, and returns a
// browser on it once ready is true (module scripts run before the load
// event that Navigate waits for).
func openModulePage(t *testing.T, page, ready string) context.Context {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/js/", http.StripPrefix("/js/", http.FileServer(http.Dir("js"))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := chrome.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready))
	if err != nil || !ok {
		t.Fatalf("the page's modules did not load (%s: ok=%v, err=%v)", ready, ok, err)
	}
	return ctx
}

// evalJS runs an async expression in the page and decodes its JSON result.
func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating in the browser: %v\n%s", err, js)
	}
	return v
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 9180 Appendix A.3.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM, Base Setup. ikmE/ikmR/skRm/pkRm/enc also appear in Go's
// src/crypto/hpke/testdata/rfc9180.json; the test re-derives the keys from
// ikm with Go's HPKE and has Go open every ciphertext, so none of these
// constants is taken on trust.
const (
	a31Info = "4f6465206f6e2061204772656369616e2055726e" // "Ode on a Grecian Urn"
	a31IkmE = "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e"
	a31SkEm = "4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb"
	a31PkEm = "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4"
	a31IkmR = "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550"
	a31SkRm = "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2"
	a31PkRm = "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0"
	a31Enc  = a31PkEm
	a31Pt   = "4265617574792069732074727574682c20747275746820626561757479" // "Beauty is truth, truth beauty"
)

// a31Ct holds the vector's ciphertexts by sequence number; the aad of
// sequence number n is "Count-n".
var a31Ct = map[int]string{
	0:   "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
	1:   "fa6f037b47fc21826b610172ca9637e82d6e5801eb31cbd3748271affd4ecb06646e0329cbdf3c3cd655b28e82",
	2:   "895cabfac50ce6c6eb02ffe6c048bf53b7f7be9a91fc559402cbc5b8dcaeb52b2ccc93e466c28fb55fed7a7fec",
	4:   "8787491ee8df99bc99a246c4b3216d3d57ab5076e18fa27133f520703bc70ec999dd36ce042e44f0c3169a6a8f",
	255: "2ad71c85bf3f45c6eca301426289854b31448bcf8a8ccb1deef3ebd87f60848aa53c538c30a4dac71d619ee2cd",
	256: "10f179686aa2caec1758c8e554513f16472bd0a11e2a907dde0b212cbe87d74f367f8ffe5e41cd3e9962a6afb2",
}

func TestHPKE_RFC9180Vectors(t *testing.T) {
	kem := hpke.DHKEM(ecdh.P256())

	// The vector's key pairs must be what DeriveKeyPair(ikm) gives in Go.
	for _, kp := range []struct{ name, ikm, sk, pk string }{
		{"E", a31IkmE, a31SkEm, a31PkEm},
		{"R", a31IkmR, a31SkRm, a31PkRm},
	} {
		k, err := kem.DeriveKeyPair(unhex(t, kp.ikm))
		if err != nil {
			t.Fatal(err)
		}
		sk, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(sk) != kp.sk || hex.EncodeToString(k.PublicKey().Bytes()) != kp.pk {
			t.Fatalf("DeriveKeyPair(ikm%s) = %x / %x, want the vector's sk%sm/pk%sm", kp.name, sk, k.PublicKey().Bytes(), kp.name, kp.name)
		}
	}

	const last = 256
	ctx := openHPKEPage(t)
	got := evalJS[struct {
		Enc string   `json:"enc"`
		Cts []string `json:"cts"`
	}](t, ctx, fmt.Sprintf(`(async () => {
  const c = await hpke.setupBaseS(unhex(%q), unhex(%q), {sk: unhex(%q), pk: unhex(%q)});
  const cts = [];
  for (let i = 0; i <= %d; i++) cts.push(hex(await c.seal(utf8('Count-' + i), unhex(%q))));
  return {enc: hex(c.enc), cts};
})()`, a31PkRm, a31Info, a31SkEm, a31PkEm, last, a31Pt))

	if got.Enc != a31Enc {
		t.Fatalf("enc = %s, want %s", got.Enc, a31Enc)
	}
	if len(got.Cts) != last+1 {
		t.Fatalf("got %d ciphertexts, want %d", len(got.Cts), last+1)
	}

	skR, err := kem.NewPrivateKey(unhex(t, a31SkRm))
	if err != nil {
		t.Fatal(err)
	}
	r, err := hpke.NewRecipient(unhex(t, a31Enc), skR, hpke.HKDFSHA256(), hpke.AES128GCM(), unhex(t, a31Info))
	if err != nil {
		t.Fatal(err)
	}
	// Go's Recipient only moves to the next sequence number after a
	// successful Open, so open every sequence number in order: the vector's
	// ciphertext where it has one (after comparing it with the browser's),
	// the browser's otherwise.
	checked := 0
	for seq, ctHex := range got.Cts {
		if want, ok := a31Ct[seq]; ok {
			if ctHex != want {
				t.Errorf("seq %d: browser ct = %s, want %s", seq, ctHex, want)
			}
			ctHex = want
			checked++
		}
		pt, err := r.Open([]byte(fmt.Sprintf("Count-%d", seq)), unhex(t, ctHex))
		if err != nil {
			t.Fatalf("seq %d: Go cannot open %s: %v", seq, ctHex, err)
		}
		if hex.EncodeToString(pt) != a31Pt {
			t.Fatalf("seq %d: opened %x, want %s", seq, pt, a31Pt)
		}
	}
	if checked != len(a31Ct) {
		t.Errorf("compared %d vector ciphertexts, want %d", checked, len(a31Ct))
	}
}

func TestHPKE_SealedInBrowserOpensInGo(t *testing.T) {
	const info = "sova response v1"
	sk, err := hpke.DHKEM(ecdh.P256()).GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pk := sk.PublicKey().Bytes()
	aad := newUUID()
	plaintext := `{"survey":"s1","answers":{"q1":"Да","q2":["нет","🙂"]}}`

	ctx := openHPKEPage(t)
	sealJS := fmt.Sprintf(`(async () => hex(await hpke.seal(unhex(%q), utf8(%q), utf8(%q), utf8(%q))))()`,
		hex.EncodeToString(pk), info, aad, plaintext)
	sealed := unhex(t, evalJS[string](t, ctx, sealJS))
	again := unhex(t, evalJS[string](t, ctx, sealJS))

	const encLen = 65
	if len(sealed) <= encLen || sealed[0] != 4 {
		t.Fatalf("sealed output %x is not enc (uncompressed point) || ct", sealed)
	}
	if bytes.Equal(sealed[:encLen], again[:encLen]) {
		t.Errorf("two seals reused the ephemeral key %x", sealed[:encLen])
	}

	open := func(msg []byte, info, aad string) ([]byte, error) {
		r, err := hpke.NewRecipient(msg[:encLen], sk, hpke.HKDFSHA256(), hpke.AES128GCM(), []byte(info))
		if err != nil {
			return nil, err
		}
		return r.Open([]byte(aad), msg[encLen:])
	}
	for i, msg := range [][]byte{sealed, again} {
		pt, err := open(msg, info, aad)
		if err != nil {
			t.Fatalf("message %d: Go cannot open what the browser sealed: %v", i, err)
		}
		if string(pt) != plaintext {
			t.Errorf("message %d: opened %q, want %q", i, pt, plaintext)
		}
	}
	if _, err := open(sealed, info, newUUID()); err == nil {
		t.Error("opened with a different aad; the aad must bind the ciphertext")
	}
	if _, err := open(sealed, "sova response v2", aad); err == nil {
		t.Error("opened with a different info; the info must bind the ciphertext")
	}
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
