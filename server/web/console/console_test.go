package console_test

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

	"sova/internal/testapp"
	"sova/server/domain"
)

// The staff console, through the real router on real Badger, with a clock
// the tests move: each test on its own copy of the fixture, where an account
// per role is signed in (internal/testapp), except the first admin's setup
// link, which only a fresh Sova has.

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
	t.Parallel()
	clock := testapp.NewClock(testapp.Epoch)
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
	ck := testapp.SignUp(t, h, link, "first", testapp.Password)
	st, err := a.Store().StaffByLogin("first")
	if err != nil || st == nil || !sameRoles(st, domain.RoleAdmin) {
		t.Fatalf("account made by the setup link: %+v, %v; want roles [admin]", st, err)
	}
	if !signedIn(t, &testapp.Console{H: h, Token: ck.Value}) {
		t.Fatal("the setup link does not sign its admin in")
	}
	if strings.Contains(st.Password, testapp.Password) || !strings.HasPrefix(st.Password, "$argon2id$") {
		t.Fatalf("stored password %q", st.Password)
	}

	// Used: a second account, or even a look, gets 410.
	again := c.Post(t, link, url.Values{"login": {"second"}, "password": {testapp.Password}, "repeat": {testapp.Password}})
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
	t.Parallel()
	clock := testapp.NewClock(testapp.Epoch)
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
	rec := c.Post(t, link, url.Values{"login": {"late"}, "password": {testapp.Password}, "repeat": {testapp.Password}})
	if rec.Code != http.StatusGone {
		t.Errorf("POST the setup link after 61 minutes: %d; want 410", rec.Code)
	}
	if st, _ := a.Store().StaffByLogin("late"); st != nil {
		t.Error("an expired setup link made an account")
	}
}

// The fixture's admin signed up with the setup link, and every copy of it
// is a later start.
func TestSetupLink_NotMadeOnceAnAdminExists(t *testing.T) {
	t.Parallel()
	if l := testapp.OpenFixture(t).App.SetupLink(); l != "" {
		t.Fatalf("a server with an admin made setup link %q", l)
	}
}

// Each start without an admin prints a new link. Once one of them has made
// the admin, the others (still in the server's output) must be dead, or
// anyone who reads the log within the hour becomes an admin.
func TestSetupLink_FromAnEarlierStartIsDeadOnceAnAdminExists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := testapp.NewClock(testapp.Epoch)
	first := testapp.OpenClock(t, dir, clock)
	old := first.SetupLink()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	a := testapp.OpenClock(t, dir, clock)
	if a.SetupLink() == "" || a.SetupLink() == old {
		t.Fatalf("second start's setup link %q (first %q)", a.SetupLink(), old)
	}
	testapp.SignUp(t, a.Handler(), a.SetupLink(), "admin", testapp.Password)
	c := testapp.NewConsole(a.Handler())
	rec := c.Post(t, old, url.Values{"login": {"intruder"}, "password": {testapp.Password}, "repeat": {testapp.Password}})
	if st, _ := a.Store().StaffByLogin("intruder"); st != nil || rec.Code != http.StatusGone {
		t.Fatalf("the first start's setup link, after an admin was made: %d, account %+v; want 410 and none", rec.Code, st)
	}
}

// ---- Login and logout ----

func TestLogin_RightPasswordSetsAHostCookieAndGoesHome(t *testing.T) {
	t.Parallel()
	testapp.Scenario{
		Name:           "the admin signs in",
		URL:            "/staff/login",
		Form:           url.Values{"login": {"admin"}, "password": {testapp.Password}},
		ExpectedStatus: http.StatusSeeOther,
		After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
			if res.Header().Get("Location") != "/staff/" {
				t.Fatalf("login: to %q; want /staff/", res.Header().Get("Location"))
			}
			ck := testapp.SessionCookie(res)
			if ck == nil {
				t.Fatalf("no %s cookie in %q", testapp.StaffCookie, res.Header().Values("Set-Cookie"))
			}
			if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Domain != "" {
				t.Fatalf("cookie %q: want __Host- name, Secure, HttpOnly, SameSite=Strict, Path=/, no Domain", res.Header().Get("Set-Cookie"))
			}
			if len(ck.Value) < 43 {
				t.Fatalf("session token %q is short", ck.Value)
			}
			if !signedIn(t, &testapp.Console{H: e.H, Token: ck.Value}) {
				t.Fatal("the new cookie does not open the console")
			}
			// Only the hash of the token is kept.
			if sess, _ := e.App.Store().Session(ck.Value); sess != nil {
				t.Fatal("the session is stored under its raw token")
			}
		},
	}.Test(t)
}

