package testapp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"sova/internal/testapp"
	"sova/server/domain"
)

func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }

// The helpers must make what a real phone makes, or every test built on them
// proves nothing: a canonical id, a key the server publishes, and NeedsAnswers
// that the real needs survey accepts.
func TestPhone_NeedsAnswersAreAcceptedByTheRealServer(t *testing.T) {
	t.Parallel()
	a := testapp.Open(t)
	p := testapp.NewPhone(t, a.Handler())
	if len(p.PublicKey) != 65 || p.PublicKey[0] != 4 || p.Kid == "" {
		t.Fatalf("key: kid %q, %d bytes", p.Kid, len(p.PublicKey))
	}
	id := testapp.NewID()
	if !domain.ValidResponseID(id) {
		t.Fatalf("NewID made %q, not a canonical UUIDv4", id)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/responses", strings.NewReader(string(testapp.Body(p.Needs(t, id, testapp.NeedsAnswers())))))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"accepted":["`+id+`"]`) {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
}

// Every copy starts from the same fixture: the same response key, an
// account per role already signed in, and nothing another copy did.
func TestFixture_EachCopyStartsAfresh(t *testing.T) {
	t.Parallel()
	first, second := testapp.OpenFixture(t), testapp.OpenFixture(t)
	if first.Dir == second.Dir {
		t.Fatal("two copies share a data dir")
	}
	if p := testapp.NewPhone(t, second.H); p.Kid != first.Phone.Kid || string(p.PublicKey) != string(first.Phone.PublicKey) {
		t.Fatal("a copy publishes another response key than the fixture's phone holds")
	}
	id := testapp.NewID()
	if out := first.Sync(t, first.Phone.Needs(t, id, testapp.NeedsAnswers())); len(out.Accepted) != 1 {
		t.Fatalf("sync: %+v", out)
	}
	if r, _ := second.App.Store().Response(id); r != nil {
		t.Fatal("a response stored in one copy is in another")
	}
	for _, r := range domain.Roles {
		c := second.As(r)
		if rec := c.Get(t, "/staff/"); rec.Code != http.StatusOK {
			t.Errorf("%s: GET /staff/: %d", r, rec.Code)
		}
		if st := second.Staff(t, string(r)); len(st.Roles) != 1 || st.Roles[0] != r || st.ID != testapp.StaffID(t, r) {
			t.Errorf("the %s account: %+v", r, st)
		}
	}
}

// A scenario signs in, carries the form token, and sees what its request
// added to the audit log. (server/web/console's push tests show it seeing
// notices.)
func TestScenario_SignsInWithTheFormTokenAndSeesTheAuditLog(t *testing.T) {
	t.Parallel()
	testapp.Scenario{
		Name:           "an admin adds a site",
		Role:           domain.RoleAdmin,
		URL:            "/staff/sites",
		Form:           url.Values{"code": {"north-1"}},
		ExpectedStatus: http.StatusSeeOther,
		ExpectedAudit:  []testapp.Audit{{Action: "site added", Target: "north-1"}},
	}.Test(t)
	testapp.Scenario{
		Name:           "the form token is the session's own",
		Role:           domain.RoleAdmin,
		URL:            "/staff/sites",
		Form:           url.Values{"code": {"north-1"}, "csrf": {"not-the-token"}},
		ExpectedStatus: http.StatusForbidden,
	}.Test(t)
}

// healthDrafted has two phones subscribe, to surveys and to warnings, and
// puts a new survey, "health", in place as a draft: publishing it leaves a
// notice waiting for the first.
func healthDrafted(t *testing.T, e *testapp.Env) {
	e.Subscribe(t, "wants surveys", "en", domain.PushTopics{Surveys: true})
	e.Subscribe(t, "wants warnings", "en", domain.PushTopics{Warnings: true})
	sv, _ := e.App.Store().LatestSurvey("needs")
	health := *sv
	health.ID, health.Version = "health", 1
	if err := e.App.Store().PutDraft(&health); err != nil {
		t.Fatal(err)
	}
}

// A scenario fails when what comes of its request is not what it expects:
// the wrong status, content missing or present, an audit entry or a notice
// it did not name. Each is run in a child process, which must fail saying
// so.
func TestScenario_FailsOnEveryUnmetExpectation(t *testing.T) {
	if os.Getenv("TESTAPP_BROKEN_SCENARIOS") == "1" {
		brokenScenarios(t)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScenario_FailsOnEveryUnmetExpectation$", "-test.v")
	cmd.Env = append(os.Environ(), "TESTAPP_BROKEN_SCENARIOS=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the broken scenarios passed:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestScenario_FailsOnEveryUnmetExpectation/wrong_status",
		"status 200, want 404",
		"--- FAIL: TestScenario_FailsOnEveryUnmetExpectation/content",
		"the reply lacks no-such-words",
		"the reply holds Sova",
		"--- FAIL: TestScenario_FailsOnEveryUnmetExpectation/an_audit_entry_not_named",
		"the request added audit entries [{Action:site added Target:north-1}], want []",
		"--- FAIL: TestScenario_FailsOnEveryUnmetExpectation/a_notice_not_named",
		"the request left notices waiting map[wants surveys:survey], want map[]",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the child's output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("the child's output:\n%s", out)
	}
}

func brokenScenarios(t *testing.T) {
	for _, s := range []testapp.Scenario{
		{Name: "wrong status", URL: "/en/", ExpectedStatus: http.StatusNotFound},
		{Name: "content", URL: "/en/", ExpectedStatus: http.StatusOK, ExpectedContent: []string{"no-such-words"}, NotExpectedContent: []string{"Sova"}},
		{Name: "an audit entry not named", Role: domain.RoleAdmin, URL: "/staff/sites", Form: url.Values{"code": {"north-1"}}, ExpectedStatus: http.StatusSeeOther},
		{
			Name: "a notice not named", Role: domain.RoleAdmin, URL: "/staff/surveys/health/1/publish", Form: url.Values{}, Before: healthDrafted,
			ExpectedStatus: http.StatusSeeOther, ExpectedAudit: []testapp.Audit{{Action: "survey published", Target: "health v1"}},
		},
	} {
		s.Test(t)
	}
}
