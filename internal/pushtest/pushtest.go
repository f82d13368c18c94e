// Package pushtest is a local Web Push service for tests and benchmarks.
//
// Sova delivers notifications through the browsers' push services (FCM,
// Mozilla autopush, Apple). None of them can be reached from the test
// machine, and a lenient fake would let through mistakes that the real ones
// turn down in production. So this service checks every request as strictly
// as the standards allow a real one to: the Web Push protocol headers
// (RFC 8030), VAPID authentication (RFC 8292) and message encryption
// (RFC 8291 over RFC 8188).
//
// It also plays the browser's part: Subscribe makes the key pair and auth
// secret that pushManager.subscribe would, and keeps the private half, so the
// service can decrypt what it is sent and a test can look at the exact
// plaintext with Received.
//
// A request that breaks a rule gets the status a real service would answer
// (400, 401, 403, 405 or 413), and the rule it broke is recorded in Errors.
// A test can then check both that the sender copes with the refusal and that
// nothing went wrong unnoticed. Script makes an endpoint answer with chosen
// status codes (429, 500, 410...) to exercise retries and expired
// subscriptions.
package pushtest

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxBody is the largest request body accepted. RFC 8030 §7.2 obliges a push
// service to take at least 4096 octets, and the common services take no more,
// so a sender that relies on more would fail in production.
const maxBody = 4096

// b64 is the encoding of every key, token and secret in Web Push: base64url
// without padding. Strict, because a browser or a correct sender never
// produces the sloppy forms the lenient decoder would let through.
var b64 = base64.RawURLEncoding.Strict()

// Service is a push service on a local TLS listener. All its methods are safe
// for concurrent use.
type Service struct {
	srv    *httptest.Server
	client *http.Client

	requests atomic.Int64  // every request, good or bad, since New or Reset
	accepted atomic.Uint64 // numbers the Location of accepted messages

	mu   sync.RWMutex
	subs map[string]*subscription // by id, the last segment of the endpoint

	errMu  sync.Mutex
	errors []string
}

// subscription is the service's record of one Subscribe: the browser's
// private key material, needed to decrypt, and what the endpoint has
// received.
type subscription struct {
	id     string
	key    *ecdh.PrivateKey // the browser's p256dh key pair
	auth   []byte           // the browser's 16-byte auth secret
	info   []byte           // "WebPush: info\x00" || ua_public, the fixed start of the key info (RFC 8291 §3.3)
	appKey []byte           // the applicationServerKey it is bound to, 65-byte uncompressed point
	appPub *ecdsa.PublicKey // the same key, parsed once for verifying JWT signatures

	mu       sync.Mutex
	script   []int // status codes still to answer, in order
	gone     int   // 404 or 410 once scripted: the answer to every later delivery
	received []Message
}

// Message is one delivery that passed every check and was answered 201.
type Message struct {
	Payload []byte // decrypted plaintext, padding removed
	TTL     int
	Urgency string
	Topic   string // "" if absent
	Sub     string // the JWT's sub claim
}

// Subscription is what the browser's PushSubscription.toJSON() gives: the
// endpoint and the keys, base64url without padding as browsers give them.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// New starts a push service. Close it when done.
func New() *Service {
	s := &Service{subs: make(map[string]*subscription)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Handshakes cut short when a test closes the service are expected;
	// the standard logger would print each one.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()

	roots := x509.NewCertPool()
	roots.AddCert(s.srv.Certificate())
	s.client = &http.Client{
		Timeout: time.Minute, // a stuck request should fail a test, not hang it
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{
				RootCAs: roots,
				// Resuming sessions spares a full handshake whenever the pool
				// has to open a new connection, which matters in benchmarks.
				ClientSessionCache: tls.NewLRUClientSessionCache(0),
			},
			TLSHandshakeTimeout: 10 * time.Second,
			// Senders fan out to thousands of endpoints on this one host;
			// the default of 2 idle connections would make nearly every
			// request pay for a new TLS connection.
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		},
	}
	return s
}

// Close shuts the service down, waiting for requests in progress, and closes
// the idle connections of Client so no goroutine outlives it.
func (s *Service) Close() {
	s.srv.Close()
	s.client.CloseIdleConnections()
}