func TestLogin_WrongPasswordAndUnknownAccountLookTheSame(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	c := testapp.NewConsole(e.H)
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
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	c := testapp.NewConsole(e.H)
	c.Token = "planted-by-an-attacker"
	c.Login(t, "admin", testapp.Password)
	first := c.Token
	if first == "" || first == "planted-by-an-attacker" {
		t.Fatalf("session token after login %q", first)
	}
	c.Login(t, "admin", testapp.Password) // sends the first cookie along
	second := c.Token
	if second == "" || second == first || second == admin.Token {
		t.Fatalf("tokens: setup %q, first login %q, second login %q; want all different", admin.Token, first, second)
	}
	if signedIn(t, &testapp.Console{H: e.H, Token: first}) {
		t.Fatal("the cookie from before the second login still works")
	}
	if !signedIn(t, c) || !signedIn(t, admin) {
		t.Fatal("a login signed another session out")
	}
	c.Post(t, "/staff/logout", url.Values{"csrf": {c.CSRF(t)}})
	for name, tok := range map[string]string{"first": first, "second": second} {
		if signedIn(t, &testapp.Console{H: e.H, Token: tok}) {
			t.Errorf("the %s login's cookie works after logout", name)
		}
	}
}

func TestLogout_InvalidatesTheSession(t *testing.T) {
	t.Parallel()
	var old, csrf string // the admin's cookie and form token, before logging out
	testapp.Scenario{
		Name: "the admin logs out",
		URL:  "/staff/logout",
		Role: domain.RoleAdmin,
		Form: url.Values{},
		Before: func(t *testing.T, e *testapp.Env) {
			admin := e.As(domain.RoleAdmin)
			old, csrf = admin.Token, admin.CSRF(t)
		},
		ExpectedStatus: http.StatusSeeOther,
		After: func(t *testing.T, e *testapp.Env, res *httptest.ResponseRecorder) {
			if !isLoginRedirect(res) {
				t.Fatalf("logout: %d %q; want 303 to /staff/login", res.Code, res.Header().Get("Location"))
			}
			if ck := testapp.SessionCookie(res); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
				t.Fatalf("logout does not clear the cookie: %q", res.Header().Values("Set-Cookie"))
			}
			// The old cookie, replayed, opens nothing and posts nothing.
			replay := &testapp.Console{H: e.H, Token: old}
			for _, path := range []string{"/staff/", "/staff/people", "/staff/audit"} {
				if rec := replay.Get(t, path); !isLoginRedirect(rec) {
					t.Errorf("GET %s with the old cookie: %d %q; want 303 to /staff/login", path, rec.Code, rec.Header().Get("Location"))
				}
			}
			before := len(e.AuditLog(t))
			if rec := replay.Post(t, "/staff/people/invite", url.Values{"csrf": {csrf}, "role_admin": {"on"}}); !isLoginRedirect(rec) {
				t.Errorf("POST with the old cookie and token: %d; want 303 to /staff/login", rec.Code)
			}
			if n := len(e.AuditLog(t)); n != before {
				t.Errorf("the old cookie made %d audited changes", n-before)
			}
		},
	}.Test(t)
}

// ---- Timeouts ----

