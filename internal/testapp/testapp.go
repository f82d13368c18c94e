// Package testapp starts a whole Sova for tests, on real Badger in a
// temporary directory, and plays the people who use it: a member's phone,
// which fetches the server's response key and seals answers to it the way
// the PWA does (HPKE, the response id as AAD), and staff members' browsers
// on the console (Console), which keep the session cookie and send the form
// token. Tests use it instead of mocks, so what they prove holds for the
// real store, the real crypto and the real router.
//
// Most tests start from the fixture: a data dir made once per test process
// (keys, the built-in content, and an account per staff role, signed in),
// closed, and copied file by file for each test that asks (OpenFixture), so
// that no test pays for the setup or sees another's data. Tests that change
// nothing may share one open copy (Shared). A package using either calls
// Main from its TestMain, which removes them.
//
// A Scenario is one request and what must come of it (status, content, the
// audit entries it adds, the push notices it queues), in the shape of
// pocketbase's tests.ApiScenario:
//
//	testapp.Scenario{
//		Name:           "an admin adds a site",
//		Role:           domain.RoleAdmin, // signed in, with the form token
//		URL:            "/staff/sites",
//		Form:           url.Values{"code": {"north-1"}},
//		ExpectedStatus: http.StatusSeeOther,
//		ExpectedAudit:  []testapp.Audit{{Action: "site added", Target: "north-1"}},
//	}.Test(t)
//
// Open and OpenDir start Sova on an empty or given dir, for what only a
// fresh server has (the first admin's setup link) or a restart.
package testapp

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"sova/server/app"
	"sova/server/domain"
	"sova/server/seal"
)

// Open starts Sova on a fresh data dir with a silent logger. The app is
// closed when the test ends.
func Open(tb testing.TB) *app.App {
	tb.Helper()
	return OpenDir(tb, tb.TempDir())
}

// OpenDir starts Sova on dir, which may hold the data of an earlier run (to
// prove that something survives a restart). The app is closed when the test
// ends; closing it earlier is fine.
func OpenDir(tb testing.TB, dir string) *app.App {
	tb.Helper()
	a, err := app.Open(app.Config{DataDir: dir, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("testapp: open %s: %v", dir, err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	return a
}

// NewID returns a fresh response id in the canonical lower-case UUIDv4 form
// that crypto.randomUUID() makes in the browser.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Phone seals answers to one server's response key.
type Phone struct {
	Kid       string
	PublicKey []byte // uncompressed P-256 point
}

// NewPhone fetches GET /api/v1/keys/response from h, as the PWA does before
// it seals anything.
func NewPhone(tb testing.TB, h http.Handler) *Phone {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/keys/response", nil))
	p, err := phoneFrom(rec)
	if err != nil {
		tb.Fatalf("testapp: %v", err)
	}
	return p
}

func decodeKey(s string) ([]byte, error) {
	pub, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("publicKey is not unpadded base64url: %w", err)
	}
	return pub, nil
}

// bytesReader reads b; nil is no body at all.
func bytesReader(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

// SealRaw seals any plaintext under id (the AAD) and returns it as the API
// carries it: unpadded base64url of enc||ciphertext.
func (p *Phone) SealRaw(tb testing.TB, id string, plaintext []byte) string {
	tb.Helper()
	ct, err := seal.Seal(p.PublicKey, []byte(id), plaintext)
	if err != nil {
		tb.Fatalf("testapp: seal: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(ct)
}

// Item seals {"lang":lang,"answers":answers} into one queued response.
func (p *Phone) Item(tb testing.TB, id, survey string, version int, lang string, answers map[string]any) domain.Sealed {
	tb.Helper()
	plain, err := json.Marshal(map[string]any{"lang": lang, "answers": answers})
	if err != nil {
		tb.Fatalf("testapp: plaintext: %v", err)
	}
	return domain.Sealed{ID: id, Survey: survey, Version: version, Kid: p.Kid, Sealed: p.SealRaw(tb, id, plain)}
}

// Needs seals English answers to version 1 of the built-in needs survey.
func (p *Phone) Needs(tb testing.TB, id string, answers map[string]any) domain.Sealed {
	tb.Helper()
	return p.Item(tb, id, "needs", 1, "en", answers)
}

// NeedsAnswers returns a fresh, valid set of answers to the needs survey
// (version 1): every required question answered, "police" and "contact" no,
// so the questions they show stay hidden and absent. Change the map freely.
func NeedsAnswers() map[string]any {
	return map[string]any{
		"find_clients":    []string{"street", "apps"},
		"phone":           "smartphone",
		"harassed_online": false,
		"outing_threat":   false,
		"payment":         []string{"cash"},
		"police":          false,
		"services":        []string{"hiv_test", "condoms"},
		"contact":         false,
	}
}

// With returns a copy of NeedsAnswers changed by kv pairs (question, value);
// a value of Absent deletes the question.
func With(kv ...any) map[string]any {
	a := NeedsAnswers()
	for i := 0; i+1 < len(kv); i += 2 {
		q := kv[i].(string)
		if kv[i+1] == Absent {
			delete(a, q)
			continue
		}
		a[q] = kv[i+1]
	}
	return a
}

// Absent, given to With, leaves a question out of the answers.
var Absent = &struct{ absent bool }{true}

// SyncURL is where a phone posts its sealed responses (the sync API).
const SyncURL = "/api/v1/responses"

// Body is the JSON body of POST /api/v1/responses carrying items.
func Body(items ...domain.Sealed) []byte {
	if items == nil {
		items = []domain.Sealed{}
	}
	b, _ := json.Marshal(map[string]any{"responses": items})
	return b
}

// Gzip compresses b, as a phone does with Content-Encoding: gzip.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// Log is what a server wrote to its log, as a test reads it: the server may
// write from more than one goroutine at once.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