// URL is the service's origin, "https://127.0.0.1:port".
func (s *Service) URL() string { return s.srv.URL }

// Certificate is the service's TLS certificate, for a client in another
// process to trust (Client does in this one).
func (s *Service) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Host is the service's "127.0.0.1:port".
func (s *Service) Host() string { return s.srv.Listener.Addr().String() }

// Client returns an HTTP client that trusts the service's certificate and
// keeps enough connections open for many concurrent deliveries. It is the
// same client on every call, so all its users share one connection pool.
func (s *Service) Client() *http.Client { return s.client }

// Subscribe makes a new subscription as a browser does with
// pushManager.subscribe({applicationServerKey}): a fresh P-256 key pair and
// 16-byte auth secret, bound to applicationServerKey (the VAPID public key,
// base64url, 65-byte uncompressed point) so that only requests signed with
// that key are accepted. The endpoint is URL()+"/push/"+a random id.
//
// Like the browser, it refuses a key that is not a P-256 point, here by
// panicking, since that is a mistake in the test.
func (s *Service) Subscribe(applicationServerKey string) Subscription {
	appKey, err := b64.DecodeString(strings.TrimRight(applicationServerKey, "="))
	if err != nil {
		panic(fmt.Sprintf("pushtest: Subscribe: applicationServerKey %q is not base64url: %v", applicationServerKey, err))
	}
	appPub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), appKey)
	if err != nil {
		panic(fmt.Sprintf("pushtest: Subscribe: applicationServerKey %q: %v", applicationServerKey, err))
	}
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic("pushtest: Subscribe: " + err.Error())
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	uaPublic := key.PublicKey().Bytes()

	sub := &subscription{
		id:     rand.Text(),
		key:    key,
		auth:   auth,
		info:   append([]byte("WebPush: info\x00"), uaPublic...),
		appKey: appKey,
		appPub: appPub,
	}
	s.mu.Lock()
	s.subs[sub.id] = sub
	s.mu.Unlock()

	var out Subscription
	out.Endpoint = s.endpoint(sub.id)
	out.Keys.P256dh = b64.EncodeToString(uaPublic)
	out.Keys.Auth = b64.EncodeToString(auth)
	return out
}

// Script sets the status codes the next deliveries to endpoint get, in order,
// replacing any codes not yet used. Only deliveries that pass every check use
// up a code; once all are used, deliveries get 201. A 429 comes with
// "Retry-After: 1". A 404 or 410 makes the endpoint gone for good: every later
// delivery gets the same code, as an expired subscription does.
//
// It panics if endpoint did not come from Subscribe or a code is not a
// status from 200 to 599, since either is a mistake in the test.
func (s *Service) Script(endpoint string, codes ...int) {
	for _, c := range codes {
		if c < 200 || c > 599 {
			panic(fmt.Sprintf("pushtest: Script: %d is not a status code a push service answers with", c))
		}
	}
	sub := s.lookupEndpoint(endpoint)
	if sub == nil {
		panic(fmt.Sprintf("pushtest: Script: %q is not an endpoint of this service", endpoint))
	}
	sub.mu.Lock()
	sub.script = slices.Clone(codes)
	sub.mu.Unlock()
}

