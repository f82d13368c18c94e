package testapp

import (
	"archive/zip"
	"bytes"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sova/internal/pushtest"
	"sova/server/app"
	"sova/server/domain"
)

// StaffCookie is the console's session cookie, the only cookie Sova sets.
const StaffCookie = "__Host-sova-staff"

// Clock is a clock for tests that moves only when told. Give its Now to
// app.Config (OpenClock does) to expire sessions, invites and login limits
// without waiting.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// OpenClock starts Sova on dir (fresh or from an earlier run) with clk as its
// clock. The app is closed when the test ends; closing it earlier is fine.
func OpenClock(tb testing.TB, dir string, clk *Clock, opts ...func(*app.Config)) *app.App {
	tb.Helper()
	cfg := app.Config{DataDir: dir, Log: slog.New(slog.DiscardHandler), Now: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		tb.Fatalf("testapp: open %s: %v", dir, err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	return a
}

// WithPush makes Sova take subscriptions on the local push service svc and
// send to it (and only to it).
func WithPush(svc *pushtest.Service) func(*app.Config) {
	return func(c *app.Config) {
		c.PushHosts, c.PushClient = []string{svc.Host()}, svc.Client()
	}
}

// Console is a staff member's browser, cut down to what the console needs:
// it keeps the session cookie by hand (Go's cookiejar never sends a Secure
// cookie over plain http, and tests serve without TLS), and talks to the
// handler directly.
type Console struct {
	H http.Handler
	// Token is the session cookie's value; "" when signed out. Copy it to
	// replay an old cookie after logout.
	Token string
	// RemoteAddr is the direct peer ("host:port"); "" keeps httptest's
	// 192.0.2.1:1234.
	RemoteAddr string

	// csrf is the form token of the session csrfOf, once known.
	csrf, csrfOf string
}

// NewConsole returns a signed-out browser on h.
func NewConsole(h http.Handler) *Console { return &Console{H: h} }

// Do sends a request with the session cookie (if any) and, for a form,
// form; header is pairs of name and value. It keeps whatever session cookie
// the answer sets or clears.
func (c *Console) Do(tb testing.TB, method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	var req *http.Request
	if form != nil {
		req = formRequest(path, form)
		req.Method = method
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	return c.send(req, header)
}

// formRequest is a urlencoded form posted to path.
func formRequest(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// send serves req with the session cookie, peer address and header (pairs
// of name and value), and keeps whatever session cookie the answer sets or
// clears.
func (c *Console) send(req *http.Request, header []string) *httptest.ResponseRecorder {
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.RemoteAddr != "" {
		req.RemoteAddr = c.RemoteAddr
	}
	if c.Token != "" {
		req.AddCookie(&http.Cookie{Name: StaffCookie, Value: c.Token})
	}
	rec := serve(c.H, req)
	if ck := SessionCookie(rec); ck != nil {
		if ck.Value == "" || ck.MaxAge < 0 {
			c.Token = ""
		} else {
			c.Token = ck.Value
		}
	}
	return rec
}

// Get fetches path.
func (c *Console) Get(tb testing.TB, path string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return c.Do(tb, http.MethodGet, path, nil, header...)
}

// Post posts form to path (an empty form if form is nil).
func (c *Console) Post(tb testing.TB, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.Do(tb, http.MethodPost, path, form, header...)
}

// Login posts the login form.
func (c *Console) Login(tb testing.TB, login, password string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return c.Post(tb, "/staff/login", url.Values{"login": {login}, "password": {password}}, header...)
}

// CSRF is the session's form token, as the console's pages carry it; the
// test fails if there is none (signed out, say). It is read from the home
// page once per session.
func (c *Console) CSRF(tb testing.TB) string {
	tb.Helper()
	if c.csrf != "" && c.csrfOf == c.Token {
		return c.csrf
	}
	tok, err := c.fetchCSRF()
	if err != nil {
		tb.Fatalf("testapp: %v", err)
	}
	c.csrf, c.csrfOf = tok, c.Token
	return tok
}

func (c *Console) fetchCSRF() (string, error) {
	rec := c.send(httptest.NewRequest(http.MethodGet, "/staff/", nil), nil)
	tok := CSRFToken(rec.Body.String())
	if rec.Code != http.StatusOK || tok == "" {
		return "", fmt.Errorf("GET /staff/: %d, no csrf token in %.300s", rec.Code, rec.Body)
	}
	return tok, nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRFToken is the first form token on a console page, or "".
func CSRFToken(page string) string {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// SessionCookie is the session cookie that rec sets (or clears), or nil.
func SessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == StaffCookie {
			return ck
		}
	}
	return nil
}

// SignUp makes an account with a one-time link (an invite or the first
// admin's setup link) and returns the session cookie it is signed in with.
func SignUp(tb testing.TB, h http.Handler, linkPath, login, password string) *http.Cookie {
	tb.Helper()
	ck, err := signUp(h, linkPath, login, password)
	if err != nil {
		tb.Fatalf("testapp: %v", err)
	}
	return ck
}

func signUp(h http.Handler, linkPath, login, password string) (*http.Cookie, error) {
	c := NewConsole(h)
	rec := c.send(formRequest(linkPath, url.Values{"login": {login}, "password": {password}, "repeat": {password}}), nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/" {
		return nil, fmt.Errorf("sign up %s with %s: %d %s %.300s", login, linkPath, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	ck := SessionCookie(rec)
	if ck == nil || ck.Value == "" {
		return nil, fmt.Errorf("sign up %s: no session cookie", login)
	}
	return ck, nil
}

var inviteLink = regexp.MustCompile(`/staff/invite/[A-Za-z0-9_-]+`)

// Invite has the admin signed in with adminCookie make a one-time link for
// roles, and returns its path.
func Invite(tb testing.TB, h http.Handler, adminCookie *http.Cookie, csrf string, roles ...domain.Role) string {
	tb.Helper()
	link, err := invite(h, session{token: adminCookie.Value, csrf: csrf}, roles...)
	if err != nil {
		tb.Fatalf("testapp: %v", err)
	}
	return link
}

func invite(h http.Handler, admin session, roles ...domain.Role) (string, error) {
	c := &Console{H: h, Token: admin.token}
	form := url.Values{"csrf": {admin.csrf}}
	for _, r := range roles {
		form.Set("role_"+string(r), "on")
	}
	rec := c.send(formRequest("/staff/people/invite", form), nil)
	link := inviteLink.FindString(rec.Body.String())
	if rec.Code != http.StatusOK || link == "" {
		return "", fmt.Errorf("invite %v: %d %.300s", roles, rec.Code, rec.Body)
	}
	return link, nil
}

// PostFile posts a multipart form to path: fields, and one file under
// fileField. header is pairs of name and value.
func (c *Console) PostFile(tb testing.TB, path string, fields url.Values, fileField, fileName string, data []byte, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	return c.send(multipartRequest(path, fields, &File{Field: fileField, Name: fileName, Data: data}), header)
}

// File is a file a form uploads.
type File struct {
	Field, Name string // the form field and the file's name
	Data        []byte
}

// serve answers req as the HTTP server would, and then, as it does, removes
// the temporary files an upload was spooled to (without a server they were
// left in the temp dir: 2 GB of them after a day of test runs).
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if req.MultipartForm != nil {
		_ = req.MultipartForm.RemoveAll()
	}
	return rec
}

// multipartRequest is a multipart form posted to path: fields and, unless
// it is nil or has no field, file.
func multipartRequest(path string, fields url.Values, file *File) *http.Request {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != nil && file.Field != "" {
		fw, _ := mw.CreateFormFile(file.Field, file.Name) // writes to memory: cannot fail
		fw.Write(file.Data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// Speech is text spoken by espeak-ng in voice, as a WAV file: a real
// recording of real words for the studio to take, as a translator would
// upload one from a recorder app. Each is made once per test process.
func Speech(tb testing.TB, voice, text string) []byte {
	tb.Helper()
	return sound(tb, "speech "+voice+" "+text, func(name string) *exec.Cmd {
		cmd := exec.Command("espeak-ng", "-v", voice, "-b", "1", "-w", name)
		cmd.Stdin = strings.NewReader(text)
		return cmd
	}, "espeak-ng")
}

// Silence is two seconds of digital silence as a WAV file, made by ffmpeg:
// what a muted microphone records. ffmpeg writes it to a file, not to
// stdout: a streamed WAV has no sizes in its header, and Sova refuses it as
// damaged before it could hear the silence.
func Silence(tb testing.TB) []byte {
	tb.Helper()
	return sound(tb, "silence", func(name string) *exec.Cmd {
		return exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "2", name)
	}, "ffmpeg")
}

var (
	soundsMu sync.Mutex
	sounds   = map[string][]byte{}
)

// sound is the WAV file the command makes at the name it is given, made
// once per process for key; each caller gets its own copy.
func sound(tb testing.TB, key string, command func(name string) *exec.Cmd, pkg string) []byte {
	tb.Helper()
	soundsMu.Lock()
	defer soundsMu.Unlock()
	if data, ok := sounds[key]; ok {
		return bytes.Clone(data)
	}
	name := filepath.Join(tb.TempDir(), "sound.wav")
	if out, err := command(name).CombinedOutput(); err != nil {
		tb.Fatalf("testapp: %s (Debian package %s): %v %s", pkg, pkg, err, out)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	sounds[key] = data
	return bytes.Clone(data)
}

// Zip is a zip file holding files by name: a voice pack, or an XLSForm with
// its recordings, as a test uploads one.
func Zip(tb testing.TB, files map[string][]byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
