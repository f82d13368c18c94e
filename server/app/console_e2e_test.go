package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sova/internal/testapp"
	"sova/server/domain"
	"sova/server/store"
)

const e2ePassword = "correct horse battery staple"

// signUpAdmin makes the first admin with the setup link and returns her
// console and session cookie.
func (h *harness) signUpAdmin(t *testing.T) (*testapp.Console, *http.Cookie) {
	t.Helper()
	ck := testapp.SignUp(t, h.app.Handler(), h.app.SetupLink(), "admin", e2ePassword)
	return &testapp.Console{H: h.app.Handler(), Token: ck.Value}, ck
}

// startWithAdmin starts Sova with its first admin signed in.
func startWithAdmin(t *testing.T) (*harness, *testapp.Console, *http.Cookie) {
	t.Helper()
	h := newHarness(t)
	h.start("")
	admin, ck := h.signUpAdmin(t)
	return h, admin, ck
}

// mustSave posts a console form with c's CSRF token and fails unless it
// was saved (303).
func mustSave(t *testing.T, c *testapp.Console, path string, form url.Values) {
	t.Helper()
	form.Set("csrf", c.CSRF(t))
	if rec := c.Post(t, path, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST %s: %d %.300s", path, rec.Code, rec.Body)
	}
}

// signUpInBrowser opens a one-time link in the browser and makes the
// account there, as a new staff member would.
func (b *browser) signUpInBrowser(h *harness, link, login string) {
	b.t.Helper()
	b.do(chromedp.Navigate(h.url(link)),
		chromedp.SendKeys(`input[name=login]`, login),
		chromedp.SendKeys(`input[name=password]`, e2ePassword),
		chromedp.SendKeys(`input[name=repeat]`, e2ePassword),
		chromedp.Submit(`input[name=repeat]`))
	b.wait("the console home", `location.pathname === '/staff/'`)
}

// An outreach worker sets her phone up online, collects three people's
// surveys with no signal, and syncs at the office; the admin's results then
// count them, with the small count hidden.
func TestOutreach_FieldWorkerCollectsOfflineAndSyncs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	admin := testapp.NewConsole(h.app.Handler())
	adminCk := testapp.SignUp(t, h.app.Handler(), h.app.SetupLink(), "admin", e2ePassword)
	admin.Token = adminCk.Value
	if rec := admin.Post(t, "/staff/sites", url.Values{"code": {"market-2"}, "csrf": {admin.CSRF(t)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("add site: %d", rec.Code)
	}
	link := testapp.Invite(t, h.app.Handler(), adminCk, admin.CSRF(t), domain.RoleFieldWorker)

	b := newBrowser(t)
	b.signUpInBrowser(h, link, "nadia")
	b.do(chromedp.Navigate(h.url("/staff/outreach")),
		chromedp.SetValue(`form[action="/staff/outreach/device"] select[name=site]`, "market-2"),
		chromedp.SetValue(`form[action="/staff/outreach/device"] select[name=lang]`, "en"),
		chromedp.Submit(`form[action="/staff/outreach/device"] select[name=site]`))
	b.wait("the app in outreach mode", `location.pathname === '/en/' && !document.querySelector('.outreach-bar').hidden`)
	if site := eval[string](b, `document.querySelector('.outreach-bar select').value`); site != "market-2" {
		t.Fatalf("outreach bar shows site %q", site)
	}
	b.wait("offline readiness", `document.body.dataset.offline === '`+h.app.Version()+`'`)
	if d := eval[string](b, `getComputedStyle(document.querySelector('.outreach-bar .ready')).display`); d == "none" {
		t.Error("the outreach bar does not show that the phone is ready offline")
	}

	h.stop()
	for range 3 {
		b.fillSurvey(h)
	}
	if n := eval[int](b, queued); n != 3 {
		t.Fatalf("queued = %d, want 3", n)
	}

	h.start("")
	b.do(chromedp.Navigate(h.url("/en/outbox")))
	b.wait("the outbox to empty", queuedIs(0))
	nadia, _ := h.app.Store().StaffByLogin("nadia")
	n := 0
	h.app.Store().EachResponse(func(id string, r *store.Response) error {
		n++
		if r.Assisted == nil || r.Assisted.Worker != nadia.ID || r.Assisted.Site != "market-2" {
			t.Errorf("stored %+v, want assisted by nadia at market-2", r.Assisted)
		}
		return nil
	})
	if n != 3 {
		t.Fatalf("server holds %d responses, want 3", n)
	}

	// The admin's results count them, and hide the count: 3 is below 11.
	admin.H = h.app.Handler()
	rec := admin.Get(t, "/staff/results/needs/1/results.json")
	var tbl struct {
		Responses struct {
			Count  int
			Hidden bool
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tbl); err != nil || !tbl.Responses.Hidden || tbl.Responses.Count != 0 {
		t.Errorf("results.json responses = %+v (%v): want hidden", tbl.Responses, err)
	}
	if page := admin.Get(t, "/staff/results/needs/1").Body.String(); !strings.Contains(page, "Responses: <strong>hidden for privacy (fewer than 11)</strong>") {
		t.Error("the results page does not hide the count of 3 responses")
	}
}

// A shared tablet in kiosk mode goes back to the start after each person and
// keeps nothing of her but the sealed item.
func TestKiosk_ResetsAfterEachPersonAndKeepsNoAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.start("")
	h.block.Store(true) // keep the item queued, to look at what stays
	b := newBrowser(t)
	b.do(chromedp.Navigate(h.url("/en/?kiosk=on")))
	b.wait("kiosk mode", `location.search === '' && document.body.classList.contains('kiosk')`)
	b.fillSurvey(h)
	b.wait("the return to the start", `location.pathname === '/'`)

	// Back leads to no answers: at most a fresh home page.
	b.do(chromedp.NavigateBack())
	b.wait("a page after Back", `document.readyState === 'complete'`)
	if p := eval[string](b, `location.pathname`); strings.Contains(p, "/s/") {
		t.Errorf("Back leads to the survey page %s", p)
	}
	b.do(chromedp.Navigate(h.url("/en/s/needs")))
	b.wait("a fresh survey", `!!document.querySelector('section.q[data-q]:not([hidden])')`)
	if n := eval[int](b, `document.querySelectorAll('[aria-pressed=true]').length + [...document.querySelectorAll('textarea,input')].filter((i) => i.value).length`); n != 0 {
		t.Errorf("the next person sees %d answers of the previous one", n)
	}
	if n := eval[int](b, `localStorage.length + sessionStorage.length`); n != 0 {
		t.Errorf("web storage holds %d entries", n)
	}
	if n := eval[int](b, queued); n != 1 {
		t.Errorf("queued = %d, want the one sealed item", n)
	}
	assertAbsent(t, "browser profile", b.profile, canaryAnswer)
}
