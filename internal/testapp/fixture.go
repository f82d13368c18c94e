package testapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"sova/internal/pushtest"
	"sova/server/app"
	"sova/server/domain"
	"sova/server/seal"
)

// Password is every fixture account's password.
const Password = "correct horse battery staple"

// Epoch is the fixture's time, and where every copy's clock starts: a
// Monday at 09:00 UTC, outside the default quiet hours.
var Epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is a closed data dir with everything a test would otherwise make
// first: keys, built-in content, an account and a session per role. Opening
// Sova on a copy of it is all a test pays.
type fixture struct {
	dir     string
	err     error
	phone   Phone
	session map[domain.Role]session
	id      map[domain.Role]string // staff ids
}

type session struct{ token, csrf string }

var (
	built     fixture
	buildOnce sync.Once

	shared     *Env // see Shared
	sharedErr  error
	sharedOnce sync.Once
)

// theFixture builds the fixture the first time a test of the process asks
// for it, and fails tb if it could not be built.
func theFixture(tb testing.TB) *fixture {
	tb.Helper()
	buildOnce.Do(func() { built.err = built.build() })
	if built.err != nil {
		tb.Fatalf("testapp: the fixture: %v", built.err)
	}
	return &built
}

func (f *fixture) build() error {
	dir, err := os.MkdirTemp("", "sova-fixture-")
	if err != nil {
		return err
	}
	f.dir = dir
	clk := NewClock(Epoch)
	a, err := app.Open(app.Config{DataDir: dir, Log: slog.New(slog.DiscardHandler), Now: clk.Now})
	if err != nil {
		return err
	}
	err = f.fill(a)
	return errors.Join(err, a.Close())
}

// fill makes the first admin with the setup link, invites an account for
// each other role (its login is the role's name: "moderator", …), keeps
// each account's session, and notes the response key.
func (f *fixture) fill(a *app.App) error {
	h := a.Handler()
	f.session, f.id = map[domain.Role]session{}, map[domain.Role]string{}
	for _, r := range domain.Roles {
		link := a.SetupLink()
		if r != domain.RoleAdmin {
			var err error
			if link, err = invite(h, f.session[domain.RoleAdmin], r); err != nil {
				return err
			}
		}
		ck, err := signUp(h, link, string(r), Password)
		if err != nil {
			return err
		}
		c := &Console{H: h, Token: ck.Value}
		csrf, err := c.fetchCSRF()
		if err != nil {
			return err
		}
		f.session[r] = session{token: ck.Value, csrf: csrf}
		st, err := a.Store().StaffByLogin(string(r))
		if err != nil || st == nil {
			return fmt.Errorf("staff %s: %v", r, err)
		}
		f.id[r] = st.ID
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/keys/response", nil))
	p, err := phoneFrom(rec)
	if err != nil {
		return err
	}
	f.phone = *p
	return nil
}

// copyTo copies the fixture's files to dir: the closed Badger directory and
// the key file beside it.
func (f *fixture) copyTo(dir string) error {
	return filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(f.dir, path)
		to := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, to, info.Mode().Perm())
	})
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// Main runs a package's tests and then removes the fixture, if one was
// built. A package whose tests use OpenFixture or Scenario calls it from
// TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.App.Close()
		shared.Push.Close()
		os.RemoveAll(shared.Dir)
	}
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

// Shared is one open copy of the fixture for the whole test process, for
// tests and scenarios that change nothing: reads, and requests that are
// refused. It spares them each opening a copy; what they expect of the
// audit log, notices and the store still holds, as nothing else changes
// it. Never move its clock. Main closes it.
func Shared(tb testing.TB) *Env {
	tb.Helper()
	f := theFixture(tb)
	sharedOnce.Do(func() {
		e := newEnv(f)
		dir, err := os.MkdirTemp("", "sova-shared-")
		if err == nil {
			e.Dir = dir
			err = f.copyTo(dir)
		}
		if err == nil {
			e.App, err = app.Open(e.config())
		}
		if err != nil {
			e.Push.Close()
			os.RemoveAll(dir)
			sharedErr = err
			return
		}
		e.H = e.App.Handler()
		shared = e
	})
	if sharedErr != nil {
		tb.Fatalf("testapp: the shared copy: %v", sharedErr)
	}
	return shared
}

// FixturePhone is a member's phone holding the fixture's response key,
// which every copy shares: what it seals, any copy opens.
func FixturePhone(tb testing.TB) *Phone {
	tb.Helper()
	p := theFixture(tb).phone
	return &p
}