func TestSession_IdleTimeout(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	c := e.As(domain.RoleAdmin)
	e.Clock.Advance(29 * time.Minute)
	if !signedIn(t, c) {
		t.Fatal("signed out after 29 idle minutes")
	}
	e.Clock.Advance(29 * time.Minute) // 58 minutes in, but only 29 idle
	if !signedIn(t, c) {
		t.Fatal("a request did not keep the session alive")
	}
	e.Clock.Advance(31 * time.Minute)
	if signedIn(t, c) {
		t.Fatal("still signed in after 31 idle minutes")
	}
	e.Clock.Advance(-31 * time.Minute) // the expired session is gone, not just refused
	if signedIn(t, c) {
		t.Fatal("the idle-expired session came back")
	}
}

func TestSession_AbsoluteTimeout(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	c := e.As(domain.RoleAdmin)
	for elapsed := 10 * time.Minute; elapsed < 12*time.Hour; elapsed += 10 * time.Minute {
		e.Clock.Advance(10 * time.Minute)
		// Any page keeps the session alive; the staff list is a cheap one.
		if rec := c.Get(t, "/staff/people"); rec.Code != http.StatusOK {
			t.Fatalf("signed out after %v with a request every 10 minutes: %d %q", elapsed, rec.Code, rec.Header().Get("Location"))
		}
	}
	e.Clock.Advance(11 * time.Minute) // 12 h 1 min since login, 11 min idle
	if signedIn(t, c) {
		t.Fatal("still signed in 12 h after login")
	}
}

// ---- CSRF ----

// A form post without the session's own token, or from another site, is
// refused with 403 and changes nothing.
func TestCSRF_FormsWithoutTheTokenOrFromElsewhereAreRefused(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	tr := e.As(domain.RoleTranslator)
	trID := testapp.StaffID(t, domain.RoleTranslator)
	trCSRF := tr.CSRF(t)
	csrf := admin.CSRF(t)
	otherAdmin := testapp.NewConsole(e.H)
	otherAdmin.Login(t, "admin", testapp.Password)
	otherCSRF := otherAdmin.CSRF(t) // valid, but for another session
	if otherCSRF == csrf {
		t.Fatal("two sessions share a CSRF token")
	}
	auditBefore := len(e.AuditLog(t))

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
			rec := admin.Post(t, p.path, p.form, at.header...)
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
	if st := e.Staff(t, "translator"); !sameRoles(st, domain.RoleTranslator) {
		t.Errorf("translator's roles became %v", st.Roles)
	}
	if n := len(e.AuditLog(t)); n != auditBefore {
		t.Errorf("refused posts made %d audit entries (invites or role changes)", n-auditBefore)
	}
	if !signedIn(t, admin) || !signedIn(t, tr) {
		t.Error("a refused logout signed someone out")
	}

	// The login form and the invite form have no session yet, but are
	// refused from another site all the same (login CSRF).
	for _, hdr := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		c := testapp.NewConsole(e.H)
		if rec := c.Login(t, "admin", testapp.Password, hdr...); rec.Code != http.StatusForbidden || c.Token != "" {
			t.Errorf("login with %v: %d, token %q; want 403 and no cookie", hdr, rec.Code, c.Token)
		}
	}
	link := testapp.Invite(t, e.H, &http.Cookie{Value: admin.Token}, csrf, domain.RoleModerator)
	c := testapp.NewConsole(e.H)
	rec := c.Post(t, link, url.Values{"login": {"mod"}, "password": {testapp.Password}, "repeat": {testapp.Password}}, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden {
		t.Errorf("invite accepted from another site: %d; want 403", rec.Code)
	}
	testapp.SignUp(t, e.H, link, "mod", testapp.Password) // still unused

	// The control: the same form with the right token, from this site, works.
	rec = admin.Post(t, "/staff/people/"+trID, url.Values{"csrf": {csrf}, "role_moderator": {"on"}, "role_translator": {"on"}},
		"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com")
	if rec.Code != http.StatusSeeOther || !sameRoles(e.Staff(t, "translator"), domain.RoleModerator, domain.RoleTranslator) {
		t.Fatalf("the right token, same origin: %d, roles %v", rec.Code, e.Staff(t, "translator").Roles)
	}
}

