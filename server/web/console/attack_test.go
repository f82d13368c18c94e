package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
)

// What an outside attack on 502b6a4 found in the console, each kept from
// coming back.

// counting is a form upload's body that counts what the server reads of
// it, and makes up its bytes as they are read: a file part of n bytes,
// never all in memory.
type counting struct {
	n, read atomic.Int64
}

const partHead = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.zip\"\r\n\r\n"

func (c *counting) Read(p []byte) (int, error) {
	at := c.read.Load()
	if at >= c.n.Load() {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.n.Load()-at)
	for i := range p[:k] {
		if at+int64(i) < int64(len(partHead)) {
			p[i] = partHead[at+int64(i)]
		} else {
			p[i] = 'a'
		}
	}
	c.read.Add(k)
	return int(k), nil
}

// bigUpload is a request posting a file of about n bytes to path.
func bigUpload(path string, n int64) (*http.Request, *counting) {
	body := &counting{}
	body.n.Store(n)
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	return req, body
}

// 100 failed logins, as the attack sent them (5 addresses, bodies of almost
// 10 MB), then more at the largest body the login form takes, each on a new
// account name: what the server still holds afterwards is under 1 MB. The
// limiter once kept each login name as a slice of its body: 971 MB. (Few of
// the largest: each costs an argon2 hash, and the limiter's own copy of
// each key is checked in server/auth.)
func TestLoginLimit_FailedLoginsHoldNoMemory(t *testing.T) {
	// Not parallel: the heap is measured, and other tests would move it.
	e := testapp.OpenFixture(t)
	huge := "&password=" + strings.Repeat("a", 9_900_000) // made once: encoding it 100 times is slow under -race
	maxed := func(i int) url.Values {
		v := url.Values{"login": {fmt.Sprintf("guess-%03d", i)}}
		v.Set("password", strings.Repeat("p", 8<<10-len(v.Encode())-len("&password=")-16))
		return v
	}
	for i := range 5 { // warm caches and pools before the measure
		(&testapp.Console{H: e.H, RemoteAddr: fmt.Sprintf("198.51.100.%d:1", i)}).Post(t, "/staff/login", maxed(900+i))
	}
	before := liveHeap()
	for i := range 100 {
		req := httptest.NewRequest(http.MethodPost, "/staff/login", strings.NewReader(fmt.Sprintf("login=user-%03d", i)+huge))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = fmt.Sprintf("203.0.113.%d:1", i%5)
		rec := httptest.NewRecorder()
		if e.H.ServeHTTP(rec, req); rec.Code == http.StatusSeeOther {
			t.Fatal("a huge wrong password signed in")
		}
	}
	for i := range 10 {
		c := &testapp.Console{H: e.H, RemoteAddr: fmt.Sprintf("192.0.2.%d:1", i)}
		form := maxed(i)
		if n := len(form.Encode()); n > 8<<10 || n < 8<<10-64 {
			t.Fatalf("the body is %d bytes; want just under 8 KiB", n)
		}
		if rec := c.Post(t, "/staff/login", form); rec.Code != http.StatusUnauthorized {
			t.Fatalf("login %d with the largest body: %d; want 401", i, rec.Code)
		}
	}
	if grew := liveHeap() - before; grew > 1<<20 {
		t.Errorf("after 110 failed logins the server holds %d KB more; want under 1 MB", grew>>10)
	}
	runtime.KeepAlive(e)
}

func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// A login refused for its address's count is answered before a byte of its
// body is read: a big multipart body costs the server nothing.
func TestLoginLimit_RefusedAttemptReadsNoBody(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	c := &testapp.Console{H: e.H, RemoteAddr: "203.0.113.77:1"}
	for i := range 20 {
		c.Login(t, fmt.Sprint("user", i), "wrong password")
	}
	req, body := bigUpload("/staff/login", 32<<20)
	req.RemoteAddr = c.RemoteAddr
	rec := httptest.NewRecorder()
	e.H.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || body.read.Load() != 0 {
		t.Fatalf("21st attempt: %d after reading %d bytes of its body; want 429 and none read", rec.Code, body.read.Load())
	}
}

// An upload is read only once its sender is known to hold the role: signed
// out, or signed in without it, the server answers at once and reads
// nothing (signed-out posts of 120 MB once spooled 1.1 GB to disk).
func TestUpload_ReadOnlyAfterTheRoleCheck(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	for _, who := range []struct {
		name  string
		token string
		want  int
	}{
		{"signed out", "", http.StatusSeeOther},
		{"a moderator", e.As(domain.RoleModerator).Token, http.StatusForbidden},
	} {
		for _, path := range []string{"/staff/studio/en/pack.zip", "/staff/studio/en/voice", "/staff/surveys"} {
			req, body := bigUpload(path, 120<<20)
			if who.token != "" {
				req.AddCookie(&http.Cookie{Name: testapp.StaffCookie, Value: who.token})
			}
			rec := httptest.NewRecorder()
			e.H.ServeHTTP(rec, req)
			if rec.Code != who.want || body.read.Load() != 0 {
				t.Errorf("%s posting to %s: %d after reading %d bytes; want %d and none read", who.name, path, rec.Code, body.read.Load(), who.want)
			}
		}
	}
}

// Behind a reverse proxy Sova is told to trust, each client's address is
// counted apart: 20 wrong logins through the proxy lock out that client,
// not the admin who comes through the same proxy. What a client writes
// into X-Forwarded-For itself (left of what the proxy added) is ignored.
func TestLoginLimit_BehindATrustedProxyCountsEachClient(t *testing.T) {
	t.Parallel()
	proxy := netip.MustParsePrefix("10.1.0.0/16")
	e := testapp.OpenFixture(t, func(c *app.Config) { c.TrustedProxies = []netip.Prefix{proxy} })
	via := &testapp.Console{H: e.H, RemoteAddr: "10.1.2.3:4000"}
	for i := range 20 {
		if rec := via.Login(t, fmt.Sprint("user", i), "wrong password", "X-Forwarded-For", "203.0.113.5"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d; want 401", i+1, rec.Code)
		}
	}
	for _, xff := range []string{"203.0.113.5", "198.51.100.1, 203.0.113.5"} {
		if rec := via.Login(t, "admin", testapp.Password, "X-Forwarded-For", xff); rec.Code != http.StatusTooManyRequests {
			t.Errorf("the attacker again, forwarded for %q: %d; want 429", xff, rec.Code)
		}
	}
	if rec := via.Login(t, "admin", testapp.Password, "X-Forwarded-For", "198.51.100.44"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the admin through the same proxy: %d; want 303", rec.Code)
	}
}
