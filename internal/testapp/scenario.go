package testapp

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"sova/server/domain"
)

// Scenario is one HTTP request to a whole Sova and what must come of it, in
// the shape of pocketbase's tests.ApiScenario. It runs, in parallel with its
// siblings, on its own copy of the fixture, unless it is given a copy to
// share (Env).
type Scenario struct {
	Name   string // default: method and URL
	Method string // default: POST when there is a body, else GET
	URL    string

	// Role signs the request in as the fixture's account with that role;
	// "" is a member (no cookie). A signed-in form post carries the
	// session's CSRF token unless Form sets "csrf" itself.
	Role domain.Role
	// Form is a form's fields (url.Values{} for an empty form): urlencoded,
	// or multipart with File.
	Form url.Values
	File *File
	// Body is sent as it is when there is no Form (JSON by default).
	Body    []byte
	Headers map[string]string

	// Env is an open copy to run on instead of a fresh one, shared by
	// scenarios that change nothing (which their expectations check), such
	// as Shared. Such a scenario has no Before and no Wait.
	Env *Env
	// Before puts state in place (an earlier sync, a new survey version);
	// Wait then moves the clock before the request.
	Before func(t *testing.T, e *Env)
	Wait   time.Duration

	ExpectedStatus     int
	ExpectedContent    []string // substrings of the body
	NotExpectedContent []string
	// ExpectedAudit is the entries the request adds to the audit log, in
	// order; nil is none. Each is the signed-in account's (Role's) doing.
	ExpectedAudit []Audit
	// ExpectedNotices is the notices the request leaves waiting for
	// subscribers, as kind by subscriber (named by Env.Subscribe); nil is
	// none.
	ExpectedNotices map[string]string
	// After checks the store, or the reply in detail.
	After func(t *testing.T, e *Env, res *httptest.ResponseRecorder)
}

// Audit is an audit entry as a scenario expects it.
type Audit struct{ Action, Target string }

// Test runs the scenario as a parallel subtest of t.
func (s Scenario) Test(t *testing.T) {
	t.Helper()
	t.Run(s.name(), func(t *testing.T) {
		t.Helper()
		t.Parallel()
		e := s.Env
		switch {
		case e == nil:
			e = OpenFixture(t)
		case s.Before != nil || s.Wait != 0:
			t.Fatal("testapp: a scenario on a shared Env has no Before and no Wait")
		}
		if s.Before != nil {
			s.Before(t, e)
		}
		e.Clock.Advance(s.Wait)
		audit, pending := len(e.AuditLog(t)), e.pending(t)
		res := s.serve(t, e)
		s.check(t, e, res, audit, pending)
		if s.After != nil {
			s.After(t, e, res)
		}
	})
}

func (s Scenario) name() string {
	if s.Name != "" {
		return s.Name
	}
	return s.method() + " " + s.URL
}

func (s Scenario) method() string {
	switch {
	case s.Method != "":
		return s.Method
	case s.Form != nil || s.File != nil || s.Body != nil:
		return http.MethodPost
	}
	return http.MethodGet
}

func (s Scenario) serve(t *testing.T, e *Env) *httptest.ResponseRecorder {
	t.Helper()
	form := maps.Clone(s.Form)
	if s.Role != "" && s.method() == http.MethodPost && (form != nil || s.File != nil) {
		if form == nil {
			form = url.Values{}
		}
		if _, ok := form["csrf"]; !ok {
			form.Set("csrf", e.As(s.Role).CSRF(t))
		}
	}
	var req *http.Request
	switch {
	case s.File != nil:
		req = multipartRequest(s.URL, form, s.File)
	case form != nil:
		req = formRequest(s.URL, form)
	default:
		req = httptest.NewRequest(http.MethodGet, s.URL, bytesReader(s.Body))
		if s.Body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	req.Method = s.method()
	for k, v := range s.Headers {
		req.Header.Set(k, v)
	}
	if s.Role == "" {
		return serve(e.H, req)
	}
	return e.As(s.Role).send(req, nil)
}

func (s Scenario) check(t *testing.T, e *Env, res *httptest.ResponseRecorder, auditBefore int, pendingBefore map[string]string) {
	t.Helper()
	body := res.Body.String()
	if res.Code != s.ExpectedStatus {
		t.Fatalf("%s %s: status %d, want %d; Location %q; body:\n%s", s.method(), s.URL, res.Code, s.ExpectedStatus, res.Header().Get("Location"), short(body))
	}
	for _, want := range s.ExpectedContent {
		if !strings.Contains(body, want) {
			t.Errorf("the reply lacks %s\nreply: %s", want, short(body))
		}
	}
	for _, bad := range s.NotExpectedContent {
		if strings.Contains(body, bad) {
			t.Errorf("the reply holds %s\nreply: %s", bad, short(body))
		}
	}

	log := e.AuditLog(t)
	added := slices.Clone(log[:max(0, len(log)-auditBefore)])
	slices.Reverse(added) // oldest first
	var got []Audit
	for _, en := range added {
		got = append(got, Audit{en.Action, en.Target})
		if s.Role != "" && en.Staff != string(s.Role) {
			t.Errorf("audit entry %+v is not the %s's", en, s.Role)
		}
	}
	if !slices.Equal(got, s.ExpectedAudit) {
		t.Errorf("the request added audit entries %+v, want %+v", got, s.ExpectedAudit)
	}

	queued := map[string]string{}
	for name, now := range e.pending(t) {
		if now != pendingBefore[name] {
			kind, _, _ := strings.Cut(now, " ")
			queued[name] = kind
		}
	}
	if !maps.Equal(queued, s.ExpectedNotices) {
		t.Errorf("the request left notices waiting %v, want %v", queued, s.ExpectedNotices)
	}
}

func short(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