// ---- Login limits ----

func TestLoginLimit_PerAccountCannotBeBypassedWithForwardedFor(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	c := testapp.NewConsole(e.H)
	for i := 1; i <= 5; i++ {
		rec := c.Login(t, "admin", fmt.Sprint("guess number ", i), "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i), "X-Real-IP", fmt.Sprintf("203.0.113.%d", i))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d; want 401", i, rec.Code)
		}
	}
	rec := c.Login(t, "admin", testapp.Password, "X-Forwarded-For", "203.0.113.6", "X-Real-IP", "203.0.113.6")
	if rec.Code != http.StatusTooManyRequests || c.Token != "" {
		t.Fatalf("6th attempt, right password, new X-Forwarded-For: %d, token %q; want 429 and no cookie", rec.Code, c.Token)
	}
	// The account's limit holds from any peer.
	elsewhere := &testapp.Console{H: e.H, RemoteAddr: "198.51.100.9:5555"}
	if rec := elsewhere.Login(t, "admin", testapp.Password); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("7th attempt from another peer: %d; want 429", rec.Code)
	}
	if !signedIn(t, admin) {
		t.Fatal("the limit signed out an existing session")
	}
	e.Clock.Advance(15 * time.Minute)
	if rec := c.Login(t, "admin", testapp.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("login 15 minutes later: %d; want 303", rec.Code)
	}
}

func TestLoginLimit_PerPeerAcrossAccounts(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	attacker := &testapp.Console{H: e.H, RemoteAddr: "203.0.113.50:40000"}
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
	rec := attacker.Login(t, "admin", testapp.Password, "X-Forwarded-For", "10.0.0.99")
	if rec.Code != http.StatusTooManyRequests || attacker.Token != "" {
		t.Fatalf("21st attempt from the same peer: %d; want 429", rec.Code)
	}
	if rec := attacker.Login(t, "brand-new", "x", "X-Forwarded-For", "10.0.0.100"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("22nd attempt from the same peer: %d; want 429", rec.Code)
	}
	// Another peer is not held back by the attacker's attempts (admin had 4
	// wrong ones: below the account's limit).
	other := &testapp.Console{H: e.H, RemoteAddr: "198.51.100.20:1234"}
	if rec := other.Login(t, "admin", testapp.Password); rec.Code != http.StatusSeeOther || other.Token == "" {
		t.Fatalf("login from another peer: %d; want 303", rec.Code)
	}
}