// Env is one open copy of the fixture: Sova on its own data dir, with its
// clock, its push service, a member's phone and the staff accounts.
type Env struct {
	App   *app.App
	H     http.Handler
	Dir   string
	Clock *Clock            // starts at Epoch
	Push  *pushtest.Service // the only push service this Sova sends to
	Phone *Phone            // a member's phone holding this server's key

	opts  []func(*app.Config)
	mu    sync.Mutex // guards staff and subs, for the Shared copy
	staff map[domain.Role]*Console
	subs  map[string]pushtest.Subscription // by the name Subscribe gave
}

func newEnv(f *fixture) *Env {
	p := f.phone
	e := &Env{Clock: NewClock(Epoch), Push: pushtest.New(), Phone: &p,
		staff: map[domain.Role]*Console{}, subs: map[string]pushtest.Subscription{}}
	e.opts = []func(*app.Config){WithPush(e.Push)}
	return e
}

// config is the app's configuration on the copy.
func (e *Env) config() app.Config {
	cfg := app.Config{DataDir: e.Dir, Log: slog.New(slog.DiscardHandler), Now: e.Clock.Now}
	for _, o := range e.opts {
		o(&cfg)
	}
	return cfg
}

// OpenFixture opens Sova on a fresh copy of the fixture (built once per test
// process). opts change the app's Config. Everything is closed when the
// test ends.
func OpenFixture(tb testing.TB, opts ...func(*app.Config)) *Env {
	tb.Helper()
	f := theFixture(tb)
	e := newEnv(f)
	tb.Cleanup(e.Push.Close)
	e.Dir = tb.TempDir()
	if err := f.copyTo(e.Dir); err != nil {
		tb.Fatalf("testapp: copy the fixture: %v", err)
	}
	e.opts = append(e.opts, opts...)
	e.open(tb)
	return e
}

func (e *Env) open(tb testing.TB) {
	tb.Helper()
	a, err := app.Open(e.config())
	if err != nil {
		tb.Fatalf("testapp: open %s: %v", e.Dir, err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	e.App, e.H = a, a.Handler()
	for _, c := range e.staff {
		c.H = e.H
	}
}

// Restart closes Sova and starts it again on the same data dir and clock,
// as an operator's restart would; the staff's browsers keep their cookies.
func (e *Env) Restart(tb testing.TB) {
	tb.Helper()
	if err := e.App.Close(); err != nil {
		tb.Fatalf("testapp: close: %v", err)
	}
	e.open(tb)
}

// As is the browser of the fixture's account with role r (and no other),
// signed in at Epoch: the same browser on every call, so a logout or a new
// login sticks. Each role comes from its own address, so login limits never
// mix them. Its login is the role's name.
func (e *Env) As(r domain.Role) *Console {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.staff[r]; c != nil {
		return c
	}
	s, ok := built.session[r]
	if !ok {
		panic(fmt.Sprintf("testapp: the fixture has no %q account", r))
	}
	peer := fmt.Sprintf("192.0.2.%d:4000", 10+slices.Index(domain.Roles, r))
	c := &Console{H: e.H, Token: s.token, RemoteAddr: peer, csrf: s.csrf, csrfOf: s.token}
	e.staff[r] = c
	return c
}

// StaffID is the id of the fixture's account with role r, the same in every
// copy.
func StaffID(tb testing.TB, r domain.Role) string {
	tb.Helper()
	return theFixture(tb).id[r]
}

// Member is a member's browser: no cookie, ever.
func (e *Env) Member() *Console { return NewConsole(e.H) }

// Staff is the stored account with login, or the test fails.
func (e *Env) Staff(tb testing.TB, login string) *domain.Staff {
	tb.Helper()
	st, err := e.App.Store().StaffByLogin(login)
	if err != nil || st == nil {
		tb.Fatalf("testapp: staff %q: %v, %v", login, st, err)
	}
	return st
}

// AddStaff invites login with roles, as the admin, and returns their
// browser, signed in.
func (e *Env) AddStaff(tb testing.TB, login string, roles ...domain.Role) *Console {
	tb.Helper()
	admin := e.As(domain.RoleAdmin)
	link := Invite(tb, e.H, &http.Cookie{Value: admin.Token}, admin.CSRF(tb), roles...)
	return &Console{H: e.H, Token: SignUp(tb, e.H, link, login, Password).Value}
}

// AuditLog is the whole audit log, newest first.
func (e *Env) AuditLog(tb testing.TB) []domain.AuditEntry {
	tb.Helper()
	entries, err := e.App.Store().AuditLog(1 << 20)
	if err != nil {
		tb.Fatal(err)
	}
	return entries
}

// Request serves a request with a body from a member's phone (JSON unless
// header says otherwise; header is pairs of name and value).
func (e *Env) Request(method, path string, body []byte, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytesReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.H.ServeHTTP(rec, req)
	return rec
}

// Sync posts items as the member's phone does, and fails the test unless
// the server answered 200 with an outcome.
func (e *Env) Sync(tb testing.TB, items ...domain.Sealed) domain.Outcome {
	tb.Helper()
	rec := e.Request(http.MethodPost, SyncURL, Body(items...))
	var out domain.Outcome
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != http.StatusOK || err != nil {
		tb.Fatalf("testapp: sync: %d %.500s", rec.Code, rec.Body)
	}
	return out
}

// AddArea is a Before that has the admin add an area, code, named in each
// language given as pairs of language and name ("en", "North", …).
func AddArea(code string, names ...string) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		t.Helper()
		admin := e.As(domain.RoleAdmin)
		form := url.Values{"csrf": {admin.CSRF(t)}, "code": {code}}
		for i := 0; i+1 < len(names); i += 2 {
			form.Set("name_"+names[i], names[i+1])
		}
		if rec := admin.Post(t, "/staff/areas", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("add area %s: %d %.300s", code, rec.Code, rec.Body)
		}
	}
}

