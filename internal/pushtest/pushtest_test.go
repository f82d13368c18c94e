package pushtest

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"
)

// vapidKeys is one application server's key pair, as webpush-go makes it.
type vapidKeys struct{ priv, pub string }

func newVAPID(t testing.TB) vapidKeys {
	t.Helper()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return vapidKeys{priv, pub}
}

// options are what Sova sends with: every header set, as it always does.
func options(svc *Service, keys vapidKeys) *webpush.Options {
	return &webpush.Options{
		HTTPClient:      svc.Client(),
		Subscriber:      "https://sova.example",
		TTL:             60,
		Urgency:         webpush.UrgencyNormal,
		Topic:           "news",
		RecordSize:      2048,
		VAPIDPublicKey:  keys.pub,
		VAPIDPrivateKey: keys.priv,
	}
}

// post sends payload with webpush-go, as Sova does, and returns the
// response with its body read and closed, so the connection is reused.
func post(sub Subscription, payload []byte, opts *webpush.Options) (*http.Response, error) {
	resp, err := webpush.SendNotification(payload, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{Auth: sub.Keys.Auth, P256dh: sub.Keys.P256dh},
	}, opts)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	return resp, resp.Body.Close()
}

// send is post for the test's own goroutine.
func send(t testing.TB, sub Subscription, payload []byte, opts *webpush.Options) *http.Response {
	t.Helper()
	resp, err := post(sub, payload, opts)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// sendAll delivers payload(i) to each subscription from workers goroutines
// at once and returns the first failure.
func sendAll(subs []Subscription, workers int, payload func(i int) []byte, opts *webpush.Options) error {
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range workers {
		wg.Go(func() {
			for i := range next {
				resp, err := post(subs[i], payload(i), opts)
				if err == nil && resp.StatusCode != http.StatusCreated {
					err = fmt.Errorf("subscription %d: status %d", i, resp.StatusCode)
				}
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range subs {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// tamper lets a test change webpush-go's request before it goes out, to make
// exactly one thing wrong with an otherwise correct request.
type tamper struct {
	client *http.Client
	change func(*http.Request)
}

func (c tamper) Do(r *http.Request) (*http.Response, error) {
	c.change(r)
	return c.client.Do(r)
}

// vapidAuth builds an Authorization header by hand, for the claims webpush-go
// cannot be made to get wrong.
func vapidAuth(t testing.TB, keys vapidKeys, header, claims map[string]any) string {
	t.Helper()
	d, err := base64.RawURLEncoding.DecodeString(keys.priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	part := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	signed := part(header) + "." + part(claims)
	hash := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, key, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return "vapid t=" + signed + "." + base64.RawURLEncoding.EncodeToString(sig) + ", k=" + keys.pub
}

// editBody changes the request body in place.
func editBody(edit func([]byte)) func(*Service, *http.Request) {
	return func(_ *Service, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		edit(body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
}

func es256() map[string]any { return map[string]any{"typ": "JWT", "alg": "ES256"} }

func claims(aud string, exp time.Duration) map[string]any {
	return map[string]any{"aud": aud, "exp": time.Now().Add(exp).Unix(), "sub": "mailto:ops@sova.example"}
}

func setAuth(auth string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", auth) }
}

// show prints messages with readable payloads.
func show(msgs ...Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "{Payload:%q TTL:%d Urgency:%q Topic:%q Sub:%q}", m.Payload, m.TTL, m.Urgency, m.Topic, m.Sub)
	}
	return "[" + b.String() + "]"
}

func wantStatus(t testing.TB, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("status %d, want %d", resp.StatusCode, want)
	}
}

func wantNoErrors(t testing.TB, svc *Service) {
	t.Helper()
	if errs := svc.Errors(); len(errs) > 0 {
		t.Fatalf("unexpected protocol errors:\n%s", strings.Join(errs, "\n"))
	}
}

func TestDelivery(t *testing.T) {
	svc := New()
	defer svc.Close()
	keys := newVAPID(t)
	sub := svc.Subscribe(keys.pub)

	if !strings.HasPrefix(sub.Endpoint, svc.URL()+"/push/") || svc.URL() != "https://"+svc.Host() {
		t.Fatalf("endpoint %q, URL %q, host %q", sub.Endpoint, svc.URL(), svc.Host())
	}
	for _, key := range []string{sub.Keys.P256dh, sub.Keys.Auth} {
		if strings.ContainsAny(key, "=+/") {
			t.Fatalf("key %q is not base64url without padding", key)
		}
	}

	payload := []byte(`{"title":"Hello","body":"ünïcode"}`)
	resp := send(t, sub, payload, options(svc, keys))
	wantStatus(t, resp, http.StatusCreated)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, svc.URL()+"/") {
		t.Errorf("Location %q", loc)
	}

	// TTL 0 is valid ("deliver now or never"); a plaintext ending in zero
	// bytes keeps them, since only what follows the delimiter is padding; a
	// plain e-mail subscriber gets mailto: from webpush-go; the largest
	// payload that fits the 4096-byte body is accepted.
	opts := options(svc, keys)
	opts.TTL, opts.Topic, opts.Urgency, opts.Subscriber = 0, "", webpush.UrgencyHigh, "ops@sova.example"
	zeros := []byte("ends in zeros\x00\x00")
	wantStatus(t, send(t, sub, zeros, opts), http.StatusCreated)
	largest := bytes.Repeat([]byte("x"), 4096-headerLen-tagLen-1)
	opts.RecordSize = 0 // webpush-go's default, 4096
	wantStatus(t, send(t, sub, largest, opts), http.StatusCreated)

	got := svc.Received(sub.Endpoint)
	want := []Message{
		{Payload: payload, TTL: 60, Urgency: "normal", Topic: "news", Sub: "https://sova.example"},
		{Payload: zeros, TTL: 0, Urgency: "high", Sub: "mailto:ops@sova.example"},
		{Payload: largest, TTL: 0, Urgency: "high", Sub: "mailto:ops@sova.example"},
	}
	if len(got) != len(want) {
		t.Fatalf("received %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Payload, w.Payload) || g.TTL != w.TTL || g.Urgency != w.Urgency || g.Topic != w.Topic || g.Sub != w.Sub {
			t.Errorf("message %d:\n got %s\nwant %s", i, show(g), show(w))
		}
	}
	wantNoErrors(t, svc)
	if n := svc.Requests(); n != 3 {
		t.Errorf("Requests() = %d, want 3", n)
	}
}

func TestScript(t *testing.T) {
	svc := New()
	defer svc.Close()
	keys := newVAPID(t)
	opts := options(svc, keys)
	msg := []byte("hi")

	t.Run("429 then 201", func(t *testing.T) {
		sub := svc.Subscribe(keys.pub)
		svc.Script(sub.Endpoint, 429)
		resp := send(t, sub, msg, opts)
		wantStatus(t, resp, http.StatusTooManyRequests)
		if ra := resp.Header.Get("Retry-After"); ra != "1" {
			t.Errorf("Retry-After %q, want 1", ra)
		}
		if n := len(svc.Received(sub.Endpoint)); n != 0 {
			t.Fatalf("a refused delivery was kept (%d messages)", n)
		}
		wantStatus(t, send(t, sub, msg, opts), http.StatusCreated)
		if n := len(svc.Received(sub.Endpoint)); n != 1 {
			t.Fatalf("received %d messages, want 1", n)
		}
	})
	for _, code := range []int{410, 404} {
		t.Run(fmt.Sprintf("%d for good", code), func(t *testing.T) {
			sub := svc.Subscribe(keys.pub)
			svc.Script(sub.Endpoint, code)
			for range 3 {
				wantStatus(t, send(t, sub, msg, opts), code)
			}
			svc.Script(sub.Endpoint, 201) // gone is gone
			wantStatus(t, send(t, sub, msg, opts), code)
			if n := len(svc.Received(sub.Endpoint)); n != 0 {
				t.Fatalf("a gone endpoint received %d messages", n)
			}
		})
	}
	t.Run("unknown endpoint", func(t *testing.T) {
		sub := svc.Subscribe(keys.pub)
		sub.Endpoint = svc.URL() + "/push/unknown"
		before := svc.Requests()
		wantStatus(t, send(t, sub, msg, opts), http.StatusNotFound)
		if svc.Requests() != before+1 {
			t.Error("the request to an unknown endpoint was not counted")
		}
	})
	t.Run("bad requests keep the script", func(t *testing.T) {
		sub := svc.Subscribe(keys.pub)
		svc.Script(sub.Endpoint, 500, 201)
		bad := *opts
		bad.Urgency = ""
		wantStatus(t, send(t, sub, msg, &bad), http.StatusBadRequest)
		wantStatus(t, send(t, sub, msg, opts), http.StatusInternalServerError)
		wantStatus(t, send(t, sub, msg, opts), http.StatusCreated)
		svc.Reset() // forget the violation made on purpose
	})
	wantNoErrors(t, svc)
}

func TestReset(t *testing.T) {
	svc := New()
	defer svc.Close()
	keys := newVAPID(t)
	opts := options(svc, keys)
	sub := svc.Subscribe(keys.pub)
	svc.Script(sub.Endpoint, 201, 500)
	wantStatus(t, send(t, sub, []byte("one"), opts), http.StatusCreated)
	bad := *opts
	bad.Topic = "no spaces allowed"
	wantStatus(t, send(t, sub, []byte("two"), &bad), http.StatusBadRequest)

	svc.Reset()
	if len(svc.Received(sub.Endpoint)) != 0 || len(svc.Errors()) != 0 || svc.Requests() != 0 {
		t.Fatalf("after Reset: %d received, errors %q, %d requests",
			len(svc.Received(sub.Endpoint)), svc.Errors(), svc.Requests())
	}
	wantStatus(t, send(t, sub, []byte("three"), opts), http.StatusInternalServerError) // the script is kept
	wantStatus(t, send(t, sub, []byte("four"), opts), http.StatusCreated)
	if got := svc.Received(sub.Endpoint); len(got) != 1 || string(got[0].Payload) != "four" {
		t.Fatalf("received %s", show(got...))
	}
}

// TestViolations checks that each rule is enforced: every case is a correct
// webpush-go request with exactly one thing made wrong.
func TestViolations(t *testing.T) {
	keys, other := newVAPID(t), newVAPID(t)
	hour := time.Hour

	cases := []struct {
		name    string
		opts    func(svc *Service, o *webpush.Options)
		change  func(svc *Service, r *http.Request)
		payload int // bytes of payload; 0 means a short message
		status  int
		errPart string
	}{
		{name: "another VAPID key pair", status: 403, errPart: "applicationServerKey",
			opts: func(_ *Service, o *webpush.Options) { o.VAPIDPublicKey, o.VAPIDPrivateKey = other.pub, other.priv }},
		{name: "no TTL", status: 400, errPart: "TTL header is missing",
			change: func(_ *Service, r *http.Request) { r.Header.Del("TTL") }},
		{name: "negative TTL", status: 400, errPart: `TTL "-1"`,
			opts: func(_ *Service, o *webpush.Options) { o.TTL = -1 }},
		{name: "no Urgency", status: 400, errPart: "Urgency header is missing",
			opts: func(_ *Service, o *webpush.Options) { o.Urgency = "" }},
		{name: "unknown Urgency", status: 400, errPart: `Urgency "urgent"`,
			change: func(_ *Service, r *http.Request) { r.Header.Set("Urgency", "urgent") }},
		{name: "Topic of 40 characters", status: 400, errPart: "Topic",
			opts: func(_ *Service, o *webpush.Options) { o.Topic = strings.Repeat("a", 40) }},
		{name: "Topic outside base64url", status: 400, errPart: "Topic",
			opts: func(_ *Service, o *webpush.Options) { o.Topic = "news!" }},
		{name: "two TTL headers", status: 400, errPart: "given 2 times",
			change: func(_ *Service, r *http.Request) { r.Header.Add("TTL", "30") }},
		{name: "old aesgcm coding", status: 400, errPart: "Content-Encoding",
			change: func(_ *Service, r *http.Request) { r.Header.Set("Content-Encoding", "aesgcm") }},
		{name: "body over 4096 bytes", status: 413, errPart: "larger than 4096", payload: 5000,
			opts: func(_ *Service, o *webpush.Options) { o.RecordSize = 8192 }},
		{name: "tampered body", status: 400, errPart: "does not decrypt",
			change: editBody(func(body []byte) { body[len(body)-20] ^= 1 })},
		// The aes128gcm header is not authenticated, so it can be changed
		// without breaking decryption.
		{name: "two records", status: 400, errPart: "single record",
			change: editBody(func(body []byte) { binary.BigEndian.PutUint32(body[16:], 100) })},
		{name: "keyid not 65 bytes", status: 400, errPart: "keyid is 64 bytes",
			change: editBody(func(body []byte) { body[20] = 64 })},
		{name: "GET", status: 405, errPart: "POST",
			change: func(_ *Service, r *http.Request) { r.Method = http.MethodGet }},
		{name: "no Authorization", status: 401, errPart: "Authorization header is missing",
			change: func(_ *Service, r *http.Request) { r.Header.Del("Authorization") }},
		{name: "exp 25 hours ahead", status: 401, errPart: "exp",
			change: func(svc *Service, r *http.Request) {
				setAuth(vapidAuth(t, keys, es256(), claims(svc.URL(), 25*hour)))(r)
			}},
		{name: "expired", status: 401, errPart: "expired",
			change: func(svc *Service, r *http.Request) { setAuth(vapidAuth(t, keys, es256(), claims(svc.URL(), -hour)))(r) }},
		{name: "aud of another origin", status: 401, errPart: "aud",
			change: func(_ *Service, r *http.Request) {
				setAuth(vapidAuth(t, keys, es256(), claims("https://fcm.googleapis.com", hour)))(r)
			}},
		{name: "sub neither mailto nor https", status: 401, errPart: "sub",
			change: func(svc *Service, r *http.Request) {
				c := claims(svc.URL(), hour)
				c["sub"] = "ops@sova.example"
				setAuth(vapidAuth(t, keys, es256(), c))(r)
			}},
		{name: "alg HS256", status: 401, errPart: "ES256",
			change: func(svc *Service, r *http.Request) {
				setAuth(vapidAuth(t, keys, map[string]any{"alg": "HS256"}, claims(svc.URL(), hour)))(r)
			}},
		{name: "signed by another key", status: 401, errPart: "signature",
			change: func(svc *Service, r *http.Request) {
				auth := vapidAuth(t, other, es256(), claims(svc.URL(), hour))
				setAuth(strings.Replace(auth, "k="+other.pub, "k="+keys.pub, 1))(r)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc := New()
			defer svc.Close()
			sub := svc.Subscribe(keys.pub)
			opts := options(svc, keys)
			if c.opts != nil {
				c.opts(svc, opts)
			}
			if c.change != nil {
				opts.HTTPClient = tamper{svc.Client(), func(r *http.Request) { c.change(svc, r) }}
			}
			payload := []byte("a short message")
			if c.payload > 0 {
				payload = bytes.Repeat([]byte("x"), c.payload)
			}

			wantStatus(t, send(t, sub, payload, opts), c.status)
			errs := svc.Errors()
			id := strings.TrimPrefix(sub.Endpoint, svc.URL()+"/push/")
			if len(errs) != 1 || !strings.Contains(errs[0], id) || !strings.Contains(errs[0], c.errPart) {
				t.Fatalf("errors %q, want one naming %s and saying %q", errs, id, c.errPart)
			}
			t.Log(errs[0])
			if n := len(svc.Received(sub.Endpoint)); n != 0 {
				t.Fatalf("a refused delivery was kept (%d messages)", n)
			}
		})
	}
}

// TestHandMadeVAPID checks that the hand-made Authorization header of
// TestViolations is right when its claims are, so the cases that use it fail
// for the claim they change and nothing else.
func TestHandMadeVAPID(t *testing.T) {
	svc := New()
	defer svc.Close()
	keys := newVAPID(t)
	sub := svc.Subscribe(keys.pub)
	opts := options(svc, keys)
	opts.HTTPClient = tamper{svc.Client(), setAuth(vapidAuth(t, keys, es256(), claims(svc.URL(), 23*time.Hour)))}
	wantStatus(t, send(t, sub, []byte("hand-made"), opts), http.StatusCreated)
	if got := svc.Received(sub.Endpoint); len(got) != 1 || got[0].Sub != "mailto:ops@sova.example" {
		t.Fatalf("received %s", show(got...))
	}
	wantNoErrors(t, svc)
}

// TestConcurrent sends one message to each of many subscriptions at once, as
// Sova does when it notifies everyone.
func TestConcurrent(t *testing.T) {
	const subs, workers = 500, 32
	svc := New()
	defer svc.Close()
	keys := newVAPID(t)
	opts := options(svc, keys)
	all := make([]Subscription, subs)
	for i := range all {
		all[i] = svc.Subscribe(keys.pub)
	}

	message := func(i int) []byte { return fmt.Appendf(nil, "message %d", i) }
	if err := sendAll(all, workers, message, opts); err != nil {
		t.Error(err)
	}
	wantNoErrors(t, svc)
	for i, sub := range all {
		got := svc.Received(sub.Endpoint)
		if len(got) != 1 || !bytes.Equal(got[0].Payload, message(i)) {
			t.Fatalf("subscription %d received %s", i, show(got...))
		}
	}
	if n := svc.Requests(); n != subs {
		t.Errorf("Requests() = %d, want %d", n, subs)
	}
}

// BenchmarkDeliver measures deliveries end to end, 1000 at a time to as many
// subscriptions from 32 goroutines: webpush-go's encryption and signing, TLS,
// and the service's checks and decryption.
func BenchmarkDeliver(b *testing.B) {
	svc := New()
	defer svc.Close()
	keys := newVAPID(b)
	opts := options(svc, keys)
	subs := make([]Subscription, 1000)
	for i := range subs {
		subs[i] = svc.Subscribe(keys.pub)
	}
	payload := func(int) []byte { return []byte(`{"title":"benchmark"}`) }
	for b.Loop() {
		if err := sendAll(subs, 32, payload, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(subs)), "µs/delivery")
	if errs := svc.Errors(); len(errs) > 0 {
		b.Fatal(errs)
	}
}