// The limit counts attempts on unknown accounts as on real ones, and says
// the same words, so that neither 401 nor 429 tells an account exists.
func TestLoginLimit_MessagesNeverRevealWhetherAnAccountExists(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	var real, unknown []*httptest.ResponseRecorder
	for i := 0; i < 6; i++ {
		r := &testapp.Console{H: e.H, RemoteAddr: "198.51.100.1:1"}
		u := &testapp.Console{H: e.H, RemoteAddr: "198.51.100.2:1"}
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
	{"POST", "/staff/me/lang", anyStaff},
	{"GET", "/staff/people", adminOnly},
	{"HEAD", "/staff/people", adminOnly},
	{"POST", "/staff/people/invite", adminOnly},
	{"POST", "/staff/people/:id", adminOnly},
	{"GET", "/staff/audit", adminOnly},
	{"HEAD", "/staff/audit", adminOnly},
	{"GET", "/staff/backups", adminOnly},
	{"HEAD", "/staff/backups", adminOnly},
	{"POST", "/staff/backups/now", adminOnly},
	{"POST", "/staff/backups/recipient", adminOnly},
	{"GET", "/staff/backups/latest", adminOnly},
	{"HEAD", "/staff/backups/latest", adminOnly},
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
	{"GET", "/staff/surveys/:id/:v/xlsform.xlsx", adminOnly},
	{"HEAD", "/staff/surveys/:id/:v/xlsform.xlsx", adminOnly},
	{"GET", "/staff/surveys/:id/:v/xlsform.zip", adminOnly},
	{"HEAD", "/staff/surveys/:id/:v/xlsform.zip", adminOnly},
	{"GET", "/staff/surveys/template.xlsx", adminOnly},
	{"HEAD", "/staff/surveys/template.xlsx", adminOnly},
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
	{"GET", "/staff/results/:id/:v/export.xlsx", adminOnly},
	{"HEAD", "/staff/results/:id/:v/export.xlsx", adminOnly},
	{"GET", "/staff/results/:id/:v/export.json", adminOnly},
	{"HEAD", "/staff/results/:id/:v/export.json", adminOnly},
}

// The role matrix holds in every language the console speaks: here in
// English and in Russian (the accounts' own choice, and a Russian browser
// for the signed-out), where a page that answers also speaks Russian.
func TestConsole_RoleMatrix(t *testing.T)          { roleMatrix(t, "en") }
func TestConsole_RoleMatrixInRussian(t *testing.T) { roleMatrix(t, "ru") }

func roleMatrix(t *testing.T, lang string) {
	t.Parallel()
	e := testapp.OpenFixture(t, withBackups(t))
	for _, r := range domain.Roles {
		st := e.Staff(t, string(r))
		if err := e.App.Store().ChangeStaff(st.ID, func(st *domain.Staff, _ []*domain.Staff) (domain.AuditEntry, error) {
			st.Lang = lang
			return domain.AuditEntry{Time: testapp.Epoch, Staff: st.Login, Action: "console language chosen", Target: lang}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if out, _ := e.App.BackUp(); out.Err != "" { // one to download
		t.Fatal(out.Err)
	}
	admin := e.As(domain.RoleAdmin)
	ech, ok := e.H.(*echo.Echo)
	if !ok {
		t.Fatalf("the handler is a %T, not *echo.Echo: cannot list its routes", e.H)
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

	// The fixture's accounts: one per role, each with only that role, each
	// from its own peer so that the login limits stay out of the way.
	target := testapp.StaffID(t, domain.RoleTranslator)
	freshInvite := testapp.Invite(t, e.H, &http.Cookie{Value: admin.Token}, admin.CSRF(t), domain.RoleModerator)
	token := strings.TrimPrefix(freshInvite, "/staff/invite/")

	const deviceHash = "matrix-device-hash-0123456789"
	if err := e.App.Store().PutDevice(deviceHash, &domain.Device{StaffID: target}); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Store().PutWarning(&domain.Warning{ID: "matrix-report", Day: "2026-03-01", State: domain.ReportPending, Kind: "robbery", When: "today"}); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Store().PutService(&domain.Service{ID: "matrix-svc", Category: "clinic", Texts: map[string]domain.ServiceText{"en": {Name: "Clinic"}}}); err != nil {
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
	for _, r := range domain.Roles {
		everyone = append(everyone, who{string(r), r})
	}
	for _, rt := range consoleRoutes {
		for _, w := range everyone {
			t.Run(fmt.Sprintf("%s %s as %s", rt.method, rt.path, w.name), func(t *testing.T) {
				c := testapp.NewConsole(e.H)
				c.RemoteAddr = "198.51.100.200:1"
				if w.role != "" {
					c = e.As(w.role)
					if c.Token == "" { // signed out by the logout row: sign in again
						if rec := c.Login(t, string(w.role), testapp.Password); rec.Code != http.StatusSeeOther {
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
					rec = c.Post(t, fill(rt.path), f, "Accept-Language", lang)
				} else {
					rec = c.Do(t, rt.method, fill(rt.path), nil, "Accept-Language", lang)
				}
				// A preview is the member's page in the language previewed.
				if page := rec.Body.String(); !strings.Contains(rt.path, "/preview/") && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") &&
					strings.Contains(page, "<html") && !strings.Contains(page, `<html lang="`+lang+`"`) {
					t.Errorf("%s %s as %s: the page is not in %s: %.120s", rt.method, rt.path, w.name, lang, page)
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
	if st := e.Staff(t, "translator"); !sameRoles(st, domain.RoleTranslator) {
		t.Errorf("target's roles became %v", st.Roles)
	}
	for _, en := range e.AuditLog(t) {
		if (en.Action == "invite made" || en.Action == "roles changed") && en.Staff != "admin" {
			t.Errorf("%s by %s: %+v", en.Action, en.Staff, en)
		}
	}
	if rec := testapp.NewConsole(e.H).Get(t, freshInvite); rec.Code != http.StatusOK {
		t.Errorf("the matrix used up the invite: %d", rec.Code)
	}
}

// ---- Staff management and the audit log ----

func TestPeople_LastAdminCannotRemoveOwnAdminRole(t *testing.T) {
	t.Parallel()
	shared := testapp.Shared(t) // every row is refused
	for name, form := range map[string]url.Values{
		"drop admin": {"role_moderator": {"on"}},
		"no roles":   {},
		"disable":    {"role_admin": {"on"}, "disabled": {"on"}},
	} {
		testapp.Scenario{
			Name:            name,
			Env:             shared,
			Role:            domain.RoleAdmin,
			URL:             "/staff/people/" + testapp.StaffID(t, domain.RoleAdmin),
			Form:            form,
			ExpectedStatus:  http.StatusUnprocessableEntity,
			ExpectedContent: []string{"last admin"},
			After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
				if st := e.Staff(t, "admin"); !sameRoles(st, domain.RoleAdmin) || st.Disabled {
					t.Fatalf("the last admin is now %+v", st)
				}
				if rec := e.As(domain.RoleAdmin).Get(t, "/staff/people"); rec.Code != http.StatusOK {
					t.Fatalf("the last admin lost the people page: %d", rec.Code)
				}
			},
		}.Test(t)
	}
}

func TestPeople_AnAdminMayStepDownBesideAnother(t *testing.T) {
	t.Parallel()
	testapp.Scenario{
		Name:           "the admin becomes a moderator",
		Role:           domain.RoleAdmin,
		URL:            "/staff/people/" + testapp.StaffID(t, domain.RoleAdmin),
		Form:           url.Values{"role_moderator": {"on"}},
		Before:         func(t *testing.T, e *testapp.Env) { e.AddStaff(t, "admin2", domain.RoleAdmin) },
		ExpectedStatus: http.StatusSeeOther,
		ExpectedAudit:  []testapp.Audit{{Action: "roles changed", Target: "admin: moderator"}},
		After: func(t *testing.T, e *testapp.Env, _ *httptest.ResponseRecorder) {
			if st := e.Staff(t, "admin"); !sameRoles(st, domain.RoleModerator) {
				t.Fatalf("stepping down beside another admin: roles %v", st.Roles)
			}
			if rec := e.As(domain.RoleAdmin).Get(t, "/staff/people"); rec.Code != http.StatusForbidden {
				t.Fatalf("a former admin opens the people page: %d; want 403 at once", rec.Code)
			}
		},
	}.Test(t)
}

func TestAudit_RecordsInvitesAndRoleChangesButNoMemberData(t *testing.T) {
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)

	// A member's answers arrive first: none of them may reach the log.
	const canary = "canary-answer-audit-5123"
	id := testapp.NewID()
	if out := e.Sync(t, e.Phone.Needs(t, id, testapp.With("comments", canary))); !slices.Equal(out.Accepted, []string{id}) {
		t.Fatalf("member sync: %+v", out)
	}

	before := len(e.AuditLog(t))
	link := testapp.Invite(t, e.H, &http.Cookie{Value: admin.Token}, admin.CSRF(t), domain.RoleFieldWorker, domain.RoleTranslator)
	testapp.SignUp(t, e.H, link, "outreach1", testapp.Password)
	rec := admin.Post(t, "/staff/people/"+e.Staff(t, "outreach1").ID, url.Values{"csrf": {admin.CSRF(t)}, "role_moderator": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("set roles: %d %.300s", rec.Code, rec.Body)
	}

	page := admin.Get(t, "/staff/audit")
	if page.Code != http.StatusOK {
		t.Fatalf("GET /staff/audit: %d", page.Code)
	}
	body := page.Body.String()
	// Roles by the names the console gives them (stored by their codes).
	for _, want := range []string{"invite made", "outreach worker, translator", "roles changed", "outreach1: moderator", "account created"} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
	// Who did it: the admin made the invite and changed the roles, and
	// the new account made itself.
	log := e.AuditLog(t)
	var added []string
	for _, en := range slices.Backward(log[:len(log)-before]) {
		added = append(added, en.Staff+" / "+en.Action+" / "+en.Target)
	}
	if want := []string{
		"admin / invite made / fieldworker, translator",
		"outreach1 / account created / fieldworker, translator",
		"admin / roles changed / outreach1: moderator",
	}; !slices.Equal(added, want) {
		t.Errorf("audit entries %q, want %q", added, want)
	}

	// No member data: not the answer, not the response id, not a question.
	for _, leak := range []string{canary, id, "comments", "find_clients", "harassed_online", "hiv_test"} {
		if strings.Contains(body, leak) {
			t.Errorf("the audit page holds member data %q", leak)
		}
		for _, en := range e.AuditLog(t) {
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
	t.Parallel()
	e := testapp.OpenFixture(t)
	admin := e.As(domain.RoleAdmin)
	link := testapp.Invite(t, e.H, &http.Cookie{Value: admin.Token}, admin.CSRF(t), domain.RoleFieldWorker)
	c := testapp.NewConsole(e.H)
	if rec := c.Get(t, link); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "outreach worker") {
		t.Fatalf("GET invite: %d %.300s", rec.Code, rec.Body)
	}
	for name, f := range map[string]url.Values{
		"login too short":    {"login": {"ab"}, "password": {testapp.Password}, "repeat": {testapp.Password}},
		"login with a space": {"login": {"field worker"}, "password": {testapp.Password}, "repeat": {testapp.Password}},
		"password too short": {"login": {"field1"}, "password": {"short pw"}, "repeat": {"short pw"}},
		"passwords differ":   {"login": {"field1"}, "password": {testapp.Password}, "repeat": {testapp.Password + "!"}},
		"login taken":        {"login": {"admin"}, "password": {testapp.Password}, "repeat": {testapp.Password}},
	} {
		rec := c.Post(t, link, f)
		if rec.Code != http.StatusUnprocessableEntity || c.Token != "" {
			t.Errorf("%s: %d, token %q; want 422 and no session", name, rec.Code, c.Token)
		}
		if st, _ := e.App.Store().StaffByLogin(f.Get("login")); st != nil && f.Get("login") != "admin" {
			t.Errorf("%s: made account %+v", name, st)
		}
	}
	if rec := c.Get(t, link); rec.Code != http.StatusOK {
		t.Fatalf("a refused form used up the link: %d", rec.Code)
	}
	rec := c.Post(t, link, url.Values{"login": {"field1"}, "password": {testapp.Password}, "repeat": {testapp.Password},
		"role_admin": {"on"}, "roles": {"admin"}})
	if rec.Code != http.StatusSeeOther || c.Token == "" {
		t.Fatalf("accept invite: %d %.300s", rec.Code, rec.Body)
	}
	if st := e.Staff(t, "field1"); !sameRoles(st, domain.RoleFieldWorker) {
		t.Fatalf("invited account's roles %v; want [fieldworker]", st.Roles)
	}
	if rec := c.Get(t, "/staff/people"); rec.Code != http.StatusForbidden {
		t.Fatalf("the field worker opens the people page: %d", rec.Code)
	}
	if rec := testapp.NewConsole(e.H).Get(t, link); rec.Code != http.StatusGone {
		t.Fatalf("GET a used invite: %d; want 410", rec.Code)
	}
}