// Subscribe has a new phone on the push service subscribe to notices, as
// the notifications page does, and names it for ExpectedNotices and
// Endpoint.
func (e *Env) Subscribe(tb testing.TB, name, lang string, topics domain.PushTopics) {
	tb.Helper()
	var key struct{ Key string }
	if rec := e.Request(http.MethodGet, "/api/v1/push/key", nil); json.Unmarshal(rec.Body.Bytes(), &key) != nil {
		tb.Fatalf("testapp: push key: %d %s", rec.Code, rec.Body)
	}
	s := e.Push.Subscribe(key.Key)
	id := SubscriptionID(s)
	body, _ := json.Marshal(map[string]any{"endpoint": s.Endpoint, "keys": s.Keys, "lang": lang, "topics": topics, "expirationTime": nil})
	if rec := e.Request(http.MethodPut, "/api/v1/push/subscriptions/"+id, body); rec.Code != http.StatusCreated {
		tb.Fatalf("testapp: subscribe %s: %d %s", name, rec.Code, rec.Body)
	}
	e.mu.Lock()
	e.subs[name] = s
	e.mu.Unlock()
}

// Endpoint is where the phone Subscribe named name receives its
// notifications (pushtest.Service.Received).
func (e *Env) Endpoint(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.subs[name].Endpoint
}

// SubscriptionID is the id a phone names its subscription by.
func SubscriptionID(s pushtest.Subscription) string {
	return (&domain.PushSubscription{Endpoint: s.Endpoint, Keys: domain.PushKeys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}}).ID()
}

// Flush delivers the pending notices now, and fails the test if the push
// service saw the protocol broken.
func (e *Env) Flush(tb testing.TB) {
	tb.Helper()
	if _, err := e.App.Push().Flush(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	if errs := e.Push.Errors(); len(errs) > 0 {
		tb.Fatalf("testapp: the push service saw protocol violations: %v", errs)
	}
}

// pending is what each subscriber has waiting, by name (or id): kind and
// date.
func (e *Env) pending(tb testing.TB) map[string]string {
	tb.Helper()
	subs, err := e.App.Store().Subscribers()
	if err != nil {
		tb.Fatal(err)
	}
	names := map[string]string{}
	e.mu.Lock()
	for name, s := range e.subs {
		names[SubscriptionID(s)] = name
	}
	e.mu.Unlock()
	out := map[string]string{}
	for _, s := range subs {
		name := names[s.ID()]
		if name == "" {
			name = s.ID()
		}
		if s.Pending != "" {
			out[name] = s.Pending + " " + s.Since
		}
	}
	return out
}

// phoneFrom reads the response key document a phone fetches.
func phoneFrom(rec *httptest.ResponseRecorder) (*Phone, error) {
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/keys/response: %d %s", rec.Code, rec.Body)
	}
	var doc seal.PublicDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("key document: %w", err)
	}
	pub, err := decodeKey(doc.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Phone{Kid: doc.Kid, PublicKey: pub}, nil
}
