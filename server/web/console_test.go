package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"sova/internal/pushtest"
	"sova/internal/testapp"
	"sova/server/app"
	"sova/server/domain"
)

// The staff console, through the real router on real Badger, with a clock
// the tests move.

const staffPassword = "correct horse battery staple"

// consoleEnv is one Sova with its clock and a signed-in first admin.
type consoleEnv struct {
	t     *testing.T
	dir   string
	clock *testapp.Clock
	app   *app.App
	h     http.Handler
	admin *testapp.Console  // signed in as "admin"
	push  *pushtest.Service // the only push service this Sova sends to
}

func newClock() *testapp.Clock {
	return testapp.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
}

// openConsole starts Sova and makes the first admin with the setup link.
func openConsole(t *testing.T) *consoleEnv {
	t.Helper()
	e := &consoleEnv{t: t, dir: t.TempDir(), clock: newClock(), push: pushtest.New()}
	t.Cleanup(e.push.Close)
	e.app = testapp.OpenClock(t, e.dir, e.clock, testapp.WithPush(e.push))
	e.h = e.app.Handler()
	link := e.app.SetupLink()
	if link == "" {
		t.Fatal("a fresh server has no setup link")
	}
	ck := testapp.SignUp(t, e.h, link, "admin", staffPassword)
	e.admin = &testapp.Console{H: e.h, Token: ck.Value, RemoteAddr: "192.0.2.10:4000"}
	return e
}

// addStaff invites login with roles and signs them up; it returns their
// signed-in browser.
func (e *consoleEnv) addStaff(login string, roles ...domain.Role) *testapp.Console {
	e.t.Helper()
	link := testapp.Invite(e.t, e.h, &http.Cookie{Value: e.admin.Token}, e.admin.CSRF(e.t), roles...)
	ck := testapp.SignUp(e.t, e.h, link, login, staffPassword)
	return &testapp.Console{H: e.h, Token: ck.Value}
}

func (e *consoleEnv) staff(login string) *domain.Staff {
	e.t.Helper()
	st, err := e.app.Store().StaffByLogin(login)
	if err != nil || st == nil {
		e.t.Fatalf("staff %q: %v, %v", login, st, err)
	}
	return st
}