// Received returns the messages delivered to endpoint, in the order they were
// accepted; nil for an endpoint this service did not make.
func (s *Service) Received(endpoint string) []Message {
	sub := s.lookupEndpoint(endpoint)
	if sub == nil {
		return nil
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return slices.Clone(sub.received)
}

// Requests returns how many requests the service has received, good or bad,
// to any path.
func (s *Service) Requests() int { return int(s.requests.Load()) }

// Errors returns every protocol violation seen, in order, each a sentence
// naming the endpoint's id and what was wrong. It is empty when all was well.
func (s *Service) Errors() []string {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return slices.Clone(s.errors)
}

// Reset forgets received messages, errors and the request count, so one
// Service can serve several phases of a test. Subscriptions, scripts and gone
// endpoints stay as they are.
func (s *Service) Reset() {
	s.requests.Store(0)
	s.errMu.Lock()
	s.errors = nil
	s.errMu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sub := range s.subs {
		sub.mu.Lock()
		sub.received = nil
		sub.mu.Unlock()
	}
}

func (s *Service) endpoint(id string) string { return s.srv.URL + "/push/" + id }

func (s *Service) lookup(id string) *subscription {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.subs[id]
}

func (s *Service) lookupEndpoint(endpoint string) *subscription {
	id, ok := strings.CutPrefix(endpoint, s.srv.URL+"/push/")
	if !ok {
		return nil
	}
	return s.lookup(id)
}

// serve answers one request to the service, as a real push service would.
func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)

	// An unknown or expired subscription is a normal event for a sender, not
	// a protocol violation: real services answer 404 or 410 and the sender
	// must drop the subscription.
	id, _ := strings.CutPrefix(r.URL.Path, "/push/")
	sub := s.lookup(id)
	if sub == nil {
		http.NotFound(w, r)
		return
	}
	if code := sub.goneCode(); code != 0 {
		w.WriteHeader(code)
		return
	}

	msg, v := s.check(r, sub)
	if v != nil {
		s.errMu.Lock()
		s.errors = append(s.errors, fmt.Sprintf("endpoint %s: %s", sub.id, v.msg))
		s.errMu.Unlock()
		if v.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		http.Error(w, v.msg, v.status)
		return
	}

	code := sub.deliver(msg)
	switch code {
	case http.StatusCreated:
		// RFC 8030 §5: the Location names the push message resource created.
		w.Header().Set("Location", s.srv.URL+"/m/"+strconv.FormatUint(s.accepted.Add(1), 10))
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(code)
}

// goneCode returns the status that a gone endpoint answers with, or 0.
func (sub *subscription) goneCode() int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.gone
}

// deliver takes the next scripted status for a request that passed every
// check, keeping msg if that status is 201. It decides under the lock, so
// concurrent deliveries to one endpoint use each scripted code exactly once.
func (sub *subscription) deliver(msg Message) int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.gone != 0 {
		return sub.gone
	}
	code := http.StatusCreated
	if len(sub.script) > 0 {
		code = sub.script[0]
		sub.script = sub.script[1:]
	}
	switch code {
	case http.StatusCreated:
		sub.received = append(sub.received, msg)
	case http.StatusNotFound, http.StatusGone:
		sub.gone = code
	}
	return code
}

// bodyPool recycles request buffers: the plaintext is copied out, so a buffer
// is free again as soon as its request is answered.
var bodyPool = sync.Pool{New: func() any { return new([maxBody + 1]byte) }}

// check applies every rule of the protocol to r and returns the message it
// carries, or the first rule it breaks.
func (s *Service) check(r *http.Request, sub *subscription) (Message, *violation) {
	if r.Method != http.MethodPost {
		return Message{}, fail(http.StatusMethodNotAllowed, "method is %s; push messages are sent with POST (RFC 8030 §5)", r.Method)
	}
	// Authentication comes first, as on a real service: an unauthorised
	// sender learns nothing about what else is wrong with its request.
	subject, v := s.checkVAPID(r.Header, sub)
	if v != nil {
		return Message{}, v
	}
	msg, v := checkHeaders(r.Header)
	if v != nil {
		return Message{}, v
	}
	msg.Sub = subject

	if r.ContentLength > maxBody {
		return Message{}, tooLarge
	}
	buf := bodyPool.Get().(*[maxBody + 1]byte)
	defer bodyPool.Put(buf)
	n, err := io.ReadFull(r.Body, buf[:])
	switch {
	case n > maxBody:
		return Message{}, tooLarge
	case err != nil && err != io.EOF && err != io.ErrUnexpectedEOF:
		return Message{}, fail(http.StatusBadRequest, "reading the body failed: %v", err)
	}
	msg.Payload, v = sub.decrypt(buf[:n])
	return msg, v
}

var tooLarge = fail(http.StatusRequestEntityTooLarge, "body is larger than %d bytes, the most a push service must accept (RFC 8030 §7.2)", maxBody)

// violation is a broken rule: the status to answer and what was wrong.
type violation struct {
	status int
	msg    string
}

func fail(status int, format string, args ...any) *violation {
	return &violation{status, fmt.Sprintf(format, args...)}
}