func (e *consoleEnv) auditLog() []domain.AuditEntry {
	e.t.Helper()
	entries, err := e.app.Store().AuditLog(1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return entries
}

// signedIn reports whether c's cookie still opens the console.
func signedIn(t *testing.T, c *testapp.Console) bool {
	t.Helper()
	probe := &testapp.Console{H: c.H, Token: c.Token, RemoteAddr: c.RemoteAddr}
	rec := probe.Get(t, "/staff/")
	switch {
	case rec.Code == http.StatusOK:
		return true
	case isLoginRedirect(rec):
		return false
	}
	t.Fatalf("GET /staff/: %d %s", rec.Code, rec.Header().Get("Location"))
	return false
}

func isLoginRedirect(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusSeeOther && rec.Header().Get("Location") == "/staff/login"
}

func sameRoles(st *domain.Staff, want ...domain.Role) bool {
	return slices.Equal(st.Roles, want)
}

// ---- The setup link ----

func TestSetupLink_MakesAnAdminAndWorksOnlyOnce(t *testing.T) {
	clock := newClock()
	a := testapp.OpenClock(t, t.TempDir(), clock)
	h := a.Handler()
	link := a.SetupLink()
	if !regexp.MustCompile(`^/staff/invite/[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Fatalf("setup link %q", link)
	}
	c := testapp.NewConsole(h)
	if rec := c.Get(t, link); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "admin") {
		t.Fatalf("GET setup link: %d %.300s", rec.Code, rec.Body)
	}
	ck := testapp.SignUp(t, h, link, "first", staffPassword)
	st, err := a.Store().StaffByLogin("first")
	if err != nil || st == nil || !sameRoles(st, domain.RoleAdmin) {
		t.Fatalf("account made by the setup link: %+v, %v; want roles [admin]", st, err)
	}
	if !signedIn(t, &testapp.Console{H: h, Token: ck.Value}) {
		t.Fatal("the setup link does not sign its admin in")
	}
	if strings.Contains(st.Password, staffPassword) || !strings.HasPrefix(st.Password, "$argon2id$") {
		t.Fatalf("stored password %q", st.Password)
	}

	// Used: a second account, or even a look, gets 410.
	again := c.Post(t, link, url.Values{"login": {"second"}, "password": {staffPassword}, "repeat": {staffPassword}})
	if again.Code != http.StatusGone || testapp.SessionCookie(again) != nil {
		t.Fatalf("second use of the setup link: %d, cookie %v; want 410 and no cookie", again.Code, testapp.SessionCookie(again))
	}
	if rec := c.Get(t, link); rec.Code != http.StatusGone {
		t.Fatalf("GET a used setup link: %d; want 410", rec.Code)
	}
	if st, _ := a.Store().StaffByLogin("second"); st != nil {
		t.Fatal("the used setup link made a second account")
	}
}

func TestSetupLink_ExpiresAfterAnHour(t *testing.T) {
	clock := newClock()
	a := testapp.OpenClock(t, t.TempDir(), clock)
	link := a.SetupLink()
	c := testapp.NewConsole(a.Handler())
	clock.Advance(59 * time.Minute)
	if rec := c.Get(t, link); rec.Code != http.StatusOK {
		t.Fatalf("GET the setup link after 59 minutes: %d; want 200", rec.Code)
	}
	clock.Advance(2 * time.Minute)
	if rec := c.Get(t, link); rec.Code != http.StatusGone {
		t.Errorf("GET the setup link after 61 minutes: %d; want 410", rec.Code)
	}
	rec := c.Post(t, link, url.Values{"login": {"late"}, "password": {staffPassword}, "repeat": {staffPassword}})
	if rec.Code != http.StatusGone {
		t.Errorf("POST the setup link after 61 minutes: %d; want 410", rec.Code)
	}
	if st, _ := a.Store().StaffByLogin("late"); st != nil {
		t.Error("an expired setup link made an account")
	}
}

func TestSetupLink_NotMadeOnceAnAdminExists(t *testing.T) {
	dir := t.TempDir()
	a := testapp.OpenClock(t, dir, newClock())
	testapp.SignUp(t, a.Handler(), a.SetupLink(), "admin", staffPassword)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b := testapp.OpenClock(t, dir, newClock())
	if l := b.SetupLink(); l != "" {
		t.Fatalf("a server with an admin made setup link %q", l)
	}
}

// Each start without an admin prints a new link. Once one of them has made
// the admin, the others (still in the server's output) must be dead, or
// anyone who reads the log within the hour becomes an admin.
func TestSetupLink_FromAnEarlierStartIsDeadOnceAnAdminExists(t *testing.T) {
	dir := t.TempDir()
	clock := newClock()
	first := testapp.OpenClock(t, dir, clock)
	old := first.SetupLink()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	a := testapp.OpenClock(t, dir, clock)
	if a.SetupLink() == "" || a.SetupLink() == old {
		t.Fatalf("second start's setup link %q (first %q)", a.SetupLink(), old)
	}
	testapp.SignUp(t, a.Handler(), a.SetupLink(), "admin", staffPassword)
	c := testapp.NewConsole(a.Handler())
	rec := c.Post(t, old, url.Values{"login": {"intruder"}, "password": {staffPassword}, "repeat": {staffPassword}})
	if st, _ := a.Store().StaffByLogin("intruder"); st != nil || rec.Code != http.StatusGone {
		t.Fatalf("the first start's setup link, after an admin was made: %d, account %+v; want 410 and none", rec.Code, st)
	}
}

// ---- Login and logout ----

func TestLogin_RightPasswordSetsAHostCookieAndGoesHome(t *testing.T) {
	e := openConsole(t)
	c := testapp.NewConsole(e.h)
	rec := c.Login(t, "admin", staffPassword)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/" {
		t.Fatalf("login: %d %q; want 303 to /staff/", rec.Code, rec.Header().Get("Location"))
	}
	ck := testapp.SessionCookie(rec)
	if ck == nil {
		t.Fatalf("no %s cookie in %q", testapp.StaffCookie, rec.Header().Values("Set-Cookie"))
	}
	if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("cookie %q: want __Host- name, Secure, HttpOnly, SameSite=Strict, Path=/, no Domain", rec.Header().Get("Set-Cookie"))
	}
	if len(ck.Value) < 43 {
		t.Fatalf("session token %q is short", ck.Value)
	}
	if !signedIn(t, c) {
		t.Fatal("the new cookie does not open the console")
	}
	// Only the hash of the token is kept.
	if sess, _ := e.app.Store().Session(ck.Value); sess != nil {
		t.Fatal("the session is stored under its raw token")
	}
}

func TestLogin_WrongPasswordAndUnknownAccountLookTheSame(t *testing.T) {
	e := openConsole(t)
	c := testapp.NewConsole(e.h)
	wrong := c.Login(t, "admin", "not the password at all")
	unknown := c.Login(t, "nobody", "not the password at all")
	if wrong.Code != unknown.Code || wrong.Body.String() != unknown.Body.String() {
		t.Fatalf("wrong password: %d %q\nunknown account: %d %q", wrong.Code, wrong.Body, unknown.Code, unknown.Body)
	}
	if wrong.Code != http.StatusUnauthorized || !strings.Contains(wrong.Body.String(), "Wrong login name or password.") {
		t.Fatalf("wrong password: %d %.400s", wrong.Code, wrong.Body)
	}
	if testapp.SessionCookie(wrong) != nil || testapp.SessionCookie(unknown) != nil {
		t.Fatal("a failed login set a cookie")
	}
}

// Every login makes a new session id, and the cookie the browser had
// before (planted by someone else, or an earlier session) stops working.
func TestLogin_EachLoginGetsANewSessionID(t *testing.T) {
	e := openConsole(t)
	c := testapp.NewConsole(e.h)
	c.Token = "planted-by-an-attacker"
	c.Login(t, "admin", staffPassword)
	first := c.Token
	if first == "" || first == "planted-by-an-attacker" {
		t.Fatalf("session token after login %q", first)
	}
	c.Login(t, "admin", staffPassword) // sends the first cookie along
	second := c.Token
	if second == "" || second == first || second == e.admin.Token {
		t.Fatalf("tokens: setup %q, first login %q, second login %q; want all different", e.admin.Token, first, second)
	}
	if signedIn(t, &testapp.Console{H: e.h, Token: first}) {
		t.Fatal("the cookie from before the second login still works")
	}
	if !signedIn(t, c) || !signedIn(t, e.admin) {
		t.Fatal("a login signed another session out")
	}
	c.Post(t, "/staff/logout", url.Values{"csrf": {c.CSRF(t)}})
	for name, tok := range map[string]string{"first": first, "second": second} {
		if signedIn(t, &testapp.Console{H: e.h, Token: tok}) {
			t.Errorf("the %s login's cookie works after logout", name)
		}
	}
}

func TestLogout_InvalidatesTheSession(t *testing.T) {
	e := openConsole(t)
	c := e.admin
	old, csrf := c.Token, c.CSRF(t)
	rec := c.Post(t, "/staff/logout", url.Values{"csrf": {csrf}})
	if !isLoginRedirect(rec) {
		t.Fatalf("logout: %d %q; want 303 to /staff/login", rec.Code, rec.Header().Get("Location"))
	}
	if ck := testapp.SessionCookie(rec); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
		t.Fatalf("logout does not clear the cookie: %q", rec.Header().Values("Set-Cookie"))
	}
	// The old cookie, replayed, opens nothing and posts nothing.
	replay := &testapp.Console{H: e.h, Token: old}
	for _, path := range []string{"/staff/", "/staff/people", "/staff/audit"} {
		if rec := replay.Get(t, path); !isLoginRedirect(rec) {
			t.Errorf("GET %s with the old cookie: %d %q; want 303 to /staff/login", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	before := len(e.auditLog())
	if rec := replay.Post(t, "/staff/people/invite", url.Values{"csrf": {csrf}, "role_admin": {"on"}}); !isLoginRedirect(rec) {
		t.Errorf("POST with the old cookie and token: %d; want 303 to /staff/login", rec.Code)
	}
	if n := len(e.auditLog()); n != before {
		t.Errorf("the old cookie made %d audited changes", n-before)
	}
}

// ---- Timeouts ----

func TestSession_IdleTimeout(t *testing.T) {
	e := openConsole(t)
	c := e.admin
	e.clock.Advance(29 * time.Minute)
	if !signedIn(t, c) {
		t.Fatal("signed out after 29 idle minutes")
	}
	e.clock.Advance(29 * time.Minute) // 58 minutes in, but only 29 idle
	if !signedIn(t, c) {
		t.Fatal("a request did not keep the session alive")
	}
	e.clock.Advance(31 * time.Minute)
	if signedIn(t, c) {
		t.Fatal("still signed in after 31 idle minutes")
	}
	e.clock.Advance(-31 * time.Minute) // the expired session is gone, not just refused
	if signedIn(t, c) {
		t.Fatal("the idle-expired session came back")
	}
}

func TestSession_AbsoluteTimeout(t *testing.T) {
	e := openConsole(t)
	c := e.admin
	for elapsed := 10 * time.Minute; elapsed < 12*time.Hour; elapsed += 10 * time.Minute {
		e.clock.Advance(10 * time.Minute)
		if !signedIn(t, c) {
			t.Fatalf("signed out after %v with a request every 10 minutes", elapsed)
		}
	}
	e.clock.Advance(11 * time.Minute) // 12 h 1 min since login, 11 min idle
	if signedIn(t, c) {
		t.Fatal("still signed in 12 h after login")
	}
}

// ---- CSRF ----

// A form post without the session's own token, or from another site, is
// refused with 403 and changes nothing.
func TestCSRF_FormsWithoutTheTokenOrFromElsewhereAreRefused(t *testing.T) {
	e := openConsole(t)
	tr := e.addStaff("trans", domain.RoleTranslator)
	trID := e.staff("trans").ID
	trCSRF := tr.CSRF(t)
	csrf := e.admin.CSRF(t)
	otherAdmin := testapp.NewConsole(e.h)
	otherAdmin.Login(t, "admin", staffPassword)
	otherCSRF := otherAdmin.CSRF(t) // valid, but for another session
	if otherCSRF == csrf {
		t.Fatal("two sessions share a CSRF token")
	}
	auditBefore := len(e.auditLog())

	type attempt struct {
		name   string
		token  string
		header []string
	}
	attempts := []attempt{
		{"no token", "", nil},
		{"wrong token", "0000000000000000000000000000000000000000000", nil},
		{"another session's token", otherCSRF, nil},
		{"cross-site", csrf, []string{"Sec-Fetch-Site", "cross-site"}},
		{"same-site", csrf, []string{"Sec-Fetch-Site", "same-site"}},
		{"foreign origin", csrf, []string{"Origin", "https://evil.example"}},
		{"foreign origin, same host name on another port", csrf, []string{"Origin", "http://example.com:8443"}},
		{"null origin", csrf, []string{"Origin", "null"}},
	}
	for _, at := range attempts {
		form := func(kv ...string) url.Values {
			f := url.Values{}
			if at.token != "" {
				f.Set("csrf", at.token)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				f.Set(kv[i], kv[i+1])
			}
			return f
		}
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/staff/people/" + trID, form("role_admin", "on", "role_translator", "on")},
			{"/staff/people/invite", form("role_admin", "on")},
			{"/staff/logout", form()},
		} {
			rec := e.admin.Post(t, p.path, p.form, at.header...)
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s: POST %s: %d; want 403", at.name, p.path, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "/staff/invite/") {
				t.Errorf("%s: POST %s showed an invite link", at.name, p.path)
			}
		}
		// A signed-in staff member's own form, posted from elsewhere, must not
		// change what they can do either.
		trForm := url.Values{}
		if at.header != nil {
			trForm.Set("csrf", trCSRF) // the right token, posted from elsewhere
		}
		if rec := tr.Post(t, "/staff/logout", trForm, at.header...); rec.Code != http.StatusForbidden {
			t.Errorf("%s: translator's logout: %d; want 403", at.name, rec.Code)
		}
	}
	if st := e.staff("trans"); !sameRoles(st, domain.RoleTranslator) {
		t.Errorf("translator's roles became %v", st.Roles)
	}
	if n := len(e.auditLog()); n != auditBefore {
		t.Errorf("refused posts made %d audit entries (invites or role changes)", n-auditBefore)
	}
	if !signedIn(t, e.admin) || !signedIn(t, tr) {
		t.Error("a refused logout signed someone out")
	}

	// The login form and the invite form have no session yet, but are
	// refused from another site all the same (login CSRF).
	for _, hdr := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		c := testapp.NewConsole(e.h)
		if rec := c.Login(t, "admin", staffPassword, hdr...); rec.Code != http.StatusForbidden || c.Token != "" {
			t.Errorf("login with %v: %d, token %q; want 403 and no cookie", hdr, rec.Code, c.Token)
		}
	}
	link := testapp.Invite(t, e.h, &http.Cookie{Value: e.admin.Token}, csrf, domain.RoleModerator)
	c := testapp.NewConsole(e.h)
	rec := c.Post(t, link, url.Values{"login": {"mod"}, "password": {staffPassword}, "repeat": {staffPassword}}, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden {
		t.Errorf("invite accepted from another site: %d; want 403", rec.Code)
	}
	testapp.SignUp(t, e.h, link, "mod", staffPassword) // still unused

	// The control: the same form with the right token, from this site, works.
	rec = e.admin.Post(t, "/staff/people/"+trID, url.Values{"csrf": {csrf}, "role_moderator": {"on"}, "role_translator": {"on"}},
		"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com")
	if rec.Code != http.StatusSeeOther || !sameRoles(e.staff("trans"), domain.RoleModerator, domain.RoleTranslator) {
		t.Fatalf("the right token, same origin: %d, roles %v", rec.Code, e.staff("trans").Roles)
	}
}

// ---- Login limits ----

func TestLoginLimit_PerAccountCannotBeBypassedWithForwardedFor(t *testing.T) {
	e := openConsole(t)
	c := testapp.NewConsole(e.h)
	for i := 1; i <= 5; i++ {
		rec := c.Login(t, "admin", fmt.Sprint("guess number ", i), "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("203.0.113.%d", i))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d; want 401", i, rec.Code)
		}
	}
	rec := c.Login(t, "admin", staffPassword, "X-Forwarded-For", "203.0.113.6", "X-Real-IP", "203.0.113.6")
	if rec.Code != http.StatusTooManyRequests || c.Token != "" {
		t.Fatalf("6th attempt, right password, new X-Forwarded-For: %d, token %q; want 429 and no cookie", rec.Code, c.Token)
	}
	// The account's limit holds from any peer.
	elsewhere := &testapp.Console{H: e.h, RemoteAddr: "198.51.100.9:5555"}
	if rec := elsewhere.Login(t, "admin", staffPassword); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("7th attempt from another peer: %d; want 429", rec.Code)
	}
	if !signedIn(t, e.admin) {
		t.Fatal("the limit signed out an existing session")
	}
	e.clock.Advance(15 * time.Minute)
	if rec := c.Login(t, "admin", staffPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("login 15 minutes later: %d; want 303", rec.Code)
	}
}

func TestLoginLimit_PerPeerAcrossAccounts(t *testing.T) {
	e := openConsole(t)
	attacker := &testapp.Console{H: e.h, RemoteAddr: "203.0.113.50:40000"}
	for i := 1; i <= 20; i++ {
		login := fmt.Sprint("user", i)
		if i%5 == 0 {
			login = "admin" // an existing account among them
		}
		rec := attacker.Login(t, login, "wrong password", "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d (%s): %d; want 401", i, login, rec.Code)
		}
	}
	// The 21st, a fresh account, a new port, a new forwarded-for, the right
	// password: still the same peer.
	attacker.RemoteAddr = "203.0.113.50:40001"
	rec := attacker.Login(t, "admin", staffPassword, "X-Forwarded-For", "10.0.0.99")
	if rec.Code != http.StatusTooManyRequests || attacker.Token != "" {
		t.Fatalf("21st attempt from the same peer: %d; want 429", rec.Code)
	}
	if rec := attacker.Login(t, "brand-new", "x", "X-Forwarded-For", "10.0.0.100"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("22nd attempt from the same peer: %d; want 429", rec.Code)
	}
	// Another peer is not held back by the attacker's attempts (admin had 4
	// wrong ones: below the account's limit).
	other := &testapp.Console{H: e.h, RemoteAddr: "198.51.100.20:1234"}
	if rec := other.Login(t, "admin", staffPassword); rec.Code != http.StatusSeeOther || other.Token == "" {
		t.Fatalf("login from another peer: %d; want 303", rec.Code)
	}
}

// The limit counts attempts on unknown accounts as on real ones, and says
// the same words, so that neither 401 nor 429 tells an account exists.
func TestLoginLimit_MessagesNeverRevealWhetherAnAccountExists(t *testing.T) {
	e := openConsole(t)
	var real, unknown []*httptest.ResponseRecorder
	for i := 0; i < 6; i++ {
		r := &testapp.Console{H: e.h, RemoteAddr: "198.51.100.1:1"}
		u := &testapp.Console{H: e.h, RemoteAddr: "198.51.100.2:1"}
		real = append(real, r.Login(t, "admin", "wrong password"))
		unknown = append(unknown, u.Login(t, "nobody-here", "wrong password"))
	}
	for i := range real {
		if real[i].Code != unknown[i].Code || real[i].Body.String() != unknown[i].Body.String() {
			t.Errorf("attempt %d: real account %d %q; unknown %d %q", i+1, real[i].Code, real[i].Body, unknown[i].Code, unknown[i].Body)
		}
	}
	if real[5].Code != http.StatusTooManyRequests {
		t.Errorf("6th attempt: %d; want 429", real[5].Code)
	}
	for _, rec := range append(real, unknown...) {
		b := strings.ToLower(rec.Body.String())
		for _, leak := range []string{"no such", "unknown", "not found", "does not exist", "doesn't exist", "nobody-here"} {
			if strings.Contains(b, leak) {
				t.Errorf("%d page says %q", rec.Code, leak)
			}
		}
	}
}

// ---- The role matrix ----

type access int

const (
	public         access = iota // anyone, signed in or not
	anyStaff                     // any signed-in staff member
	adminOnly                    // staff with the admin role
	fieldOnly                    // staff with the fieldworker role
	translatorOnly               // staff with the translator role
	moderatorOnly                // staff with the moderator role
)

func (a access) String() string {
	return [...]string{"public", "any signed-in", "admin", "fieldworker", "translator", "moderator"}[a]
}

// consoleRoutes is every route under /staff/ and who may use it. A new
// console route fails TestConsole_RoleMatrix until it is added here.
var consoleRoutes = []struct {
	method, path string
	who          access
}{
	{"GET", "/staff/login", public},
	{"HEAD", "/staff/login", public},
	{"POST", "/staff/login", public},
	{"GET", "/staff/invite/:token", public},
	{"HEAD", "/staff/invite/:token", public},
	{"POST", "/staff/invite/:token", public},
	{"GET", "/staff/", anyStaff},
	{"HEAD", "/staff/", anyStaff},
	{"POST", "/staff/logout", anyStaff},
	{"GET", "/staff/people", adminOnly},
	{"HEAD", "/staff/people", adminOnly},
	{"POST", "/staff/people/invite", adminOnly},
	{"POST", "/staff/people/:id", adminOnly},
	{"GET", "/staff/audit", adminOnly},
	{"HEAD", "/staff/audit", adminOnly},
	{"GET", "/staff/settings", adminOnly},
	{"HEAD", "/staff/settings", adminOnly},
	{"POST", "/staff/settings", adminOnly},
	{"GET", "/staff/directory", adminOnly},
	{"HEAD", "/staff/directory", adminOnly},
	{"POST", "/staff/directory", adminOnly},
	{"POST", "/staff/directory/:id/delete", adminOnly},
	{"GET", "/staff/areas", adminOnly},
	{"HEAD", "/staff/areas", adminOnly},
	{"POST", "/staff/areas", adminOnly},
	{"POST", "/staff/areas/:code/delete", adminOnly},
	{"GET", "/staff/reports", moderatorOnly},
	{"HEAD", "/staff/reports", moderatorOnly},
	{"POST", "/staff/reports/:id/approve", moderatorOnly},
	{"POST", "/staff/reports/:id/reject", moderatorOnly},
	{"GET", "/staff/info", adminOnly},
	{"HEAD", "/staff/info", adminOnly},
	{"POST", "/staff/info/:topic", adminOnly},
	{"GET", "/staff/surveys", adminOnly},
	{"HEAD", "/staff/surveys", adminOnly},
	{"POST", "/staff/surveys", adminOnly},
	{"POST", "/staff/surveys/:id/:v/retire", adminOnly}, // before publish: the survey ends published
	{"POST", "/staff/surveys/:id/:v/publish", adminOnly},
	{"GET", "/staff/surveys/:id/:v/preview/:lang", adminOnly},
	{"HEAD", "/staff/surveys/:id/:v/preview/:lang", adminOnly},
	{"GET", "/staff/outreach", fieldOnly},
	{"HEAD", "/staff/outreach", fieldOnly},
	{"POST", "/staff/outreach/device", fieldOnly},
	{"GET", "/staff/devices", adminOnly},
	{"HEAD", "/staff/devices", adminOnly},
	{"POST", "/staff/devices/:hash/revoke", adminOnly},
	{"POST", "/staff/sites", adminOnly},
	{"GET", "/staff/studio", translatorOnly},
	{"HEAD", "/staff/studio", translatorOnly},
	{"GET", "/staff/studio/:lang", translatorOnly},
	{"HEAD", "/staff/studio/:lang", translatorOnly},
	{"POST", "/staff/studio/:lang/text", translatorOnly},
	{"POST", "/staff/studio/:lang/voice", translatorOnly},
	{"GET", "/staff/studio/:lang/pack.zip", translatorOnly},
	{"HEAD", "/staff/studio/:lang/pack.zip", translatorOnly},
	{"POST", "/staff/studio/:lang/pack.zip", translatorOnly},
	{"GET", "/staff/results", adminOnly},
	{"HEAD", "/staff/results", adminOnly},
	{"GET", "/staff/results/:id/:v", adminOnly},
	{"HEAD", "/staff/results/:id/:v", adminOnly},
	{"GET", "/staff/results/:id/:v/results.json", adminOnly},
	{"HEAD", "/staff/results/:id/:v/results.json", adminOnly},
	{"GET", "/staff/results/:id/:v/export.csv", adminOnly},
	{"HEAD", "/staff/results/:id/:v/export.csv", adminOnly},
	{"GET", "/staff/results/:id/:v/export.json", adminOnly},
	{"HEAD", "/staff/results/:id/:v/export.json", adminOnly},
}

func TestConsole_RoleMatrix(t *testing.T) {
	e := openConsole(t)
	ech, ok := e.h.(*echo.Echo)
	if !ok {
		t.Fatalf("the handler is a %T, not *echo.Echo: cannot list its routes", e.h)
	}

	// Every registered console route is in the table, and every row is a
	// registered route.
	inTable := map[string]bool{}
	for _, r := range consoleRoutes {
		inTable[r.method+" "+r.path] = true
	}
	registered := map[string]bool{}
	for _, r := range ech.Routes() {
		if !strings.HasPrefix(r.Path, "/staff") {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if !inTable[key] {
			t.Errorf("route %s is not in consoleRoutes: add it, with who may use it", key)
		}
	}
	for key := range inTable {
		if !registered[key] {
			t.Errorf("consoleRoutes lists %s, which is not a route", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// One account per role, each with only that role, each from its own
	// peer so that the login limits stay out of the way.
	roles := []domain.Role{domain.RoleAdmin, domain.RoleModerator, domain.RoleFieldWorker, domain.RoleTranslator}
	logins := map[domain.Role]string{domain.RoleAdmin: "admin"}
	clients := map[domain.Role]*testapp.Console{domain.RoleAdmin: e.admin}
	for i, r := range roles[1:] {
		logins[r] = "role-" + string(r)
		clients[r] = e.addStaff(logins[r], r)
		clients[r].RemoteAddr = fmt.Sprintf("198.51.100.%d:1", i+2)
	}
	target := e.staff(logins[domain.RoleTranslator]).ID
	freshInvite := testapp.Invite(t, e.h, &http.Cookie{Value: e.admin.Token}, e.admin.CSRF(t), domain.RoleModerator)
	token := strings.TrimPrefix(freshInvite, "/staff/invite/")

	const deviceHash = "matrix-device-hash-0123456789"
	if err := e.app.Store().PutDevice(deviceHash, &domain.Device{StaffID: target}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store().PutWarning(&domain.Warning{ID: "matrix-report", Day: "2026-03-01", State: domain.ReportPending, Kind: "robbery", When: "today"}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store().PutService(&domain.Service{ID: "matrix-svc", Category: "clinic", Texts: map[string]domain.ServiceText{"en": {Name: "Clinic"}}}); err != nil {
		t.Fatal(err)
	}
	fill := func(path string) string {
		if strings.HasPrefix(path, "/staff/reports/") {
			return strings.Replace(path, ":id", "matrix-report", 1)
		}
		if strings.HasPrefix(path, "/staff/areas/") {
			return strings.Replace(path, ":code", "no-such-area", 1)
		}
		if strings.HasPrefix(path, "/staff/info/") {
			return strings.Replace(path, ":topic", "rights", 1)
		}
		if strings.HasPrefix(path, "/staff/directory/") {
			return strings.Replace(path, ":id", "matrix-svc", 1)
		}
		if strings.HasPrefix(path, "/staff/surveys/") || strings.HasPrefix(path, "/staff/results/") || strings.HasPrefix(path, "/staff/studio/") {
			return strings.NewReplacer(":id", "needs", ":v", "1", ":lang", "en").Replace(path)
		}
		return strings.NewReplacer(":token", token, ":id", target, ":hash", deviceHash).Replace(path)
	}
	// form is what each POST carries: harmless when allowed (the target keeps
	// its role, the invite stays unused).
	form := func(path string) url.Values {
		switch path {
		case "/staff/login":
			return url.Values{"login": {"nobody"}, "password": {"wrong password"}}
		case "/staff/invite/:token":
			return url.Values{"login": {"x"}} // too short: 422, link kept
		case "/staff/people/:id":
			return url.Values{"role_translator": {"on"}}
		case "/staff/people/invite":
			return url.Values{"role_moderator": {"on"}}
		case "/staff/surveys":
			return url.Values{} // no file: 422, nothing uploaded
		case "/staff/outreach/device":
			return url.Values{"site": {"no-such-site"}} // 422, no device made
		case "/staff/sites":
			return url.Values{"code": {"Not A Code"}} // 422, no site added
		case "/staff/directory":
			return url.Values{"category": {"casino"}} // 422, nothing added
		case "/staff/areas":
			return url.Values{"code": {"Not A Code"}} // 422, nothing added
		case "/staff/reports/:id/approve":
			return url.Values{"public": {strings.Repeat("x", 600)}} // 422, not published
		case "/staff/info/:topic":
			return url.Values{"link": {"ftp://example.org/"}} // 422, kept
		case "/staff/settings":
			return url.Values{"exit_url": {"javascript:alert(1)"}} // 422, kept
		case "/staff/studio/:lang/text":
			return url.Values{"key": {"app.name"}, "text": {" "}} // 422, text kept
		case "/staff/studio/:lang/voice":
			return url.Values{"key": {"app.name"}} // no recording: 422
		}
		return url.Values{}
	}

	type who struct {
		name string
		role domain.Role // "" is signed out
	}
	everyone := []who{{"signed out", ""}}
	for _, r := range roles {
		everyone = append(everyone, who{string(r), r})
	}
	for _, rt := range consoleRoutes {
		for _, w := range everyone {
			t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, w.name), func(t *testing.T) {
				c := testapp.NewConsole(e.h)
				c.RemoteAddr = "198.51.100.200:1"
				if w.role != "" {
					c = clients[w.role]
					if c.Token == "" { // signed out by the logout row: sign in again
						if rec := c.Login(t, logins[w.role], staffPassword); rec.Code != http.StatusSeeOther {
							t.Fatalf("sign in again: %d", rec.Code)
						}
					}
				}
				var rec *httptest.ResponseRecorder
				if rt.method == http.MethodPost {
					f := form(rt.path)
					if w.role != "" {
						f.Set("csrf", c.CSRF(t))
					}
					rec = c.Post(t, fill(rt.path), f)
				} else {
					rec = c.Do(t, rt.method, fill(rt.path), nil)
				}

				allowed := rt.who == public ||
					(w.role != "" && (rt.who == anyStaff ||
						(rt.who == adminOnly && w.role == domain.RoleAdmin) ||
						(rt.who == fieldOnly && w.role == domain.RoleFieldWorker) ||
						(rt.who == translatorOnly && w.role == domain.RoleTranslator) ||
						(rt.who == moderatorOnly && w.role == domain.RoleModerator)))
				switch {
				case allowed && rt.path == "/staff/logout":
					// Its answer is the login page, so what tells is the
					// cleared cookie.
					ck := testapp.SessionCookie(rec)
					if !isLoginRedirect(rec) || ck == nil || ck.MaxAge >= 0 {
						t.Fatalf("%s may sign out: got %d, cookie %v", w.name, rec.Code, ck)
					}
				case allowed:
					if rec.Code == http.StatusForbidden || isLoginRedirect(rec) ||
						rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed || rec.Code >= 500 {
						t.Fatalf("%s may use %s (%v): got %d %q", w.name, rt.path, rt.who, rec.Code, rec.Header().Get("Location"))
					}
				case w.role == "":
					if !isLoginRedirect(rec) {
						t.Fatalf("signed out: got %d %q; want 303 to /staff/login", rec.Code, rec.Header().Get("Location"))
					}
				default:
					if rec.Code != http.StatusForbidden {
						t.Fatalf("%s may not use %s (%v): got %d; want 403", w.name, rt.path, rt.who, rec.Code)
					}
				}
			})
		}
	}

	// Denied posts changed nothing: the target kept its role, and the only
	// invites and role changes in the log are the admin's.
	if st := e.staff(logins[domain.RoleTranslator]); !sameRoles(st, domain.RoleTranslator) {
		t.Errorf("target's roles became %v", st.Roles)
	}
	for _, en := range e.auditLog() {
		if (en.Action == "invite made" || en.Action == "roles changed") && en.Staff != "admin" {
			t.Errorf("%s by %s: %+v", en.Action, en.Staff, en)
		}
	}
	if rec := testapp.NewConsole(e.h).Get(t, freshInvite); rec.Code != http.StatusOK {
		t.Errorf("the matrix used up the invite: %d", rec.Code)
	}
}

// ---- Staff management and the audit log ----

func TestPeople_LastAdminCannotRemoveOwnAdminRole(t *testing.T) {
	e := openConsole(t)
	id := e.staff("admin").ID
	csrf := e.admin.CSRF(t)
	for name, form := range map[string]url.Values{
		"drop admin": {"csrf": {csrf}, "role_moderator": {"on"}},
		"no roles":   {"csrf": {csrf}},
		"disable":    {"csrf": {csrf}, "role_admin": {"on"}, "disabled": {"on"}},
	} {
		rec := e.admin.Post(t, "/staff/people/"+id, form)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "last admin") {
			t.Errorf("%s: %d %.300s; want 422 saying it is the last admin", name, rec.Code, rec.Body)
		}
		if st := e.staff("admin"); !sameRoles(st, domain.RoleAdmin) || st.Disabled {
			t.Fatalf("%s: the last admin is now %+v", name, st)
		}
	}
	if rec := e.admin.Get(t, "/staff/people"); rec.Code != http.StatusOK {
		t.Fatalf("the last admin lost the people page: %d", rec.Code)
	}

	// With a second admin, the first may step down.
	e.addStaff("admin2", domain.RoleAdmin)
	rec := e.admin.Post(t, "/staff/people/"+id, url.Values{"csrf": {csrf}, "role_moderator": {"on"}})
	if rec.Code != http.StatusSeeOther || !sameRoles(e.staff("admin"), domain.RoleModerator) {
		t.Fatalf("stepping down beside another admin: %d, roles %v", rec.Code, e.staff("admin").Roles)
	}
	if rec := e.admin.Get(t, "/staff/people"); rec.Code != http.StatusForbidden {
		t.Fatalf("a former admin opens the people page: %d; want 403 at once", rec.Code)
	}
}

func TestAudit_RecordsInvitesAndRoleChangesButNoMemberData(t *testing.T) {
	e := openConsole(t)

	// A member's answers arrive first: none of them may reach the log.
	const canary = "canary-answer-audit-5123"
	p := testapp.NewPhone(t, e.h)
	id := testapp.NewID()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/responses",
		strings.NewReader(string(testapp.Body(p.Needs(t, id, testapp.With("comments", canary))))))
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("member sync: %d %s", rec.Code, rec.Body)
	}

	link := testapp.Invite(t, e.h, &http.Cookie{Value: e.admin.Token}, e.admin.CSRF(t), domain.RoleFieldWorker, domain.RoleTranslator)
	testapp.SignUp(t, e.h, link, "outreach1", staffPassword)
	rec = e.admin.Post(t, "/staff/people/"+e.staff("outreach1").ID, url.Values{"csrf": {e.admin.CSRF(t)}, "role_moderator": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("set roles: %d %.300s", rec.Code, rec.Body)
	}

	page := e.admin.Get(t, "/staff/audit")
	if page.Code != http.StatusOK {
		t.Fatalf("GET /staff/audit: %d", page.Code)
	}
	body := page.Body.String()
	for _, want := range []string{"invite made", "fieldworker, translator", "roles changed", "outreach1: moderator", "account created"} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
	// Who did it: the admin made the invite and changed the roles.
	var sawInvite, sawRoles bool
	for _, en := range e.auditLog() {
		switch en.Action {
		case "invite made":
			sawInvite = en.Staff == "admin" && en.Target == "fieldworker, translator"
		case "roles changed":
			sawRoles = en.Staff == "admin" && en.Target == "outreach1: moderator"
		}
	}
	if !sawInvite || !sawRoles {
		t.Errorf("audit entries %+v: want the admin's invite and role change", e.auditLog())
	}

	// No member data: not the answer, not the response id, not a question.
	for _, leak := range []string{canary, id, "comments", "find_clients", "harassed_online", "hiv_test"} {
		if strings.Contains(body, leak) {
			t.Errorf("the audit page holds member data %q", leak)
		}
		for _, en := range e.auditLog() {
			if strings.Contains(fmt.Sprintf("%+v", en), leak) {
				t.Errorf("audit entry %+v holds member data %q", en, leak)
			}
		}
	}
	// And the invite's one-time token is not in the log either.
	if tok := strings.TrimPrefix(link, "/staff/invite/"); strings.Contains(body, tok) {
		t.Error("the audit page shows an invite's token")
	}
}

// An invite makes an account with the roles the admin chose, whatever the
// form says; a form with a problem is shown again and keeps the link.
func TestInvite_MakesAnAccountWithTheInvitesRolesOnly(t *testing.T) {
	e := openConsole(t)
	link := testapp.Invite(t, e.h, &http.Cookie{Value: e.admin.Token}, e.admin.CSRF(t), domain.RoleFieldWorker)
	c := testapp.NewConsole(e.h)
	if rec := c.Get(t, link); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "fieldworker") {
		t.Fatalf("GET invite: %d %.300s", rec.Code, rec.Body)
	}
	for name, f := range map[string]url.Values{
		"login too short":    {"login": {"ab"}, "password": {staffPassword}, "repeat": {staffPassword}},
		"login with a space": {"login": {"field worker"}, "password": {staffPassword}, "repeat": {staffPassword}},
		"password too short": {"login": {"field1"}, "password": {"short pw"}, "repeat": {"short pw"}},
		"passwords differ":   {"login": {"field1"}, "password": {staffPassword}, "repeat": {staffPassword + "!"}},
		"login taken":        {"login": {"admin"}, "password": {staffPassword}, "repeat": {staffPassword}},
	} {
		rec := c.Post(t, link, f)
		if rec.Code != http.StatusUnprocessableEntity || c.Token != "" {
			t.Errorf("%s: %d, token %q; want 422 and no session", name, rec.Code, c.Token)
		}
		if st, _ := e.app.Store().StaffByLogin(f.Get("login")); st != nil && f.Get("login") != "admin" {
			t.Errorf("%s: made account %+v", name, st)
		}
	}
	if rec := c.Get(t, link); rec.Code != http.StatusOK {
		t.Fatalf("a refused form used up the link: %d", rec.Code)
	}
	rec := c.Post(t, link, url.Values{"login": {"field1"}, "password": {staffPassword}, "repeat": {staffPassword},
		"role_admin": {"on"}, "roles": {"admin"}})
	if rec.Code != http.StatusSeeOther || c.Token == "" {
		t.Fatalf("accept invite: %d %.300s", rec.Code, rec.Body)
	}
	if st := e.staff("field1"); !sameRoles(st, domain.RoleFieldWorker) {
		t.Fatalf("invited account's roles %v; want [fieldworker]", st.Roles)
	}
	if rec := c.Get(t, "/staff/people"); rec.Code != http.StatusForbidden {
		t.Fatalf("the field worker opens the people page: %d", rec.Code)
	}
	if rec := testapp.NewConsole(e.h).Get(t, link); rec.Code != http.StatusGone {
		t.Fatalf("GET a used invite: %d; want 410", rec.Code)
	}
}
